"""The ``IngestLedger`` in SQL: update positions per platform and updates kept unread."""

from __future__ import annotations

from sqlalchemy import func, select

from adapters.model import Platform, UnreadableUpdate
from bots.storage.base import StorageBase, storable
from bots.storage.tables import PlatformCursorRow, SkippedUpdateRow, utcnow


class IngestLedgerStore(StorageBase):
    """Keeps each adapter's place in its update stream and the updates it had to skip."""

    async def load_cursor(self, platform: Platform, key: str) -> int | None:
        """The saved position, or ``None``."""
        async with self._sessions() as session:
            row = await session.get(PlatformCursorRow, (platform.value, key))
        return None if row is None else row.position

    async def save_cursor(self, platform: Platform, key: str, value: int) -> None:
        """Save ``value`` as the position; a lower value never replaces a higher one."""
        table = PlatformCursorRow.__table__
        insert = self._insert(table).values(
            platform=platform.value, key=key, position=value, updated_at=utcnow()
        )
        upsert = insert.on_conflict_do_update(
            index_elements=[table.c.platform, table.c.key],
            set_={
                "position": func.max(table.c.position, insert.excluded.position)
                if self._engine.dialect.name == "sqlite"
                else func.greatest(table.c.position, insert.excluded.position),
                "updated_at": insert.excluded.updated_at,
            },
        )
        async with self._sessions.begin() as session:
            await session.execute(upsert)

    async def record_unreadable(self, update: UnreadableUpdate) -> None:
        """Keep ``update`` as received."""
        async with self._sessions.begin() as session:
            session.add(
                SkippedUpdateRow(
                    platform=update.platform.value,
                    platform_update_id=update.platform_update_id[:64],
                    sender_platform_user_id=update.sender_platform_user_id,
                    raw=storable(update.raw),
                    error=storable(update.error),
                    received_at=update.received_at,
                )
            )

    async def unreadable(self, platform: Platform | None = None) -> list[UnreadableUpdate]:
        """The kept updates, oldest first (all platforms unless one is named)."""
        query = select(SkippedUpdateRow).order_by(SkippedUpdateRow.id)
        if platform is not None:
            query = query.where(SkippedUpdateRow.platform == platform.value)
        async with self._sessions() as session:
            rows = (await session.scalars(query)).all()
        return [
            UnreadableUpdate(
                platform=Platform(row.platform),
                platform_update_id=row.platform_update_id,
                raw=row.raw,
                error=row.error,
                received_at=row.received_at,
                sender_platform_user_id=row.sender_platform_user_id,
            )
            for row in rows
        ]
