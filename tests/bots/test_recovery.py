"""No message is lost: a crash, a stop or a memory outage only delays embedding."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from bots.app import Hearth
from bots.settings import HearthSettings
from memory.records import MemoryHit, MemoryRecord, MemoryScope
from memory.store import MemoryStore
from tests.bots.conftest import make_memory
from tests.support import RecordingSender, message


class FlakyMemory:
    """A real memory store whose first ``failures`` upserts fail, like a Qdrant outage."""

    def __init__(self, inner: MemoryStore, failures: int) -> None:
        self.inner = inner
        self.failures = failures
        self.upserted: list[int] = []

    async def open(self) -> None:
        await self.inner.open()

    async def close(self) -> None:
        await self.inner.close()

    async def upsert(self, records: Sequence[MemoryRecord]) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("qdrant is down")
        self.upserted += [r.message_id for r in records]
        await self.inner.upsert(records)

    async def search(
        self, vector: Sequence[float], scope: MemoryScope, limit: int
    ) -> list[MemoryHit]:
        return await self.inner.search(vector, scope, limit)

    async def delete_messages(self, message_ids: Sequence[int]) -> None:
        await self.inner.delete_messages(message_ids)

    async def delete_member(self, member_id: int, chat_id: int | None) -> None:
        await self.inner.delete_member(member_id, chat_id)

    async def delete_chat(self, chat_id: int) -> None:
        await self.inner.delete_chat(chat_id)

    async def count(self, member_id: int | None = None, chat_id: int | None = None) -> int:
        return await self.inner.count(member_id, chat_id)

    async def vectors(self, message_ids: Sequence[int]) -> dict[int, list[float]]:
        return await self.inner.vectors(message_ids)


async def test_messages_stored_before_a_crash_are_embedded_on_restart_once(
    settings: HearthSettings,
    embedder,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    sender = RecordingSender()
    first = await Hearth.build(
        settings, embedder=embedder, memory=make_memory("edge", tmp_path, embedder.dimension)
    )
    await first.worker.stop()  # the process dies before anything is embedded
    for i in range(5):
        await first.router.handle(message("alice", f"message number {i}"), sender)
    assert await first.memory.count() == 0
    await first.close()

    flaky = FlakyMemory(make_memory("edge", tmp_path, embedder.dimension), failures=0)
    second = await Hearth.build(settings, embedder=embedder, memory=flaky)
    async with asyncio.timeout(60):
        await second.worker.drain()
    assert await second.memory.count() == 5
    assert sorted(flaky.upserted) == sorted(set(flaky.upserted))  # each embedded once
    assert len(flaky.upserted) == 5
    assert await second.storage.pending_messages(10) == []
    await second.close()


async def test_memory_outage_delays_but_loses_nothing(
    settings: HearthSettings,
    embedder,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    flaky = FlakyMemory(make_memory("edge", tmp_path, embedder.dimension), failures=2)
    hearth = await Hearth.build(settings, embedder=embedder, memory=flaky)
    sender = RecordingSender()
    for i in range(3):
        await hearth.router.handle(message("alice", f"during the outage {i}"), sender)
    async with asyncio.timeout(60):
        await hearth.worker.drain()
    assert flaky.failures == 0
    assert await hearth.memory.count() == 3
    assert await hearth.storage.count_messages() == 3
    await hearth.close()
