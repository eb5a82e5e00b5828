"""Cheap queries for health checks and metrics: is the database there, what waits."""

from __future__ import annotations

from sqlalchemy import func, select, text

from bots.storage.base import StorageBase
from bots.storage.tables import MessageRow


class HealthQueries(StorageBase):
    """Answers ``/healthz`` and ``/metrics`` with one small query each."""

    async def ping(self) -> None:
        """Run ``SELECT 1``; raises when the database cannot be reached."""
        async with self._engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def count_pending_messages(self) -> int:
        """How many stored messages are not yet in vector memory (an index lookup)."""
        async with self._sessions() as session:
            found = await session.scalar(
                select(func.count()).select_from(MessageRow).where(MessageRow.embedded_at.is_(None))
            )
            return int(found or 0)
