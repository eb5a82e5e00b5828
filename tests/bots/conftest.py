"""A Hearth wired to a test database and a memory backend, with the real embedder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bots.app import Hearth
from bots.settings import HearthSettings
from memory.store import MemoryStore


def make_memory(kind: str, tmp_path: Path, dimension: int) -> MemoryStore:
    """A memory store of the given backend kind."""
    if kind == "edge":
        from memory.edge_store import EdgeMemoryStore

        return EdgeMemoryStore(tmp_path / "edge", dimension)
    from qdrant_client import AsyncQdrantClient

    from memory.server_store import ServerMemoryStore

    return ServerMemoryStore(AsyncQdrantClient(location=":memory:"), "test_messages", dimension)


@pytest.fixture(params=["edge", "server"])
def memory_kind(request: pytest.FixtureRequest) -> str:
    """Which memory backend a test runs against."""
    return str(request.param)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> HearthSettings:
    """Settings pointing at the test database and a temporary data folder."""
    return HearthSettings(
        HEARTH_DATA_DIR=tmp_path,
        DATABASE_URL=database_url,
        HEARTH_PLATFORM_CONNECT_WAIT_SECONDS=0.5,
    )


@pytest.fixture
async def hearth(
    settings: HearthSettings,
    embedder,
    memory_kind: str,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> AsyncIterator[Hearth]:
    """A running Hearth on the test database and memory backend."""
    memory = make_memory(memory_kind, tmp_path, embedder.dimension)
    app = await Hearth.build(settings, embedder=embedder, memory=memory)
    yield app
    await app.close()
