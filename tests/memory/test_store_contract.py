"""The MemoryStore contract, run against Qdrant Edge and qdrant-client's local mode."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from qdrant_client import AsyncQdrantClient

from memory.edge_store import EdgeMemoryStore
from memory.records import MemoryScope
from memory.server_store import ServerMemoryStore
from memory.store import (
    VECTOR_PAGE,
    DimensionMismatchError,
    MemoryStore,
    MemoryStoreError,
    search_hybrid,
    vector_matrix,
)
from tests.memory.conftest import DIM, EPOCH, axis, record, unit

pytestmark = pytest.mark.filterwarnings("ignore:Payload indexes have no effect:UserWarning")

ALICE, BOB, CAROL = 101, 102, 103
GROUP, OTHER = 1, 2


async def seed(store: MemoryStore) -> None:
    """Alice and Bob in GROUP, Alice and Carol in OTHER, all near axis 0."""
    await store.upsert(
        [
            record(1, GROUP, ALICE, unit(1.0, 0.1), "alice in group", "https://t.me/c/1/1"),
            record(2, GROUP, ALICE, unit(1.0, 0.5)),
            record(3, GROUP, BOB, unit(1.0, 0.0)),
            record(4, OTHER, ALICE, unit(1.0, 0.2)),
            record(5, OTHER, CAROL, unit(1.0, 0.05)),
            record(6, GROUP, BOB, unit(0.9, 0.3)),
        ]
    )


async def test_search_returns_the_members_records_in_the_chat_best_first(
    store: MemoryStore,
) -> None:
    await seed(store)

    hits = await store.search(axis(0), MemoryScope.member_in_chat(ALICE, GROUP), limit=10)

    assert [hit.message_id for hit in hits] == [1, 2]
    assert hits[0].score > hits[1].score
    assert hits[0].score == pytest.approx(float(np.dot(axis(0), unit(1.0, 0.1))), abs=1e-5)
    first = hits[0]
    assert (first.chat_id, first.member_id) == (GROUP, ALICE)
    assert first.text == "alice in group"
    assert first.permalink == "https://t.me/c/1/1"
    assert first.sent_at == EPOCH + timedelta(minutes=1)
    assert hits[1].permalink is None


async def test_search_never_leaks_other_members_or_chats(store: MemoryStore) -> None:
    await seed(store)
    # Bob's record 3 is the exact match for this query; Alice's scope must not see it.
    query = unit(1.0, 0.0)

    in_group = await store.search(query, MemoryScope.member_in_chat(ALICE, GROUP), 10)
    in_other = await store.search(query, MemoryScope.member_in_chat(ALICE, OTHER), 10)
    bob_other = await store.search(query, MemoryScope.member_in_chat(BOB, OTHER), 10)
    stranger = await store.search(query, MemoryScope.member_in_chat(999, GROUP), 10)

    assert {(h.member_id, h.chat_id) for h in in_group} == {(ALICE, GROUP)}
    assert [h.message_id for h in in_other] == [4]
    assert bob_other == []
    assert stranger == []


async def test_whole_chat_scope_sees_every_member_of_that_chat_only(store: MemoryStore) -> None:
    await seed(store)
    await store.upsert(
        [
            record(7, GROUP, CAROL, unit(0.0, 1.0), "carol knows the Fern Creek trail"),
            record(8, OTHER, BOB, unit(0.0, 1.0), "bob talks Fern Creek elsewhere"),
        ]
    )
    scope = MemoryScope.whole_chat(GROUP)

    dense = await store.search(axis(0), scope, 10)
    words = await store.search_keywords("Fern Creek", scope, 10)

    assert {h.message_id for h in dense} == {1, 2, 3, 6, 7}
    assert {h.chat_id for h in dense} == {GROUP}
    assert [h.message_id for h in words] == [7]


def test_a_scope_without_members_needs_its_chats() -> None:
    with pytest.raises(ValueError):
        MemoryScope((), None)
    assert MemoryScope.whole_chat(GROUP).allows(CAROL, GROUP)
    assert not MemoryScope.whole_chat(GROUP).allows(CAROL, OTHER)
    assert not MemoryScope.member_in_chat(ALICE, GROUP).allows(BOB, GROUP)


async def test_search_across_all_chats_and_several_members(store: MemoryStore) -> None:
    await seed(store)

    alice_everywhere = await store.search(axis(0), MemoryScope((ALICE,), None), 10)
    two_members = await store.search(axis(0), MemoryScope((ALICE, CAROL), (OTHER,)), 10)
    two_chats = await store.search(axis(0), MemoryScope((BOB,), (GROUP, OTHER)), 10)

    assert sorted(h.message_id for h in alice_everywhere) == [1, 2, 4]
    assert [h.message_id for h in two_members] == [5, 4]
    assert sorted(h.message_id for h in two_chats) == [3, 6]


async def test_search_respects_limit(store: MemoryStore) -> None:
    await seed(store)
    scope = MemoryScope((ALICE,), None)

    assert [h.message_id for h in await store.search(axis(0), scope, 2)] == [1, 4]
    assert await store.search(axis(0), scope, 0) == []


async def test_search_matches_brute_force(store: MemoryStore) -> None:
    """Filtered search is exact: the same top hits as numpy over the scope's records."""
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((400, DIM))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    chats = rng.integers(1, 4, size=400)
    members = rng.integers(1, 6, size=400)
    await store.upsert(
        [record(i + 1, int(chats[i]), int(members[i]), vectors[i].tolist()) for i in range(400)]
    )
    scopes = [
        MemoryScope.member_in_chat(2, 3),
        MemoryScope((1, 4), None),
        MemoryScope((5,), (1, 2)),
    ]
    for scope in scopes:
        query = rng.standard_normal(DIM)
        query /= np.linalg.norm(query)
        allowed = np.isin(members, scope.member_ids)
        if scope.chat_ids is not None:
            allowed &= np.isin(chats, scope.chat_ids)
        candidates = np.flatnonzero(allowed)
        expected = candidates[np.argsort(-(vectors[candidates] @ query))][:7] + 1

        hits = await store.search(query.tolist(), scope, 7)

        assert [h.message_id for h in hits] == expected.tolist()


