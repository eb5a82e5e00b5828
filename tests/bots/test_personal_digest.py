"""`/digest me …`: a member's own digest by direct message, through the router."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from adapters.model import Chat, ChatKind, Message, OutgoingReply, Platform, SentReply
from adapters.ports import DeliveryError
from bots.app import Hearth
from bots.personal_digests import NOTHING
from tests.support import OTHER_GROUP, RecordingSender, command, member, message

PRIVATE = Chat(Platform.TELEGRAM, "id-bob", ChatKind.PRIVATE, "Bob")

BOB_HISTORY = [
    "I'm hiking the Skyline Ridge trail on Saturday, 14 km with great views from the summit",
    "For mountain hikes I always pack two litres of water and proper hiking boots",
    "The Fern Creek trail is my favourite hike, the waterfall is worth the climb",
    "Anyone up for a sunrise hike to the summit of Mount Tam next weekend?",
    "Trail running on the ridge is hard but the views over the valley are amazing",
]
CHATTER = [
    ("carol", "The bakery on Main Street has a new rye bread"),
    ("alice", "Traffic on the bridge was terrible this morning"),
    ("dave", "Did anybody watch the football match last night"),
    ("carol", "My cat knocked the plant off the shelf again"),
    ("alice", "The new cinema downtown shows old films on Sundays"),
    ("dave", "Rent in our building went up again this year"),
    ("carol", "I started learning to play the guitar"),
    ("alice", "The library now opens late on Thursdays"),
]
SOURDOUGH = "Does anyone have a good recipe for sourdough bread with a crispy crust?"
SUMMIT = "Which hiking trail has the best summit views for a long day hike in the mountains?"
SKYLINE = "Is the Skyline Ridge trail open again after the storm?"


@pytest.fixture
def memory_kind() -> str:
    return "edge"


async def post(hearth: Hearth, sender: RecordingSender, event: Message) -> Message:
    await hearth.router.handle(event, sender)
    return event


async def a_day_in_the_group(hearth: Hearth, sender: RecordingSender) -> dict[str, Message]:
    """Bob's hiking history, everyday chatter, then a day with things for Bob."""
    for i, text in enumerate(BOB_HISTORY):
        await post(hearth, sender, message("bob", text, minutes_ago=60 * 72 - i * 10))
    for i, (who, text) in enumerate(CHATTER):
        await post(hearth, sender, message(who, text, minutes_ago=60 * 48 - i * 10))
    sent: dict[str, Message] = {}
    sent["chatter"] = await post(
        hearth, sender, message("carol", "The farmers market had great peaches", minutes_ago=600)
    )
    sent["mention"] = await post(
        hearth,
        sender,
        message("alice", "@Bob which trail do you recommend for beginners?", minutes_ago=500),
    )
    sent["own"] = await post(
        hearth,
        sender,
        message(
            "bob",
            "For beginners @bob recommends the Fern Creek loop: flat, 6 km, with a waterfall",
            minutes_ago=490,
        ),
    )
    sent["reply"] = await post(
        hearth,
        sender,
        replace(
            message("carol", "Thanks, we will try the loop on Sunday", minutes_ago=400),
            reply_to_message_id=sent["own"].platform_message_id,
        ),
    )
    skyline = await post(hearth, sender, message("dave", SKYLINE, minutes_ago=300))
    sent["answered"] = skyline
    await post(
        hearth,
        sender,
        replace(
            message("alice", "Yes, the rangers reopened it yesterday", minutes_ago=295),
            reply_to_message_id=skyline.platform_message_id,
        ),
    )
    sent["sourdough"] = await post(hearth, sender, message("carol", SOURDOUGH, minutes_ago=200))
    await post(hearth, sender, message("alice", "My tomatoes are finally ripe", minutes_ago=100))
    sent["summit"] = await post(hearth, sender, message("dave", SUMMIT, minutes_ago=30))
    # A chat Bob is not in, and a direct message: neither may ever show up.
    sent["elsewhere"] = await post(
        hearth,
        sender,
        message("alice", "@bob which hiking trail has a summit view?", chat=OTHER_GROUP),
    )
    await post(
        hearth,
        sender,
        message(
            "alice",
            "@bob secret: which trail do you hike tomorrow?",
            chat=Chat(Platform.TELEGRAM, "id-alice", ChatKind.PRIVATE, "Alice"),
        ),
    )
    async with asyncio.timeout(120):
        await hearth.worker.drain()
    sender.replies.clear()
    return sent


