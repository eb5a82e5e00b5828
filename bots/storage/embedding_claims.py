"""Pending messages shared by several embedding workers: claims that run out.

A worker claims a batch by writing its name and a deadline on the rows. On PostgreSQL
the rows are picked with ``FOR UPDATE SKIP LOCKED``, so workers never wait for each other
and never take the same row; on SQLite the single UPDATE holds the database's write lock.
A worker that dies leaves its claims behind, and they run out: the rows return to the pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select, func, or_, select, update

from bots.storage.base import StorageBase
from bots.storage.message_ingest import STORED_COLUMNS, stored_message
from bots.storage.records import StoredMessage
from bots.storage.tables import MessageRow, utcnow


class EmbeddingClaims(StorageBase):
    """Claim, release and inspect batches of messages waiting for vector memory."""

    async def claim_pending(
        self,
        worker: str,
        limit: int,
        *,
        imported_limit: int | None = None,
        hold: timedelta,
        live_only: bool = False,
    ) -> list[StoredMessage]:
        """Claim pending messages for ``worker`` until ``hold`` from now, oldest first.

        Live messages first (up to ``limit``); only when none is free (and not
        ``live_only``), up to ``imported_limit`` (default ``limit``) imported ones. Rows
        another worker holds are skipped, and so are this worker's own unexpired claims
        (batches in flight).
        """
        now = utcnow()
        kinds = [(False, limit)]
        if not live_only:
            kinds.append((True, imported_limit or limit))
        async with self._engine.begin() as conn:
            for imported, count in kinds:
                picked = self._free_rows(imported, count, now)
                stmt = (
                    update(MessageRow)
                    .where(MessageRow.id.in_(picked.scalar_subquery()))
                    .values(embedding_claimed_until=now + hold, embedding_claimed_by=worker)
                    .returning(*STORED_COLUMNS)
                )
                rows = (await conn.execute(stmt)).all()
                if rows:
                    return sorted((stored_message(row) for row in rows), key=lambda m: m.id)
        return []

    def _free_rows(self, imported: bool, count: int, now: datetime) -> Select[int]:
        """The ids of up to ``count`` unclaimed pending rows, oldest first."""
        stmt = (
            select(MessageRow.id)
            .where(
                MessageRow.embedded_at.is_(None),
                MessageRow.imported.is_(imported),
                or_(
                    MessageRow.embedding_claimed_until.is_(None),
                    MessageRow.embedding_claimed_until < now,
                ),
            )
            .order_by(MessageRow.id)
            .limit(count)
        )
        if self._engine.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        return stmt

    async def release_claims(self, worker: str, ids: Sequence[int] | None = None) -> int:
        """Give back ``worker``'s claims (on ``ids``, or all of them); returns how many."""
        stmt = (
            update(MessageRow)
            .where(MessageRow.embedding_claimed_by == worker)
            .values(embedding_claimed_until=None, embedding_claimed_by=None)
        )
        if ids is not None:
            if not ids:
                return 0
            stmt = stmt.where(MessageRow.id.in_(ids))
        async with self._engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount

    async def count_claimed(self) -> int:
        """How many pending messages some worker holds now (for tests and metrics)."""
        async with self._engine.connect() as conn:
            found = await conn.scalar(
                select(func.count())
                .select_from(MessageRow)
                .where(
                    MessageRow.embedded_at.is_(None),
                    MessageRow.embedding_claimed_until >= utcnow(),
                )
            )
        return int(found or 0)