async def test_upsert_same_id_replaces(store: MemoryStore) -> None:
    await store.upsert([record(10, GROUP, ALICE, axis(0), "first")])
    await store.upsert([record(10, OTHER, BOB, axis(1), "edited")])

    assert await store.count() == 1
    assert await store.search(axis(0), MemoryScope.member_in_chat(ALICE, GROUP), 5) == []
    [hit] = await store.search(axis(0), MemoryScope.member_in_chat(BOB, OTHER), 5)
    assert hit.text == "edited"
    assert hit.score == pytest.approx(0.0, abs=1e-5)


async def test_empty_writes_are_no_ops(store: MemoryStore) -> None:
    await store.upsert([])
    await store.delete_messages([])

    assert await store.count() == 0


async def test_wrong_vector_length_is_rejected(store: MemoryStore) -> None:
    with pytest.raises(ValueError, match="8 floats"):
        await store.upsert([record(1, GROUP, ALICE, [1.0, 0.0])])
    with pytest.raises(ValueError, match="8 floats"):
        await store.search([1.0] * (DIM + 1), MemoryScope.member_in_chat(ALICE, GROUP), 3)


async def test_delete_messages(store: MemoryStore) -> None:
    await seed(store)

    await store.delete_messages([1, 5, 999])

    assert await store.count() == 4
    alice = await store.search(axis(0), MemoryScope((ALICE,), None), 10)
    assert sorted(h.message_id for h in alice) == [2, 4]
    assert await store.count(member_id=CAROL) == 0


async def test_delete_member_in_one_chat_leaves_everyone_else(store: MemoryStore) -> None:
    await seed(store)

    await store.delete_member(ALICE, GROUP)

    assert await store.count(member_id=ALICE, chat_id=GROUP) == 0
    assert await store.count(member_id=ALICE, chat_id=OTHER) == 1
    assert await store.count(member_id=BOB) == 2
    assert await store.count(member_id=CAROL) == 1
    assert await store.count() == 4


async def test_delete_member_everywhere_leaves_other_members(store: MemoryStore) -> None:
    await seed(store)

    await store.delete_member(ALICE, None)

    assert await store.count(member_id=ALICE) == 0
    assert await store.count(member_id=BOB, chat_id=GROUP) == 2
    assert await store.count(member_id=CAROL, chat_id=OTHER) == 1
    assert await store.count() == 3
    bob = await store.search(axis(0), MemoryScope.member_in_chat(BOB, GROUP), 10)
    assert sorted(h.message_id for h in bob) == [3, 6]


