"""Twins in Chinese through the router with real storage: a Chinese question gets a fully
Chinese answer, a chat set to Chinese answers English questions in Chinese, and the owner's
welcome-back report is in the owner's language."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace

import pytest

from bots.app import Hearth
from tests.support import RecordingSender, command, member, message
from twins.labels import TWIN_MARK


@pytest.fixture
def memory_kind() -> str:
    """These flows do not depend on the memory backend; one is enough."""
    return "edge"


async def away_with_twin(
    hearth: Hearth, sender: RecordingSender, who: str, *said: str, minutes_ago: float = 120
) -> None:
    for text in said:
        await hearth.router.handle(message(who, text, minutes_ago=minutes_ago), sender)
    await hearth.router.handle(command(who, "twin", "on"), sender)
    async with asyncio.timeout(60):
        await hearth.worker.drain()
    sender.replies.clear()


async def ask(hearth: Hearth, sender: RecordingSender, who: str, handle: str, text: str) -> None:
    await hearth.router.handle(message(who, f"@{handle} {text}", mentions=(handle,)), sender)


async def set_language(hearth: Hearth, sender: RecordingSender, language: str) -> None:
    admin = replace(command("alice", "settings", "language", language), sender_is_admin=True)
    await hearth.router.handle(admin, sender)
    sender.replies.clear()


async def test_a_chinese_question_gets_a_fully_chinese_answer(hearth: Hearth) -> None:
    sender = RecordingSender()
    await away_with_twin(hearth, sender, "wei", "我对花生过敏，点菜的时候注意一下。")

    await ask(hearth, sender, "alice", "wei", "你对什么过敏？")
    await ask(hearth, sender, "carol", "wei", "你养猫吗？")

    answer, abstained = sender.replies
    for reply in (answer, abstained):
        assert reply.label == f"{TWIN_MARK} Wei 的分身 · 自动回复，不是 Wei 本人"
        assert reply.text.startswith("Wei 不在（2 小时前在这里发过言）。")
    assert "Wei 在这里说过的话，也许有用：\n1. “我对花生过敏" in answer.text
    assert abstained.text.endswith(
        "Wei 在这个群里没说过和这个有关的话，我不乱猜，等 Wei 回来再回答。"
    )
    for english in ("Twin of", "is away", "What Wei said", "I found nothing"):
        assert english not in answer.rendered() + abstained.rendered()


async def test_a_chat_set_to_chinese_answers_an_english_question_in_chinese(
    hearth: Hearth,
) -> None:
    sender = RecordingSender()
    await set_language(hearth, sender, "zh")
    await away_with_twin(
        hearth, sender, "bob", "For beginners I recommend the Fern Creek loop, 6 km and flat"
    )

    await ask(hearth, sender, "alice", "bob", "which trail do you recommend for beginners?")

    [answer] = sender.replies
    assert answer.label == f"{TWIN_MARK} Bob 的分身 · 自动回复，不是 Bob 本人"
    assert answer.text.startswith("Bob 不在（2 小时前在这里发过言）。Bob 在这里说过的话")
    assert "Fern Creek loop" in answer.text  # the quote stays as written


async def test_an_automatic_chat_answers_each_question_in_its_own_language(
    hearth: Hearth,
) -> None:
    sender = RecordingSender()
    await away_with_twin(
        hearth, sender, "bob", "For beginners I recommend the Fern Creek loop, 6 km and flat"
    )

    await ask(hearth, sender, "alice", "bob", "which trail do you recommend for beginners?")
    await ask(hearth, sender, "carol", "bob", "你推荐新手走哪条步道？")

    english, chinese = sender.replies
    assert english.label == f"{TWIN_MARK} Twin of Bob · automated reply, not Bob"
    assert chinese.label == f"{TWIN_MARK} Bob 的分身 · 自动回复，不是 Bob 本人"


async def test_the_welcome_back_report_reads_chinese_in_a_chinese_chat(hearth: Hearth) -> None:
    sender = RecordingSender()
    await set_language(hearth, sender, "zh")
    await away_with_twin(
        hearth,
        sender,
        "wei",
        "我对花生过敏，点菜的时候注意一下。",
        "周末一般去爬山。",
        "最近在学做面包。",
        "我住在杭州。",
        "下周出差去北京。",
    )
    await ask(hearth, sender, "alice", "wei", "你对什么过敏？")
    await ask(hearth, sender, "carol", "wei", "which city do you live in?")

    await hearth.router.handle(message("wei", "我回来了"), sender)

    report = sender.replies[-1]
    assert report.private and report.recipient == member("wei")
    lines = report.text.splitlines()
    assert lines[0] == "欢迎回来！你不在的时候，你的分身回答了 2 次："
    assert re.fullmatch(
        r"#\d+，Test group，[\d: -]+ UTC：Alice 问“你对什么过敏？” → “.*”", lines[1]
    )
    assert "：Carol 问“which city do you live in?” → “" in lines[2]
    assert lines[-1].startswith("回复 /twin confirm N、/twin correct N <你的回答>")

    await hearth.router.handle(command("wei", "twin", "log"), sender)
    log = sender.texts()[-1]
    assert log.startswith("你的分身最近的回答：")


async def test_an_owner_with_an_english_app_gets_an_english_report(hearth: Hearth) -> None:
    sender = RecordingSender()
    await set_language(hearth, sender, "zh")
    await away_with_twin(hearth, sender, "wei", "我对花生过敏，点菜的时候注意一下。")
    await ask(hearth, sender, "alice", "wei", "你对什么过敏？")

    wei = replace(member("wei"), locale="en-GB")
    await hearth.router.handle(message(wei, "我回来了"), sender)

    report = sender.texts()[-1]
    assert report.startswith("Welcome back! While you were away your twin answered 1 time:")


async def test_a_draft_in_a_chinese_chat_is_noted_and_posted_in_chinese(hearth: Hearth) -> None:
    sender = RecordingSender()
    await set_language(hearth, sender, "zh")
    await away_with_twin(hearth, sender, "wei", "我对花生过敏，点菜的时候注意一下。")
    await hearth.router.handle(command("wei", "twin", "mode", "draft"), sender)
    sender.replies.clear()

    await ask(hearth, sender, "alice", "wei", "你对什么过敏？")
    [note] = sender.replies
    assert note.text == "Wei 会先审核分身的回答再发出；草稿正在等 Wei 批准。"

    back = replace(member("wei"), locale="zh-CN")  # the app language a platform reports
    await hearth.router.handle(message(back, "回来了"), sender)
    report = sender.texts()[-1]
    assert "【等你批准】" in report and "草稿：/twin approve N 发出" in report
    number = re.search(r"#(\d+)", report)
    assert number is not None
    await hearth.router.handle(command("wei", "twin", "approve", number.group(1)), sender)
    posted, done = sender.replies[-2:]
    assert posted.label == f"{TWIN_MARK} Wei 的分身 · 自动回复，不是 Wei 本人"
    assert done.text == f"已在 Test group 发出 #{number.group(1)}。"
