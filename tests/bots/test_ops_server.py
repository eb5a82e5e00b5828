"""``/metrics`` and ``/healthz`` over real HTTP, served with Hearth when a port is set."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bots.app import Hearth
from bots.embedding_worker import EmbeddingWorker
from bots.health import HealthChecker
from bots.metrics import HearthMetrics
from bots.settings import HearthSettings
from bots.storage.database import create_engine
from bots.storage.repository import Storage
from tests.bots.conftest import make_memory
from tests.bots.test_recovery import FlakyMemory
from tests.fakes.telegram_api import free_tcp_port
from tests.support import RecordingSender, message


@pytest.fixture
async def client() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
        yield session


@pytest.fixture
def served(settings: HearthSettings) -> HearthSettings:
    """The test settings with ``/metrics`` and ``/healthz`` served at a free port."""
    return settings.model_copy(update={"metrics_port": free_tcp_port()})


async def test_off_unless_a_port_is_set(settings: HearthSettings, embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert settings.metrics_port is None
    hearth = await Hearth.build(
        settings, embedder=embedder, memory=make_memory("edge", tmp_path, embedder.dimension)
    )
    assert hearth.ops_server is None
    await hearth.close()


async def test_metrics_and_health_are_served_while_hearth_runs(
    served: HearthSettings,
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    client: aiohttp.ClientSession,
) -> None:
    hearth = await Hearth.build(
        served, embedder=embedder, memory=make_memory("edge", tmp_path, embedder.dimension)
    )
    base = f"http://127.0.0.1:{served.metrics_port}"
    try:
        async with client.get(f"{base}/healthz") as response:
            assert response.status == 200
            assert await response.json() == {
                "status": "ok",
                "stores": {"database": "ok", "memory": "ok"},
                "pending_embeddings": 0,
            }
        await hearth.router.handle(message("alice", "Is the meetup still on?"), RecordingSender())
        async with asyncio.timeout(60):
            await hearth.worker.drain()
        async with client.get(f"{base}/metrics") as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/plain; version=")
            text = await response.text()
        values = {
            (s.name, tuple(s.labels.values())): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
        }
        assert values[("hearth_updates_received_total", ("telegram",))] == 1
        assert values[("hearth_updates_stored_total", ("telegram",))] == 1
        assert values[("hearth_messages_embedded_total", ())] == 1
        assert values[("hearth_embeddings_pending", ())] == 0
        assert values[("hearth_store_up", ("memory",))] == 1
        async with client.get(f"{base}/nothing-here") as response:
            assert response.status == 404
    finally:
        await hearth.close()
    with pytest.raises(aiohttp.ClientConnectionError):  # stopped with Hearth
        await client.get(f"{base}/healthz")


async def test_healthz_is_503_naming_memory_until_it_takes_writes_again(
    served: HearthSettings,
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    client: aiohttp.ClientSession,
) -> None:
    flaky = FlakyMemory(make_memory("edge", tmp_path, embedder.dimension), failures=10**6)
    hearth = await Hearth.build(served, embedder=embedder, memory=flaky)
    url = f"http://127.0.0.1:{served.metrics_port}/healthz"
    try:
        await hearth.router.handle(message("alice", "said while Qdrant is down"), RecordingSender())
        for _ in range(200):
            if hearth.worker.outage is not None:
                break
            await asyncio.sleep(0.05)
        async with client.get(url) as response:
            assert response.status == 503
            body = await response.json()
        assert body["status"] == "degraded"
        assert body["stores"] == {"database": "ok", "memory": "degraded"}
        assert body["problems"] == {"memory": "qdrant is down"}
        assert body["pending_embeddings"] == 1

        flaky.failures = 0  # Qdrant is back; the worker's next retry gets through
        async with asyncio.timeout(30):
            await hearth.worker.drain()
        async with client.get(url) as response:
            assert response.status == 200
            assert (await response.json())["pending_embeddings"] == 0
    finally:
        await hearth.close()


async def test_a_database_that_does_not_answer_is_reported(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    port = free_tcp_port()  # nothing listens there
    storage = Storage(create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{port}/hearth"))
    memory = make_memory("edge", tmp_path, 8)
    await memory.open()
    metrics = HearthMetrics()
    worker = EmbeddingWorker(storage, embedder, memory, metrics=metrics)
    report = await HealthChecker(storage, memory, worker, metrics, timeout=5).check()
    await memory.close()
    await storage.close()
    assert not report.ok
    assert report.as_json()["stores"] == {"database": "degraded", "memory": "ok"}
    assert report.pending_embeddings is None
    assert metrics.value("hearth_store_up", store="database") == 0
    assert metrics.value("hearth_store_up", store="memory") == 1
