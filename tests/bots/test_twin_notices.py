"""The notice an asker gets when the twin they addressed stays silent: wording, throttle,
and every case through the router with real storage."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from adapters.model import Chat, ChatKind, Member, Platform
from bots.app import Hearth
from bots.mention_responder import worth_a_notice
from bots.settings import HearthSettings
from bots.twin_limits import TwinRateLimits
from bots.twin_notices import (
    MAX_TRACKED,
    NOTICE_WINDOW,
    NoticeThrottle,
    Silence,
    TwinNotices,
    notice_text,
    wait_minutes,
)
from jobs.languages import Language
from locales import using
from tests.support import RecordingSender, command, member, message
from twins.labels import TWIN_MARK, looks_like_twin_message

DM_BOB = Chat(Platform.TELEGRAM, "id-bob", ChatKind.PRIVATE, "Bob")
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

PRESENT_EN = "Bob was here a little while ago and can answer you themselves."
NOT_ANSWERING_EN = "Bob's twin isn't answering right now."


# -- wording ---------------------------------------------------------------------------------


def test_wording_in_english() -> None:
    english = Language.ENGLISH
    assert notice_text(Silence.present("Bob"), english) == PRESENT_EN
    assert notice_text(Silence.not_answering("Bob"), english) == NOT_ANSWERING_EN
    busy = notice_text(Silence.busy(timedelta(minutes=6, seconds=1)), english)
    assert busy == "Twins have answered a lot here just now; try again in 7 minutes."
    one = notice_text(Silence.busy(timedelta(seconds=20)), english)
    assert one.endswith("try again in 1 minute.")


def test_wording_in_chinese() -> None:
    chinese = Language.CHINESE
    assert notice_text(Silence.present("王伟"), chinese) == "王伟 刚才还在这里，可以亲自回答你。"
    assert notice_text(Silence.not_answering("王伟"), chinese) == "王伟 的分身现在不回答。"
    busy = notice_text(Silence.busy(timedelta(minutes=9, seconds=30)), chinese)
    assert busy == "分身们刚在这里回答了很多问题，请 10 分钟后再试。"


def test_notices_are_not_twin_messages_and_cannot_mention() -> None:
    for language in (Language.ENGLISH, Language.CHINESE):
        for silence in (
            Silence.present("@bob"),
            Silence.not_answering("@bob"),
            Silence.busy(timedelta(minutes=3)),
        ):
            text = notice_text(silence, language)
            assert not looks_like_twin_message(text)
            assert "@bob" not in text  # a handle-like name cannot ping anyone
            for private in ("pause", "until", "absence", "暂停", "直到"):
                assert private not in text


def test_wording_follows_the_current_reply_language() -> None:
    with using("zh"):
        assert notice_text(Silence.not_answering("Bob")) == "Bob 的分身现在不回答。"
        assert notice_text(Silence.not_answering("Bob"), "en") == NOT_ANSWERING_EN
    assert notice_text(Silence.not_answering("Bob")) == NOT_ANSWERING_EN


def test_wait_is_whole_minutes_rounded_up() -> None:
    assert wait_minutes(timedelta(0)) == 1
    assert wait_minutes(timedelta(seconds=60)) == 1
    assert wait_minutes(timedelta(seconds=61)) == 2
    assert wait_minutes(timedelta(minutes=10)) == 10


# -- throttle --------------------------------------------------------------------------------


def test_throttle_allows_one_notice_per_asker_and_chat_per_window() -> None:
    throttle = NoticeThrottle()
    assert throttle.take(1, 10, T0)
    assert not throttle.take(1, 10, T0 + timedelta(minutes=1))
    assert not throttle.take(1, 10, T0 + NOTICE_WINDOW - timedelta(seconds=1))
    assert throttle.take(1, 11, T0)  # another asker
    assert throttle.take(2, 10, T0)  # the same asker in another chat
    assert throttle.take(1, 10, T0 + NOTICE_WINDOW)
    assert not throttle.take(1, 10, T0 + NOTICE_WINDOW + timedelta(minutes=5))


def test_throttle_forgets_old_askers_but_not_recent_ones() -> None:
    throttle = NoticeThrottle(timedelta(minutes=30))
    for asker in range(MAX_TRACKED - 1):
        assert throttle.take(1, asker, T0)
    assert throttle.take(1, -1, T0 + timedelta(minutes=29))
    later = T0 + timedelta(minutes=31)
    assert throttle.take(2, 0, later)  # over the bound: the expired pairs are dropped
    assert len(throttle._last) == 2
    assert not throttle.take(1, -1, later)  # still inside its window
    assert throttle.take(1, 0, later)


def test_rate_limit_wait_comes_from_the_oldest_answer_in_the_window() -> None:
    limits = TwinRateLimits(per_chat=3, per_asker=2, window=timedelta(minutes=10))
    assert limits.wait(1, 10, T0) == timedelta(0)
    limits.record(1, 10, T0)
    limits.record(1, 10, T0 + timedelta(minutes=4))
    assert not limits.allows(1, 10, T0 + timedelta(minutes=5))
    assert limits.wait(1, 10, T0 + timedelta(minutes=5)) == timedelta(minutes=5)
    assert limits.wait(1, 11, T0 + timedelta(minutes=5)) == timedelta(0)
    limits.record(1, 11, T0 + timedelta(minutes=6))  # the chat is full for everyone now
    assert limits.wait(1, 12, T0 + timedelta(minutes=7)) == timedelta(minutes=3)
    assert limits.wait(1, 10, T0 + timedelta(minutes=10)) == timedelta(0)
    assert limits.allows(1, 12, T0 + timedelta(minutes=10))


# -- through the router, with real storage ---------------------------------------------------


@pytest.fixture
def memory_kind() -> str:
    """These flows do not depend on the memory backend; one is enough."""
    return "edge"


@pytest.fixture
def settings(settings: HearthSettings) -> HearthSettings:
    """Small twin limits: one answer per asker, two per chat."""
    return settings.model_copy(update={"twin_asker_limit": 1, "twin_chat_limit": 2})


async def twin_on(hearth: Hearth, sender: RecordingSender, who: str, minutes_ago: float) -> None:
    await hearth.router.handle(
        message(
            who, "For beginners I recommend the Fern Creek loop, 6 km", minutes_ago=minutes_ago
        ),
        sender,
    )
    await hearth.router.handle(command(who, "twin", "on"), sender)
    async with asyncio.timeout(60):
        await hearth.worker.drain()
    sender.replies.clear()


async def ask(
    hearth: Hearth, sender: RecordingSender, text: str, who: str | Member = "alice", *names: str
) -> str:
    mentions = names or ("bob",)
    handles = " ".join(f"@{name}" for name in mentions)
    question = message(who, f"{handles} {text}", mentions=mentions)
    await hearth.router.handle(question, sender)
    return question.platform_message_id


async def test_present_member_the_asker_is_told_once(hearth: Hearth) -> None:
    sender = RecordingSender()
    await twin_on(hearth, sender, "bob", minutes_ago=3)
    first = await ask(hearth, sender, "which trail for beginners?")
    await ask(hearth, sender, "and which one for experts?")
    [notice] = sender.replies
    assert notice.text == PRESENT_EN
    assert notice.label is None and not notice.rendered().startswith(TWIN_MARK)
    assert notice.reply_to_message_id == first
    assert not notice.private
    bob = await hearth.storage.find_chat_member(1, Platform.TELEGRAM, username="bob")
    assert bob is not None
    assert await hearth.storage.twin_replies(bob.member_id) == []  # not a twin answer


async def test_paused_twin_the_asker_is_told_once_without_the_pause(hearth: Hearth) -> None:
    sender = RecordingSender()
    await twin_on(hearth, sender, "bob", minutes_ago=120)
    await hearth.router.handle(replace(command("bob", "twin", "pause", "2h"), chat=DM_BOB), sender)
    sender.replies.clear()
    await ask(hearth, sender, "which trail for beginners?")
    await ask(hearth, sender, "are you there?")
    await ask(hearth, sender, "hello?")
    assert [r.text for r in sender.replies] == [NOT_ANSWERING_EN]
    assert sender.replies[0].label is None
    # Another asker hears it too, once.
    await ask(hearth, sender, "which trail?", "carol")
    await ask(hearth, sender, "which trail, please?", "carol")
    assert [r.text for r in sender.replies] == [NOT_ANSWERING_EN] * 2
    # Resumed, the twin answers again.
    await hearth.router.handle(command("bob", "twin", "resume"), sender)
    await ask(hearth, sender, "which trail for beginners?", "dave")
    assert sender.texts()[-1].startswith(TWIN_MARK)


async def test_rate_limit_the_asker_is_told_when_to_try_again(hearth: Hearth) -> None:
    sender = RecordingSender()
    await twin_on(hearth, sender, "bob", minutes_ago=120)
    await ask(hearth, sender, "which trail for beginners?")
    await ask(hearth, sender, "and for experts?")
    await ask(hearth, sender, "and for kids?")
    answer, notice = sender.replies
    assert answer.rendered().startswith(TWIN_MARK)
    # The window is 10 minutes and the answer was just given.
    assert notice.text == "Twins have answered a lot here just now; try again in 10 minutes."
    assert notice.label is None
    # The notice did not count against the chat's limit of two: Carol still gets an answer.
    await ask(hearth, sender, "which trail for beginners?", "carol")
    assert sender.replies[-1].rendered().startswith(TWIN_MARK)
    # Now the chat is full, and it was told so already: one "busy" notice per chat and
    # window, so a crowd of askers cannot turn the notices into the flood the limits stop.
    await ask(hearth, sender, "which trail for beginners?", "dave")
    await ask(hearth, sender, "which trail for beginners?", "dave")
    assert sender.replies[-1].rendered().startswith(TWIN_MARK)
    assert len(sender.replies) == 3


async def test_a_chinese_question_gets_a_chinese_notice(hearth: Hearth) -> None:
    sender = RecordingSender()
    await twin_on(hearth, sender, "bob", minutes_ago=2)
    await ask(hearth, sender, "你推荐哪条适合新手的步道？")
    assert sender.texts() == ["Bob 刚才还在这里，可以亲自回答你。"]


async def test_a_question_in_english_in_a_chat_set_to_chinese_gets_a_chinese_notice(
    hearth: Hearth,
) -> None:
    sender = RecordingSender()
    admin = replace(command("alice", "settings", "language", "zh"), sender_is_admin=True)
    await hearth.router.handle(admin, sender)
    await twin_on(hearth, sender, "bob", minutes_ago=120)
    await hearth.router.handle(replace(command("bob", "twin", "pause", "2h"), chat=DM_BOB), sender)
    sender.replies.clear()
    await ask(hearth, sender, "which trail for beginners?")
    assert sender.texts() == ["Bob 的分身现在不回答。"]


async def test_an_automatic_chat_answers_the_language_of_each_question(hearth: Hearth) -> None:
    sender = RecordingSender()
    await twin_on(hearth, sender, "bob", minutes_ago=2)
    await ask(hearth, sender, "which trail for beginners?")
    await ask(hearth, sender, "你推荐哪条适合新手的步道？", "carol")
    assert sender.texts() == [PRESENT_EN, "Bob 刚才还在这里，可以亲自回答你。"]


async def test_no_notice_when_another_twin_answered(hearth: Hearth) -> None:
    sender = RecordingSender()
    await twin_on(hearth, sender, "carol", minutes_ago=120)
    await twin_on(hearth, sender, "bob", minutes_ago=2)
    await ask(hearth, sender, "which trail for beginners?", "alice", "bob", "carol")
    [answer] = sender.replies
    assert answer.rendered().startswith(f"{TWIN_MARK} Twin of Carol")


async def test_members_without_a_twin_stay_silent(hearth: Hearth) -> None:
    sender = RecordingSender()
    # Never opted in, and present: nothing.
    await hearth.router.handle(message("carol", "I shoot with an 85mm", minutes_ago=2), sender)
    await ask(hearth, sender, "which lens?", "alice", "carol")
    # Switched the twin off, and present: nothing.
    await twin_on(hearth, sender, "dave", minutes_ago=2)
    await hearth.router.handle(command("dave", "twin", "off"), sender)
    sender.replies.clear()
    await ask(hearth, sender, "which trail?", "alice", "dave")
    # A bot is mentioned: nothing.
    await hearth.router.handle(message(member("helperbot", bot=True), "beep"), sender)
    await ask(hearth, sender, "status?", "alice", "helperbot")
    assert sender.replies == []


async def test_no_notice_for_bots_stale_messages_twins_or_self_mentions(hearth: Hearth) -> None:
    sender = RecordingSender()
    await twin_on(hearth, sender, "bob", minutes_ago=2)
    await ask(hearth, sender, "which trail?", member("helperbot", bot=True))
    old = replace(
        message("carol", "@bob which trail?", mentions=("bob",), minutes_ago=30), recovered=True
    )
    await hearth.router.handle(old, sender)
    await hearth.router.handle(
        message("dave", f"{TWIN_MARK} Twin of Carol\n@bob which trail?", mentions=("bob",)),
        sender,
    )
    await ask(hearth, sender, "note to self: which trail?", "bob")
    assert sender.texts() == []


async def test_no_notice_where_twins_are_off_in_the_chat(hearth: Hearth) -> None:
    sender = RecordingSender()
    await twin_on(hearth, sender, "bob", minutes_ago=2)
    admin = replace(command("alice", "settings", "twins", "off"), sender_is_admin=True)
    await hearth.router.handle(admin, sender)
    sender.replies.clear()
    await ask(hearth, sender, "which trail?")
    assert sender.replies == []


def test_only_questions_get_a_notice_and_a_present_member_only_when_mentioned() -> None:
    present = Silence.present("Bob")
    paused = Silence.not_answering("Bob")
    question = message("alice", "@bob which trail is best?", mentions=("bob",))
    remark = message("alice", "@bob good point", mentions=("bob",))
    chinese = message("alice", "@bob 你周末去爬山吗", mentions=("bob",))
    reply = replace(message("alice", "which trail is best?"), reply_to_member=member("bob"))

    assert worth_a_notice(present, question) and worth_a_notice(present, chinese)
    assert not worth_a_notice(present, remark)
    assert not worth_a_notice(present, reply)
    assert worth_a_notice(paused, reply) and worth_a_notice(paused, question)
    assert not worth_a_notice(paused, remark)


async def test_one_busy_notice_per_chat_however_many_ask() -> None:
    notices = TwinNotices()
    sender = RecordingSender()
    busy = Silence.busy(timedelta(minutes=5))
    now = datetime(2026, 5, 1, 12, tzinfo=UTC)

    told = [
        await notices.tell(
            message(asker, "@bob which trail?", mentions=("bob",)),
            busy,
            sender,
            chat_id=1,
            asker_id=asker_id,
            language=Language.ENGLISH,
            now=now,
        )
        for asker_id, asker in enumerate(("alice", "carol", "dave"), start=1)
    ]

    assert told == [True, False, False]
    assert len(sender.replies) == 1