async def test_delete_unknown_member_deletes_nothing(store: MemoryStore) -> None:
    await seed(store)

    await store.delete_member(999, None)
    await store.delete_member(BOB, OTHER)

    assert await store.count() == 6


async def test_delete_chat(store: MemoryStore) -> None:
    await seed(store)

    await store.delete_chat(GROUP)

    assert await store.count(chat_id=GROUP) == 0
    assert await store.count(chat_id=OTHER) == 2
    assert await store.count(member_id=ALICE) == 1


async def test_vectors_are_returned_by_message_id(store: MemoryStore) -> None:
    await store.upsert([record(10, GROUP, ALICE, axis(0)), record(11, GROUP, BOB, axis(1))])

    found = await store.vectors([11, 10, 99, 10])

    assert set(found) == {10, 11}
    assert found[10] == pytest.approx(axis(0))
    assert found[11] == pytest.approx(axis(1))
    assert await store.vectors([]) == {}


async def test_vectors_are_float32_rows_over_several_pages(store: MemoryStore) -> None:
    rng = np.random.default_rng(3)
    stored = rng.standard_normal((VECTOR_PAGE + 7, DIM)).astype(np.float32)
    await store.upsert([record(i + 1, GROUP, ALICE, row.tolist()) for i, row in enumerate(stored)])
    stored /= np.linalg.norm(stored, axis=1, keepdims=True)  # cosine stores unit vectors

    found = await store.vectors([i + 1 for i in range(len(stored))])

    assert len(found) == len(stored)
    last = found[len(stored)]
    assert isinstance(last, np.ndarray) and last.dtype == np.float32 and last.shape == (DIM,)
    for i in (0, VECTOR_PAGE - 1, VECTOR_PAGE, len(stored) - 1):
        np.testing.assert_allclose(found[i + 1], stored[i], rtol=1e-5, atol=1e-6)


async def test_vector_matrix_reads_pages_into_rows_in_the_order_asked(store: MemoryStore) -> None:
    await store.upsert([record(i, GROUP, BOB, axis(i % DIM)) for i in range(1, 6)])

    found, matrix = await vector_matrix(store, [5, 99, 2, 3, 1], DIM, page=2)

    assert found.tolist() == [True, False, True, True, True]
    assert matrix.dtype == np.float32 and matrix.shape == (5, DIM)
    np.testing.assert_allclose(
        matrix[[0, 2, 3, 4]], np.stack([axis(5 % DIM), axis(2), axis(3), axis(1)])
    )
    assert not matrix[1].any()
    with pytest.raises(ValueError, match="page"):
        await vector_matrix(store, [1], DIM, page=0)


async def test_count_filters(store: MemoryStore) -> None:
    await seed(store)

    assert await store.count() == 6
    assert await store.count(member_id=ALICE) == 3
    assert await store.count(chat_id=GROUP) == 4
    assert await store.count(member_id=ALICE, chat_id=OTHER) == 1
    assert await store.count(member_id=BOB, chat_id=OTHER) == 0


async def test_open_twice_keeps_data(store: MemoryStore) -> None:
    await seed(store)

    await store.open()

    assert await store.count() == 6


async def test_concurrent_calls(store: MemoryStore) -> None:
    await store.upsert([record(i, GROUP, ALICE, axis(i % DIM)) for i in range(1, 41)])
    scope = MemoryScope.member_in_chat(ALICE, GROUP)

    results = await asyncio.gather(
        *(store.search(axis(k % DIM), scope, 3) for k in range(30)),
        *(store.upsert([record(100 + k, OTHER, BOB, axis(0))]) for k in range(10)),
    )

    for k, hits in enumerate(results[:30]):
        assert isinstance(hits, list)
        assert hits[0].score == pytest.approx(1.0, abs=1e-5)
        assert all(h.message_id % DIM == k % DIM for h in hits)
    assert await store.count(member_id=BOB) == 10


async def test_naive_sent_at_round_trips(store: MemoryStore) -> None:
    naive = EPOCH.replace(tzinfo=None)
    await store.upsert([replace(record(1, GROUP, ALICE, axis(0)), sent_at=naive)])

    [hit] = await store.search(axis(0), MemoryScope.member_in_chat(ALICE, GROUP), 1)

    assert hit.sent_at == naive


# Backend-specific behaviour


