"""The ``IngestLedger`` in SQL: update positions per platform and updates kept unread."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select, update

from adapters.model import Platform, UnreadableUpdate
from adapters.ports import UpdateClaim
from bots.storage.base import StorageBase, storable
from bots.storage.tables import HandledUpdateRow, PlatformCursorRow, SkippedUpdateRow, utcnow

UPDATE_CLAIM_HOLD = timedelta(seconds=60)
"""How long a process holds an update it is handling; a process that dies meanwhile leaves
it to whichever replica the platform sends it to after that."""

HANDLED_UPDATES_KEPT = timedelta(days=2)
"""Handled update ids are kept this long (Telegram stops sending an update after a day)."""

PRUNE_EVERY = 1000
"""Handled updates older than ``HANDLED_UPDATES_KEPT`` are deleted once per this many claims."""


class IngestLedgerStore(StorageBase):
    """Keeps each adapter's place in its update stream, the updates it had to skip and the
    updates taken by webhook replicas."""

    _claims_since_prune = 0

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

    async def claim_update(
        self, platform: Platform, key: str, update_id: int, *, owner: str = ""
    ) -> UpdateClaim:
        """Take the update for ``owner`` (one insert); see :class:`UpdateClaim`.

        A claim left by a process that died (not handled, its hold over) is taken over.
        """
        now = utcnow()
        table = HandledUpdateRow.__table__
        insert = self._insert(table).values(
            platform=platform.value,
            key=key,
            update_id=update_id,
            claimed_by=owner,
            claimed_until=now + UPDATE_CLAIM_HOLD,
            done_at=None,
        )
        upsert = insert.on_conflict_do_update(
            index_elements=[table.c.platform, table.c.key, table.c.update_id],
            set_={
                "claimed_by": insert.excluded.claimed_by,
                "claimed_until": insert.excluded.claimed_until,
            },
            where=(table.c.done_at.is_(None)) & (table.c.claimed_until < now),
        ).returning(table.c.update_id)
        async with self._sessions.begin() as session:
            taken = (await session.execute(upsert)).first() is not None
            if not taken:
                done_at = await session.scalar(
                    select(HandledUpdateRow.done_at).where(
                        HandledUpdateRow.platform == platform.value,
                        HandledUpdateRow.key == key,
                        HandledUpdateRow.update_id == update_id,
                    )
                )
        await self._prune_now_and_then()
        if taken:
            return UpdateClaim.TAKEN
        return UpdateClaim.DONE if done_at is not None else UpdateClaim.BUSY

    async def finish_update(
        self, platform: Platform, key: str, update_id: int, *, handled: bool
    ) -> None:
        """Mark the update handled, or give the claim back so that a resend is taken at once."""
        where = (
            HandledUpdateRow.platform == platform.value,
            HandledUpdateRow.key == key,
            HandledUpdateRow.update_id == update_id,
        )
        stmt = (
            update(HandledUpdateRow).where(*where).values(done_at=utcnow())
            if handled
            else delete(HandledUpdateRow).where(*where, HandledUpdateRow.done_at.is_(None))
        )
        async with self._sessions.begin() as session:
            await session.execute(stmt)

    async def _prune_now_and_then(self) -> None:
        """Delete handled updates older than ``HANDLED_UPDATES_KEPT``, once in a while."""
        self._claims_since_prune += 1
        if self._claims_since_prune < PRUNE_EVERY:
            return
        self._claims_since_prune = 0
        async with self._sessions.begin() as session:
            await session.execute(
                delete(HandledUpdateRow).where(
                    HandledUpdateRow.claimed_until < utcnow() - HANDLED_UPDATES_KEPT
                )
            )
