"""The router end to end over storage, memory and the retrieval twin."""

from __future__ import annotations

import asyncio

from adapters.model import Chat, ChatKind, Platform
from bots.app import Hearth
from tests.support import GROUP, OTHER_GROUP, RecordingSender, command, member, message
from twins.labels import TWIN_MARK, twin_label

BOB_SAYS = [
    "For beginners I always recommend the Fern Creek loop: 6 km, flat, and a waterfall.",
    "My sourdough uses 75% hydration and an overnight cold proof in the fridge.",
    "I'm travelling to Lisbon for a conference next week.",
]


async def settle(hearth: Hearth) -> None:
    async with asyncio.timeout(60):
        await hearth.worker.drain()


async def bob_is_away_with_twin(hearth: Hearth, sender: RecordingSender) -> None:
    for text in BOB_SAYS:
        await hearth.router.handle(message("bob", text, minutes_ago=120), sender)
    await hearth.router.handle(command("bob", "twin", "on"), sender)
    await settle(hearth)
    sender.replies.clear()


async def test_message_is_stored_and_embedded(hearth: Hearth) -> None:
    sender = RecordingSender()
    await hearth.router.handle(message("alice", "Hello group, nice to meet you all"), sender)
    await settle(hearth)
    assert await hearth.storage.count_messages() == 1
    assert await hearth.memory.count() == 1
    assert sender.replies == []


async def test_redelivered_message_is_stored_once(hearth: Hearth) -> None:
    sender = RecordingSender()
    first = message("alice", "Same update twice", message_id="dup-1")
    await hearth.router.handle(first, sender)
    await hearth.router.handle(first, sender)
    await settle(hearth)
    assert await hearth.storage.count_messages() == 1
    assert await hearth.memory.count() == 1


async def test_absent_opted_in_member_is_answered_by_twin(hearth: Hearth) -> None:
    sender = RecordingSender()
    await bob_is_away_with_twin(hearth, sender)
    question = message(
        "alice", "@bob which trail do you recommend for beginners?", mentions=("bob",)
    )
    await hearth.router.handle(question, sender)
    assert len(sender.replies) == 1
    reply = sender.replies[0]
    assert reply.label == twin_label("Bob")
    assert reply.rendered().startswith(TWIN_MARK)
    assert reply.reply_to_message_id == question.platform_message_id
    assert "Fern Creek" in reply.text
    assert "https://t.me/c/1/" in reply.text  # every quote links to its message
    bob_id = (await hearth.storage.find_chat_member(1, Platform.TELEGRAM, username="bob")).member_id  # type: ignore[union-attr]
    assert await hearth.storage.twin_replies(bob_id) == [reply.text]


async def test_reply_to_an_absent_member_wakes_the_twin(hearth: Hearth) -> None:
    sender = RecordingSender()
    await bob_is_away_with_twin(hearth, sender)
    await hearth.router.handle(
        message("alice", "what hydration do you use for sourdough?", reply_to=member("bob")),
        sender,
    )
    assert len(sender.replies) == 1
    assert "75% hydration" in sender.replies[0].text


async def test_present_member_is_not_answered(hearth: Hearth) -> None:
    sender = RecordingSender()
    await bob_is_away_with_twin(hearth, sender)
    await hearth.router.handle(message("bob", "I'm back, just had lunch", minutes_ago=1), sender)
    await hearth.router.handle(
        message("alice", "@bob which trail for beginners?", mentions=("bob",)), sender
    )
    # No twin answer: only Hearth's note that Bob is around.
    [note] = sender.replies
    assert note.label is None and not note.rendered().startswith(TWIN_MARK)
    assert note.text.startswith("Bob was here a little while ago")


