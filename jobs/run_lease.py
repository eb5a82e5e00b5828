"""Run leases: with several Hearth processes on one database, exactly one runs each job run.

Before a scheduled job does its work it claims the row ``(kind, chat_id, period_key)`` in
:data:`run_leases` with ``INSERT … ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL). The
process whose insert went in runs the job; every other process skips it. ``period_key`` is
the run's scheduled fire time (:func:`period_key`), which every process reads from the same
job-store row, so all of them compute the same key.

A claimed run is never retried by another process, even if it fails: runs are at most once,
so a chat never gets the same digest twice.

The table lives in its own :data:`lease_metadata`, using the app's naming convention; it
belongs in the app's Alembic migrations (:func:`create_lease_table` is for tests and tools).
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    MetaData,
    String,
    Table,
    and_,
    delete,
    inspect,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from jobs.clock import SYSTEM_CLOCK, Clock

LEASE_TABLE = "hearth_run_leases"

lease_metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
"""Metadata holding only :data:`run_leases` (same naming convention as ``bots.storage``)."""

run_leases = Table(
    LEASE_TABLE,
    lease_metadata,
    Column("kind", String(32), primary_key=True),
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("period_key", String(64), primary_key=True),
    Column("owner", String(128), nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Index("ix_hearth_run_leases_claimed_at", "claimed_at"),
)
"""One row per job run that some process claimed; the primary key makes claims exclusive."""


def period_key(moment: datetime) -> str:
    """The lease key of a run scheduled at ``moment``: UTC to the second.

    For example ``2026-05-06T01:00:00Z``.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a period key needs a timezone-aware moment")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def default_owner() -> str:
    """A name for this process in lease rows: host, process id and a random suffix."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def create_lease_table(engine: AsyncEngine) -> None:
    """Create :data:`run_leases` if it is missing (tests and tools; the app uses migrations)."""
    async with engine.begin() as connection:
        await connection.run_sync(lease_metadata.create_all, checkfirst=True)


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Lease:
    """A claimed run: who claimed it and when, and when it finished (``None``: not yet)."""

    kind: str
    chat_id: int
    period_key: str
    owner: str
    claimed_at: datetime
    finished_at: datetime | None


class RunLeases:
    """Claims runs in :data:`run_leases` on an async engine; one instance per process."""

    def __init__(
        self, engine: AsyncEngine, *, owner: str | None = None, clock: Clock = SYSTEM_CLOCK
    ) -> None:
        self._engine = engine
        self._clock = clock
        self.owner = (owner or default_owner())[:128]

    def _now(self) -> datetime:
        # SQLite keeps no offset: always store UTC.
        return self._clock.now().astimezone(UTC)

    def _insert(self, values: dict[str, Any]) -> Any:
        dialect = self._engine.dialect.name
        if dialect == "postgresql":
            return pg_insert(run_leases).values(values).on_conflict_do_nothing()
        if dialect == "sqlite":
            return sqlite_insert(run_leases).values(values).on_conflict_do_nothing()
        raise RuntimeError(f"run leases need SQLite or PostgreSQL, not {dialect}")

    async def claim(self, kind: str, chat_id: int, key: str) -> bool:
        """Claim the run ``(kind, chat_id, key)``; ``True`` when this process won it."""
        statement = self._insert(
            {
                "kind": kind,
                "chat_id": chat_id,
                "period_key": key,
                "owner": self.owner,
                "claimed_at": self._now(),
            }
        ).returning(run_leases.c.owner)
        async with self._engine.begin() as connection:
            result = await connection.execute(statement)
            return result.first() is not None

    async def finish(self, kind: str, chat_id: int, key: str) -> None:
        """Record that the claimed run completed."""
        statement = (
            update(run_leases)
            .where(self._matches(kind, chat_id, key), run_leases.c.owner == self.owner)
            .values(finished_at=self._now())
        )
        async with self._engine.begin() as connection:
            await connection.execute(statement)

    async def get(self, kind: str, chat_id: int, key: str) -> Lease | None:
        """The lease of one run, if any process claimed it."""
        statement = select(run_leases).where(self._matches(kind, chat_id, key))
        async with self._engine.connect() as connection:
            row = (await connection.execute(statement)).first()
        if row is None:
            return None
        claimed_at = _aware(row.claimed_at)
        assert claimed_at is not None
        return Lease(
            kind=row.kind,
            chat_id=row.chat_id,
            period_key=row.period_key,
            owner=row.owner,
            claimed_at=claimed_at,
            finished_at=_aware(row.finished_at),
        )

    async def prune(self, older_than: timedelta) -> int:
        """Delete leases claimed more than ``older_than`` ago; returns how many went."""
        cutoff = self._now() - older_than
        statement = delete(run_leases).where(run_leases.c.claimed_at < cutoff)
        async with self._engine.begin() as connection:
            result = await connection.execute(statement)
            return int(result.rowcount)

    async def table_exists(self) -> bool:
        """Whether :data:`run_leases` exists in the database."""
        async with self._engine.connect() as connection:
            return bool(
                await connection.run_sync(lambda sync: inspect(sync).has_table(LEASE_TABLE))
            )

    @staticmethod
    def _matches(kind: str, chat_id: int, key: str) -> Any:
        return and_(
            run_leases.c.kind == kind,
            run_leases.c.chat_id == chat_id,
            run_leases.c.period_key == key,
        )
