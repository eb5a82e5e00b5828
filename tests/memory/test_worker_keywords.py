"""Messages that reach memory through the router and the embedding worker are keyword-searchable."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bots.app import Hearth
from bots.settings import HearthSettings
from memory.edge_store import EdgeMemoryStore
from memory.hash_embedder import HashEmbedder
from memory.records import MemoryScope
from memory.server_store import ServerMemoryStore
from memory.store import MemoryStore
from tests.support import OTHER_GROUP, RecordingSender, message


@pytest.mark.parametrize("kind", ["edge", "server"])
async def test_the_worker_stores_keyword_vectors(kind: str, tmp_path: Path) -> None:
    from qdrant_client import AsyncQdrantClient

    embedder = HashEmbedder(64)
    memory: MemoryStore = (
        EdgeMemoryStore(tmp_path / "edge", embedder.dimension)
        if kind == "edge"
        else ServerMemoryStore(AsyncQdrantClient(location=":memory:"), "m", embedder.dimension)
    )
    settings = HearthSettings(
        HEARTH_DATA_DIR=tmp_path, DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'h.db'}"
    )
    hearth = await Hearth.build(settings, embedder=embedder, memory=memory)
    try:
        sender = RecordingSender()
        for who, text in [
            ("bob", "The Fern Creek loop is flat, 6 km"),
            ("bob", "我对花生过敏"),
            ("alice", "Fern Creek is muddy today"),
        ]:
            await hearth.router.handle(message(who, text, minutes_ago=60), sender)
        await hearth.router.handle(message("bob", "Fern Creek elsewhere", chat=OTHER_GROUP), sender)
        async with asyncio.timeout(30):
            await hearth.worker.drain()
        assert await hearth.storage.count_messages() == 4

        everyone = MemoryScope((1, 2), None)  # Bob and Alice, every chat
        creek = await hearth.memory.search_keywords("fern creek", everyone, 10)
        allergy = await hearth.memory.search_keywords("过敏", everyone, 10)

        assert sorted(h.text for h in creek) == [
            "Fern Creek elsewhere",
            "Fern Creek is muddy today",
            "The Fern Creek loop is flat, 6 km",
        ]
        assert [h.text for h in allergy] == ["我对花生过敏"]
    finally:
        await hearth.close()