async def test_member_who_did_not_opt_in_is_not_answered(hearth: Hearth) -> None:
    sender = RecordingSender()
    await hearth.router.handle(
        message("carol", "I shoot portraits with an 85mm lens", minutes_ago=300), sender
    )
    await hearth.router.handle(
        message("alice", "@carol which lens for portraits?", mentions=("carol",)), sender
    )
    await hearth.router.handle(command("bob", "twin", "on"), sender)
    await hearth.router.handle(command("bob", "twin", "off"), sender)
    sender.replies.clear()
    await hearth.router.handle(message("alice", "@bob are you there?", mentions=("bob",)), sender)
    assert sender.replies == []


async def test_bots_and_twins_never_wake_a_twin(hearth: Hearth) -> None:
    sender = RecordingSender()
    await bob_is_away_with_twin(hearth, sender)
    await hearth.router.handle(
        message(
            member("helperbot", bot=True), "@bob which trail for beginners?", mentions=("bob",)
        ),
        sender,
    )
    await hearth.router.handle(
        message("alice", f"{twin_label('Carol')}\n@bob which trail?", mentions=("bob",)), sender
    )
    assert sender.replies == []


async def test_twin_uses_only_its_members_messages_in_this_chat(hearth: Hearth) -> None:
    sender = RecordingSender()
    await hearth.router.handle(
        message("bob", "The wifi password is hunter2", chat=OTHER_GROUP, minutes_ago=200), sender
    )
    await hearth.router.handle(
        message("carol", "The wifi password for the office is swordfish", minutes_ago=200), sender
    )
    await bob_is_away_with_twin(hearth, sender)
    await hearth.router.handle(
        message("alice", "@bob what is the wifi password?", mentions=("bob",)), sender
    )
    assert len(sender.replies) == 1
    text = sender.replies[0].text
    assert "hunter2" not in text and "swordfish" not in text
    assert "found nothing" in text


async def test_twin_says_so_when_nothing_relevant(hearth: Hearth) -> None:
    sender = RecordingSender()
    await bob_is_away_with_twin(hearth, sender)
    await hearth.router.handle(
        message("alice", "@bob what's your favourite football team?", mentions=("bob",)), sender
    )
    assert len(sender.replies) == 1
    assert "found nothing" in sender.replies[0].text
    assert "“" not in sender.replies[0].text  # no quotes when abstaining


async def test_forget_leaves_nothing_in_sql_or_memory(hearth: Hearth) -> None:
    sender = RecordingSender()
    await bob_is_away_with_twin(hearth, sender)
    await hearth.router.handle(message("carol", "Carol stays remembered", minutes_ago=5), sender)
    await hearth.router.handle(
        message("alice", "@bob trail for beginners?", mentions=("bob",)), sender
    )
    await settle(hearth)
    bob = await hearth.storage.find_chat_member(1, Platform.TELEGRAM, username="bob")
    assert bob is not None
    sender.replies.clear()
    await hearth.router.handle(command("bob", "forget"), sender)
    assert "deleted 3 of your messages" in sender.texts()[0]
    assert await hearth.storage.count_messages(member_id=bob.member_id) == 0
    assert await hearth.memory.count(member_id=bob.member_id) == 0
    assert await hearth.storage.twin_replies(bob.member_id) == []
    assert not await hearth.storage.twin_enabled(1, bob.member_id)
    # Other members keep their memories.
    assert await hearth.storage.count_messages() == 2
    assert await hearth.memory.count() == 2


async def test_edit_replaces_text_in_memory(hearth: Hearth) -> None:
    sender = RecordingSender()
    original = message(
        "bob", "Meet at the north trailhead at 8am", minutes_ago=100, message_id="e1"
    )
    await hearth.router.handle(original, sender)
    await settle(hearth)
    edited = message(
        "bob", "Meet at the south trailhead at 9am", minutes_ago=100, message_id="e1", edited=True
    )
    await hearth.router.handle(edited, sender)
    await settle(hearth)
    assert await hearth.storage.count_messages() == 1
    assert await hearth.memory.count() == 1
    vector = await hearth.embedder.embed_query("where do we meet?")
    from memory.records import MemoryScope

    hits = await hearth.memory.search(vector, MemoryScope.member_in_chat(1, 1), 5)
    assert [h.text for h in hits] == ["Meet at the south trailhead at 9am"]