async def test_edge_data_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "edge"
    first = EdgeMemoryStore(path, DIM)
    await first.open()
    await seed(first)
    await first.delete_messages([2])
    await first.close()

    second = EdgeMemoryStore(path, DIM)
    await second.open()
    try:
        assert await second.count() == 5
        hits = await second.search(axis(0), MemoryScope((ALICE,), None), 10)
        assert sorted(h.message_id for h in hits) == [1, 4]
        assert hits[0].text in {"alice in group", "message 4"}
    finally:
        await second.close()


async def test_edge_dimension_mismatch(tmp_path: Path) -> None:
    path = tmp_path / "edge"
    first = EdgeMemoryStore(path, DIM)
    await first.open()
    await first.close()

    other = EdgeMemoryStore(path, DIM * 2)
    with pytest.raises(DimensionMismatchError, match="8-dimensional"):
        await other.open()
    await other.close()


async def test_edge_refuses_a_second_opener(tmp_path: Path) -> None:
    first = EdgeMemoryStore(tmp_path / "edge", DIM)
    await first.open()
    second = EdgeMemoryStore(tmp_path / "edge", DIM)
    try:
        with pytest.raises(MemoryStoreError, match="cannot open"):
            await second.open()
    finally:
        await second.close()
        await first.close()


async def test_edge_calls_need_open_store(tmp_path: Path) -> None:
    store = EdgeMemoryStore(tmp_path / "edge", DIM)
    with pytest.raises(MemoryStoreError, match="not open"):
        await store.count()
    await store.open()
    await store.close()
    await store.close()
    with pytest.raises(MemoryStoreError, match="not open"):
        await store.count()


async def test_edge_optimize_keeps_results(tmp_path: Path) -> None:
    store = EdgeMemoryStore(tmp_path / "edge", DIM)
    await store.open()
    try:
        await seed(store)
        await store.delete_member(BOB, None)
        await store.optimize()
        assert await store.count() == 4
        hits = await store.search(axis(0), MemoryScope((ALICE,), None), 10)
        assert sorted(h.message_id for h in hits) == [1, 2, 4]
    finally:
        await store.close()


async def test_server_dimension_mismatch() -> None:
    client = AsyncQdrantClient(location=":memory:")
    await ServerMemoryStore(client, "messages", DIM).open()

    with pytest.raises(DimensionMismatchError, match="8-dimensional"):
        await ServerMemoryStore(client, "messages", DIM * 2).open()
    await client.close()


async def test_server_keeps_an_injected_client_open() -> None:
    client = AsyncQdrantClient(location=":memory:")
    store = ServerMemoryStore(client, "messages", DIM)
    await store.open()
    await store.close()

    assert await client.collection_exists("messages")
    await client.close()


async def test_edge_flushes_after_enough_changes(tmp_path: Path) -> None:
    store = EdgeMemoryStore(tmp_path / "edge", DIM, flush_every=10)
    await store.open()
    try:
        await store.upsert([record(i, GROUP, ALICE, axis(0)) for i in range(1, 8)])
        assert store._unflushed == 7
        await store.upsert([record(i, GROUP, ALICE, axis(0)) for i in range(8, 13)])
        assert store._unflushed == 0
        await store.delete_messages([1, 2])
        await store.flush()
        assert store._unflushed == 0
        assert await store.count() == 10
    finally:
        await store.close()


CRASHING_WRITER = """
import asyncio, os, sys
from tests.memory.conftest import DIM, axis, record
from memory.edge_store import EdgeMemoryStore

async def main():
    store = EdgeMemoryStore(sys.argv[1], DIM)
    await store.open()
    await store.upsert([record(i, 1, 101, axis(i % DIM)) for i in range(1, 51)])
    await store.delete_messages([50])
    os._exit(0)  # no close, no flush

asyncio.run(main())
"""


async def test_edge_writes_survive_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "edge"
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CRASHING_WRITER, str(path), cwd=Path(__file__).parents[2]
    )
    assert await child.wait() == 0

    store = EdgeMemoryStore(path, DIM)
    await store.open()
    try:
        assert await store.count(member_id=101, chat_id=1) == 49
    finally:
        await store.close()


