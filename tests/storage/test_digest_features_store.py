"""Digest features in SQL: recorded per posted digest, read newest first, gone with /forget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bots.storage.database import create_engine
from bots.storage.digest_features_store import DigestFeatureStore
from bots.storage.repository import Storage
from jobs.digest_features import DigestFeature, FeatureKind
from tests.support import OTHER_GROUP, message
from tests.traces import everything_in_sql, secret_words

POSTED = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
async def storage(database_url: str):  # type: ignore[no-untyped-def]
    store = Storage(create_engine(database_url))
    yield store
    await store.close()


async def test_features_are_read_back_per_member_newest_first(storage: Storage) -> None:
    features = DigestFeatureStore(storage.engine)
    alice = await storage.ingest_message(message("alice", "hi"))
    bob = await storage.ingest_message(message("bob", "hello"))
    chat = alice.chat_id
    await features.record(
        chat,
        POSTED,
        [
            DigestFeature(alice.member_id, FeatureKind.TOPIC, "Trail · hike", "https://t.me/c/1/1"),
            DigestFeature(bob.member_id, FeatureKind.TOPIC, "Trail · hike", "https://t.me/c/1/1"),
        ],
    )
    later = POSTED + timedelta(days=1)
    await features.record(chat, later, [DigestFeature(alice.member_id, FeatureKind.NEWCOMER)])
    assert await features.record(chat, later, []) == 0

    read = await features.featured([alice.member_id], 10)
    assert [(f.posted_at, f.kind, f.title) for f in read] == [
        (later, "newcomer", None),
        (POSTED, "topic", "Trail · hike"),
    ]
    assert read[1].permalink == "https://t.me/c/1/1" and read[1].chat_id == chat
    assert [f.member_id for f in await features.featured([bob.member_id], 10)] == [bob.member_id]
    assert len(await features.featured([alice.member_id], 1)) == 1
    assert await features.featured([], 10) == []


async def test_forget_deletes_the_members_features_and_the_titles_they_share(
    storage: Storage,
) -> None:
    features = DigestFeatureStore(storage.engine)
    english, chinese = secret_words()
    alice = await storage.ingest_message(message("alice", f"the {english} trail"))
    bob = await storage.ingest_message(message("bob", "count me in"))
    elsewhere = await storage.ingest_message(message("alice", "hi", chat=OTHER_GROUP))
    chat = alice.chat_id
    shared = f"Alice: “the {english} trail”"
    await features.record(
        chat,
        POSTED,
        [
            DigestFeature(alice.member_id, FeatureKind.TOPIC, shared, "https://t.me/c/1/7"),
            DigestFeature(bob.member_id, FeatureKind.TOPIC, shared, "https://t.me/c/1/7"),
            DigestFeature(alice.member_id, FeatureKind.QUESTION, f"{chinese}？", None),
            DigestFeature(bob.member_id, FeatureKind.DECISION, "We go on Saturday", None),
        ],
    )
    await features.record(
        elsewhere.chat_id, POSTED, [DigestFeature(alice.member_id, FeatureKind.NEWCOMER)]
    )
    assert english in await everything_in_sql(storage.engine)

    await storage.forget_member(chat, alice.member_id)

    everything = await everything_in_sql(storage.engine)
    assert english not in everything and chinese not in everything
    assert [f.chat_id for f in await features.featured([alice.member_id], 10)] == [
        elsewhere.chat_id
    ]
    kept = {(f.kind, f.title, f.permalink) for f in await features.in_chat(chat)}
    assert kept == {("topic", None, None), ("decision", "We go on Saturday", None)}

    await storage.forget_member(elsewhere.chat_id, alice.member_id)  # everywhere
    assert await features.featured([alice.member_id], 10) == []
