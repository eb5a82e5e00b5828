"""What the assistant reads and switches in storage, on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from adapters.model import Chat, ChatKind, Platform
from bots.storage.database import create_engine, migrate
from bots.storage.repository import Storage
from tests.support import GROUP, OTHER_GROUP, member, message

DM = Chat(Platform.TELEGRAM, "id-alice", ChatKind.PRIVATE)


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[Storage]:
    engine = create_engine(database_url)
    await migrate(engine)
    store = Storage(engine)
    yield store
    await store.close()


async def test_assistant_is_on_until_an_admin_switches_it_off(storage: Storage) -> None:
    chat_id = await storage.ensure_chat(GROUP)
    assert (await storage.chat_settings(chat_id)).assistant_enabled
    await storage.update_chat_settings(chat_id, assistant_enabled=False)
    settings = await storage.chat_settings(chat_id)
    assert not settings.assistant_enabled and settings.twins_enabled
    await storage.update_chat_settings(chat_id, assistant_enabled=True)
    assert (await storage.chat_settings(chat_id)).assistant_enabled


async def test_members_may_be_suggested_until_they_say_no_per_chat(storage: Storage) -> None:
    stored = await storage.ingest_message(message("bob", "hello"))
    other = await storage.ingest_message(message("bob", "hi", chat=OTHER_GROUP))
    chat_id, bob = stored.message.chat_id, stored.message.member_id
    assert (await storage.chat_people(chat_id))[bob].suggestable
    await storage.set_suggestable(chat_id, bob, False)
    assert not (await storage.chat_people(chat_id))[bob].suggestable
    assert not (await storage.chat_people(chat_id))[bob].suggestable
    assert (await storage.chat_people(other.message.chat_id))[bob].suggestable
    await storage.set_twin_enabled(chat_id, bob, True)  # consent and the switch live together
    assert not (await storage.chat_people(chat_id))[bob].suggestable
    assert await storage.twin_enabled(chat_id, bob)


async def test_replies_last_message_and_a_members_groups(storage: Storage) -> None:
    question = message("alice", "how do I proof dough?", minutes_ago=30)
    answer = message("carol", "cold proof overnight", minutes_ago=20)
    thanks = replace(
        message("alice", "thanks!", minutes_ago=10), reply_to_message_id=answer.platform_message_id
    )
    for m in (question, answer, thanks):
        await storage.ingest_message(m)
    await storage.ingest_message(message("alice", "elsewhere", chat=OTHER_GROUP, minutes_ago=5))
    chat_id = await storage.ensure_chat(GROUP)
    alice = await storage.ensure_member(member("alice"))
    carol = await storage.ensure_member(member("carol"))
    stored_answer = (await storage.ingest_message(answer)).message
    assert await storage.replies_to(chat_id, [stored_answer.id]) == [
        (stored_answer.id, alice, "thanks!")
    ]
    now = datetime.now(UTC)
    last = await storage.last_message_before(chat_id, alice, now - timedelta(minutes=15))
    assert last is not None and abs((last - question.sent_at).total_seconds()) < 1
    assert await storage.last_message_before(chat_id, carol, now - timedelta(minutes=25)) is None
    chats = await storage.member_group_chats([alice])
    assert [c.title for c in chats] == ["Other group", "Test group"]  # latest activity first
    await storage.ingest_message(message("alice", "a private word", chat=DM))
    assert len(await storage.member_group_chats([alice])) == 2  # never a private chat


async def test_a_members_groups_are_those_they_are_still_in(storage: Storage) -> None:
    await storage.ingest_message(message("alice", "hello", minutes_ago=30))
    await storage.ingest_message(message("alice", "elsewhere", chat=OTHER_GROUP, minutes_ago=20))
    alice = await storage.ensure_member(member("alice"))
    now = datetime.now(UTC)
    await storage.record_membership(OTHER_GROUP, member("alice"), joined=False, at=now)
    assert [c.title for c in await storage.member_group_chats([alice])] == ["Test group"]
    # Back in the group: a leave that arrives after the rejoin it preceded leaves her in.
    await storage.record_membership(OTHER_GROUP, member("alice"), joined=True, at=now)
    await storage.record_membership(
        OTHER_GROUP, member("alice"), joined=False, at=now - timedelta(minutes=1)
    )
    chats = await storage.member_group_chats([alice])
    assert sorted(c.title for c in chats) == ["Other group", "Test group"]
