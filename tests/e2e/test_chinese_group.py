"""A Chinese group sees Hearth in Chinese on both platforms, over the wire: help, bad
input, a twin's answer, settings, a digest and introductions; an admin can switch the
chat to English; Chinese command words work."""

from __future__ import annotations

import asyncio
import re

from bots.app import Hearth
from tests.e2e.platform_drivers import Driver, Reply
from tests.e2e.worlds import settled, stored

WEI_SAID = (
    "周六我们去青城山后山徒步，早上七点在地铁站集合。",
    "后山那条路有点滑，记得穿防滑的登山鞋。",
    "我上周买了一个新的登山杖，很好用。",
)
TALK = (
    ("alice", "这周六的徒步我报名了，需要带午饭吗？"),
    ("carol", "我负责带急救包和雨衣。"),
    ("alice", "周日晚上一起吃火锅吧，大家有空吗？"),
    ("carol", "好啊，我知道一家很好吃的火锅店。"),
    ("alice", "那就定了，周日晚上七点吃火锅。"),
)
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
_HAN = re.compile("[\u4e00-\u9fff]")
_NOT_WORDING = re.compile(
    r"https?://\S+|/\w+|@\w+|<[^>]+>|“[^”]*”|「[^」]*」|\"[^\"]*\"|[A-Z][a-z]+|UTC|\w+/\w+"
)


def in_chinese(reply: Reply) -> bool:
    """Hearth's own wording is Chinese: after links, commands, names and quotes are set
    aside, Han characters outweigh Latin words (a Latin word weighs two characters)."""
    wording = _NOT_WORDING.sub(" ", reply.text)
    return len(_HAN.findall(wording)) > 2 * len(_LATIN_WORD.findall(wording))


async def new_replies(driver: Driver, before: int, count: int = 1) -> list[Reply]:
    replies = await driver.replies(before + count)
    return replies[before:]


async def test_a_chinese_group_sees_hearth_in_chinese(world: tuple[Driver, Hearth]) -> None:
    driver, hearth = world
    driver.make_admin("carol")
    for text in WEI_SAID:
        await driver.post("bob", text, minutes_ago=120)
    for minutes, (who, text) in enumerate(TALK):
        await driver.post(who, text, minutes_ago=100 - minutes)
    await stored(hearth, len(WEI_SAID) + len(TALK))
    await settled(hearth)

    steps: list[tuple[str, tuple[str, ...], str]] = [
        ("alice", ("help",), "help"),
        ("alice", ("twin", "也许"), "bad input"),
        ("bob", ("twin", "开"), "twin on"),
        ("bob", ("twin", "状态"), "twin status"),
        ("alice", ("settings",), "settings"),
        ("alice", ("settings", "语言", "英文"), "a refused change"),
        ("carol", ("digest", "每天", "09:00"), "a schedule"),
        ("alice", ("intros", "我", "开"), "intros opt-in"),
    ]
    for who, (name, *args), what in steps:
        before = driver.reply_count()
        await driver.command(who, name, *args)
        [reply] = (await new_replies(driver, before))[:1]
        assert in_chinese(reply), f"{what}: {reply.text}"

    before = driver.reply_count()
    question = await driver.post("alice", "后山的路好走吗？要穿什么鞋？", mention="bob")
    answer = (await new_replies(driver, before))[-1]
    assert answer.reply_to == question
    assert "分身" in answer.text.splitlines()[0], answer.text
    assert "防滑" in answer.text and in_chinese(answer)

    before = driver.reply_count()
    await driver.command("carol", "digest", "现在")
    digest = await new_replies(driver, before)
    await asyncio.sleep(0.5)
    texts = [r.text for r in (await driver.replies(before + 1))[before:]]
    assert any("火锅" in t for t in texts), texts
    assert all(in_chinese(r) for r in digest), texts

    before = driver.reply_count()
    await driver.command("carol", "settings", "语言", "英文")
    [saved] = await new_replies(driver, before)
    assert saved.text.startswith("Saved."), saved.text
    before = driver.reply_count()
    await driver.command("alice", "twin", "maybe")
    [hint] = await new_replies(driver, before)
    assert not in_chinese(hint) and "/twin" in hint.text, hint.text
