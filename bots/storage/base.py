"""What every part of the repository shares: the engine, sessions and text hygiene."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import func, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from adapters.model import Chat, Member
from bots.storage.tables import Base, ChatRow, ChatSettingsRow, MemberRow, utcnow

_Row = TypeVar("_Row", bound=Base)


def storable(text: str) -> str:
    """Text as both SQLite and PostgreSQL can keep it (PostgreSQL rejects NUL characters)."""
    return text.replace("\x00", "\ufffd")


class StorageBase:
    """Holds the engine and a session factory; each public method is one transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    @property
    def engine(self) -> AsyncEngine:
        """The engine this repository writes through."""
        return self._engine

    async def close(self) -> None:
        """Release all database connections."""
        await self._engine.dispose()

    async def _upsert_chat(
        self, session: AsyncSession | AsyncConnection, chat: Chat, *, live: bool = True
    ) -> int:
        """The chat's id, adding its row on first sight.

        Seen ``live``, a new chat starts active and a known one takes the title it has now.
        Otherwise (an import) a new chat starts inactive and a known one is left as it is.
        """
        stmt = self._insert(ChatRow).values(
            platform=chat.platform.value,
            platform_chat_id=chat.platform_chat_id,
            kind=chat.kind.value,
            title=storable(chat.title)[:256] if chat.title else None,
            active=live,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        keys = [ChatRow.platform, ChatRow.platform_chat_id]
        if live:
            upsert = stmt.on_conflict_do_update(
                index_elements=keys,
                set_={"title": func.coalesce(stmt.excluded.title, ChatRow.title)},
            ).returning(ChatRow.id)
            return int((await session.execute(upsert)).scalar_one())
        # Nothing is updated, so an import batch does not lock the chat's row.
        await session.execute(stmt.on_conflict_do_nothing(index_elements=keys))
        found = await session.scalar(
            select(ChatRow.id).where(
                ChatRow.platform == chat.platform.value,
                ChatRow.platform_chat_id == chat.platform_chat_id,
            )
        )
        assert found is not None
        return int(found)

    async def _upsert_member(self, session: AsyncSession | AsyncConnection, member: Member) -> int:
        """The member's id, adding their row on first sight and refreshing their names."""
        username = member.username.lower() if member.username else None
        stmt = self._insert(MemberRow).values(
            platform=member.platform.value,
            platform_user_id=member.platform_user_id,
            display_name=storable(member.display_name)[:256],
            username=username,
            is_bot=member.is_bot,
            locale=member.locale[:16] if member.locale else None,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[MemberRow.platform, MemberRow.platform_user_id],
            set_={
                "display_name": stmt.excluded.display_name,
                "username": func.coalesce(stmt.excluded.username, MemberRow.username),
                "is_bot": stmt.excluded.is_bot,
                "locale": func.coalesce(stmt.excluded.locale, MemberRow.locale),
            },
        ).returning(MemberRow.id)
        return int((await session.execute(stmt)).scalar_one())

    async def _chat_settings_row(self, session: AsyncSession, chat_id: int) -> ChatSettingsRow:
        """The chat's settings row in ``session``, added with the defaults if it has none."""
        return await self._row(session, ChatSettingsRow, chat_id=chat_id, twins_enabled=True)

    async def _row(
        self, session: AsyncSession, model: type[_Row], *, lock: bool = False, **values: Any
    ) -> _Row:
        """The row of ``model`` whose key ``values`` hold, added with ``values`` if missing.

        Two processes may add the same row at once (two replicas, two admins): the row is
        inserted with ON CONFLICT DO NOTHING and then read, so neither write fails. With
        ``lock`` the row is read FOR UPDATE (PostgreSQL).
        """
        keys = [str(column.key) for column in inspect(model).primary_key]
        identity = tuple(values[key] for key in keys)
        row = await session.get(model, identity, with_for_update=lock)
        if row is None:
            insert = self._insert(model).values(**values)
            await session.execute(insert.on_conflict_do_nothing(index_elements=keys))
            row = await session.get(model, identity, with_for_update=lock, populate_existing=True)
            assert row is not None
        return row

    def _insert(self, table: Any) -> Any:
        """An INSERT for ``table`` that supports ON CONFLICT on this database."""
        if self._engine.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)