async def test_private_messages_are_never_stored(hearth: Hearth) -> None:
    sender = RecordingSender()
    dm = Chat(Platform.TELEGRAM, "42", ChatKind.PRIVATE)
    await hearth.router.handle(message("alice", "my secret diary", chat=dm), sender)
    await settle(hearth)
    assert await hearth.storage.count_messages() == 0
    assert await hearth.memory.count() == 0


async def test_bad_input_never_crashes_and_loses_nothing(hearth: Hearth) -> None:
    sender = RecordingSender()
    await hearth.router.handle(message("alice", ""), sender)
    await hearth.router.handle(message("alice", "   \n\t "), sender)
    await hearth.router.handle(message("alice", "😀🎉🔥"), sender)
    await hearth.router.handle(message("alice", "长" * 60_000), sender)
    await hearth.router.handle(message("alice", "\x00 null byte and \u202e bidi"), sender)
    await settle(hearth)
    assert await hearth.storage.count_messages() == 3
    assert await hearth.memory.count() == 3


async def test_malformed_commands_get_a_usage_hint(hearth: Hearth) -> None:
    sender = RecordingSender()
    await hearth.router.handle(command("alice", "twin"), sender)
    await hearth.router.handle(command("alice", "twin", "banana"), sender)
    await hearth.router.handle(command("alice", "forget", "everything"), sender)
    await hearth.router.handle(command("alice", "frobnicate"), sender)
    texts = sender.texts()
    assert texts[0].startswith("Usage: /twin on")
    assert texts[1].startswith("Usage: /twin on")
    assert texts[2] == "Usage: /forget"
    assert texts[3].startswith("Unknown command /frobnicate")
    assert all("\n" not in t for t in texts)


async def test_help_and_status(hearth: Hearth) -> None:
    sender = RecordingSender()
    await hearth.router.handle(command("alice", "help"), sender)
    assert "/twin on" in sender.texts()[0] and "/forget" in sender.texts()[0]
    await hearth.router.handle(message("alice", "one message", minutes_ago=3), sender)
    await settle(hearth)
    await hearth.router.handle(command("alice", "twin", "status"), sender)
    assert "Your twin is off" in sender.texts()[-1]
    assert "Stored: 1 of your messages" in sender.texts()[-1]


async def test_deleted_message_leaves_sql_and_memory(hearth: Hearth) -> None:
    from adapters.model import MessageDeleted

    sender = RecordingSender()
    gone = message("bob", "I regret posting this", message_id="del-1")
    await hearth.router.handle(gone, sender)
    await hearth.router.handle(message("bob", "this one stays"), sender)
    await settle(hearth)
    await hearth.router.handle(MessageDeleted(GROUP, "del-1", gone.sent_at), sender)
    await hearth.router.handle(MessageDeleted(GROUP, "never-seen", gone.sent_at), sender)
    assert await hearth.storage.count_messages() == 1
    assert await hearth.memory.count() == 1


async def test_a_message_that_gets_no_answer_reads_no_language_clues(
    hearth: Hearth, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    asked: list[str] = []
    clues = hearth.storage.chat_language_clues
    member_clues = hearth.storage.member_language_clues

    async def chat_clues(*args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append("chat")
        return await clues(*args, **kwargs)

    async def member_language(*args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append("member")
        return await member_clues(*args, **kwargs)

    monkeypatch.setattr(hearth.storage, "chat_language_clues", chat_clues)
    monkeypatch.setattr(hearth.storage, "member_language_clues", member_language)
    sender = RecordingSender()
    await hearth.router.handle(message("alice", "Morning all"), sender)
    await hearth.router.handle(message("alice", "@carol lunch?", mentions=("carol",)), sender)
    assert asked == []
    await hearth.router.handle(command("alice", "help"), sender)
    assert asked == ["chat"]
