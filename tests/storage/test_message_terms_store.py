"""A message's interest terms: stored with its vector, read back by a round, cleared by edits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from bots.embedding_worker import EmbeddingWorker
from bots.storage.database import create_engine
from bots.storage.intro_store import IntroStore
from bots.storage.repository import Storage
from bots.storage.tables import MessageRow
from jobs.intro_planner import ChatMessage, ChatModel, model_chat
from jobs.message_terms import TERMS_VERSION, MessageTerms, decode, encode, message_terms
from memory.edge_store import EdgeMemoryStore
from memory.hash_embedder import HashEmbedder
from tests.support import message

TALK = "Repotted my monstera and two pothos cuttings into chunky aroid soil today"
CHINESE = "周末去石臼湖钓鱼，钓到一条三斤的鲫鱼，还有只猫一直跟着我"


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[Storage]:
    store = Storage(create_engine(database_url))
    yield store
    await store.close()


def test_terms_survive_storage_as_they_were_found() -> None:
    for text in (TALK, CHINESE, "ok 👍"):
        found = message_terms(text)
        assert decode(*encode(found), TERMS_VERSION) == found
    assert message_terms(TALK).terms is not None and "monstera" in (message_terms(TALK).terms or ())
    assert "猫" in (message_terms(CHINESE).terms or ())  # a particular one-character noun
    assert message_terms("ok 👍").terms is None  # says too little
    # terms found by older rules, or none stored: found again
    assert decode(*encode(message_terms(TALK)), TERMS_VERSION - 1) is None
    assert decode(None, None, None) is None


async def test_the_worker_stores_terms_and_a_round_reads_them(
    storage: Storage, tmp_path: Path
) -> None:
    memory = EdgeMemoryStore(tmp_path / "edge", 32)
    await memory.open()
    try:
        talk = await storage.ingest_message(message("ana", TALK, minutes_ago=5))
        other = await storage.ingest_message(message("ana", CHINESE, minutes_ago=4))
        worker = EmbeddingWorker(storage, HashEmbedder(32), memory)
        assert await worker.run_once() == 2
    finally:
        await memory.close()

    read = await IntroStore(storage.engine).recent_messages(
        talk.chat_id, [talk.member_id], datetime.now(UTC) - timedelta(hours=1), 10
    )
    assert {m.message_id: m.terms for m in read} == {
        talk.message.id: message_terms(TALK),
        other.message.id: message_terms(CHINESE),
    }


async def test_an_edit_clears_the_terms_until_the_new_text_is_embedded(storage: Storage) -> None:
    stored = await storage.ingest_message(message("ana", TALK, message_id="e"))
    [pending] = await storage.pending_messages(10)
    await storage.mark_embedded([pending], datetime.now(UTC), {pending.id: message_terms(TALK)})
    await storage.apply_edit(message("ana", CHINESE, message_id="e", edited=True))
    async with storage.engine.connect() as connection:
        version = await connection.scalar(
            select(MessageRow.terms_version).where(MessageRow.id == stored.message.id)
        )
    assert version is None
    read = await IntroStore(storage.engine).recent_messages(
        stored.chat_id, [stored.member_id], datetime.now(UTC) - timedelta(hours=1), 10
    )
    assert [m.terms for m in read] == [None]


async def test_marking_without_terms_stores_none(storage: Storage) -> None:
    stored = await storage.ingest_message(message("ana", TALK))
    [pending] = await storage.pending_messages(10)
    await storage.mark_embedded([pending], datetime.now(UTC))
    read = await IntroStore(storage.engine).recent_messages(
        stored.chat_id, [stored.member_id], datetime.now(UTC) - timedelta(hours=1), 10
    )
    assert [m.terms for m in read] == [None]


def test_stored_terms_are_what_a_round_uses() -> None:
    """A round takes stored terms as they are: the same as found now, the same plan;
    other stored terms, other key words."""
    rng = np.random.default_rng(3)
    texts = [
        "Repotted my monstera into chunky aroid soil, roots looked great",
        "My pothos cuttings finally rooted in water after three weeks",
        "Finished a 10k trail run this morning, the hills were brutal",
        "Trail shoes with a rock plate make the downhill so much easier",
    ] * 3
    members = [1, 1, 2, 2] * 3
    vectors = rng.standard_normal((len(texts), 16)).astype(np.float32)

    def chat(stored: bool, swap: bool = False) -> ChatModel:
        messages = []
        for n, (text, member) in enumerate(zip(texts, members, strict=True)):
            terms = message_terms(text) if stored else None
            if swap and member == 2 and terms is not None:
                terms = MessageTerms(("kayaking", "paddle"), terms.weight)
            messages.append(ChatMessage(n, member, text, terms=terms))
        return model_chat(messages, vectors.copy())

    found, stored, swapped = chat(False), chat(True), chat(True, swap=True)
    assert stored.keywords == found.keywords
    assert swapped.keywords[2] != found.keywords[2]
    assert "kayaking" in swapped.keywords[2]