async def test_mentions_replies_and_open_questions_for_the_member(hearth: Hearth) -> None:
    sender = RecordingSender()
    sent = await a_day_in_the_group(hearth, sender)
    await hearth.router.handle(command("bob", "digest", "me", "now"), sender)
    assert sender.replies
    assert all(r.private and r.recipient == member("bob") for r in sender.replies)
    assert all(len(r.text) <= 2000 for r in sender.replies)
    text = "\n".join(sender.texts())
    assert "Mentions of you" in text and "Replies to you" in text
    mention = "Test group · Alice: “@Bob which trail do you recommend for beginners?”"
    assert f"{mention} {sent['mention'].permalink}" in text
    assert (
        f"Test group · Carol: “Thanks, we will try the loop on Sunday” {sent['reply'].permalink}"
        in text
    )
    assert SUMMIT in text and str(sent["summit"].permalink) in text  # open, about hiking
    assert "sourdough" not in text  # open, but nothing to do with Bob
    assert SKYLINE not in text  # about hiking, but answered
    assert "Fern Creek loop" not in text  # Bob's own message, though it names @bob
    assert str(sent["elsewhere"].permalink) not in text  # a chat Bob is not in
    assert "secret" not in text  # direct messages are never stored
    assert "peaches" not in text and "tomatoes" not in text


async def test_a_stored_interest_profile_decides_the_questions(hearth: Hearth) -> None:
    from memory.interest_profiles import InterestProfile

    sender = RecordingSender()
    await a_day_in_the_group(hearth, sender)
    bob = await hearth.storage.ensure_member(member("bob"))
    [baking] = await hearth.embedder.embed_passages(
        ["Baking sourdough bread at home: starter, flour, crust and oven temperature"]
    )
    await hearth.profiles.upsert([InterestProfile(1, bob, baking, "baking", datetime.now(UTC))])
    await hearth.router.handle(command("bob", "digest", "me", "now"), sender)
    text = "\n".join(sender.texts())
    assert SOURDOUGH in text and SUMMIT not in text
    assert "@Bob which trail" in text  # mentions stay, whatever the interests


async def test_in_a_private_chat_and_when_there_is_nothing(hearth: Hearth) -> None:
    sender = RecordingSender()
    await a_day_in_the_group(hearth, sender)
    await hearth.router.handle(replace(command("bob", "digest", "me", "now"), chat=PRIVATE), sender)
    assert "@Bob which trail" in "\n".join(sender.texts())
    assert all(r.private and r.chat == PRIVATE for r in sender.replies)
    sender.replies.clear()
    await hearth.router.handle(command("erin", "digest", "me", "now"), sender)
    assert sender.texts() == [NOTHING]
    assert sender.replies[0].private and sender.replies[0].recipient == member("erin")


async def test_the_digest_speaks_the_members_language(hearth: Hearth) -> None:
    sender = RecordingSender()
    for i, text in enumerate(
        [
            "我周末去爬山了，风景很好",
            "这家面包店的面包很好吃",
            "明天一起喝咖啡吧",
            "下雨了，记得带伞",
            "晚上一起吃火锅怎么样",
        ]
    ):
        await post(hearth, sender, message("wei", text, minutes_ago=300 - i))
    await post(hearth, sender, message("alice", "@wei 你对什么过敏？", minutes_ago=10))
    sender.replies.clear()
    await hearth.router.handle(command("wei", "digest", "我", "现在"), sender)
    text = "\n".join(sender.texts())
    assert text.startswith("📬 你的个人摘要")
    assert "「Test group」Alice：“@wei 你对什么过敏？”" in text


