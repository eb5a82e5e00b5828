"""Localised slash commands and the member's app language, over the wire."""

from __future__ import annotations

import pytest

from adapters.discord import SlashChoice, SlashCommandSpec, SlashOption
from adapters.model import Command, Event, OutgoingReply
from adapters.ports import ReplySender
from locales import using
from tests.fakes.discord_api import (
    GLOBAL_COMMANDS,
    MANAGE_GUILD,
    MEMBER_PERMISSIONS,
    FakeDiscord,
)
from tests.fakes.discord_fixtures import AdapterFactory, TestServer
from tests.fakes.recording_handler import RecordingHandler

pytestmark = pytest.mark.wire

CHINESE = {"zh-CN": "你的分身", "zh-TW": "你的分身"}
SPECS = (
    SlashCommandSpec(
        "twin",
        "Your twin",
        (
            SlashOption(
                "action",
                "What to do",
                choices=(
                    SlashChoice("on", "on", {"zh-CN": "开"}),
                    SlashChoice("off", "off", {"zh-CN": "关"}),
                ),
                name_localizations={"zh-CN": "操作"},
                description_localizations={"zh-CN": "要做什么"},
            ),
        ),
        description_localizations=CHINESE,
    ),
    SlashCommandSpec("help", "What Hearth does"),
)


async def test_the_registered_commands_carry_their_localisations(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> None:
    await discord_adapter_factory(command_specs=SPECS).start(RecordingHandler())

    [put] = fake_discord.command_puts
    registered = {command["name"]: command for command in put.body}
    twin = registered["twin"]
    assert twin["description"] == "Your twin"
    assert twin["description_localizations"] == CHINESE
    assert twin["name_localizations"] == {}  # command names are never localised
    [action] = twin["options"]
    assert action["name"] == "action"
    assert action["name_localizations"] == {"zh-CN": "操作"}
    assert action["description_localizations"] == {"zh-CN": "要做什么"}
    assert action["choices"] == [
        {"name": "on", "value": "on", "name_localizations": {"zh-CN": "开"}},
        {"name": "off", "value": "off", "name_localizations": {"zh-CN": "关"}},
    ]
    assert registered["help"]["description_localizations"] == {}


async def test_localised_commands_are_compared_with_their_localisations(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> None:
    first = discord_adapter_factory(command_specs=SPECS)
    await first.start(RecordingHandler())
    await first.stop()
    second = discord_adapter_factory(command_specs=SPECS)
    await second.start(RecordingHandler())
    await second.stop()
    assert len(fake_discord.command_puts) == 1  # fetched with localisations: up to date
    fetched = fake_discord.calls_to(f"GET {GLOBAL_COMMANDS}")
    assert all(call.query.get("with_localizations") == "true" for call in fetched)

    retranslated = (
        SlashCommandSpec(
            "twin",
            "Your twin",
            SPECS[0].options,
            description_localizations={"zh-CN": "你的数字分身"},
        ),
        SPECS[1],
    )
    third = discord_adapter_factory(command_specs=retranslated)
    await third.start(RecordingHandler())
    assert len(fake_discord.command_puts) == 2  # only a translation changed: registered again
    twin = next(c for c in fake_discord.command_puts[-1].body if c["name"] == "twin")
    assert twin["description_localizations"] == {"zh-CN": "你的数字分身"}


async def test_an_interaction_arrives_under_its_name_with_the_members_locale(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> None:
    handler = RecordingHandler()
    await discord_adapter_factory(command_specs=SPECS).start(handler)
    dm = fake_discord.dm_channel_for(discord_server.alice)
    await fake_discord.use_command(
        "twin",
        {"action": "on"},
        user=discord_server.alice,
        channel_id=int(dm["id"]),
        locale="zh-CN",
    )
    await fake_discord.use_command(
        "help", user=discord_server.bob, channel_id=discord_server.general
    )
    chinese, english = await handler.wait_for(2)
    assert isinstance(chinese, Command) and isinstance(english, Command)
    assert (chinese.name, chinese.args) == ("twin", ("on",))
    assert chinese.sender.locale == "zh-CN"
    assert english.sender.locale == "en-US"


async def test_a_failed_command_is_answered_in_the_members_language(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> None:
    await discord_adapter_factory(command_specs=SPECS).start(RecordingHandler())
    await fake_discord.use_command(
        "retired", user=discord_server.bob, channel_id=discord_server.general, locale="zh-CN"
    )
    await fake_discord.wait_for_call("POST /interactions/{interaction_id}/{token}/callback")
    [callback] = fake_discord.interaction_callbacks
    assert callback.payload["data"]["content"] == "这个命令暂时不可用。"


async def test_the_private_answer_note_is_in_the_reply_language(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> None:
    async def answer_privately(event: Event, sender: ReplySender) -> None:
        assert isinstance(event, Command)
        with using(event.sender.locale):
            await sender.send(
                OutgoingReply(
                    chat=event.chat,
                    text="代码是 1234",
                    reply_to_message_id=event.platform_message_id,
                    private=True,
                    recipient=event.sender,
                )
            )

    specs = (SlashCommandSpec("settings", "Settings", admin_only=True),)
    await discord_adapter_factory(command_specs=specs).start(RecordingHandler(answer_privately))
    await fake_discord.use_command(
        "settings",
        user=discord_server.carol,
        channel_id=discord_server.general,
        permissions=MEMBER_PERMISSIONS | MANAGE_GUILD,
        locale="zh-CN",
    )
    await fake_discord.wait_for_followups(1)
    [(_, note)] = fake_discord.edited_originals
    assert note["content"] == "已私下回复。"


def test_localised_texts_follow_discords_rules() -> None:
    with pytest.raises(ValueError, match="not a Discord locale"):
        SlashCommandSpec("help", "Help", description_localizations={"zh": "帮助"})
    with pytest.raises(ValueError, match="1-100"):
        SlashCommandSpec("help", "Help", description_localizations={"zh-CN": "长" * 101})
    with pytest.raises(ValueError, match="invalid zh-CN name"):
        SlashOption("action", "What", name_localizations={"zh-CN": "操 作"})
    with pytest.raises(ValueError, match="invalid fr name"):
        SlashOption("action", "What", name_localizations={"fr": "Action"})
    assert SlashOption("action", "What", name_localizations={"zh-CN": "操作"}).name == "action"
