"""Commands in a Chinese chat: the replies are Chinese, and Chinese command words work."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from adapters.model import Chat, ChatKind, Platform
from bots.app import Hearth
from tests.support import GROUP, RecordingSender, command, member, message


@pytest.fixture
def memory_kind() -> str:
    """These tests are about words, not the memory backend: one backend is enough."""
    return "edge"


async def chinese_chat(hearth: Hearth) -> int:
    chat_id = await hearth.storage.ensure_chat(GROUP)
    await hearth.storage.update_chat_settings(chat_id, language="zh")
    return chat_id


async def test_twin_status_in_a_chinese_chat(hearth: Hearth) -> None:
    await chinese_chat(hearth)
    sender = RecordingSender()
    await hearth.router.handle(command("alice", "twin", "状态"), sender)
    text = sender.texts()[-1]
    assert text.startswith("你在本群的分身已关闭。")
    assert "已存储你在本群的 0 条消息" in text
    assert "你安静10分钟后它才会回答。" in text
    assert "Your twin" not in text


async def test_settings_and_buttons_in_a_chinese_chat(hearth: Hearth) -> None:
    await chinese_chat(hearth)
    sender = RecordingSender()
    await hearth.router.handle(command("alice", "settings"), sender)
    reply = sender.replies[-1]
    assert reply.text.startswith("本群分身：开。成员安静10分钟后，分身才会代答。")
    assert "语言：中文。" in reply.text
    assert "没有定时摘要" in reply.text
    labels = [button.label for row in reply.buttons for button in row]
    assert "关闭分身" in labels and "关闭摘要" in labels
    assert reply.buttons[0][0].command == "/settings twins off"  # commands stay English


async def test_chinese_setting_words_change_the_settings(hearth: Hearth) -> None:
    chat_id = await hearth.storage.ensure_chat(GROUP)
    sender = RecordingSender()
    admin = replace(command("alice", "settings", "语言", "中文"), sender_is_admin=True)
    await hearth.router.handle(admin, sender)
    assert (await hearth.storage.chat_settings(chat_id)).language == "zh"
    assert sender.texts()[-1].startswith("已保存。本群分身：开。")
    assert sender.texts()[-1].endswith("语言：中文。")

    await hearth.router.handle(replace(admin, args=("分身", "关")), sender)
    assert (await hearth.storage.chat_settings(chat_id)).twins_enabled is False
    assert sender.texts()[-1].startswith("已保存。本群分身：关。")
    await hearth.router.handle(replace(admin, args=("安静时间", "45")), sender)
    assert (await hearth.storage.chat_settings(chat_id)).twin_absence_minutes == 45
    await hearth.router.handle(replace(admin, args=("安静时间", "2小时")), sender)
    assert (await hearth.storage.chat_settings(chat_id)).twin_absence_minutes == 120
    await hearth.router.handle(replace(admin, args=("助手", "关")), sender)
    assert (await hearth.storage.chat_settings(chat_id)).assistant_enabled is False
    assert "有人 @hearth 时，Hearth 不回答" in sender.texts()[-1]

    await hearth.router.handle(replace(admin, args=("语言", "英文")), sender)
    assert sender.texts()[-1].startswith("Saved. Twins in this chat: off.")


async def test_only_admins_change_settings_in_chinese_too(hearth: Hearth) -> None:
    chat_id = await chinese_chat(hearth)
    sender = RecordingSender()
    await hearth.router.handle(command("alice", "settings", "分身", "关"), sender)
    assert sender.texts()[-1] == "抱歉，只有本群管理员可以修改设置。"
    assert (await hearth.storage.chat_settings(chat_id)).twins_enabled is True


@pytest.mark.parametrize("args", [("暂停", "2小时"), ("暂停2小时",), ("pause", "2", "小时")])
async def test_pause_for_two_hours_in_chinese(hearth: Hearth, args: tuple[str, ...]) -> None:
    await chinese_chat(hearth)
    sender = RecordingSender()
    await hearth.router.handle(command("bob", "twin", *args), sender)
    assert sender.texts()[-1].startswith("你的分身已暂停，到 ")
    assert "UTC 为止。/twin resume 可提前恢复。" in sender.texts()[-1]
    bob = await hearth.storage.ensure_member(member("bob"))
    until = (await hearth.storage.profile(bob)).twin_paused_until
    assert until is not None
    assert abs(until - (datetime.now(UTC) + timedelta(hours=2))) < timedelta(minutes=1)

    await hearth.router.handle(command("bob", "twin", "暂停", "马上"), sender)
    assert sender.texts()[-1].startswith("抱歉，“马上”不是时长")
    await hearth.router.handle(command("bob", "twin", "恢复"), sender)
    assert sender.texts()[-1] == "你的分身已恢复，不再暂停。"


async def test_an_english_chat_pauses_with_chinese_words_and_answers_in_english(
    hearth: Hearth,
) -> None:
    sender = RecordingSender()
    await hearth.router.handle(command("bob", "twin", "暂停", "半小时"), sender)
    assert sender.texts()[-1].startswith("Your twin is paused until ")
    await hearth.router.handle(command("bob", "twin", "status"), sender)
    assert "It is paused until" in sender.texts()[-1]


async def test_twin_on_and_profile_note_in_chinese_keep_the_note_as_typed(
    hearth: Hearth,
) -> None:
    await chinese_chat(hearth)
    sender = RecordingSender()
    await hearth.router.handle(message("bob", "周末我常去爬山", minutes_ago=60), sender)
    await hearth.router.handle(command("bob", "twin", "开"), sender)
    assert sender.texts()[-1].startswith("你在本群的分身已开启。你在这里安静10分钟后")
    await hearth.router.handle(command("bob", "twin", "资料", "设置", "我", "每天", "跑步"), sender)
    assert sender.texts()[-1] == "已保存。你的分身写回答时会参考你的备注。"
    await hearth.router.handle(command("bob", "twin", "资料"), sender)
    profile = sender.texts()[-1]
    assert profile.startswith("你在本群的分身资料（来自你的 ")
    assert "你的备注：我 每天 跑步" in profile
    assert "使用语言：中文" in profile


async def test_private_replies_follow_the_members_app_language(hearth: Hearth) -> None:
    private = Chat(Platform.TELEGRAM, "id-bob", ChatKind.PRIVATE, None)
    bob = replace(member("bob"), locale="zh-hans")
    sender = RecordingSender()
    await hearth.router.handle(
        replace(command("bob", "settings"), chat=private, sender=bob), sender
    )
    assert sender.texts()[-1] == "/settings 要在群里使用：请在相关的群里发送。"
    wrong = replace(command("bob", "link", "ABCDE-FGHJK"), chat=private, sender=bob)
    await hearth.router.handle(wrong, sender)
    assert sender.texts()[-1] == "这个代码无效。请检查一下，或用 /link 获取新代码。"
    await hearth.router.handle(replace(command("bob", "link"), chat=private, sender=bob), sender)
    assert sender.texts()[-1].startswith("你的关联代码：")


async def test_digest_schedule_in_chinese_words(hearth: Hearth) -> None:
    chat_id = await chinese_chat(hearth)
    sender = RecordingSender()
    digest = replace(command("alice", "digest", "每周一", "晚上6点"), sender_is_admin=True)
    await hearth.router.handle(digest, sender)
    stored = await hearth.storage.digest_schedule(chat_id)
    assert stored is not None
    assert "18:00" in str(stored) and "mon" in str(stored).lower()
    await hearth.router.handle(command("bob", "digest", "关"), sender)
    assert sender.texts()[-1] == "抱歉，只有本群管理员可以管理摘要。"
