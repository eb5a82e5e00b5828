"""The embedding worker's batches: live messages first, larger batches for imported
backlog, one read per batch, and nothing marked embedded that memory does not hold."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from bots.embedding_worker import EmbeddingWorker
from bots.imports.history_import import HistoryImporter
from bots.storage.database import create_engine
from bots.storage.history_import_store import HistoryImportStore
from bots.storage.persona_store import PersonaStore
from bots.storage.repository import Storage
from bots.storage.tables import utcnow
from memory.edge_store import EdgeMemoryStore
from memory.hash_embedder import HashEmbedder
from memory.records import MemoryRecord
from tests.imports.test_history_import_store import ListReader, history
from tests.support import GROUP, message


class RecordingEmbedder(HashEmbedder):
    """A hash embedder that keeps the batches of passages it was asked to embed."""

    def __init__(self) -> None:
        super().__init__(32)
        self.batches: list[list[str]] = []

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        self.batches.append(list(texts))
        return await super().embed_passages(texts)


class RefusingMemory(EdgeMemoryStore):
    """An Edge store whose writes fail after ``allowed`` upserts, like a disk that fills up."""

    def __init__(self, path: Path, dimension: int, allowed: int) -> None:
        super().__init__(path, dimension)
        self.allowed = allowed

    async def upsert(self, records: Sequence[MemoryRecord]) -> None:
        if self.allowed == 0:
            raise OSError("No space left on device")
        self.allowed -= 1
        await super().upsert(records)


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[Storage]:
    engine = create_engine(database_url)
    storage = Storage(engine)
    yield storage
    await storage.close()


async def import_history(storage: Storage, count: int) -> None:
    importer = HistoryImporter(HistoryImportStore(storage.engine), PersonaStore(storage.engine))
    await importer.run(ListReader(history(count), 50), source="test", source_key="k")


async def test_pending_reads_live_first_then_a_larger_imported_batch(storage: Storage) -> None:
    await import_history(storage, 30)
    live = [await storage.ingest_message(message("bo", f"live {i}")) for i in range(3)]
    first = await storage.pending_messages(2, imported_limit=20)
    assert [m.text for m in first] == ["live 0", "live 1"]
    rest = await storage.pending_messages(2, imported_limit=20, exclude=[m.id for m in first])
    assert [m.text for m in rest] == ["live 2"]  # never mixed with imported ones
    await storage.mark_embedded([r.message for r in live], utcnow())
    imported = await storage.pending_messages(2, imported_limit=20)
    assert [m.text for m in imported] == [f"note {i}" for i in range(20)]
    after = await storage.pending_messages(2, imported_limit=20, exclude=[m.id for m in imported])
    assert [m.text for m in after] == [f"note {i}" for i in range(20, 30)]
    assert [m.text for m in await storage.pending_messages(3)] == ["note 0", "note 1", "note 2"]


async def test_mark_embedded_tells_which_messages_are_still_stored(storage: Storage) -> None:
    kept = await storage.ingest_message(message("bo", "kept"))
    gone = await storage.ingest_message(message("bo", "forgotten"))
    pending = await storage.pending_messages(10)
    await storage.delete_message(GROUP, gone.message.platform_message_id)
    assert await storage.mark_embedded(pending, utcnow()) == {kept.message.id}
    assert await storage.pending_messages(10) == []


async def test_worker_embeds_live_messages_before_the_imported_backlog(
    storage: Storage, tmp_path: Path
) -> None:
    await import_history(storage, 100)
    live = await storage.ingest_message(message("bo", "said just now"))
    embedder = RecordingEmbedder()
    memory = EdgeMemoryStore(tmp_path / "edge", embedder.dimension)
    await memory.open()
    try:
        worker = EmbeddingWorker(storage, embedder, memory, batch_size=4, import_batch_size=32)
        assert await worker.run_once() == 101
        assert embedder.batches[0] == [live.message.text]
        assert [len(b) for b in embedder.batches[1:]] == [32, 32, 32, 4]
        assert [t for b in embedder.batches[1:] for t in b] == [f"note {i}" for i in range(100)]
        assert await memory.count() == 101
        assert await storage.pending_messages(10) == []
    finally:
        await memory.close()


async def test_a_failed_write_leaves_the_batch_and_the_next_one_pending(
    storage: Storage, tmp_path: Path
) -> None:
    await import_history(storage, 40)
    embedder = RecordingEmbedder()
    memory = RefusingMemory(tmp_path / "edge", embedder.dimension, allowed=2)
    await memory.open()
    try:
        worker = EmbeddingWorker(storage, embedder, memory, batch_size=8)
        with pytest.raises(OSError, match="No space left"):
            await worker.run_once()
        # Two batches reached memory and were marked; the third was refused, and the
        # fourth, embedded meanwhile, was not marked either.
        assert await memory.count() == 16
        pending = await storage.pending_messages(100)
        assert [m.text for m in pending] == [f"note {i}" for i in range(16, 40)]
        memory.allowed = 100
        assert await worker.run_once() == 24
        assert await memory.count() == 40
        assert await storage.pending_messages(100) == []
    finally:
        await memory.close()


class LaneEmbedder(RecordingEmbedder):
    """One batch at a time, in the order handed over, like an embedder's single lane;
    the first batch is held until ``release`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()
        self.handed = asyncio.Event()
        self.finished = 0
        self._lane = asyncio.Lock()

    def hand_over(self, texts: Sequence[str]) -> None:
        self.batches.append(list(texts))
        self.handed.set()

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        self.hand_over(texts)
        first = len(self.batches) == 1
        async with self._lane:
            if first:
                await self.release.wait()
            vectors = await HashEmbedder.embed_passages(self, texts)
            self.finished += 1
            return vectors


async def handed_over(embedder: LaneEmbedder, count: int) -> None:
    async with asyncio.timeout(10):
        while len(embedder.batches) < count:
            embedder.handed.clear()
            await embedder.handed.wait()


async def test_the_next_live_batch_is_queued_while_one_is_embedded(
    storage: Storage, tmp_path: Path
) -> None:
    for i in range(7):
        await storage.ingest_message(message("bo", f"live {i}"))
    embedder = LaneEmbedder()
    memory = EdgeMemoryStore(tmp_path / "edge", embedder.dimension)
    await memory.open()
    try:
        worker = EmbeddingWorker(storage, embedder, memory, batch_size=3)
        run = asyncio.create_task(worker.run_once())
        # The embedder never waits for SQL between batches: the second batch is
        # handed over while the first is still being embedded.
        await handed_over(embedder, 2)
        assert embedder.finished == 0
        embedder.release.set()
        assert await run == 7
        assert embedder.batches == [
            ["live 0", "live 1", "live 2"],
            ["live 3", "live 4", "live 5"],
            ["live 6"],
        ]
        assert await memory.count() == 7
        assert await storage.pending_messages(10) == []
    finally:
        await memory.close()


async def test_a_live_message_goes_right_behind_the_import_batch_being_embedded(
    storage: Storage, tmp_path: Path
) -> None:
    await import_history(storage, 100)
    embedder = LaneEmbedder()
    memory = EdgeMemoryStore(tmp_path / "edge", embedder.dimension)
    await memory.open()
    try:
        worker = EmbeddingWorker(storage, embedder, memory, batch_size=4, import_batch_size=32)
        run = asyncio.create_task(worker.run_once())
        await handed_over(embedder, 1)
        live = await storage.ingest_message(message("bo", "said just now"))
        embedder.release.set()
        assert await run == 101
        assert embedder.batches[1] == [live.message.text]
        assert [t for b in embedder.batches for t in b if t != live.message.text] == [
            f"note {i}" for i in range(100)
        ]
        assert await memory.count() == 101
    finally:
        await memory.close()


async def test_a_failed_embedding_stops_the_batch_queued_behind_it(
    storage: Storage, tmp_path: Path
) -> None:
    for i in range(6):
        await storage.ingest_message(message("bo", f"live {i}"))

    class FailingFirst(LaneEmbedder):
        async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
            if not self.batches:
                self.hand_over(texts)
                await self.release.wait()
                raise RuntimeError("embedder crashed")
            return await super().embed_passages(texts)

    embedder = FailingFirst()
    memory = EdgeMemoryStore(tmp_path / "edge", embedder.dimension)
    await memory.open()
    try:
        worker = EmbeddingWorker(storage, embedder, memory, batch_size=3)
        run = asyncio.create_task(worker.run_once())
        await handed_over(embedder, 2)
        embedder.release.set()
        with pytest.raises(RuntimeError, match="embedder crashed"):
            await run
        assert await memory.count() == 0
        assert len(await storage.pending_messages(10)) == 6  # nothing lost, nothing marked
        embedder.release.set()
        assert await worker.run_once() == 6
        assert await memory.count() == 6
    finally:
        await memory.close()