async def seed_texts(store: MemoryStore) -> None:
    """Messages with words to find: Alice and Bob in GROUP, Alice in OTHER."""
    await store.upsert(
        [
            record(1, GROUP, ALICE, axis(0), "The Fern Creek loop is flat, great for beginners"),
            record(2, GROUP, ALICE, axis(1), "I baked sourdough bread this morning"),
            record(3, GROUP, ALICE, axis(2), "Sourdough needs a lively starter and patience"),
            record(4, GROUP, BOB, axis(0), "Fern Creek was muddy; sourdough for everyone after"),
            record(5, OTHER, ALICE, axis(0), "Fern Creek again next weekend?"),
            record(6, GROUP, ALICE, axis(3), "我对花生过敏，不能吃坚果。"),
            record(7, GROUP, ALICE, axis(4), "Dinner with Wei at the noodle place"),
        ]
    )


async def test_keyword_search_ranks_the_scopes_messages_by_bm25(store: MemoryStore) -> None:
    await seed_texts(store)
    scope = MemoryScope.member_in_chat(ALICE, GROUP)

    creek = await store.search_keywords("Which trail near Fern Creek?", scope, 10)
    bread = await store.search_keywords("any SOURDOUGH tips", scope, 10)

    assert [h.message_id for h in creek] == [1]
    assert sorted(h.message_id for h in bread) == [2, 3]
    assert all(h.score > 0 for h in creek + bread)
    first = creek[0]
    assert (first.chat_id, first.member_id) == (GROUP, ALICE)
    assert first.text == "The Fern Creek loop is flat, great for beginners"
    assert first.sent_at == EPOCH + timedelta(minutes=1)


async def test_hybrid_search_gives_both_pools_in_scope(store: MemoryStore) -> None:
    await seed_texts(store)
    scope = MemoryScope.member_in_chat(ALICE, GROUP)
    question = "Which trail near Fern Creek?"

    dense, keywords = await search_hybrid(store, axis(1), question, scope, 10)
    nothing, no_words = await search_hybrid(store, axis(1), "the", scope, 10)

    assert dense == await store.search(axis(1), scope, 10)
    assert keywords == await store.search_keywords(question, scope, 10)
    assert [h.message_id for h in keywords] == [1]
    assert all(scope.allows(h.member_id, h.chat_id) for h in dense + keywords)
    assert nothing == dense  # a stop word alone: nothing to search by keywords
    assert no_words == []


async def test_keyword_search_prefers_rare_words(store: MemoryStore) -> None:
    await store.upsert(
        [record(i, GROUP, ALICE, axis(0), f"hiking on day {i}") for i in range(1, 9)]
        + [record(20, GROUP, ALICE, axis(0), "hiking at Skyline Ridge")]
    )

    hits = await store.search_keywords(
        "hiking Skyline", MemoryScope.member_in_chat(ALICE, GROUP), 3
    )

    assert hits[0].message_id == 20
    assert len(hits) == 3


async def test_keyword_search_finds_chinese_words_and_names(store: MemoryStore) -> None:
    await seed_texts(store)
    scope = MemoryScope.member_in_chat(ALICE, GROUP)

    allergy = await store.search_keywords("你对什么过敏？", scope, 5)
    wei = await store.search_keywords("wei", scope, 5)

    assert [h.message_id for h in allergy] == [6]
    assert [h.message_id for h in wei] == [7]


async def test_keyword_search_never_leaks_other_members_or_chats(store: MemoryStore) -> None:
    await seed_texts(store)

    alice_group = await store.search_keywords(
        "muddy Fern Creek", MemoryScope.member_in_chat(ALICE, GROUP), 10
    )
    alice_other = await store.search_keywords(
        "muddy Fern Creek", MemoryScope.member_in_chat(ALICE, OTHER), 10
    )
    bob = await store.search_keywords("beginners", MemoryScope.member_in_chat(BOB, GROUP), 10)
    everywhere = await store.search_keywords("Fern Creek", MemoryScope((ALICE,), None), 10)
    stranger = await store.search_keywords("Fern Creek", MemoryScope.member_in_chat(999, GROUP), 10)

    assert [h.message_id for h in alice_group] == [1]  # Bob's "muddy" message stays his
    assert [h.message_id for h in alice_other] == [5]
    assert bob == []
    assert sorted(h.message_id for h in everywhere) == [1, 5]
    assert stranger == []


async def test_keyword_search_without_words_finds_nothing(store: MemoryStore) -> None:
    await seed_texts(store)
    scope = MemoryScope.member_in_chat(ALICE, GROUP)

    assert await store.search_keywords("what did you do?", scope, 10) == []
    assert await store.search_keywords("quantum chromodynamics", scope, 10) == []
    assert await store.search_keywords("Fern", scope, 0) == []


