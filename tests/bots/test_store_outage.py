"""Vector memory that cannot take writes: messages wait in SQL, one error is logged, twins
still answer from what is there, and everything is embedded once memory is back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from bots.app import Hearth
from bots.settings import HearthSettings
from memory.edge_store import EdgeMemoryStore
from tests.disk_faults import fill, small_filesystem
from tests.support import RecordingSender, command, message

WORKER_LOG = "bots.embedding_worker"


@pytest.fixture
def memory_kind() -> str:
    return "edge"


async def until(condition: Callable[[], bool], what: str, limit: float = 30.0) -> None:
    """Wait until ``condition()`` holds, failing after ``limit`` seconds."""
    for _ in range(int(limit / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"no {what} within {limit:.0f}s")


async def test_a_full_memory_disk_delays_embedding_and_loses_nothing(
    settings: HearthSettings,
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger=WORKER_LOG)
    with small_filesystem(tmp_path / "disk", 64) as disk:
        memory = EdgeMemoryStore(disk / "edge", embedder.dimension, min_free_bytes=4 << 20)
        hearth = await Hearth.build(settings, embedder=embedder, memory=memory)
        try:
            sender = RecordingSender()
            await hearth.router.handle(
                message("bob", "For beginners I recommend the Fern Creek loop.", minutes_ago=120),
                sender,
            )
            await hearth.router.handle(command("bob", "twin", "on"), sender)
            async with asyncio.timeout(60):
                await hearth.worker.drain()
            sender.replies.clear()

            filler = fill(disk)
            for i in range(5):
                await hearth.router.handle(
                    message("alice", f"said while the disk is full {i}"), sender
                )
            assert await hearth.storage.count_messages() == 6  # SQL never waits on memory
            await until(
                lambda: any("still failing" in r.getMessage() for r in caplog.records),
                "a retry",
            )
            errors = [
                r for r in caplog.records if r.name == WORKER_LOG and r.levelno >= logging.ERROR
            ]
            assert len(errors) == 1, errors  # one error for the outage, not one per retry
            assert "free" in errors[0].getMessage() and "pending" in errors[0].getMessage()
            report = await hearth.health.check()
            assert report.as_json()["stores"] == {"database": "ok", "memory": "degraded"}
            assert report.pending_embeddings == 5
            assert await hearth.memory.count() == 1
            assert hearth.metrics.value("hearth_store_up", store="memory") == 0

            # Reads go on: the twin still answers from what memory holds.
            await hearth.router.handle(
                message("carol", "@bob which trail for beginners?", mentions=("bob",)), sender
            )
            assert len(sender.replies) == 1 and "Fern Creek" in sender.replies[0].text

            filler.unlink()  # the repair
            await until(lambda: hearth.worker.outage is None, "recovery", limit=10)
            async with asyncio.timeout(30):
                await hearth.worker.drain()
            assert await hearth.memory.count() == 7  # Bob's, Alice's five and the question
            report = await hearth.health.check()
            assert report.ok and report.pending_embeddings == 0
            assert hearth.metrics.value("hearth_store_up", store="memory") == 1
            assert any("writable again" in r.getMessage() for r in caplog.records)
        finally:
            await hearth.close()


async def test_a_twin_that_cannot_search_says_so(hearth: Hearth) -> None:
    sender = RecordingSender()
    await hearth.router.handle(
        message("bob", "My sourdough uses 75% hydration.", minutes_ago=120), sender
    )
    await hearth.router.handle(command("bob", "twin", "on"), sender)
    async with asyncio.timeout(60):
        await hearth.worker.drain()
    sender.replies.clear()
    await hearth.memory.close()  # memory is gone (a Qdrant server down, say)
    await hearth.router.handle(
        message("alice", "@bob what hydration for sourdough?", mentions=("bob",)), sender
    )
    [reply] = sender.replies
    assert "can't look through what Bob said right now" in reply.text
    assert hearth.metrics.value("hearth_twin_abstains_total") == 1
    assert hearth.metrics.value("hearth_twin_answers_total") == 0
