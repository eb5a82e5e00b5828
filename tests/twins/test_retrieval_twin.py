"""The retrieval-only twin: relevance, scope checks and its wording, on both backends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from memory.hash_embedder import HashEmbedder
from memory.records import MemoryHit, MemoryRecord, MemoryScope
from memory.store import MemoryStore, peer_scores
from tests.bots.conftest import make_memory
from tests.twins.llm_support import ListMemory
from twins.answer import TwinQuestion
from twins.labels import looks_like_twin_message, twin_label
from twins.question_names import question_names
from twins.relevance import RelevanceGate
from twins.retrieval import DENSE_ONLY, HybridRetriever, PeerQuery
from twins.retrieval_twin import RetrievalTwin

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


def hit(message_id: int, member_id: int, chat_id: int, text: str, score: float) -> MemoryHit:
    return MemoryHit(
        message_id,
        chat_id,
        member_id,
        NOW - timedelta(days=1),
        text,
        score,
        f"https://t.me/c/1/{message_id}",
    )


def question(text: str) -> TwinQuestion:
    return TwinQuestion(
        member_id=1,
        member_name="Bob",
        question=text,
        asked_at=NOW,
        scope=MemoryScope.member_in_chat(1, 10),
        last_seen_at=NOW - timedelta(hours=3),
    )


async def test_hits_outside_the_scope_are_never_quoted() -> None:
    memory = ListMemory(
        [
            hit(1, member_id=2, chat_id=10, text="carol: the door code is 4711", score=1.0),
            hit(2, member_id=1, chat_id=99, text="bob elsewhere: the door code is 1234", score=1.0),
            hit(
                3,
                member_id=1,
                chat_id=10,
                text="bob here: the door code changes monthly",
                score=0.9,
            ),
        ]
    )
    twin = RetrievalTwin(HashEmbedder(64), memory, min_confidence=1e-9, min_quote_confidence=1e-9)
    answer = await twin.answer(question("what is the door code?"))
    assert [s.message_id for s in answer.sources] == [3]
    assert "4711" not in answer.text and "1234" not in answer.text
    assert "https://t.me/c/1/3" in answer.text


async def test_empty_question_invites_a_question() -> None:
    twin = RetrievalTwin(HashEmbedder(64), ListMemory([]))
    answer = await twin.answer(question("   "))
    assert answer.abstained and not answer.sources
    assert "last posted here 3 h ago" in answer.text
    assert answer.label == twin_label("Bob")


async def test_long_quotes_are_shortened() -> None:
    memory = ListMemory([hit(1, 1, 10, "door " * 200, 1.0)])
    twin = RetrievalTwin(HashEmbedder(64), memory, min_confidence=1e-9, min_quote_confidence=1e-9)
    answer = await twin.answer(question("door"))
    assert "…”" in answer.text
    assert len(answer.text) < 600


def test_gate_keeps_only_hits_near_the_best() -> None:
    gate = RelevanceGate(HashEmbedder(8), margin=0.02)
    assert gate.select([0.80, 0.79], baseline=0.79) == []
    assert gate.select([0.90, 0.88, 0.82, 0.70], baseline=0.80) == [0, 1]
    assert gate.select([], baseline=0.5) == []


async def test_baseline_tracks_the_query() -> None:
    embedder = HashEmbedder(256)
    gate = RelevanceGate(embedder, margin=0.02, neutral_sentences=["weather is nice today"])
    near = await gate.baseline(await embedder.embed_query("the weather is nice"))
    far = await gate.baseline(await embedder.embed_query("sourdough hydration"))
    assert near > far


def test_labels_are_recognised() -> None:
    assert looks_like_twin_message(twin_label("Wei") + "\nbody")
    assert not looks_like_twin_message("Twin of Wei")


@pytest.fixture(params=["edge", "server"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MemoryStore]:
    memory = make_memory(request.param, tmp_path, 256)
    await memory.open()
    yield memory
    await memory.close()


async def remember(store: MemoryStore, embedder: HashEmbedder) -> None:
    lines = [
        (1, 1, 10, "For beginners I recommend the Fern Creek loop, flat and short"),
        (2, 1, 10, "The waterfall there is best in spring"),
        (3, 1, 10, "I baked sourdough bread with a new starter"),
        (4, 2, 10, "Carol here: the door code is 4711, Fern Creek gate"),
        (5, 1, 99, "Bob elsewhere: Fern Creek is closed"),
        (6, 1, 10, "我对花生过敏，不能吃坚果。"),
    ]
    vectors = await embedder.embed_passages([text for *_, text in lines])
    await store.upsert(
        [
            MemoryRecord(i, chat, member, NOW - timedelta(days=2, minutes=-i), text, vector)
            for (i, member, chat, text), vector in zip(lines, vectors, strict=True)
        ]
    )


async def test_twin_quotes_only_its_members_messages_on_both_backends(store: MemoryStore) -> None:
    embedder = HashEmbedder(256)
    await remember(store, embedder)
    twin = RetrievalTwin(embedder, store)

    answer = await twin.answer(question("Bob, which Fern Creek trail for beginners?"))

    assert not answer.abstained
    assert answer.sources[0].message_id == 1
    assert {s.message_id for s in answer.sources} <= {1, 2, 3, 6}
    assert "4711" not in answer.text and "closed" not in answer.text


async def test_twin_retrieval_finds_chinese_words(store: MemoryStore) -> None:
    # Which of them the twin quotes is decided with a real embedder: see test_answerability.py.
    embedder = HashEmbedder(256)
    await remember(store, embedder)
    asked = question("你对什么过敏？")

    found = await HybridRetriever(embedder, store).retrieve(asked.question, asked.scope, 3)

    assert [r.hit.message_id for r in found.hits][:1] == [6]


async def test_twin_abstains_for_a_member_with_nothing_said(store: MemoryStore) -> None:
    # Abstaining on unrelated questions needs a real embedder: see test_answerability.py.
    embedder = HashEmbedder(256)
    await remember(store, embedder)
    twin = RetrievalTwin(embedder, store)

    nobody = await twin.answer(
        TwinQuestion(
            member_id=3,
            member_name="Dan",
            question="which trail for beginners?",
            asked_at=NOW,
            scope=MemoryScope.member_in_chat(3, 10),
        )
    )

    assert nobody.abstained and not nobody.sources
    assert "I found nothing Dan said" in nobody.text


async def test_plain_dense_ranking_is_still_available(store: MemoryStore) -> None:
    embedder = HashEmbedder(256)
    await remember(store, embedder)
    twin = RetrievalTwin(embedder, store, retrieval=DENSE_ONLY)

    sources = await twin.find_sources(question("which Fern Creek trail for beginners?"))

    assert sources and sources[0].message_id == 1
    assert {s.message_id for s in sources} <= {1, 2, 3, 6}


async def test_peer_scores_found_beside_the_retrieval_weigh_as_a_separate_search(
    store: MemoryStore,
) -> None:
    embedder = HashEmbedder(256)
    await remember(store, embedder)
    asked = question("Bob, which Fern Creek trail for beginners?")
    retriever = HybridRetriever(embedder, store)
    twin = RetrievalTwin(embedder, store)

    found = await retriever.retrieve(
        asked.question, asked.scope, 20, names=("Bob",), now=NOW, peers=PeerQuery(10, (1,))
    )
    alone = await retriever.retrieve(asked.question, asked.scope, 20, names=("Bob",), now=NOW)
    separate = await peer_scores(
        store,
        found.vector,
        found.query,
        chat_id=10,
        member_ids=(1,),
        names=question_names(found.query),
    )

    assert alone.peers is None
    assert found.peers == separate
    assert found.peers is not None and len(found.peers.dense) == 1  # Carol's message only
    assert [r.hit.message_id for r in found.hits] == [r.hit.message_id for r in alone.hits]
    assert await twin.weigh(found, asked) == await twin.weigh(alone, asked)
    assessed = await twin.assess(asked)
    judged = await twin.weigh(alone, asked)
    assert judged is not None and assessed.confidence == judged.answerable
