"""A burst of messages through the router: each stored once and embedded once, with
two SQL statements a message on the update path and few per batch in the worker."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bots.app import Hearth
from bots.settings import HearthSettings
from memory.edge_store import EdgeMemoryStore
from memory.hash_embedder import HashEmbedder
from tests.support import RecordingSender, message


class CountingEmbedder(HashEmbedder):
    """A hash embedder that counts how often each passage was embedded."""

    def __init__(self) -> None:
        super().__init__(32)
        self.embedded: Counter[str] = Counter()

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        self.embedded.update(texts)
        return await super().embed_passages(texts)


@pytest.fixture
async def hearth(tmp_path: Path, database_url: str) -> AsyncIterator[Hearth]:
    settings = HearthSettings(HEARTH_DATA_DIR=tmp_path, DATABASE_URL=database_url)
    embedder = CountingEmbedder()
    memory = EdgeMemoryStore(tmp_path / "edge", embedder.dimension)
    app = await Hearth.build(settings, embedder=embedder, memory=memory)
    yield app
    await app.close()


@contextmanager
def counting_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements sent to the database inside the block."""
    sent: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", note)


async def test_a_burst_is_stored_once_and_embedded_once_with_few_statements(
    hearth: Hearth,
) -> None:
    sender = RecordingSender()
    members = ["carol", "dave", "erin", "frank"]
    for name in members:
        await hearth.router.handle(message(name, f"{name} says hello"), sender)
    async with asyncio.timeout(30):
        await hearth.worker.drain()
    await hearth.worker.stop()  # the update path alone first

    burst = [message(members[i % 4], f"burst message {i}") for i in range(96)]
    with counting_statements(hearth.storage.engine) as sent:
        for m in burst:
            await hearth.router.handle(m, sender)
    # Per message: the member's last-message time and the message (with the sender's
    # twin state); no lookups for personas or the owner's report.
    assert len(sent) == 2 * len(burst), sent[:6]
    for m in burst[:10]:  # re-delivered: still stored once
        await hearth.router.handle(m, sender)

    with counting_statements(hearth.storage.engine) as sent:
        hearth.worker.start()
        async with asyncio.timeout(60):
            await hearth.worker.drain()
    # Three batches of 32: a few reads and marks each, never one per message.
    assert len(sent) <= len(burst) // 6, sent
    embedder = hearth.embedder
    assert isinstance(embedder, CountingEmbedder)
    assert all(embedder.embedded[m.text] == 1 for m in burst)
    assert await hearth.memory.count() == len(members) + len(burst)
    assert await hearth.storage.count_messages() == len(members) + len(burst)
    assert await hearth.storage.pending_messages(10) == []
    assert sender.replies == []
