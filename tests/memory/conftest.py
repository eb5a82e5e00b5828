"""Memory store fixtures: every contract test runs on Qdrant Edge, on qdrant-client's local
mode, and on qdrant-client over HTTP to the Qdrant REST fake (``server-http``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from qdrant_client import AsyncQdrantClient

from memory.edge_store import EdgeMemoryStore
from memory.records import MemoryRecord
from memory.server_store import ServerMemoryStore
from memory.store import MemoryStore
from tests.fakes.qdrant_api import FakeQdrantApi, version_checks_done

DIM = 8
EPOCH = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def unit(*values: float) -> list[float]:
    """A unit vector of length ``DIM`` starting with ``values``."""
    vector = np.zeros(DIM, dtype=np.float64)
    vector[: len(values)] = values
    values_out: list[float] = (vector / np.linalg.norm(vector)).tolist()
    return values_out


def axis(index: int) -> list[float]:
    """The unit vector along axis ``index``."""
    return unit(*([0.0] * index + [1.0]))


def record(
    message_id: int,
    chat_id: int,
    member_id: int,
    vector: Sequence[float],
    text: str | None = None,
    permalink: str | None = None,
) -> MemoryRecord:
    """A record whose time and default text derive from its id."""
    return MemoryRecord(
        message_id=message_id,
        chat_id=chat_id,
        member_id=member_id,
        sent_at=EPOCH + timedelta(minutes=message_id),
        text=text if text is not None else f"message {message_id}",
        vector=vector,
        permalink=permalink,
    )


@pytest.fixture(params=["edge", "server", "server-http"])
def store_kind(request: pytest.FixtureRequest) -> str:
    """Which backend a contract test runs on."""
    return str(request.param)


@pytest.fixture
async def store(store_kind: str, tmp_path: Path) -> AsyncIterator[MemoryStore]:
    """An open, empty store of ``DIM``-dimensional vectors."""
    memory: MemoryStore
    server: FakeQdrantApi | None = None
    if store_kind == "edge":
        memory = EdgeMemoryStore(tmp_path / "edge", DIM)
    elif store_kind == "server":
        memory = ServerMemoryStore(
            AsyncQdrantClient(location=":memory:"), "messages", DIM, close_client=True
        )
    else:
        server = FakeQdrantApi()
        await server.start()
        memory = ServerMemoryStore.from_url(server.url, None, "messages", DIM)
    await memory.open()
    yield memory
    await memory.close()
    if server is not None:
        await version_checks_done()
        await server.close()
