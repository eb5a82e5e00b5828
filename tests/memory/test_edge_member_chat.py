"""A twin's scope (one member in one chat) is one indexed key in a Qdrant Edge shard; shards
written before the key get it when rewritten, and search the same meanwhile."""

from __future__ import annotations

from pathlib import Path

from qdrant_edge import EdgeShard, FieldCondition

from memory._payload import MEMBER_CHAT, NO_KEY, member_chat_key
from memory.edge_store import EdgeMemoryStore, _scope_filter, every_point_keyed
from memory.records import MemoryHit, MemoryRecord, MemoryScope
from tests.memory.conftest import DIM, record
from tests.memory.test_edge_segments import vector_of, write_shard_as_before

MEMBERS = (7, 8)
CHATS = (1, 2, 3)


def messages(count: int = 90) -> list[MemoryRecord]:
    """Two members writing in three chats, each message naming a shared word and its own."""
    return [
        record(
            i,
            CHATS[i % len(CHATS)],
            MEMBERS[(i // len(CHATS)) % len(MEMBERS)],
            vector_of(i),
            f"hiking note{i}",
        )
        for i in range(1, count + 1)
    ]


def by_score(found: list[list[MemoryHit]]) -> list[list[MemoryHit]]:
    """Each list best first, ties (same words, same score) by message id: a rewritten shard
    may return tied hits in another order."""
    return [sorted(hits, key=lambda hit: (-hit.score, hit.message_id)) for hits in found]


def shard_of(store: EdgeMemoryStore) -> EdgeShard:
    shard = store._shard
    assert shard is not None
    return shard


async def searches(store: EdgeMemoryStore) -> list[list[MemoryHit]]:
    """What every twin scope finds, by meaning and by keywords."""
    found = []
    for member, chat in zip(MEMBERS, CHATS, strict=False):
        scope = MemoryScope.member_in_chat(member, chat)
        found.append(await store.search(vector_of(5), scope, 30))
        found.append(await store.search_keywords("hiking", scope, 30))
        found.extend(await store.search_hybrid(vector_of(9), "hiking", scope, 30))
    return found


def test_keys_differ_for_every_member_and_chat() -> None:
    pairs = [(m, c) for m in (0, 1, 2, 2**31 - 1) for c in (0, 1, 2, 2**31 - 1)]
    keys = {member_chat_key(m, c) for m, c in pairs}
    assert len(keys) == len(pairs)
    assert min(keys) >= 0
    assert member_chat_key(-5, 1) == NO_KEY
    assert member_chat_key(1, 2**31) == NO_KEY


def test_a_twin_scope_is_one_key_only_on_a_keyed_shard() -> None:
    scope = MemoryScope.member_in_chat(7, 2)
    keyed = _scope_filter(scope, keyed=True)
    assert keyed.must is not None and len(keyed.must) == 1
    condition = keyed.must[0]
    assert isinstance(condition, FieldCondition) and condition.key == MEMBER_CHAT
    assert len(_scope_filter(scope).must or []) == 2
    wider = MemoryScope((7, 8), (2,))
    assert len(_scope_filter(wider, keyed=True).must or []) == 2
    beyond = MemoryScope.member_in_chat(2**31, 2)  # no key: searched by member and chat
    assert len(_scope_filter(beyond, keyed=True).must or []) == 2


async def test_a_new_shard_is_keyed_and_finds_what_two_conditions_find(tmp_path: Path) -> None:
    store = EdgeMemoryStore(tmp_path / "edge", DIM)
    await store.open()
    try:
        await store.upsert(messages())
        assert store._keyed and every_point_keyed(shard_of(store))
        by_key = await searches(store)
        store._keyed = False
        assert await searches(store) == by_key
        assert all(hit.member_id == MEMBERS[0] and hit.chat_id == CHATS[0] for hit in by_key[0])
        assert all(by_key)
    finally:
        await store.close()


async def test_a_shard_from_before_keys_gets_them_when_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "edge"
    write_shard_as_before(path, messages())
    store = EdgeMemoryStore(path, DIM)
    await store.open()
    try:
        assert not store._keyed and not every_point_keyed(shard_of(store))
        before = await searches(store)  # by member and chat: nothing is missed
        assert all(before)

        assert await store.optimize()  # rewritten once, with keys
        assert store._keyed and every_point_keyed(shard_of(store))
        assert by_score(await searches(store)) == by_score(before)
        assert not await store.optimize()  # nothing left to do
    finally:
        await store.close()