async def test_keywords_follow_edits_and_deletes(store: MemoryStore) -> None:
    await seed_texts(store)
    scope = MemoryScope.member_in_chat(ALICE, GROUP)

    await store.upsert([record(2, GROUP, ALICE, axis(1), "I baked rye bread this morning")])
    await store.delete_messages([3])

    assert await store.search_keywords("sourdough", scope, 10) == []
    assert [h.message_id for h in await store.search_keywords("rye", scope, 10)] == [2]
    await store.delete_member(ALICE, GROUP)
    assert await store.search_keywords("rye Fern", scope, 10) == []


def old_edge_shard(path: Path) -> None:
    """A shard as stores wrote it before keyword vectors: seed_texts' messages, dense only."""
    from qdrant_edge import (
        Distance,
        EdgeConfig,
        EdgeShard,
        EdgeVectorParams,
        Point,
        UpdateOperation,
    )

    from memory._payload import to_payload

    records = [
        record(1, GROUP, ALICE, axis(0), "The Fern Creek loop is flat, great for beginners"),
        record(2, GROUP, ALICE, axis(1), "I baked sourdough bread this morning"),
        record(3, GROUP, BOB, axis(1), "sourdough for everyone"),
    ]
    path.mkdir(parents=True)
    shard = EdgeShard.create(
        str(path), EdgeConfig(vectors=EdgeVectorParams(size=DIM, distance=Distance.Cosine))
    )
    points = [Point(r.message_id, list(r.vector), to_payload(r)) for r in records]
    shard.update(UpdateOperation.upsert_points(points))
    shard.close()  # not flushed: the write-ahead log holds the points


def folder_names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def stop_upgrade(path: Path, stopped_at: str) -> None:
    """Leave the traces an upgrade killed at ``stopped_at`` would leave."""
    if stopped_at == "building":
        building = path.with_name("edge.building")
        building.mkdir()
        (building / "partial").write_text("x")
    else:
        path.rename(path.with_name("edge.previous"))


async def test_edge_shard_without_keyword_vectors_is_upgraded_on_open(tmp_path: Path) -> None:
    path = tmp_path / "edge"
    old_edge_shard(path)
    store = EdgeMemoryStore(path, DIM)
    await store.open()
    try:
        scope = MemoryScope.member_in_chat(ALICE, GROUP)
        assert await store.count() == 3
        assert [h.message_id for h in await store.search_keywords("sourdough", scope, 10)] == [2]
        [best, _] = await store.search(axis(1), scope, 10)
        assert (best.message_id, best.text) == (2, "I baked sourdough bread this morning")
        assert best.score == pytest.approx(1.0, abs=1e-5)
        assert await store.count(member_id=BOB, chat_id=GROUP) == 1
        await store.upsert([record(4, GROUP, ALICE, axis(2), "more sourdough")])
        assert len(await store.search_keywords("sourdough", scope, 10)) == 2
    finally:
        await store.close()
    assert folder_names(tmp_path) == ["edge"]


@pytest.mark.parametrize("stopped_at", ["building", "swapped out"])
async def test_an_upgrade_cut_short_is_redone(tmp_path: Path, stopped_at: str) -> None:
    path = tmp_path / "edge"
    old_edge_shard(path)
    stop_upgrade(path, stopped_at)
    store = EdgeMemoryStore(path, DIM)
    await store.open()
    try:
        scope = MemoryScope.member_in_chat(ALICE, GROUP)
        assert await store.count() == 3
        assert [h.message_id for h in await store.search_keywords("sourdough", scope, 10)] == [2]
    finally:
        await store.close()
    assert folder_names(tmp_path) == ["edge"]


async def test_server_collection_without_keyword_vectors_still_works() -> None:
    from qdrant_client import models

    client = AsyncQdrantClient(location=":memory:")
    await client.create_collection(
        "old", vectors_config=models.VectorParams(size=DIM, distance=models.Distance.COSINE)
    )
    store = ServerMemoryStore(client, "old", DIM, close_client=True)
    await store.open()
    await seed_texts(store)
    scope = MemoryScope.member_in_chat(ALICE, GROUP)

    assert await store.search_keywords("sourdough", scope, 10) == []
    assert len(await store.search(axis(1), scope, 10)) == 5
    await store.close()
