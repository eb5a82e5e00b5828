"""Several processes starting at once on one PostgreSQL database migrate it once."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bots.storage.database import create_engine, migrate
from tests.conftest import POSTGRES_ADMIN_URL


async def test_processes_starting_together_on_a_new_database_all_succeed() -> None:
    admin = make_url(POSTGRES_ADMIN_URL)
    name = f"hearth_migrate_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(
        host=admin.host,
        port=admin.port or 5432,
        user=admin.username,
        password=admin.password,
        database=admin.database,
    )
    await conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(drivername="postgresql+asyncpg", database=name)
    engines = [create_engine(url.render_as_string(hide_password=False)) for _ in range(4)]
    try:
        async with asyncio.timeout(60):  # without a lock they can block each other for good
            await asyncio.gather(*(migrate(engine) for engine in engines))
        async with engines[0].connect() as check:
            versions = (await check.execute(text("SELECT version_num FROM alembic_version"))).all()
        assert len(versions) == 1
    finally:
        for engine in engines:
            await engine.dispose()
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()
