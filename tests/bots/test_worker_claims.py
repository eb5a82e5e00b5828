"""Several embedding workers share the pending messages through claims that run out:
each message is embedded once, live ones first, and a killed worker's rows come back."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bots.embedding_worker import Claims, EmbeddingWorker
from bots.storage.database import create_engine
from bots.storage.repository import Storage
from bots.storage.tables import MessageRow, utcnow
from memory.edge_store import EdgeMemoryStore
from memory.hash_embedder import HashEmbedder
from memory.records import MemoryRecord
from tests.bots.test_embedding_worker_pipeline import import_history
from tests.support import message

HOLD = timedelta(minutes=2)


class CountingEmbedder(HashEmbedder):
    """A hash embedder that counts the passages it embedded and yields between batches."""

    def __init__(self) -> None:
        super().__init__(32)
        self.texts: Counter[str] = Counter()

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        self.texts.update(texts)
        await asyncio.sleep(0.002)  # lets the other worker in, as a real model would
        return await super().embed_passages(texts)


class CountingMemory(EdgeMemoryStore):
    """An Edge store that counts how often each message id was written."""

    def __init__(self, path: Path, dimension: int) -> None:
        super().__init__(path, dimension)
        self.writes: Counter[int] = Counter()

    async def upsert(self, records: Sequence[MemoryRecord]) -> None:
        self.writes.update(r.message_id for r in records)
        await super().upsert(records)


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[Storage]:
    storage = Storage(create_engine(database_url))
    yield storage
    await storage.close()


@pytest.fixture
async def memory(tmp_path: Path) -> AsyncIterator[CountingMemory]:
    store = CountingMemory(tmp_path / "edge", 32)
    await store.open()
    yield store
    await store.close()


async def test_claims_take_live_messages_first_and_skip_held_rows(storage: Storage) -> None:
    await import_history(storage, 10)
    for i in range(3):
        await storage.ingest_message(message("bo", f"live {i}"))
    first = await storage.claim_pending("a", 2, imported_limit=5, hold=HOLD)
    assert [m.text for m in first] == ["live 0", "live 1"]
    second = await storage.claim_pending("b", 2, imported_limit=5, hold=HOLD)
    assert [m.text for m in second] == ["live 2"]  # never mixed with imported ones
    third = await storage.claim_pending("a", 2, imported_limit=5, hold=HOLD)
    assert [m.text for m in third] == [f"note {i}" for i in range(5)]
    assert await storage.count_claimed() == 8
    assert await storage.release_claims("a", [m.id for m in first]) == 2
    again = await storage.claim_pending("b", 5, hold=HOLD)
    assert [m.text for m in again] == ["live 0", "live 1"]
    # Marking embedded ends the claim.
    await storage.mark_embedded(again + second, utcnow())
    assert await storage.count_claimed() == 5
    assert await storage.release_claims("a") == 5
    assert await storage.count_claimed() == 0


async def test_a_claim_that_ran_out_is_taken_by_another_worker(storage: Storage) -> None:
    await import_history(storage, 4)
    dead = await storage.claim_pending("killed", 10, hold=timedelta(seconds=-1))
    assert len(dead) == 4
    taken = await storage.claim_pending("alive", 10, hold=HOLD)
    assert [m.id for m in taken] == [m.id for m in dead]


async def test_two_workers_embed_two_thousand_messages_once_each(
    database_url: str, memory: CountingMemory
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers share pending messages on PostgreSQL")
    seed = Storage(create_engine(database_url))
    await import_history(seed, 1800)
    for i in range(200):
        await seed.ingest_message(message("bo", f"live {i}"))
    embedder = CountingEmbedder()
    stores = [Storage(create_engine(database_url)) for _ in range(2)]
    workers = [
        EmbeddingWorker(
            s, embedder, memory, batch_size=16, import_batch_size=32, claims=Claims(HOLD)
        )
        for s in stores
    ]
    try:
        done = await asyncio.gather(*(w.run_once() for w in workers))
        assert sum(done) == 2000
        assert min(done) > 200, done  # both workers took a real share
        assert len(memory.writes) == 2000
        assert max(memory.writes.values()) == 1  # no message written twice
        assert len(embedder.texts) == 2000 and max(embedder.texts.values()) == 1
        assert await seed.pending_messages(10) == []
        assert await seed.count_claimed() == 0
        assert await memory.count() == 2000
    finally:
        for s in (*stores, seed):
            await s.close()


async def test_a_killed_workers_messages_are_embedded_after_its_claims_run_out(
    database_url: str, memory: CountingMemory
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers share pending messages on PostgreSQL")
    storage = Storage(create_engine(database_url))
    try:
        await import_history(storage, 50)
        # A worker that was killed after claiming a batch leaves the claim behind.
        held = await storage.claim_pending("killed", 20, hold=timedelta(seconds=1.5))
        embedder = CountingEmbedder()
        worker = EmbeddingWorker(storage, embedder, memory, batch_size=8, claims=Claims(HOLD))
        assert await worker.run_once() == 30  # the killed worker's rows are left alone
        assert await storage.count_claimed() == 20
        await asyncio.sleep(1.6)
        assert await worker.run_once() == 20
        assert sorted(memory.writes) == await stored_ids(storage)
        assert {m.id for m in held} <= set(memory.writes)
        assert max(memory.writes.values()) == 1
        assert await storage.pending_messages(10) == []
    finally:
        await storage.close()


async def test_a_failing_worker_gives_its_claims_back_at_once(
    database_url: str, memory: CountingMemory
) -> None:
    storage = Storage(create_engine(database_url))

    class Failing(CountingEmbedder):
        async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
            raise ConnectionError("embedding service down")

    try:
        await import_history(storage, 10)
        worker = EmbeddingWorker(storage, Failing(), memory, batch_size=4, claims=Claims(HOLD))
        with pytest.raises(ConnectionError):
            await worker.run_once()
        assert await storage.count_claimed() == 0
        other = EmbeddingWorker(
            storage, CountingEmbedder(), memory, batch_size=4, claims=Claims(HOLD)
        )
        assert await other.run_once() == 10
    finally:
        await storage.close()


async def stored_ids(storage: Storage) -> list[int]:
    """The ids of every stored message (pending or not), in order."""
    async with storage.engine.connect() as conn:
        return list(await conn.scalars(select(MessageRow.id).order_by(MessageRow.id)))
