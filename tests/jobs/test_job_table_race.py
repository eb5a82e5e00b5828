"""Schedulers of processes started at once on a fresh database both open the job store,
although only one of them can create its table."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Connection, Table, event, text
from sqlalchemy import create_engine as create_sync_engine

from jobs.scheduler import HearthScheduler, sync_database_url
from tests.jobs.test_scheduler import Database, db, table_names

__all__ = ["db"]

TABLE = "hearth_scheduled_jobs_race"
"""A job table of this test's own, so that it is surely missing at the start."""


@pytest.fixture
async def other_process_creates_the_table_first(db: Database) -> AsyncIterator[list[str]]:
    """Just before this process creates the job table, another one creates it (committed):
    the state after both looked and found no table."""
    created: list[str] = []
    other = create_sync_engine(sync_database_url(db.url))

    def create_elsewhere(table: Table, connection: Connection, **_kw: object) -> None:
        if table.name != TABLE or connection.engine is other or created:
            return
        created.append(table.name)
        with other.begin() as elsewhere:
            table.create(elsewhere)

    event.listen(Table, "before_create", create_elsewhere)
    try:
        yield created
    finally:
        event.remove(Table, "before_create", create_elsewhere)
        other.dispose()
        async with db.engine.begin() as connection:
            await connection.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))


async def test_a_scheduler_that_loses_the_race_to_create_the_table_starts(
    db: Database, other_process_creates_the_table_first: list[str]
) -> None:
    assert TABLE not in await table_names(db.engine)
    scheduler = HearthScheduler(db.url, poll_interval=None, table_name=TABLE)
    await scheduler.start()
    try:
        assert other_process_creates_the_table_first == [TABLE]
        assert scheduler.running
    finally:
        await scheduler.shutdown()
