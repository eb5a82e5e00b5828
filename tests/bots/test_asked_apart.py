"""A question said to Hearth is stored, but kept apart from the community's talk."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bots.app import Hearth
from bots.assistant.service import HEARTH_LABEL
from memory.records import MemoryScope
from tests.bots.assistant_chat import to_hearth
from tests.support import GROUP, RecordingSender, command, message
from twins.labels import twin_label

BOB_SAYS = [
    "For beginners I always recommend the Fern Creek loop: 6 km, flat, and a waterfall.",
    "My sourdough uses 75% hydration and an overnight cold proof in the fridge.",
]
BOB_TELLS_HEARTH = "please note for everyone: the cabin wifi password is pinecone42"


async def settle(hearth: Hearth) -> None:
    async with asyncio.timeout(120):
        await hearth.worker.drain()


async def test_a_question_to_hearth_is_stored_once_marked_and_never_in_memory(
    hearth: Hearth,
) -> None:
    sender = RecordingSender()
    await hearth.router.handle(message("alice", "Sakura at 8pm on Friday", minutes_ago=30), sender)
    question = to_hearth("alice", "@hearth what did we decide about dinner?")
    await hearth.router.handle(question, sender)
    await hearth.router.handle(question, sender)  # the platform delivers it again
    await settle(hearth)
    assert [reply.label for reply in sender.replies] == [HEARTH_LABEL]
    assert await hearth.storage.count_messages() == 2
    assert await hearth.storage.count_pending_messages() == 0
    assert await hearth.memory.count() == 1
    vector = await hearth.embedder.embed_query("what did we decide about dinner?")
    hits = await hearth.memory.search(vector, MemoryScope.member_in_chat(1, 1), 5)
    assert [hit.text for hit in hits] == ["Sakura at 8pm on Friday"]


async def test_a_twin_never_quotes_what_its_member_said_to_hearth(hearth: Hearth) -> None:
    sender = RecordingSender()
    for text in BOB_SAYS:
        await hearth.router.handle(message("bob", text, minutes_ago=120), sender)
    await hearth.router.handle(command("bob", "twin", "on"), sender)
    await hearth.router.handle(to_hearth("bob", BOB_TELLS_HEARTH, minutes_ago=90), sender)
    await settle(hearth)
    sender.replies.clear()
    await hearth.router.handle(
        message("alice", "@bob what is the wifi password for the cabin?", mentions=("bob",)),
        sender,
    )
    [reply] = sender.replies
    assert reply.label == twin_label("Bob")
    assert "found nothing" in reply.text
    assert "pinecone42" not in reply.text  # said to Hearth, not to the group
    # Nor does the twin's persona learn from it.
    await hearth.router.handle(command("bob", "twin", "profile"), sender)
    assert "from 2 of your messages" in sender.texts()[-1]


async def test_a_question_to_hearth_is_not_an_open_question_in_the_digest(
    hearth: Hearth,
) -> None:
    sender = RecordingSender()
    for who, text, minutes in [
        ("alice", "Shall we hike Fern Creek on Saturday?", 300),
        ("bob", "Yes! Fern Creek hike on Saturday works for me", 290),
        ("carol", "We decided: Fern Creek hike, meet at the trailhead at 8am", 280),
        ("bob", "Trail map for the hike: https://example.org/fern-creek-map", 270),
        ("alice", "Does anyone know a good sourdough recipe?", 200),
    ]:
        await hearth.router.handle(message(who, text, minutes_ago=minutes), sender)
    await hearth.router.handle(
        # As adapters pass it on: the @-mention of Hearth already stripped.
        to_hearth("dave", "where can we rent kayaks near the lake?", minutes_ago=100),
        sender,
    )
    await settle(hearth)
    sender.replies.clear()
    await hearth.router.handle(
        replace(command("carol", "digest", "now"), sender_is_admin=True), sender
    )
    text = "\n".join(sender.texts())
    assert "sourdough recipe" in text  # a member's open question to the group
    assert "kayak" not in text


async def test_intro_rounds_read_no_question_to_hearth(hearth: Hearth) -> None:
    sender = RecordingSender()
    await hearth.router.handle(message("erin", "I paint watercolours of the harbour"), sender)
    await hearth.router.handle(to_hearth("erin", "@hearth who else here likes kayaking?"), sender)
    chat_id = await hearth.storage.ensure_chat(GROUP)
    erin = await hearth.storage.find_chat_member(chat_id, GROUP.platform, username="erin")
    assert erin is not None
    since = message("erin", "", minutes_ago=60).sent_at
    from bots.storage.intro_store import IntroStore

    recent = await IntroStore(hearth.storage.engine).recent_messages(
        chat_id, [erin.member_id], since, 5
    )
    assert [m.text for m in recent] == ["I paint watercolours of the harbour"]


async def test_an_edit_that_addresses_hearth_takes_the_message_out_of_memory(
    hearth: Hearth,
) -> None:
    sender = RecordingSender()
    first = message("carol", "the cabin key is under the mat", minutes_ago=10, message_id="k1")
    await hearth.router.handle(first, sender)
    await settle(hearth)
    assert await hearth.memory.count() == 1
    edited = message(
        "carol", "the cabin key is under the mat", minutes_ago=10, message_id="k1", edited=True
    )
    await hearth.router.handle(replace(edited, addressed_to_hearth=True), sender)
    await settle(hearth)
    assert await hearth.memory.count() == 0
    assert await hearth.storage.count_messages() == 1
    await hearth.router.handle(edited, sender)  # the mention of Hearth edited out again
    await settle(hearth)
    assert await hearth.memory.count() == 1
