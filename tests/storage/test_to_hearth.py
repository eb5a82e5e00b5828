"""Messages said to Hearth itself: stored and marked, kept out of every read of the talk."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from adapters.model import Message
from bots.storage.database import create_engine, downgrade, migrate
from bots.storage.intro_store import IntroStore
from bots.storage.personal_digest_store import PersonalDigestStore
from bots.storage.repository import Storage
from tests.support import message


@pytest.fixture
async def storage(database_url: str):  # type: ignore[no-untyped-def]
    store = Storage(create_engine(database_url))
    yield store
    await store.close()


def asked(who: str, text: str, **kwargs: object) -> Message:
    """A message that addresses Hearth (the adapter already stripped the @-mention)."""
    return replace(message(who, text, **kwargs), addressed_to_hearth=True)  # type: ignore[arg-type]


async def test_a_message_to_hearth_is_stored_marked_and_counted(storage: Storage) -> None:
    talk = await storage.ingest_message(message("alice", "Dinner at Sakura on Friday?"))
    said = asked("alice", "what did we decide about dinner?")
    question = await storage.ingest_message(said)
    assert question.created and question.message.to_hearth
    assert not talk.message.to_hearth
    again = await storage.ingest_message(said)
    assert not again.created and again.message == question.message
    pending = await storage.pending_messages(10)
    assert [(m.text, m.to_hearth) for m in pending] == [
        ("Dinner at Sakura on Friday?", False),
        ("what did we decide about dinner?", True),
    ]
    assert await storage.count_messages(member_id=question.member_id) == 2


async def test_the_talk_read_back_leaves_messages_to_hearth_out(storage: Storage) -> None:
    now = datetime.now(UTC)
    bob_said = message("bob", "I'm bringing the tent for Saturday", minutes_ago=30)
    talk = await storage.ingest_message(bob_said)
    to_bob = replace(
        asked("alice", "is Bob's tent big enough for four?", minutes_ago=20),
        reply_to_message_id=bob_said.platform_message_id,
    )
    question = await storage.ingest_message(to_bob)
    thanks = replace(
        message("alice", "thanks Bob, perfect", minutes_ago=10),
        reply_to_message_id=bob_said.platform_message_id,
    )
    await storage.ingest_message(thanks)
    alice, bob, chat = question.member_id, talk.member_id, talk.chat_id

    period = await storage.period_messages(chat, now - timedelta(hours=1), now)
    assert [m.text for m in period] == ["I'm bringing the tent for Saturday", "thanks Bob, perfect"]
    assert await storage.member_texts(chat, alice) == ["thanks Bob, perfect"]
    replies = await storage.replies_to(chat, [talk.message.id])
    assert [text for _, _, text in replies] == ["thanks Bob, perfect"]

    intros = IntroStore(storage.engine)
    recent = await intros.recent_messages(chat, [alice, bob], now - timedelta(hours=1), 5)
    assert sorted(m.text for m in recent) == [
        "I'm bringing the tent for Saturday",
        "thanks Bob, perfect",
    ]
    assert await intros.reply_counts(chat, [alice, bob], now - timedelta(hours=1)) == {
        (min(alice, bob), max(alice, bob)): 1
    }

    personal = PersonalDigestStore(storage.engine)
    own = await personal.member_messages(alice, now - timedelta(hours=1), 10)
    assert [m.text for m in own] == ["thanks Bob, perfect"]
    others = await personal.others_message_ids(chat, bob, now - timedelta(hours=1), now, 10)
    assert question.message.id not in others and others

    # Still the member's own last message: presence and catch-ups count it as today.
    last = await storage.last_message_before(chat, alice, now)
    assert last == thanks.sent_at
    assert question.message.id in await storage.existing_message_ids([question.message.id])


async def test_an_edit_that_starts_or_stops_addressing_hearth_moves_the_message(
    storage: Storage,
) -> None:
    first = message("carol", "dinner is at 8", minutes_ago=5, message_id="e9")
    stored = await storage.ingest_message(first)
    await storage.mark_embedded(await storage.pending_messages(10), datetime.now(UTC))
    assert await storage.pending_messages(10) == []
    now_asked = replace(first, addressed_to_hearth=True, edited_at=datetime.now(UTC))
    await storage.apply_edit(now_asked)
    [pending] = await storage.pending_messages(10)
    assert pending.id == stored.message.id and pending.to_hearth  # to be taken out of memory
    now = datetime.now(UTC)
    assert await storage.period_messages(stored.chat_id, now - timedelta(hours=1), now) == []
    # A worker that read the old version does not mark the new one done.
    await storage.mark_embedded([replace(pending, to_hearth=False)], now)
    assert [m.id for m in await storage.pending_messages(10)] == [stored.message.id]
    await storage.apply_edit(replace(now_asked, addressed_to_hearth=False))
    [back] = await storage.pending_messages(10)
    assert not back.to_hearth
    assert len(await storage.period_messages(stored.chat_id, now - timedelta(hours=1), now)) == 1


async def test_migration_keeps_stored_messages_as_talk_on_both_databases(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    storage = Storage(engine)
    await storage.ingest_message(asked("alice", "what can you do?", minutes_ago=3))
    await downgrade(engine, "0014")
    await migrate(engine)
    # Rows from before the column are the members' talk, as they were.
    [row] = await storage.pending_messages(10)
    assert row.text == "what can you do?" and not row.to_hearth
    question = await storage.ingest_message(asked("alice", "what did I miss?"))
    assert question.message.to_hearth
    await storage.close()


async def test_forget_deletes_what_the_member_said_to_hearth_too(storage: Storage) -> None:
    await storage.ingest_message(message("alice", "see you at the lake", minutes_ago=5))
    question = await storage.ingest_message(asked("alice", "when is the lake trip?"))
    result = await storage.forget_member(question.chat_id, question.member_id)
    assert result.messages == 2
    assert await storage.existing_message_ids([question.message.id]) == set()