async def test_schedule_status_off_and_bad_input_survive_a_restart(
    hearth: Hearth,
    settings,
    embedder,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from jobs.scheduled_runs import JobKind
    from tests.bots.conftest import make_memory

    sender = RecordingSender()

    async def say(*words: str, chat: Chat | None = None) -> str:
        event = command("bob", "digest", "me", *words)
        await hearth_now.router.handle(replace(event, chat=chat or event.chat), sender)
        reply = sender.replies[-1]
        assert reply.private and reply.recipient == member("bob")
        return reply.text

    hearth_now = hearth
    assert (await say("status")).startswith("You get no personal digest.")
    assert "every day at 08:00 (UTC)" in await say("daily")
    assert "every day at 07:30 (UTC)" in await say("daily", "07:30")
    changed = await say("tz", "Asia/Shanghai")
    assert "every day at 07:30 (Asia/Shanghai)" in changed and "Next: " in changed
    status = await say("status", chat=PRIVATE)
    assert status.startswith("Your personal digest comes every day at 07:30 (Asia/Shanghai).")
    for bad in (
        ("daily", "25:00"),
        ("tz", "Mars/Base"),
        ("every", "12h"),
        ("every", "5m"),
        ("sometimes",),
    ):
        answer = await say(*bad)
        assert answer.startswith("Sorry: ") and "/digest me daily" in answer, bad
    assert (await say()).startswith("Usage: /digest me daily")
    assert "every 2 days" in await say("every", "2d")
    assert "every day at 07:30 (Asia/Shanghai)" in await say("daily", "07:30")

    # The chat's own digest is untouched: /digest status is about the chat.
    await hearth.router.handle(command("alice", "digest", "status"), sender)
    assert sender.texts()[-1].startswith("No digest is scheduled in this chat.")
    assert not sender.replies[-1].private

    bob = await hearth.storage.ensure_member(member("bob"))
    assert await hearth.scheduler.next_run(bob, JobKind.PERSONAL_DIGEST) is not None
    await hearth.close()
    again = await Hearth.build(
        settings, embedder=embedder, memory=make_memory("edge", tmp_path, embedder.dimension)
    )
    hearth_now = again
    try:
        moment = await again.scheduler.next_run(bob, JobKind.PERSONAL_DIGEST)
        assert moment is not None
        assert moment.astimezone(UTC).strftime("%H:%M") == "23:30"  # 07:30 in Shanghai
        assert "every day at 07:30 (Asia/Shanghai)" in await say("status")
        assert (await say("off")).startswith("Your personal digest is off.")
        assert await again.scheduler.next_run(bob, JobKind.PERSONAL_DIGEST) is None
        assert (await say("status")).startswith("You get no personal digest.")
    finally:
        await again.close()


async def test_a_scheduled_personal_digest_is_sent_once(hearth: Hearth) -> None:
    from bots.scheduled_jobs import ScheduledJobs
    from jobs.clock import ManualClock
    from jobs.run_lease import RunLeases
    from jobs.schedule_spec import parse_digest_schedule
    from jobs.scheduled_runs import RUNNERS, RunContext, run_personal_digest

    sender = RecordingSender()
    sent = await a_day_in_the_group(hearth, sender)
    hearth.senders[sender.platform] = sender
    fires = datetime.now(UTC) + timedelta(minutes=10)
    await hearth.router.handle(command("bob", "digest", "me", "daily", f"{fires:%H:%M}"), sender)
    await hearth.router.handle(command("erin", "digest", "me", "daily", f"{fires:%H:%M}"), sender)
    sender.replies.clear()
    spec = parse_digest_schedule(f"daily {fires:%H:%M}")
    bob = await hearth.storage.ensure_member(member("bob"))
    erin = await hearth.storage.ensure_member(member("erin"))
    clock = ManualClock(fires + timedelta(minutes=5))
    one = RunContext(RunLeases(hearth.storage.engine, owner="one", clock=clock), clock=clock)
    two = RunContext(RunLeases(hearth.storage.engine, owner="two", clock=clock), clock=clock)
    ran = await asyncio.gather(
        run_personal_digest(bob, spec.to_json(), context=one),
        run_personal_digest(bob, spec.to_json(), context=two),
    )
    assert sorted(ran) == [False, True]  # two processes, one run
    assert sender.replies
    assert all(r.private and r.recipient == member("bob") for r in sender.replies)
    text = "\n".join(sender.texts())
    assert text.count(str(sent["mention"].permalink)) == 1 and SUMMIT in text
    assert not await run_personal_digest(bob, spec.to_json(), context=one)
    sent_before = len(sender.replies)

    # Erin has nothing: no DM at all. The runner is the app's ScheduledJobs.
    runner = RUNNERS.get()
    assert isinstance(runner, ScheduledJobs)
    assert await run_personal_digest(erin, spec.to_json(), context=one)
    assert len(sender.replies) == sent_before

    # Called directly, the runner sends the period it is given.
    await runner.run_personal_digest(bob, fires - timedelta(hours=1), fires)
    later = "\n".join(sender.texts()[sent_before:])
    assert SUMMIT in later and "@Bob which trail" not in later


async def test_a_member_who_turned_it_off_gets_nothing(hearth: Hearth) -> None:
    from jobs.clock import ManualClock
    from jobs.schedule_spec import parse_digest_schedule
    from jobs.scheduled_runs import JobKind, RunContext, run_personal_digest

    sender = RecordingSender()
    await a_day_in_the_group(hearth, sender)
    hearth.senders[sender.platform] = sender
    await hearth.router.handle(command("bob", "digest", "me", "daily"), sender)
    await hearth.router.handle(command("bob", "digest", "me", "off"), sender)
    sender.replies.clear()
    bob = await hearth.storage.ensure_member(member("bob"))
    spec = parse_digest_schedule("daily 08:00")
    stale = RunContext(hearth.scheduler.leases, clock=ManualClock(datetime.now(UTC)))
    assert await run_personal_digest(bob, spec.to_json(), context=stale)
    assert sender.replies == []
    assert await hearth.scheduler.next_run(bob, JobKind.PERSONAL_DIGEST) is None


class ClosedInbox(RecordingSender):
    """A sender whose members accept no direct messages (and that posts no notes)."""

    async def send(self, reply: OutgoingReply) -> SentReply:
        if reply.private and not reply.note_if_undeliverable:
            raise DeliveryError("the member does not accept direct messages")
        return await super().send(reply)


async def test_a_closed_inbox_gets_no_daily_note_in_the_group(hearth: Hearth) -> None:
    from jobs.clock import ManualClock
    from jobs.schedule_spec import parse_digest_schedule
    from jobs.scheduled_runs import RunContext, run_personal_digest

    sender = ClosedInbox()
    await a_day_in_the_group(hearth, sender)
    hearth.senders[sender.platform] = sender
    fires = datetime.now(UTC) + timedelta(minutes=10)
    await hearth.router.handle(command("bob", "digest", "me", "daily", f"{fires:%H:%M}"), sender)
    sender.replies.clear()
    bob = await hearth.storage.ensure_member(member("bob"))
    spec = parse_digest_schedule(f"daily {fires:%H:%M}")
    clock = ManualClock(fires + timedelta(minutes=5))
    context = RunContext(hearth.scheduler.leases, clock=clock)
    assert await run_personal_digest(bob, spec.to_json(), context=context)
    assert sender.replies == []


async def test_chinese_words_set_the_schedule_and_the_answer_follows_the_member(
    hearth: Hearth,
) -> None:
    """``/digest 我 每天 07:30`` in a group that writes English, from a member whose app
    is in Chinese: the private answer is Chinese, and so is the digest."""
    sender = RecordingSender()
    for i, text in enumerate(CHATTER):
        await post(hearth, sender, message(text[0], text[1], minutes_ago=300 - i))
    wei = replace(member("wei"), locale="zh-hans")
    await post(hearth, sender, message(wei, "Hi all, I am back in town", minutes_ago=60))
    await post(hearth, sender, message("alice", "@wei are you coming tonight?", minutes_ago=5))
    sender.replies.clear()

    async def say(*words: str) -> str:
        event = replace(command("wei", "digest", *words), sender=wei)
        await hearth.router.handle(event, sender)
        return sender.replies[-1].text

    changed = await say("我", "每天", "07:30")
    assert "每天 07:30（UTC）" in changed and "下次：" in changed
    assert (await say("我", "状态")).startswith("你的个人摘要：每天 07:30（UTC）。")
    assert "每天 07:30（Asia/Shanghai）" in await say("我", "时区", "Asia/Shanghai")
    assert (await say("我", "关")).startswith("你的个人摘要已关闭")
    assert (await say("我", "每", "12小时")).startswith("抱歉：个人摘要最多每天发一次")
    digest = await say("我", "现在")
    assert digest.startswith("📬 你的个人摘要 · ") and "💬 提到你的消息" in digest
    assert "Alice：“@wei are you coming tonight?”" in digest  # quoted as written


async def test_an_english_member_gets_english_from_chinese_words(hearth: Hearth) -> None:
    sender = RecordingSender()
    await hearth.router.handle(command("bob", "digest", "我", "每天", "07:30"), sender)
    assert "every day at 07:30 (UTC)" in sender.replies[-1].text
