"""Reactions and reputation in SQL: who is credited, what /forget removes, the aggregates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from adapters.model import Member, Message, ReactionEvent
from bots.reputation import PER_GIVER_CAP, WEIGHTS, Signal, score
from bots.storage.database import create_engine
from bots.storage.reaction_store import ReactionOutcome
from bots.storage.repository import Storage
from tests.support import GROUP, OTHER_GROUP, member, message


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[Storage]:
    store = Storage(create_engine(database_url))
    yield store
    await store.close()


def react(who: str | Member, on: Message | str, emoji: str = "👍", *, added: bool = True):  # type: ignore[no-untyped-def]
    target = on.platform_message_id if isinstance(on, Message) else on
    chat = on.chat if isinstance(on, Message) else GROUP
    giver = who if isinstance(who, Member) else member(who)
    return ReactionEvent(chat, giver, target, emoji, added=added, at=datetime.now(UTC))


def reply(who: str, text: str, to: Message) -> Message:
    return replace(message(who, text, chat=to.chat), reply_to_message_id=to.platform_message_id)


async def post(storage: Storage, msg: Message) -> Message:
    await storage.ingest_message(msg)
    return msg


async def test_a_reaction_is_kept_once_and_removal_deletes_it(storage: Storage) -> None:
    bobs = await post(storage, message("bob", "Fern Creek is flat"))
    assert await storage.record_reaction(react("alice", bobs)) is ReactionOutcome.STORED
    assert await storage.record_reaction(react("alice", bobs)) is ReactionOutcome.STORED
    assert await storage.record_reaction(react("alice", bobs, "❤")) is ReactionOutcome.STORED
    chat = await storage.ensure_chat(GROUP)
    alice = await storage.ensure_member(member("alice"))
    assert await storage.reactions_on(chat, bobs.platform_message_id) == [
        (alice, "👍"),
        (alice, "❤"),
    ]
    removed = await storage.record_reaction(react("alice", bobs, added=False))
    assert removed is ReactionOutcome.REMOVED
    assert await storage.reactions_on(chat, bobs.platform_message_id) == [(alice, "❤")]
    again = await storage.record_reaction(react("alice", bobs, added=False))
    assert again is ReactionOutcome.IGNORED


async def test_a_deleted_message_takes_its_reactions_along(storage: Storage) -> None:
    bobs = await post(storage, message("bob", "Fern Creek is flat"))
    await storage.record_reaction(react("alice", bobs))
    assert await storage.delete_message(GROUP, bobs.platform_message_id) is not None
    chat = await storage.ensure_chat(GROUP)
    assert await storage.reactions_on(chat, bobs.platform_message_id) == []


async def test_own_bot_and_unknown_reactions_are_not_kept(storage: Storage) -> None:
    bobs = await post(storage, message("bob", "hello"))
    assert await storage.record_reaction(react("bob", bobs)) is ReactionOutcome.OWN
    bot = member("helper", bot=True)
    assert await storage.record_reaction(react(bot, bobs)) is ReactionOutcome.IGNORED
    unknown = await storage.record_reaction(react("alice", "never-stored"))
    assert unknown is ReactionOutcome.UNKNOWN_MESSAGE
    chat = await storage.ensure_chat(GROUP)
    assert await storage.reactions_on(chat, bobs.platform_message_id) == []


async def test_a_reaction_on_a_twin_answer_credits_the_twins_owner(storage: Storage) -> None:
    bobs = await storage.ingest_message(message("bob", "Fern Creek is flat"))
    answer = await storage.record_twin_reply(
        chat_id=bobs.chat_id,
        member_id=bobs.member_id,
        asker_member_id=None,
        question_platform_id="q1",
        text="Bob's twin: Fern Creek",
        source_message_ids=[bobs.message.id],
        status="pending",
    )
    await storage.mark_twin_reply(answer, status="sent", platform_message_id="twin-1")
    assert await storage.record_reaction(react("alice", "twin-1")) is ReactionOutcome.STORED
    assert await storage.record_reaction(react("bob", "twin-1")) is ReactionOutcome.OWN
    found = await storage.recognitions(bobs.chat_id, bobs.member_id)
    alice = await storage.ensure_member(member("alice"))
    assert [(r.giver_id, r.signal, r.count) for r in found] == [(alice, Signal.REACTION, 1)]


async def test_forget_deletes_reactions_given_and_received_in_that_chat(
    storage: Storage,
) -> None:
    alices = await post(storage, message("alice", "I like Fern Creek"))
    bobs = await post(storage, message("bob", "Fern Creek is flat"))
    elsewhere = await post(storage, message("bob", "hi there", chat=OTHER_GROUP))
    await post(storage, message("alice", "hello", chat=OTHER_GROUP))
    await storage.record_reaction(react("alice", bobs))  # given by Alice here
    await storage.record_reaction(react("carol", alices))  # received by Alice here
    await storage.record_reaction(react("carol", bobs))  # nothing to do with Alice
    await storage.record_reaction(react("alice", elsewhere))  # Alice, another chat
    chat = await storage.ensure_chat(GROUP)
    other = await storage.ensure_chat(OTHER_GROUP)
    alice = await storage.ensure_member(member("alice"))
    carol = await storage.ensure_member(member("carol"))

    result = await storage.forget_member(chat, alice)

    assert result.reactions == 2
    assert await storage.reactions_on(chat, alices.platform_message_id) == []
    assert await storage.reactions_on(chat, bobs.platform_message_id) == [(carol, "👍")]
    assert await storage.reactions_on(other, elsewhere.platform_message_id) == [(alice, "👍")]


async def test_recognitions_count_each_signal_from_others(storage: Storage) -> None:
    question = await post(storage, message("alice", "Which trail is best for beginners?"))
    statement = await post(storage, message("carol", "I went hiking yesterday."))
    await post(storage, reply("bob", "Fern Creek: flat and shaded", question))
    await post(storage, reply("bob", "Nice!", statement))  # not a question: nothing
    bobs = await post(storage, message("bob", "Bring water, the loop has no fountain"))
    await post(storage, reply("alice", "Thanks, that helped!", bobs))
    await post(storage, reply("carol", "谢谢！", bobs))
    await post(storage, reply("carol", "no thanks", bobs))  # not a thank-you
    await post(storage, reply("bob", "thanks me", bobs))  # his own: nothing
    for who in ("alice", "carol", "dave"):
        await storage.record_reaction(react(who, bobs))
    await storage.record_reaction(react("alice", bobs, "❤"))  # same message: counted once
    chat = await storage.ensure_chat(GROUP)
    bob = await storage.ensure_member(member("bob"))
    asker = await storage.ensure_member(member("carol"))
    confirmed = await storage.record_twin_reply(
        chat_id=chat,
        member_id=bob,
        asker_member_id=asker,
        question_platform_id="q9",
        text="Bob's twin: Fern Creek",
        source_message_ids=[],
        status="sent",
    )
    await storage.review_twin_reply(confirmed, review="confirmed")
    ids = {name: await storage.ensure_member(member(name)) for name in ("alice", "carol", "dave")}

    found = await storage.recognitions(chat, bob)

    counted = sorted((r.giver_id, r.signal.value, r.count) for r in found)
    assert counted == sorted(
        [
            (ids["alice"], Signal.REACTION.value, 1),
            (ids["carol"], Signal.REACTION.value, 1),
            (ids["dave"], Signal.REACTION.value, 1),
            (ids["alice"], Signal.THANKS.value, 1),
            (ids["carol"], Signal.THANKS.value, 1),
            (ids["carol"], Signal.CONFIRMED_ANSWER.value, 1),
            (ids["alice"], Signal.ANSWERED_QUESTION.value, 1),
        ]
    )
    result = score(found, own_ids={bob})
    alice_points = min(
        PER_GIVER_CAP,
        WEIGHTS[Signal.THANKS] + WEIGHTS[Signal.ANSWERED_QUESTION] + WEIGHTS[Signal.REACTION],
    )
    carol_points = min(
        PER_GIVER_CAP,
        WEIGHTS[Signal.THANKS] + WEIGHTS[Signal.CONFIRMED_ANSWER] + WEIGHTS[Signal.REACTION],
    )
    assert result.score == alice_points + carol_points + WEIGHTS[Signal.REACTION]
    assert result.givers == 3


async def test_fifty_reactions_from_one_member_stay_under_the_cap(storage: Storage) -> None:
    posts = [await post(storage, message("bob", f"tip number {n}")) for n in range(50)]
    for each in posts:
        await storage.record_reaction(react("alice", each))
    chat = await storage.ensure_chat(GROUP)
    bob = await storage.ensure_member(member("bob"))
    found = await storage.recognitions(chat, bob)
    assert [r.count for r in found] == [50]
    assert score(found, own_ids={bob}).score == PER_GIVER_CAP
