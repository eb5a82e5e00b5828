"""/intros through the router: opting in, rounds, reasons, avoid lists, snoozes, delivery."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bots.app import Hearth
from jobs.clock import ManualClock
from jobs.run_lease import RunLeases
from jobs.schedule_spec import IntroCadence
from jobs.scheduled_runs import JobKind, RunContext, run_intros
from locales import trn, using
from tests.support import RecordingSender, command, member, message

TOPICS = {
    "alice": [
        "Hiked the ridge trail above the lake this morning, the alpine views were unreal",
        "Anyone know if the mountain pass is clear of snow for backpacking yet?",
        "New trekking poles and hiking boots broke in nicely on the summit climb",
        "Planning a three day backpacking trip through the national park trails",
    ],
    "bob": [
        "The summit trail was muddy but the mountain hike was worth it",
        "My hiking boots finally fell apart after years of trail walking",
        "Camping near the alpine lake after a long trek up the ridge",
        "Which backpack do you carry for multi day hikes in the mountains?",
    ],
    "carol": [
        "Baked a sourdough loaf with a crispy crust, the starter is finally active",
        "Slow-braised the short ribs in red wine for dinner, so tender",
        "What is your favourite recipe for homemade pasta dough?",
        "Roasting garlic and tomatoes for a rich pasta sauce tonight",
    ],
    "dave": [
        "My sourdough starter smells like vinegar, is it ruined for baking bread?",
        "Cooked a big pot of ramen broth from pork bones, simmered ten hours",
        "Fresh basil pesto recipe: pine nuts, parmesan, garlic and olive oil",
        "Kneading pizza dough by hand gives the best crust in the home oven",
    ],
}


@pytest.fixture
def memory_kind() -> str:
    return "edge"


def admin(who: str, *args: str):  # type: ignore[no-untyped-def]
    return replace(command(who, "intros", *args), sender_is_admin=True)


async def chat_and_opt_in(
    hearth: Hearth, sender: RecordingSender, people: dict[str, list[str]] = TOPICS
) -> None:
    # one message a day each, members four hours apart: interests, not one conversation
    for position, (who, lines) in enumerate(people.items()):
        for day, text in enumerate(lines):
            ago = (len(lines) - day) * 24 * 60 + position * 240
            await hearth.router.handle(message(who, text, minutes_ago=ago), sender)
        await hearth.router.handle(command(who, "intros", "me", "on"), sender)
    async with asyncio.timeout(60):
        await hearth.worker.drain()
    sender.replies.clear()


def pairs_in(text: str) -> set[frozenset[str]]:
    """Who was introduced to whom, from lines like ``👋 Meet Alice (@alice) and Bob (@bob)!``."""
    found = set()
    for line in text.splitlines():
        if line.startswith("👋 Meet"):
            found.add(frozenset(re.findall(r"@(\w+)\)", line)))
    return found


async def test_members_with_shared_interests_are_introduced_with_a_reason(
    hearth: Hearth,
) -> None:
    sender = RecordingSender()
    await chat_and_opt_in(hearth, sender)
    await hearth.router.handle(admin("carol", "now"), sender)
    posted = "\n".join(r.text for r in sender.replies if not r.private)
    assert pairs_in(posted) == {frozenset({"alice", "bob"}), frozenset({"carol", "dave"})}
    why_lines = [line for line in posted.splitlines() if line.startswith("Why:")]
    assert len(why_lines) == 2
    for line in why_lines:
        assert len(re.findall(r"https://t\.me/c/1/\d+", line)) == 2  # one message of each
    bakers = next(line for line in why_lines if "@carol" in line)
    named = bakers.split(" — ")[0].removeprefix("Why: you both talk about ").split(", ")
    # the interest is named by words both bakers use
    assert named and all(
        any(word in text.lower() for text in TOPICS["carol"])
        and any(word in text.lower() for text in TOPICS["dave"])
        for word in named
    )
    assert sender.texts()[-1] == "Made 2 introductions."
    assert await hearth.profiles.count(chat_id=1) == 4  # profiles kept in Qdrant


async def test_only_opted_in_members_take_part(hearth: Hearth) -> None:
    sender = RecordingSender()
    await chat_and_opt_in(hearth, sender)
    await hearth.router.handle(command("dave", "intros", "me", "off"), sender)
    assert sender.replies[-1].private
    await hearth.router.handle(admin("carol", "now"), sender)
    assert pairs_in("\n".join(sender.texts())) == {frozenset({"alice", "bob"})}
    assert not any("@dave" in text for text in sender.texts())


async def test_a_member_can_keep_someone_away_privately(hearth: Hearth) -> None:
    sender = RecordingSender()
    await chat_and_opt_in(hearth, sender)
    avoid = command("bob", "intros", "me", "avoid", "@alice")
    await hearth.router.handle(avoid, sender)
    answer = sender.replies[-1]
    assert answer.private and "Nobody else sees your list" in answer.text
    assert sender.deleted == [avoid.platform_message_id]  # the name leaves the group
    await hearth.router.handle(command("bob", "intros", "me", "status"), sender)
    assert "Alice (@alice)" in sender.replies[-1].text and sender.replies[-1].private
    await hearth.router.handle(command("bob", "intros", "me", "avoid", "@nobody"), sender)
    assert sender.replies[-1].text.startswith("I don't know @nobody")
    await hearth.router.handle(admin("carol", "now"), sender)
    assert frozenset({"alice", "bob"}) not in pairs_in("\n".join(sender.texts()))
    await hearth.router.handle(command("bob", "intros", "me", "allow", "@alice"), sender)
    assert sender.replies[-1].text == "Taken off your list."


async def test_pairs_do_not_repeat_in_later_rounds(hearth: Hearth) -> None:
    sender = RecordingSender()
    await chat_and_opt_in(hearth, sender)
    await hearth.router.handle(admin("carol", "now"), sender)
    first = pairs_in("\n".join(sender.texts()))
    assert first
    sender.replies.clear()
    await hearth.router.handle(admin("carol", "now"), sender)
    second = pairs_in("\n".join(sender.texts()))
    assert not first & second


async def test_members_who_already_talk_are_not_introduced(hearth: Hearth) -> None:
    sender = RecordingSender()
    await chat_and_opt_in(hearth, sender)
    alice_says = message("alice", "Bob, which trail should I take up the ridge?", minutes_ago=30)
    await hearth.router.handle(alice_says, sender)
    for n in range(3):
        reply = replace(
            message("bob", f"Take the north trail, reply {n}", minutes_ago=20 - n),
            reply_to_message_id=alice_says.platform_message_id,
        )
        await hearth.router.handle(reply, sender)
    async with asyncio.timeout(60):
        await hearth.worker.drain()
    sender.replies.clear()
    await hearth.router.handle(admin("carol", "now"), sender)
    assert frozenset({"alice", "bob"}) not in pairs_in("\n".join(sender.texts()))


async def test_snoozed_members_sit_out_and_come_back(hearth: Hearth) -> None:
    sender = RecordingSender()
    await chat_and_opt_in(hearth, sender)
    await hearth.router.handle(command("alice", "intros", "me", "snooze", "2w"), sender)
    assert sender.replies[-1].text.startswith("Snoozed: no introductions for you until ")
    await hearth.router.handle(command("alice", "intros", "me", "snooze", "forever"), sender)
    assert "not a duration" in sender.replies[-1].text
    await hearth.router.handle(admin("carol", "now"), sender)
    assert not any("@alice" in t for t in sender.texts() if t.startswith("🤝"))
    await hearth.router.handle(command("alice", "intros", "me", "wake"), sender)
    await hearth.router.handle(command("alice", "intros", "status"), sender)
    assert "4 members take part" in sender.texts()[-1]


async def test_an_odd_member_joins_a_trio(hearth: Hearth) -> None:
    sender = RecordingSender()
    people = dict(TOPICS)
    people["erin"] = [
        "Summited the peak at dawn after hiking all night on the mountain trail",
        "Best hiking socks for blister-free backpacking on long trails?",
        "The alpine meadow campsite by the ridge was perfect for a trek",
        "Breaking in new boots before the mountain backpacking trip",
    ]
    await chat_and_opt_in(hearth, sender, people)
    await hearth.router.handle(admin("carol", "now"), sender)
    groups = pairs_in("\n".join(sender.texts()))
    assert sorted(len(group) for group in groups) == [2, 3]
    assert frozenset({"alice", "bob", "erin"}) in groups


async def test_admins_choose_cadence_and_delivery(hearth: Hearth) -> None:
    sender = RecordingSender()
    await chat_and_opt_in(hearth, sender)
    await hearth.router.handle(command("alice", "intros", "weekly"), sender)
    assert sender.texts()[-1].startswith("Sorry, only this chat's admins")
    await hearth.router.handle(admin("carol", "biweekly"), sender)
    assert sender.texts()[-1].startswith("Introductions scheduled every other Monday at 10:00")
    assert await hearth.scheduler.next_run(1, JobKind.INTROS) is not None
    for bad in (("yearly",), ("tz", "Mars/Base"), ("post", "everywhere")):
        await hearth.router.handle(admin("carol", *bad), sender)
        assert sender.texts()[-1].startswith(("Sorry: ", "Usage: ")), bad
    await hearth.router.handle(command("dave", "settings"), sender)
    assert (
        "Introductions every other Monday at 10:00 (UTC), posted in the group."
        in (sender.texts()[-1])
    )
    await hearth.router.handle(admin("carol", "post", "dm"), sender)
    sender.replies.clear()
    await hearth.router.handle(admin("carol", "now"), sender)
    private = [r for r in sender.replies if r.private]
    assert {r.recipient for r in private} == {member(n) for n in TOPICS}
    assert all(r.text.startswith("👋 An introduction from Test group:") for r in private)
    await hearth.router.handle(admin("carol", "off"), sender)
    assert await hearth.scheduler.next_run(1, JobKind.INTROS) is None


async def test_too_few_members_get_a_clear_answer(hearth: Hearth) -> None:
    sender = RecordingSender()
    await chat_and_opt_in(hearth, sender, {"alice": TOPICS["alice"]})
    await hearth.router.handle(admin("carol", "now"), sender)
    assert sender.texts() == [
        "No introductions this time: fewer than two members take part. "
        "Members join with /intros me on."
    ]


async def test_forget_removes_the_members_intro_data(hearth: Hearth) -> None:
    sender = RecordingSender()
    await chat_and_opt_in(hearth, sender)
    await hearth.router.handle(admin("carol", "now"), sender)
    assert await hearth.profiles.count(chat_id=1) == 4
    await hearth.router.handle(command("dave", "forget"), sender)
    assert await hearth.profiles.count(chat_id=1) == 3
    await hearth.router.handle(command("alice", "intros", "status"), sender)
    assert "3 members take part" in sender.texts()[-1]


CHINESE = {
    "alice": [
        "周末去香山爬山，山顶的风景太美了",
        "徒步登山鞋推荐哪一款？",
        "下次爬山走长城的野路线吧",
    ],
    "bob": ["上周去黄山徒步，爬山爬了八个小时", "登山杖和徒步鞋都很重要", "爬山的时候记得带够水"],
    "carol": [
        "今天烤了一个酸面包，外皮很脆",
        "红烧肉的做法有没有人分享一下？",
        "周末在家做饭，包了饺子",
    ],
    "dave": ["烤面包的酵母怎么保存？", "做饭的时候放一点糖提鲜", "饺子馅我喜欢猪肉白菜的做法"],
}


async def test_a_chinese_chat_gets_its_introductions_in_chinese(hearth: Hearth) -> None:
    sender = RecordingSender()
    await chat_and_opt_in(hearth, sender, CHINESE)
    await hearth.router.handle(admin("carol", "now"), sender)
    posted = "\n".join(r.text for r in sender.replies if not r.private)
    assert posted.startswith("🤝 本轮介绍")
    meets = [line for line in posted.splitlines() if line.startswith("👋 认识一下")]
    assert len(meets) == 2
    assert any("@alice" in line and "@bob" in line for line in meets)
    assert all(line.startswith("为什么") for line in posted.splitlines() if "“" in line)


def test_counts_read_in_chinese() -> None:
    with using("zh"):
        assert trn("Made {count} introduction.", "Made {count} introductions.", 2) == (
            "已完成2组介绍。"
        )


def set_language(who: str, value: str):  # type: ignore[no-untyped-def]
    return replace(command(who, "settings", "language", value), sender_is_admin=True)


async def test_an_english_setting_keeps_a_chinese_chat_in_english(hearth: Hearth) -> None:
    sender = RecordingSender()
    await chat_and_opt_in(hearth, sender, CHINESE)
    await hearth.router.handle(set_language("carol", "en"), sender)
    sender.replies.clear()
    await hearth.router.handle(admin("carol", "now"), sender)
    posted = "\n".join(r.text for r in sender.replies if not r.private)
    assert posted.startswith("🤝 This round's introductions:")
    assert len(pairs_in(posted)) == 2
    assert "认识一下" not in posted and "为什么" not in posted
    assert all(line.startswith("Why: ") for line in posted.splitlines() if "“" in line)
    assert sender.texts()[-1] == "Made 2 introductions."


async def test_a_scheduled_round_is_written_in_the_chats_chosen_language(hearth: Hearth) -> None:
    sender = RecordingSender()
    await chat_and_opt_in(hearth, sender)  # the members write English
    await hearth.router.handle(set_language("carol", "zh"), sender)
    sender.replies.clear()
    hearth.senders[sender.platform] = sender
    cadence = IntroCadence("weekly")
    fire = cadence.previous_fire_time(datetime.now(UTC))
    assert fire is not None
    clock = ManualClock(fire)
    context = RunContext(RunLeases(hearth.storage.engine, clock=clock), clock, scheduled_at=fire)
    assert await run_intros(1, cadence.to_json(), context=context)  # outside the router
    posted = "\n".join(sender.texts())
    assert posted.startswith("🤝 本轮介绍：")
    meets = [line for line in posted.splitlines() if line.startswith("👋 认识一下：")]
    assert len(meets) == 2 and not pairs_in(posted)
    assert all(line.startswith("为什么：") for line in posted.splitlines() if "“" in line)


async def test_chinese_intros_words_work(hearth: Hearth) -> None:
    sender = RecordingSender()
    await chat_and_opt_in(hearth, sender, CHINESE)
    await hearth.router.handle(set_language("carol", "zh"), sender)

    async def say(event) -> str:  # type: ignore[no-untyped-def]
        await hearth.router.handle(event, sender)
        return sender.texts()[-1]

    assert await say(command("dave", "intros", "我", "关")) == "你已退出本群的介绍。"
    assert sender.replies[-1].private
    assert (await say(command("dave", "intros", "我", "开"))).startswith("已参加：")
    assert await say(command("dave", "intros", "我", "状态")) == (
        "你已参加本群的介绍。你的避开名单是空的（/intros me avoid @name）。"
    )
    avoid = command("bob", "intros", "我", "避开", "@alice")
    assert (await say(avoid)).startswith("好的：不会再把你介绍给对方。")
    assert sender.replies[-1].private and sender.deleted == [avoid.platform_message_id]
    assert "Alice (@alice)" in await say(command("bob", "intros", "我", "状态"))
    assert await say(command("bob", "intros", "我", "允许", "@alice")) == "已从你的名单中移除。"
    snoozed = await say(command("alice", "intros", "我", "稍后", "2周"))
    until = datetime.now(UTC) + timedelta(weeks=2)
    day = f"{until.year}年{until.month}月{until.day}日"
    assert snoozed.startswith(f"已暂停：{day}"), snoozed
    assert (await say(command("alice", "intros", "我", "状态"))).startswith(
        f"你已参加，暂停到{day}"
    )
    assert await say(command("alice", "intros", "我", "唤醒")) == "已恢复：下一轮介绍会有你。"
    await say(command("alice", "intros", "我", "稍后", "2周"))
    assert await say(command("alice", "intros", "我", "恢复")) == "已恢复：下一轮介绍会有你。"
    assert (await say(command("alice", "intros", "我", "状态"))).startswith("你已参加本群的介绍。")
    assert (await say(command("bob", "intros", "状态"))).startswith("还没有安排介绍")

    # the admins' words: the same answer as the English ones
    for chinese, english in (
        (("每周",), ("weekly",)),
        (("每两周",), ("biweekly",)),
        (("每月",), ("monthly",)),
        (("时区", "Asia/Shanghai"), ("tz", "Asia/Shanghai")),
    ):
        answer = await say(admin("carol", *chinese))
        assert answer.startswith("已安排介绍："), answer
        assert answer == await say(admin("carol", *english))
    assert await say(admin("carol", "发到", "私信")) == "之后的介绍会私信发给每位成员。"
    sender.replies.clear()
    await say(admin("carol", "现在"))
    private = [r for r in sender.replies if r.private]
    assert len(private) == 4
    assert all(r.text.startswith("👋 来自「Test group」的介绍：\n👋 认识一下：") for r in private)
    assert await say(admin("carol", "发到", "群里")) == "之后的介绍会发在本群。"
    assert await say(admin("carol", "关")) == "本群的介绍已关闭。仍可用 /intros now 立即进行一轮。"
    assert await hearth.scheduler.next_run(1, JobKind.INTROS) is None
    assert await say(command("dave", "intros", "每周")) == (
        "抱歉，只有本群管理员可以更改介绍设置。发送 /intros me on 即可参加。"
    )


async def test_chinese_intros_words_work_in_an_english_chat(hearth: Hearth) -> None:
    sender = RecordingSender()
    await chat_and_opt_in(hearth, sender)
    await hearth.router.handle(command("dave", "intros", "我", "关"), sender)
    assert sender.texts()[-1] == "You are out of this chat's introductions."
    await hearth.router.handle(admin("carol", "每两周"), sender)
    assert sender.texts()[-1].startswith("Introductions scheduled every other Monday at 10:00")
