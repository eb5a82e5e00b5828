"""Menus and /help in the member's language, through the real platform libraries.

Hearth is built from its settings (``bots.platforms``), so the menus registered with the
fakes are the real catalog's, in English and Simplified Chinese.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bots.app import Hearth
from bots.command_catalog import COMMANDS, COMMANDS_BY_NAME
from locales import tr_marked, using
from tests.e2e.two_platforms import running_hearth, two_platform_settings
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.discord_fixtures import TestServer
from tests.fakes.telegram_api import (
    FakeTelegramApi,
    make_message,
    make_user,
    message_update,
    private_chat,
)

pytestmark = pytest.mark.wire

LI = make_user(8801, "Li", username="li_w", language_code="zh-hans")


def chinese(message: str) -> str:
    with using("zh"):
        return tr_marked(message)


@pytest.fixture
async def hearth(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
    fake_telegram: FakeTelegramApi,
    fake_discord: FakeDiscord,
    discord_server: TestServer,
) -> AsyncIterator[Hearth]:
    settings = two_platform_settings(tmp_path, fake_telegram, fake_discord)
    async with running_hearth(settings, embedder, tmp_path) as running:
        await fake_telegram.wait_for_call("getUpdates", timeout=20)
        await fake_discord.wait_until_identified(timeout=20)
        yield running


async def test_telegram_gets_an_english_and_a_chinese_command_list(
    hearth: Hearth, fake_telegram: FakeTelegramApi
) -> None:
    languages = [language for language, _ in fake_telegram.command_settings]
    assert languages == [None, "zh"]
    english = {c["command"]: c["description"] for c in fake_telegram.commands}
    zh = {c["command"]: c["description"] for c in fake_telegram.commands_by_language["zh"]}
    assert list(english) == list(zh) == [spec.name for spec in COMMANDS]
    for spec in COMMANDS:
        assert english[spec.name] == spec.description
        assert zh[spec.name] == chinese(spec.description) != spec.description
    assert zh["help"] == "Hearth 能做什么，以及它的命令"


async def test_discord_commands_are_registered_with_chinese_localisations(
    hearth: Hearth, fake_discord: FakeDiscord
) -> None:
    [put] = fake_discord.command_puts
    registered = {command["name"]: command for command in put.body}
    assert set(registered) == {spec.name for spec in COMMANDS}
    for name, command in registered.items():
        spec = COMMANDS_BY_NAME[name]
        assert command["description"] == spec.description
        localized = command["description_localizations"]
        assert localized["zh-CN"] == chinese(spec.description)
        assert localized["zh-TW"] == localized["zh-CN"]
        assert command["name_localizations"] == {}
        for option, option_spec in zip(command["options"], spec.options, strict=True):
            assert option["name"] == option_spec.name
            assert option["description_localizations"]["zh-CN"] == chinese(option_spec.description)
    assert (
        registered["help"]["description_localizations"]["zh-CN"] == "Hearth 能做什么，以及它的命令"
    )
    setting = registered["settings"]["options"][0]
    assert setting["name_localizations"]["zh-CN"] == "设置项"
    assert [c["value"] for c in setting["choices"]] == ["twins", "absence", "assistant", "language"]
    assert setting["choices"][0]["name_localizations"]["zh-CN"] == "分身（开/关）"


async def test_help_in_a_private_telegram_chat_follows_the_app_language(
    hearth: Hearth, fake_telegram: FakeTelegramApi
) -> None:
    fake_telegram.push_update(message_update(make_message(private_chat(LI), LI, "/help")))
    [reply] = await fake_telegram.wait_for_sent(1, timeout=20)
    assert reply.chat_id == LI["id"]
    assert reply.text.startswith("Hearth 会记住本群的消息。")
    assert "/digest 现在 | 预览 | 状态 | 每天 09:00" in reply.text


async def test_help_as_a_discord_slash_command_in_a_dm_follows_the_app_language(
    hearth: Hearth, fake_discord: FakeDiscord, discord_server: TestServer
) -> None:
    dm = fake_discord.dm_channel_for(discord_server.alice)
    await fake_discord.use_command(
        "help", user=discord_server.alice, channel_id=int(dm["id"]), locale="zh-CN"
    )
    [answer] = await fake_discord.wait_for_followups(1, timeout=20)
    assert answer.content.startswith("Hearth 会记住本群的消息。")
    assert "/intros 我 参加" in answer.content  # Discord escapes the bars as markdown

    await fake_discord.use_command(
        "help", user=discord_server.bob, channel_id=discord_server.general, locale="en-US"
    )
    [_, english] = await fake_discord.wait_for_followups(2, timeout=20)
    assert english.content.startswith("Hearth remembers this group's messages.")
