"""Run leases: each scheduled run is done by one process, and a run cut off is done again.

Before a scheduled job does its work it holds the row ``(kind, chat_id, period_key)`` of
:data:`run_leases`. ``period_key`` is the run's scheduled fire time (:func:`period_key`),
which every process reads from the same job-store row, so all of them compute the same key.
A new row is claimed with ``INSERT … ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL): the
process whose insert went in does the run; every other process leaves it.

The row is also the run's log, so that a process killed at any instant loses nothing:

* the claim is written in the same transaction that advances the job's next run time
  (:mod:`jobs.scheduler`), so a run is never advanced past without a row saying it is due;
* the owner renews ``heartbeat_at`` while the run is in progress, and counts every message
  it delivered in ``delivered`` (right after the platform accepted it);
* ``finished_at`` is set when the run completed, ``failed_at`` when it raised. A failed run
  is not tried again: it may have posted part of its output.

A row that is neither finished nor failed, whose owner is gone, is **stale**: the owner was
killed, or stopped gracefully before the run could finish (it then clears ``heartbeat_at``
so the next start need not wait). Any process may take a stale run over (a compare-and-set
on owner and attempt) and resume it after the ``delivered`` messages. An owner is gone when
its heartbeat is older than the lease's time to live, or at once when it ran on this machine,
in this process-id namespace, and its process no longer exists (:func:`owner_is_gone`).
A run is started at most :data:`MAX_ATTEMPTS` times in all (its first claim included), so
a run that kills its process every time does not do so forever.

The table lives in its own :data:`lease_metadata`, using the app's naming convention; it
belongs in the app's Alembic migrations (:func:`create_lease_table` is for tests and tools).
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    delete,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from jobs.clock import SYSTEM_CLOCK, Clock

LEASE_TABLE = "hearth_run_leases"
DEFAULT_TTL = timedelta(seconds=90)
"""How long a run's owner may stay silent before another process takes the run over."""
MAX_ATTEMPTS = 3
"""Most times one run is started, the first claim included."""
_KEY_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

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
    Column("heartbeat_at", DateTime(timezone=True), nullable=True),
    Column("delivered", Integer, nullable=False, server_default=text("0")),
    Column("attempts", Integer, nullable=False, server_default=text("1")),
    Column("failed_at", DateTime(timezone=True), nullable=True),
    Index("ix_hearth_run_leases_claimed_at", "claimed_at"),
)
"""One row per job run that some process claimed; the primary key makes claims exclusive."""


def period_key(moment: datetime) -> str:
    """The lease key of a run scheduled at ``moment``: UTC to the second.

    For example ``2026-05-06T01:00:00Z``.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a period key needs a timezone-aware moment")
    return moment.astimezone(UTC).strftime(_KEY_FORMAT)


def key_moment(key: str) -> datetime:
    """The fire time a :func:`period_key` stands for (UTC)."""
    return datetime.strptime(key, _KEY_FORMAT).replace(tzinfo=UTC)


def _local_scope() -> str:
    """Names where a process id means one process: this boot, this pid namespace ('' if unknown)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""
    return hashlib.sha256(f"{boot}/{namespace}".encode()).hexdigest()[:12]


_SCOPE = _local_scope()
_MINTED: set[str] = set()
"""Owner names this process made: whatever the process id says, these are alive."""


def default_owner() -> str:
    """A name for this process in lease rows: ``host:pid:scope:random``.

    ``scope`` names this boot of this machine and this process-id namespace (``-`` where
    that cannot be told), so that :func:`owner_is_gone` can check the process id.
    """
    owner = f"{socket.gethostname()[:80]}:{os.getpid()}:{_SCOPE or '-'}:{uuid.uuid4().hex[:8]}"
    _MINTED.add(owner)
    return owner


def owner_is_gone(owner: str) -> bool:
    """Whether ``owner`` surely no longer runs: a process of this machine's boot and pid
    namespace that has exited (or whose pid is now this process's, under another name).

    ``False`` means "cannot tell here": the heartbeat decides.
    """
    parts = owner.rsplit(":", 3)
    if len(parts) != 4 or not _SCOPE or parts[2] != _SCOPE or owner in _MINTED:
        return False
    try:
        pid = int(parts[1])
    except ValueError:
        return False
    if pid == os.getpid():
        return True
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


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
    """A claimed run: who holds it, since when, and how far it got."""

    kind: str
    chat_id: int
    period_key: str
    owner: str
    claimed_at: datetime
    finished_at: datetime | None
    heartbeat_at: datetime | None = None
    delivered: int = 0
    attempts: int = 1
    failed_at: datetime | None = None

    @property
    def open(self) -> bool:
        """Neither finished nor failed."""
        return self.finished_at is None and self.failed_at is None


