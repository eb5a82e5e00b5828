"""A round's reads by member id go in chunks: same answers however many members."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bots.storage import intro_store
from bots.storage.database import create_engine
from bots.storage.intro_store import IntroStore
from bots.storage.repository import Storage
from tests.support import message


@pytest.fixture
async def storage(database_url: str):  # type: ignore[no-untyped-def]
    store = Storage(create_engine(database_url))
    yield store
    await store.close()


async def test_reads_in_chunks_lose_no_member_and_no_pair(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime.now(UTC)
    people = ["ana", "bo", "cy", "dee", "eve"]
    ids: dict[str, int] = {}
    chat = 0
    for minutes, who in enumerate(people):
        said = message(who, f"{who} on sourdough", minutes_ago=60 - minutes)
        stored = await storage.ingest_message(said)
        ids[who], chat = stored.member_id, stored.chat_id
        answer = replace(
            message(people[0] if who != people[0] else people[-1], f"re {who}", minutes_ago=30),
            reply_to_message_id=said.platform_message_id,
        )
        await storage.ingest_message(answer)
    intros = IntroStore(storage.engine)
    members = sorted(ids.values())
    since = now - timedelta(hours=2)
    await intros.avoid(ids["bo"], ids["eve"])
    outside = await storage.ingest_message(message("zed", "not taking part"))
    await intros.avoid(ids["cy"], outside.member_id)  # someone not in the round
    whole = (
        await intros.recent_messages(chat, members, since, 10),
        await intros.reply_counts(chat, members, since),
        await intros.avoided(members),
    )
    monkeypatch.setattr(intro_store, "ID_CHUNK", 2)
    chunked = (
        await intros.recent_messages(chat, members, since, 10),
        await intros.reply_counts(chat, members, since),
        await intros.avoided(members),
    )
    assert chunked == whole
    assert len(whole[0]) == 10 and [m.member_id for m in whole[0]] == sorted(
        m.member_id for m in whole[0]
    )
    assert sum(whole[1].values()) == 5 and len(whole[1]) == 4
    assert whole[2] == {ids["bo"]: {ids["eve"]}}
