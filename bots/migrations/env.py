"""Alembic environment: runs on a connection handed over by ``bots.storage.database``.

Run from the command line (``alembic -x url=... revision --autogenerate``) it
opens its own async engine.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection

from bots.storage.database import create_engine
from bots.storage.tables import Base

target_metadata = Base.metadata

OUTSIDE_MODELS = frozenset({"hearth_run_leases", "hearth_scheduled_jobs"})
"""Tables owned by the scheduler (``jobs/``), not by ``Base``; autogenerate leaves them be."""


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Skip the scheduler's tables when comparing the models with the database."""
    table = getattr(obj, "table", None)
    table_name = name if type_ == "table" else getattr(table, "name", None)
    return table_name not in OUTSIDE_MODELS


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_standalone(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_run_standalone(context.get_x_argument(as_dictionary=True)["url"]))
