"""What every part of the repository shares: the engine, sessions and text hygiene."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bots.storage.tables import ChatSettingsRow


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

    @staticmethod
    async def _chat_settings_row(session: AsyncSession, chat_id: int) -> ChatSettingsRow:
        """The chat's settings row in ``session``, added with the defaults if it has none."""
        row = await session.get(ChatSettingsRow, chat_id)
        if row is None:
            row = ChatSettingsRow(chat_id=chat_id, twins_enabled=True)
            session.add(row)
        return row

    def _insert(self, table: Any) -> Any:
        """An INSERT for ``table`` that supports ON CONFLICT on this database."""
        if self._engine.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)