@dataclass(frozen=True, slots=True)
class Claim:
    """This process holds the run ``(kind, chat_id, key)``.

    ``delivered`` messages were delivered by earlier attempts (resume after them);
    ``attempt`` is 1 for a fresh run.
    """

    kind: str
    chat_id: int
    key: str
    delivered: int = 0
    attempt: int = 1

    @property
    def resumed(self) -> bool:
        """Whether an earlier attempt was cut off and this one takes over."""
        return self.attempt > 1


class LeaseLostError(RuntimeError):
    """Another process took this run over: stop, so that it is not done twice."""


def insert_claim(
    connection: Connection, *, kind: str, chat_id: int, key: str, owner: str, now: datetime
) -> bool:
    """Insert a new claim on a synchronous ``connection``; ``False`` when the row exists."""
    values = {
        "kind": kind,
        "chat_id": chat_id,
        "period_key": key,
        "owner": owner,
        "claimed_at": now,
        "heartbeat_at": now,
        "delivered": 0,
        "attempts": 1,
    }
    dialect = connection.dialect.name
    if dialect == "postgresql":
        statement: Any = pg_insert(run_leases).values(values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite_insert(run_leases).values(values).on_conflict_do_nothing()
    else:
        raise RuntimeError(f"run leases need SQLite or PostgreSQL, not {dialect}")
    return connection.execute(statement.returning(run_leases.c.owner)).first() is not None


def _lease(row: Any) -> Lease:
    claimed_at = _aware(row.claimed_at)
    assert claimed_at is not None
    return Lease(
        kind=row.kind,
        chat_id=row.chat_id,
        period_key=row.period_key,
        owner=row.owner,
        claimed_at=claimed_at,
        finished_at=_aware(row.finished_at),
        heartbeat_at=_aware(row.heartbeat_at),
        delivered=row.delivered,
        attempts=row.attempts,
        failed_at=_aware(row.failed_at),
    )


class RunLeases:
    """Claims, renews and takes over runs in :data:`run_leases`; one instance per process.

    ``ttl`` is how long a run's owner may stay silent before the run counts as stale.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        owner: str | None = None,
        clock: Clock = SYSTEM_CLOCK,
        ttl: timedelta = DEFAULT_TTL,
    ) -> None:
        if ttl <= timedelta(0):
            raise ValueError("a lease's time to live must be positive")
        self._engine = engine
        self._clock = clock
        self.ttl = ttl
        self.owner = (owner or default_owner())[:128]

    def now(self) -> datetime:
        """The lease clock's time in UTC (SQLite keeps no offset: always store UTC)."""
        return self._clock.now().astimezone(UTC)

    def is_stale(self, lease: Lease) -> bool:
        """Whether ``lease`` is open, not this process's, and its owner is gone."""
        if not lease.open or lease.owner == self.owner:
            return False
        if lease.heartbeat_at is None or lease.heartbeat_at < self.now() - self.ttl:
            return True
        return owner_is_gone(lease.owner)

    async def claim(self, kind: str, chat_id: int, key: str) -> Claim | None:
        """Claim the run ``(kind, chat_id, key)``, or take it over when stale.

        Returns the :class:`Claim` when this process now holds it, ``None`` when another
        holds it, it already finished or failed, or it was tried :data:`MAX_ATTEMPTS` times.
        """
        async with self._engine.begin() as connection:
            inserted = await connection.run_sync(
                insert_claim, kind=kind, chat_id=chat_id, key=key, owner=self.owner, now=self.now()
            )
        if inserted:
            return Claim(kind, chat_id, key)
        lease = await self.get(kind, chat_id, key)
        if lease is None or not self.is_stale(lease):
            return None
        return await self.take_over(lease)

    async def take_over(self, lease: Lease) -> Claim | None:
        """Take a stale run from its gone owner; ``None`` when another process was quicker."""
        if lease.attempts >= MAX_ATTEMPTS:
            return None
        statement = (
            update(run_leases)
            .where(
                self._matches(lease.kind, lease.chat_id, lease.period_key),
                run_leases.c.owner == lease.owner,
                run_leases.c.attempts == lease.attempts,
                run_leases.c.finished_at.is_(None),
                run_leases.c.failed_at.is_(None),
            )
            .values(owner=self.owner, heartbeat_at=self.now(), attempts=lease.attempts + 1)
        )
        async with self._engine.begin() as connection:
            result = await connection.execute(statement)
        if result.rowcount != 1:
            return None
        return Claim(
            lease.kind, lease.chat_id, lease.period_key, lease.delivered, lease.attempts + 1
        )

    async def delivered(self, kind: str, chat_id: int, key: str) -> int:
        """Count one more delivered message of a run this process holds; returns the count.

        Raises :class:`LeaseLostError` when another process took the run over.
        """
        statement = (
            update(run_leases)
            .where(self._mine(kind, chat_id, key))
            .values(delivered=run_leases.c.delivered + 1, heartbeat_at=self.now())
            .returning(run_leases.c.delivered)
        )
        async with self._engine.begin() as connection:
            count = (await connection.execute(statement)).scalar()
        if count is None:
            raise LeaseLostError(f"{kind} {chat_id} at {key} was taken over by another process")
        return int(count)

    async def finish(self, kind: str, chat_id: int, key: str) -> None:
        """Record that the claimed run completed."""
        await self._close(kind, chat_id, key, finished_at=self.now())

    async def fail(self, kind: str, chat_id: int, key: str) -> None:
        """Record that the claimed run raised: it is not tried again."""
        await self._close(kind, chat_id, key, failed_at=self.now())

    async def renew(self) -> int:
        """Renew the heartbeat of every open run this process holds; returns how many."""
        statement = (
            update(run_leases)
            .where(
                run_leases.c.owner == self.owner,
                run_leases.c.finished_at.is_(None),
                run_leases.c.failed_at.is_(None),
            )
            .values(heartbeat_at=self.now())
        )
        async with self._engine.begin() as connection:
            result = await connection.execute(statement)
            return int(result.rowcount)

    async def release(self) -> int:
        """Let go of this process's open runs (a graceful stop cut them off).

        Their heartbeat is cleared, so any process, this one's successor included, may
        take them over at once. Returns how many were released.
        """
        statement = (
            update(run_leases)
            .where(
                run_leases.c.owner == self.owner,
                run_leases.c.finished_at.is_(None),
                run_leases.c.failed_at.is_(None),
            )
            .values(heartbeat_at=None)
        )
        async with self._engine.begin() as connection:
            result = await connection.execute(statement)
            return int(result.rowcount)

    async def stale(self, since: datetime) -> list[Lease]:
        """Open runs scheduled at or after ``since`` whose owner is gone, oldest first."""
        statement = (
            select(run_leases)
            .where(
                run_leases.c.period_key >= period_key(since),
                run_leases.c.finished_at.is_(None),
                run_leases.c.failed_at.is_(None),
                run_leases.c.owner != self.owner,
                run_leases.c.attempts < MAX_ATTEMPTS,
            )
            .order_by(run_leases.c.period_key)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        return [lease for lease in map(_lease, rows) if self.is_stale(lease)]

    async def get(self, kind: str, chat_id: int, key: str) -> Lease | None:
        """The lease of one run, if any process claimed it."""
        statement = select(run_leases).where(self._matches(kind, chat_id, key))
        async with self._engine.connect() as connection:
            row = (await connection.execute(statement)).first()
        return None if row is None else _lease(row)

    async def prune(self, older_than: timedelta) -> int:
        """Delete leases claimed more than ``older_than`` ago; returns how many went."""
        cutoff = self.now() - older_than
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

    async def _close(self, kind: str, chat_id: int, key: str, **values: datetime) -> None:
        statement = update(run_leases).where(self._mine(kind, chat_id, key)).values(**values)
        async with self._engine.begin() as connection:
            await connection.execute(statement)

    def _mine(self, kind: str, chat_id: int, key: str) -> Any:
        return and_(
            self._matches(kind, chat_id, key),
            run_leases.c.owner == self.owner,
            run_leases.c.finished_at.is_(None),
            run_leases.c.failed_at.is_(None),
        )

    @staticmethod
    def _matches(kind: str, chat_id: int, key: str) -> Any:
        return and_(
            run_leases.c.kind == kind,
            run_leases.c.chat_id == chat_id,
            run_leases.c.period_key == key,
        )
