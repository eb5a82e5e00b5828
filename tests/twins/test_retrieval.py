"""The hybrid retriever: name stripping, fusion, neighbours, dates and scope on both backends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from qdrant_client import AsyncQdrantClient

from memory.edge_store import EdgeMemoryStore
from memory.hash_embedder import HashEmbedder
from memory.records import MemoryHit, MemoryRecord, MemoryScope
from memory.server_store import ServerMemoryStore
from memory.store import MemoryStore
from twins.retrieval import (
    DENSE_ONLY,
    HybridRetriever,
    RetrievalSettings,
    fuse,
    strip_names,
)
from twins.retrieval_dates import DateWindow
from twins.retrieval_keywords import Script

DIM = 64
T0 = datetime(2023, 5, 1, 9, 0, tzinfo=UTC)
ALICE, BOB = 1, 2
GROUP, OTHER = 10, 20
SETTINGS = RetrievalSettings()


def hit(
    message_id: int,
    score: float,
    minutes: float = 0.0,
    member: int = ALICE,
    chat: int = GROUP,
    text: str | None = None,
) -> MemoryHit:
    sent = T0 + timedelta(minutes=minutes)
    return MemoryHit(message_id, chat, member, sent, text or f"text {message_id}", score)


def ids(ranked: list[object]) -> list[int]:
    return [r.hit.message_id for r in ranked]  # type: ignore[attr-defined]


# --- the member's name -------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "names", "expected"),
    [
        (
            "When did Caroline go to the support group?",
            ["Caroline"],
            "When did go to the support group?",
        ),
        ("What are Melanie's plans?", ["Melanie"], "What are plans?"),
        ("@bob which trail, Bob?", ["Bob"], "which trail?"),
        ("Bob, which trail?", ["Bob"], "which trail?"),
        ("What does CAROLINE like", ["Caroline"], "What does like"),
        ("Carolines and Caroline", ["Caroline"], "Carolines and"),
        ("王伟的爱好是什么？", ["王伟"], "爱好是什么？"),
        ("What does José like? Josélito too", ["José"], "What does like? Josélito too"),
        ("Caroline?", ["Caroline"], "Caroline?"),
        ("Where did Bob go?", [], "Where did Bob go?"),
        ("Where did Bob go?", ["Robert", "Bob"], "Where did go?"),
        ("Tom是哪里人？", ["Tom"], "是哪里人？"),
        ("@Tom 你女朋友叫什么？", ["Tom"], "你女朋友叫什么？"),
        ("Tom的猫叫什么？", ["Tom"], "猫叫什么？"),
        ("Priya吃素吗？", ["Priya"], "吃素吗？"),
        ("Tomás是谁？", ["Tom"], "Tomás是谁？"),
        ("王磊你家狗叫啥名字？", ["王磊"], "你家狗叫啥名字？"),
    ],
)
def test_strip_names(question: str, names: list[str], expected: str) -> None:
    assert strip_names(question, names) == expected


# --- fusion ------------------------------------------------------------------


def test_dense_only_keeps_the_dense_order() -> None:
    dense = [hit(1, 0.9, 0), hit(2, 0.8, 1), hit(3, 0.7, 2)]

    ranked = fuse(dense, [hit(3, 9.0, 2)], [], DENSE_ONLY)

    assert ids(ranked) == [1, 2, 3]
    assert [r.similarity for r in ranked] == [0.9, 0.8, 0.7]


def test_a_keyword_match_lifts_a_message_dense_search_ranks_low() -> None:
    dense = [hit(i, 0.9 - i / 100, minutes=i * 100) for i in range(1, 11)]
    keyword = [hit(7, 5.0, minutes=700)]
    settings = RetrievalSettings(context=False)

    ranked = fuse(dense, keyword, [], settings)

    assert ids(ranked)[0] == 7
    assert ranked[0].keyword_score == 5.0
    assert ranked[1].keyword_score == 0.0


def test_keyword_only_hits_are_ranked_without_a_similarity() -> None:
    ranked = fuse([hit(1, 0.9)], [hit(2, 3.0, minutes=500)], [], SETTINGS)

    by_id = {r.hit.message_id: r for r in ranked}
    assert set(by_id) == {1, 2}
    assert by_id[2].similarity is None
    assert by_id[1].similarity == 0.9


def test_a_neighbouring_turn_lends_its_relevance() -> None:
    # 2 and 3 tie on their own; 3 sits right after the best message, 2 is hours away.
    dense = [hit(1, 0.9, 0), hit(2, 0.7, 300), hit(3, 0.7, 5), hit(4, 0.5, 600)]

    with_context = fuse(dense, [], [], RetrievalSettings(keywords=False))
    plain = fuse(dense, [], [], RetrievalSettings(keywords=False, context=False))

    assert ids(with_context)[:2] == [1, 3]
    assert ids(plain)[:3] == [1, 2, 3]


def test_neighbours_are_the_same_member_in_the_same_chat() -> None:
    dense = [
        hit(1, 0.9, 0, member=BOB),
        hit(2, 0.9, 1, chat=OTHER),
        hit(3, 0.6, 2),
        hit(4, 0.6, 500),
    ]

    ranked = fuse(dense, [], [], RetrievalSettings(keywords=False))

    assert ids(ranked)[2:] == [3, 4]  # no lift for 3 from Bob's or another chat's message


def test_turns_further_apart_than_the_gap_are_not_neighbours() -> None:
    # 3 is 10 minutes after the best message: in a group chat, another conversation
    dense = [hit(1, 0.9, 0), hit(2, 0.7, 300), hit(3, 0.7, 10), hit(4, 0.5, 600)]

    near = fuse(dense, [], [], RetrievalSettings(keywords=False))
    wide = fuse(dense, [], [], RetrievalSettings(keywords=False, context_gap=timedelta(hours=1)))

    assert RetrievalSettings().context_gap == timedelta(minutes=5)
    assert ids(near)[:2] == [1, 2]  # ties kept in the store's order
    assert ids(wide)[:2] == [1, 3]


def test_a_message_without_words_ranks_by_its_neighbours_only() -> None:
    # "👍" is nearest in meaning, as emoji are to every question; alone it sinks
    dense = [hit(1, 0.95, 0, text="👍"), hit(2, 0.8, 300), hit(3, 0.75, 600), hit(4, 0.6, 900)]
    beside = [hit(1, 0.95, 0, text="哈哈哈"), hit(2, 0.8, 1), hit(3, 0.7, 600)]
    plain = RetrievalSettings(keywords=False, wordless=False)

    # as similar as the least similar message, ties kept in the store's order
    assert ids(fuse(dense, [], [], RetrievalSettings(keywords=False))) == [2, 3, 1, 4]
    assert ids(fuse(dense, [], [], plain)) == [1, 2, 3, 4]
    ranked = fuse(beside, [], [], RetrievalSettings(keywords=False))
    assert ids(ranked)[:2] == [2, 1]  # next to the best message, it comes with it
    assert ranked[1].similarity == 0.95  # the embedder's score is still reported


def test_keywords_do_not_hold_back_a_message_in_another_script() -> None:
    # A Chinese question; 1 is English, so it cannot share a word with the question
    dense = [
        hit(2, 0.9, 0, text="周末一起去爬山"),
        hit(1, 0.85, 300, text="I teach English at a school in Binjiang"),
        hit(3, 0.7, 600, text="我在滨江住"),
    ]
    keyword = [hit(3, 2.0, 600, text="我在滨江住")]
    settings = RetrievalSettings(context=False)

    blind = fuse(dense, keyword, [], settings)
    judged = fuse(dense, keyword, [], settings, Script.CJK)

    assert ids(blind) == [3, 2, 1]  # 1 and 2 both count as keyword misses
    assert ids(judged) == [3, 1, 2]  # 2 is a miss; 1 could not have matched
    assert judged[1].keyword_score == 0.0
    # in the question's script, a message without a shared word is a miss
    assert ids(fuse(dense, keyword, [], settings, Script.SPACED)) == [3, 2, 1]


def test_a_lone_message_is_not_held_back() -> None:
    dense = [hit(1, 0.8, 0), hit(2, 0.5, 5), hit(3, 0.81, 600)]

    ranked = fuse(dense, [], [], RetrievalSettings(keywords=False))

    assert ids(ranked)[0] == 3


def test_messages_from_a_named_period_come_first() -> None:
    dense = [hit(1, 0.9, 0), hit(2, 0.8, 60 * 24 * 10), hit(3, 0.7, 60 * 24 * 20)]
    day = T0 + timedelta(days=10)
    period = DateWindow(day, day + timedelta(days=1))

    ranked = fuse(dense, [], [period], RetrievalSettings(keywords=False, context=False))

    assert ids(ranked)[0] == 2
    assert [r.in_period for r in ranked] == [True, False, False]
    assert ids(fuse(dense, [], [], RetrievalSettings(keywords=False, context=False))) == [1, 2, 3]


def test_nothing_found_fuses_to_nothing() -> None:
    assert fuse([], [], [], SETTINGS) == []


# --- on real stores ------------------------------------------------------------


@pytest.fixture(params=["edge", "server"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MemoryStore]:
    memory: MemoryStore
    if request.param == "edge":
        memory = EdgeMemoryStore(tmp_path / "edge", DIM)
    else:
        memory = ServerMemoryStore(
            AsyncQdrantClient(location=":memory:"), "messages", DIM, close_client=True
        )
    await memory.open()
    yield memory
    await memory.close()


MESSAGES = [
    # (id, chat, member, minutes, text)
    (1, GROUP, ALICE, 0, "For beginners I recommend the Fern Creek loop"),
    (2, GROUP, ALICE, 1, "It is flat, six km, and the waterfall is lovely"),
    (3, GROUP, ALICE, 600, "I baked sourdough bread today"),
    (4, GROUP, BOB, 2, "Fern Creek loop is my favourite trail for beginners too"),
    (5, OTHER, ALICE, 3, "Fern Creek loop in the other chat"),
    (6, GROUP, ALICE, 60 * 24 * 30, "我对花生过敏，不能吃坚果。"),
    (7, GROUP, BOB, 60 * 24 * 30, "我对猫过敏。"),
]


async def fill(store: MemoryStore, embedder: HashEmbedder) -> None:
    vectors = await embedder.embed_passages([text for *_, text in MESSAGES])
    await store.upsert(
        [
            MemoryRecord(i, chat, member, T0 + timedelta(minutes=minutes), text, vector)
            for (i, chat, member, minutes, text), vector in zip(MESSAGES, vectors, strict=True)
        ]
    )


async def test_retriever_stays_in_scope_on_both_backends(store: MemoryStore) -> None:
    embedder = HashEmbedder(DIM)
    await fill(store, embedder)
    retriever = HybridRetriever(embedder, store)

    alice = await retriever.retrieve(
        "Which beginners trail, Alice?",
        MemoryScope.member_in_chat(ALICE, GROUP),
        10,
        names=["Alice"],
    )
    bob = await retriever.retrieve("Fern Creek loop", MemoryScope.member_in_chat(BOB, GROUP), 10)
    other = await retriever.retrieve("Fern Creek", MemoryScope.member_in_chat(ALICE, OTHER), 10)
    stranger = await retriever.retrieve("Fern Creek", MemoryScope.member_in_chat(99, GROUP), 10)

    assert {(r.hit.member_id, r.hit.chat_id) for r in alice.hits} == {(ALICE, GROUP)}
    english = [i for i in ids(alice.hits) if i != 6]  # 6 is Chinese: judged by meaning alone
    assert english[:2] == [1, 2]  # the best match, then its neighbouring turn
    assert alice.query == "Which beginners trail?"
    assert {r.hit.message_id for r in bob.hits} == {4, 7}
    assert ids(other.hits) == [5]
    assert stranger.hits == [] and stranger.best_similarity is None


async def test_retriever_finds_chinese_words_and_dates(store: MemoryStore) -> None:
    embedder = HashEmbedder(DIM)
    await fill(store, embedder)
    retriever = HybridRetriever(embedder, store)
    scope = MemoryScope.member_in_chat(ALICE, GROUP)

    allergy = await retriever.retrieve("你对什么过敏？", scope, 3)
    dated = await retriever.retrieve("what did you say on 1 May 2023?", scope, 3)

    assert ids(allergy.hits)[0] == 6
    assert allergy.hits[0].keyword_score > 0
    assert [w.start.date().isoformat() for w in dated.periods] == ["2023-05-01"]
    assert all(r.in_period for r in dated.hits[:3]) and 6 not in ids(dated.hits)[:3]


async def test_retriever_leaves_the_members_common_words_out_of_keywords(
    store: MemoryStore,
) -> None:
    embedder = HashEmbedder(DIM)
    texts = [f"Thanks Gina, day {n} of rehearsals" for n in range(8)]
    texts += ["Lost my job as a banker", "Opening a dance studio in June"]
    vectors = await embedder.embed_passages(texts)
    await store.upsert(
        [
            MemoryRecord(100 + n, GROUP, BOB, T0 + timedelta(hours=n), text, vector)
            for n, (text, vector) in enumerate(zip(texts, vectors, strict=True))
        ]
    )
    scope = MemoryScope.member_in_chat(BOB, GROUP)
    retriever = HybridRetriever(embedder, store)
    every_word = HybridRetriever(embedder, store, RetrievalSettings(common_share=1.0))

    found = await retriever.retrieve("Did you tell Gina about the banker job?", scope, 3)
    all_words = await every_word.retrieve("Did you tell Gina about the banker job?", scope, 3)
    only_common = await retriever.retrieve("Gina?", scope, 3)

    assert found.keyword_query == "tell banker job"  # "gina" is in 8 of 10 messages
    assert {h.message_id for h in found.keyword_pool} == {108}
    assert ids(found.hits)[0] == 108
    assert all_words.keyword_query == "Did you tell Gina about the banker job?"
    assert len(all_words.keyword_pool) == 9
    assert only_common.keyword_query == "" and only_common.keyword_pool == []
    assert only_common.hits  # still found by meaning


async def test_retriever_never_leaks_from_a_store_that_ignores_scope() -> None:
    class Leaky:
        async def search(self, vector: object, scope: MemoryScope, limit: int) -> list[MemoryHit]:
            return [hit(1, 0.9, member=BOB), hit(2, 0.5)]

        async def search_keywords(
            self, text: str, scope: MemoryScope, limit: int
        ) -> list[MemoryHit]:
            return [hit(3, 9.0, chat=OTHER), hit(2, 1.0)]

    retriever = HybridRetriever(HashEmbedder(DIM), Leaky())  # type: ignore[arg-type]

    found = await retriever.retrieve("anything", MemoryScope.member_in_chat(ALICE, GROUP), 10)

    assert ids(found.hits) == [2]
    assert found.best_similarity == 0.5


def test_pool_must_be_positive() -> None:
    with pytest.raises(ValueError, match="pool"):
        HybridRetriever(HashEmbedder(DIM), None, RetrievalSettings(pool=0))  # type: ignore[arg-type]


def test_fuse_with_a_limit_keeps_the_head_of_the_full_ranking() -> None:
    dense = [hit(i, 1.0 - i / 100, minutes=3 * i) for i in range(1, 30)]
    keyword = [hit(i, 10.0 - i / 3, minutes=3 * i) for i in range(5, 30, 4)]
    full = fuse(dense, keyword, [], SETTINGS, Script.SPACED)

    head = fuse(dense, keyword, [], SETTINGS, Script.SPACED, limit=7)

    assert len(full) == 29
    assert head == full[:7]


async def test_a_chinese_question_finds_an_english_message_by_its_words(
    store: MemoryStore,
) -> None:
    embedder = HashEmbedder(DIM)  # meaning cannot cross languages here: only words can
    texts = [
        "my birthday is this Sunday!! gonna have hotpot with my roommates",
        "the new patch broke my save file again",
        "anyone up for ranked tonight?",
        "tips are good at the shop tho",
    ]
    vectors = await embedder.embed_passages(texts)
    await store.upsert(
        [
            MemoryRecord(200 + n, GROUP, BOB, T0 + timedelta(hours=n), text, vector)
            for n, (text, vector) in enumerate(zip(texts, vectors, strict=True))
        ]
    )
    scope = MemoryScope.member_in_chat(BOB, GROUP)

    found = await HybridRetriever(embedder, store).retrieve(
        "Bob生日打算怎么过？", scope, 4, names=["Bob"]
    )
    plain = await HybridRetriever(embedder, store, RetrievalSettings(translate=False)).retrieve(
        "Bob生日打算怎么过？", scope, 4, names=["Bob"]
    )

    assert ids(found.hits)[0] == 200
    assert found.hits[0].keyword_score > 0
    assert "birthday" in found.keyword_query
    assert all(r.keyword_score == 0 for r in plain.hits)  # without the English words: no match
