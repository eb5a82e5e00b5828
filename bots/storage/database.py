"""Engine creation and schema migrations (Alembic), for SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine for ``url``, with SQLite tuned for one writer and many readers.

    For SQLite the parent folder is created, foreign keys are enforced, the
    journal runs in WAL mode so readers never wait for the embedding writer, and
    deleted content is overwritten with zeros (``secure_delete``) so that a
    deleted message cannot be read back from the file's free space.
    """
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_async_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


async def truncate_sqlite_wal(
    engine: AsyncEngine, *, attempts: int = 20, pause: float = 0.1
) -> bool:
    """Fold SQLite's write-ahead log into the database and cut it to zero bytes.

    The log keeps old copies of changed pages (the text of a deleted row too)
    until it is checkpointed and reset. A reader in the middle of a
    transaction blocks the reset; this retries ``attempts`` times, ``pause``
    seconds apart, and returns whether the log was emptied.
    """
    for attempt in range(attempts):
        async with engine.connect() as connection:
            result = await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            row = result.first()
        if row is not None and int(row[0]) == 0:
            return True
        if attempt + 1 < attempts:
            await asyncio.sleep(pause)
    return False


def alembic_config() -> Config:
    """The Alembic configuration pointing at Hearth's migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


MIGRATION_LOCK_KEY = 0x4E_41_52_54_48_0001
"""The PostgreSQL advisory lock key held while the schema is upgraded."""


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database schema up to ``revision`` (the latest by default).

    On PostgreSQL several processes may start at once (``hearth run`` replicas and
    workers): a transaction-level advisory lock lets one migrate while the others wait,
    then find the schema up to date.
    """

    def upgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        await connection.run_sync(upgrade)


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    """Roll the schema back to ``revision`` (used by migration tests)."""

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)
