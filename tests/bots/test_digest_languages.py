"""Digests and digest schedules in the chat's language: its setting wins over its talk."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bots.app import Hearth
from bots.command_words import canonical_words
from jobs.clock import ManualClock
from jobs.run_lease import RunLeases
from jobs.schedule_spec import ScheduleSpec, parse_digest_schedule
from jobs.scheduled_runs import RunContext, run_digest
from locales import using
from tests.bots.test_digest_command import chat_about_a_hike
from tests.support import GROUP, RecordingSender, command, message

CHINESE_TALK = [
    ("alice", "周六去香山爬山吗？早上八点地铁站集合", 300),
    ("bob", "好啊，周六香山爬山我去，带上登山杖", 290),
    ("carol", "就这么定了：周六早上八点地铁站集合爬香山", 280),
    ("bob", "香山爬山路线图 https://example.org/xiangshan-map", 270),
    ("alice", "有人知道附近哪家面包店的酸面包好吃吗？", 200),
    ("carol", "香山的红叶这周末正好，记得带水", 190),
]


@pytest.fixture
def memory_kind() -> str:
    return "edge"


async def chinese_talk(hearth: Hearth, sender: RecordingSender, *, days_ago: int = 0) -> None:
    for who, text, minutes in CHINESE_TALK:
        event = message(who, text, minutes_ago=minutes + days_ago * 24 * 60)
        await hearth.router.handle(event, sender)
    async with asyncio.timeout(60):
        await hearth.worker.drain()
    sender.replies.clear()


async def set_language(hearth: Hearth, language: str) -> None:
    chat_id = await hearth.storage.ensure_chat(GROUP)
    await hearth.storage.update_chat_settings(chat_id, language=language)


async def digest_now(hearth: Hearth, sender: RecordingSender) -> str:
    admin = replace(command("carol", "digest", "now"), sender_is_admin=True)
    await hearth.router.handle(admin, sender)
    return "\n".join(sender.texts())


async def test_a_chat_set_to_chinese_gets_a_chinese_digest_of_english_talk(
    hearth: Hearth,
) -> None:
    sender = RecordingSender()
    await chat_about_a_hike(hearth, sender)
    await set_language(hearth, "zh")
    text = await digest_now(hearth, sender)
    assert text.startswith("📰 每日摘要 · Test group · ")
    assert "条消息" in text and "🧵 主要话题" in text and "🔗 分享的链接" in text
    assert "Daily digest" not in text and "Main topics" not in text
    assert "Fern Creek" in text  # members' words stay as written


async def test_chinese_talk_under_auto_gets_a_chinese_digest(hearth: Hearth) -> None:
    sender = RecordingSender()
    await chinese_talk(hearth, sender)
    text = await digest_now(hearth, sender)
    assert text.startswith("📰 每日摘要 · Test group · ")
    assert "位成员发了" in text and "🧵 主要话题" in text


async def test_an_english_setting_gives_an_english_digest_of_chinese_talk(
    hearth: Hearth,
) -> None:
    sender = RecordingSender()
    await chinese_talk(hearth, sender)
    await set_language(hearth, "en")
    text = await digest_now(hearth, sender)
    assert text.startswith("📰 Daily digest · Test group · ")
    assert "messages from" in text and "🧵 Main topics" in text
    assert "主要话题" not in text and "每日摘要" not in text
    assert "香山" in text  # members' words stay as written


async def scheduled_digest(hearth: Hearth, sender: RecordingSender) -> list[str]:
    hearth.senders[sender.platform] = sender
    fire = datetime.now(UTC).replace(second=0, microsecond=0)
    spec = parse_digest_schedule(f"daily {fire:%H:%M}")
    clock = ManualClock(fire)
    context = RunContext(RunLeases(hearth.storage.engine, clock=clock), clock, scheduled_at=fire)
    assert await run_digest(1, spec.to_json(), context=context)
    return sender.texts()


async def test_a_scheduled_digest_follows_the_chat_setting(hearth: Hearth) -> None:
    sender = RecordingSender()
    await chat_about_a_hike(hearth, sender)
    await set_language(hearth, "zh")
    [text] = await scheduled_digest(hearth, sender)
    assert text.startswith("📰 每日摘要 · Test group · ")


async def test_a_quiet_scheduled_digest_of_a_chinese_chat_is_chinese(hearth: Hearth) -> None:
    """Nothing said in the period: the chat's own language (its earlier talk) decides."""
    sender = RecordingSender()
    await chinese_talk(hearth, sender, days_ago=3)
    await hearth.storage.set_digest_quiet_line(await hearth.storage.ensure_chat(GROUP), True)
    [text] = await scheduled_digest(hearth, sender)
    assert text == "📰 「Test group」这一天很安静：没有消息。"


async def test_chinese_schedule_words_through_the_router(hearth: Hearth) -> None:
    sender = RecordingSender()
    admin = replace(command("carol", "digest"), sender_is_admin=True)

    async def say(*words: str) -> str:
        await hearth.router.handle(replace(admin, args=words), sender)
        return sender.texts()[-1]

    assert (await say("每周一", "18:00")).startswith(
        "Digest scheduled every Monday at 18:00 (UTC). Next: "
    )
    settings = replace(command("carol", "settings", "language", "zh"), sender_is_admin=True)
    await hearth.router.handle(settings, sender)
    assert (await say("每天", "09:00")).startswith("已安排摘要：每天 09:00（UTC）。下次：")
    assert "每 12 小时（UTC）" in await say("每", "12小时")
    assert "每天 09:00（Asia/Shanghai）" in await say("每天", "09:00", "时区", "Asia/Shanghai")
    assert await say("安静", "一行") == "以后冷清的时段只发一行摘要。"
    assert (await say("每天", "25:00")).startswith("抱歉：“25:00”不是一天中的时间")
    assert await say("关") == "本群的定时摘要已关闭，仍可随时发送 /digest 现在 生成一份。"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("每天 09:00", ScheduleSpec.daily(9)),
        ("每周一 18:00", ScheduleSpec.weekly(0, 18)),
        ("每周 周五 17:30", ScheduleSpec.weekly(4, 17, 30)),
        ("每 12小时", ScheduleSpec.every(timedelta(hours=12))),
        ("每2天", ScheduleSpec.every(timedelta(days=2))),
        ("每天 晚上8点", ScheduleSpec.daily(20)),
        ("关", ScheduleSpec.off()),
        ("时区 Asia/Shanghai", ScheduleSpec.off(tz="Asia/Shanghai")),
        ("daily 09:00 tz Asia/Shanghai", ScheduleSpec.daily(9, tz="Asia/Shanghai")),
    ],
)
def test_chinese_schedule_words_parse(typed: str, expected: ScheduleSpec) -> None:
    assert parse_digest_schedule(" ".join(canonical_words(typed.split()))) == expected


def test_schedules_describe_themselves_in_chinese() -> None:
    with using("zh"):
        assert ScheduleSpec.daily(9, tz="Asia/Shanghai").describe() == "每天 09:00（Asia/Shanghai）"
        assert ScheduleSpec.weekly(0, 18).describe() == "每周一 18:00（UTC）"
        assert ScheduleSpec.every(timedelta(hours=12)).describe() == "每 12 小时（UTC）"
        assert ScheduleSpec.every(timedelta(minutes=90)).describe() == "每 90 分钟（UTC）"
        assert ScheduleSpec.off().describe() == "关闭"
    assert ScheduleSpec.every(timedelta(hours=1)).describe() == "every 1 hour (UTC)"
    assert ScheduleSpec.daily(9).describe() == "every day at 09:00 (UTC)"
