"""Slash commands: registration, invocation as neutral commands, answers as followups."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from adapters.discord import AutocompleteQuery, SlashCommandSpec, SlashOption
from adapters.model import ChatKind, Command, Event, OutgoingReply
from adapters.ports import ReplySender
from tests.fakes.discord_api import (
    EPHEMERAL,
    GLOBAL_COMMANDS,
    MANAGE_GUILD,
    MEMBER_PERMISSIONS,
    FakeDiscord,
)
from tests.fakes.discord_fixtures import AdapterFactory, TestServer
from tests.fakes.recording_handler import RecordingHandler

pytestmark = pytest.mark.wire


async def _answer(event: Event, sender: ReplySender) -> None:
    if isinstance(event, Command):
        await sender.send(
            OutgoingReply(
                chat=event.chat,
                text=f"done: /{event.name} {' '.join(event.args)}".strip(),
                reply_to_message_id=event.platform_message_id,
                recipient=event.sender,
            )
        )


async def test_commands_are_registered_only_when_they_changed(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> None:
    first = discord_adapter_factory()
    await first.start(RecordingHandler())
    await first.stop()

    [put] = fake_discord.command_puts
    assert put.path == f"/applications/{fake_discord.application_id}/commands"
    registered = {command["name"]: command for command in put.body}
    assert set(registered) == {"twin", "forget", "settings"}
    twin = registered["twin"]
    assert twin["type"] == 1
    assert twin["default_member_permissions"] is None
    assert twin["options"] == [
        {
            "type": 3,
            "name": "action",
            "description": "What to do",
            "required": True,
            "choices": [{"name": v, "value": v} for v in ("on", "off", "status")],
        }
    ]
    settings = registered["settings"]
    assert settings["default_member_permissions"] == MANAGE_GUILD
    assert [(o["name"], o["type"], o["required"]) for o in settings["options"]] == [
        ("name", 3, False),
        ("minutes", 4, False),
    ]

    second = discord_adapter_factory()
    await second.start(RecordingHandler())
    assert len(fake_discord.command_puts) == 1  # already up to date: fetched, not rewritten
    assert len(fake_discord.calls_to(f"GET {GLOBAL_COMMANDS}")) == 2
    await second.stop()

    changed = discord_adapter_factory(
        command_specs=[SlashCommandSpec("help", "What Hearth does and its commands")]
    )
    await changed.start(RecordingHandler())
    assert len(fake_discord.command_puts) == 2
    assert [c["name"] for c in fake_discord.command_puts[-1].body] == ["help"]


async def test_guild_commands_when_configured(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> None:
    handler = RecordingHandler()
    adapter = discord_adapter_factory(guild_ids_for_commands=[discord_server.guild_id])
    await adapter.start(handler)

    [put] = fake_discord.command_puts
    assert put.path.endswith(f"/guilds/{discord_server.guild_id}/commands")
    await fake_discord.use_command(
        "forget",
        user=discord_server.bob,
        channel_id=discord_server.general,
        command_guild_id=discord_server.guild_id,
    )
    [event] = await handler.wait_for(1)
    assert isinstance(event, Command)
    assert event.name == "forget"


async def test_personal_command_is_deferred_and_answered_privately(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> None:
    handler = RecordingHandler(_answer)
    adapter = discord_adapter_factory()
    await adapter.start(handler)

    interaction = await fake_discord.use_command(
        "twin",
        {"action": "on"},
        user=discord_server.alice,
        channel_id=discord_server.general,
        permissions=MEMBER_PERMISSIONS,
    )
    [event] = await handler.wait_for(1)
    assert isinstance(event, Command)
    assert event.name == "twin"
    assert event.args == ("on",)
    assert event.platform_message_id == interaction["id"]
    assert event.sender_is_admin is False
    assert event.sender.platform_user_id == discord_server.alice["id"]
    assert event.chat.platform_chat_id == str(discord_server.general)
    assert event.chat.kind is ChatKind.GROUP
    assert event.raw_text == "/twin action:on"

    [followup] = await fake_discord.wait_for_followups(1)
    [callback] = fake_discord.interaction_callbacks
    assert callback.interaction_id == int(interaction["id"])
    assert callback.type == 5  # deferred: "Hearth is thinking..."
    assert callback.ephemeral
    assert followup.interaction_id == int(interaction["id"])
    assert followup.content == "done: /twin on"
    assert followup.ephemeral
    assert followup.payload["allowed_mentions"]["parse"] == []
    assert fake_discord.sent_messages == []


async def test_admin_command_from_a_manager_is_answered_in_public(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> None:
    handler = RecordingHandler(_answer)
    adapter = discord_adapter_factory()
    await adapter.start(handler)

    await fake_discord.use_command(
        "settings",
        {"minutes": 30},
        user=discord_server.carol,
        channel_id=discord_server.lounge,
        permissions=MEMBER_PERMISSIONS | MANAGE_GUILD,
    )
    await fake_discord.use_command(
        "settings",
        {"name": "twins", "minutes": 5},
        user=discord_server.bob,
        channel_id=discord_server.lounge,
        permissions=MEMBER_PERMISSIONS,
    )
    by_carol, by_bob = await handler.wait_for(2)
    assert isinstance(by_carol, Command) and isinstance(by_bob, Command)
    assert by_carol.sender_is_admin is True
    assert by_carol.args == ("30",)  # options left out are skipped; values are strings
    assert by_bob.sender_is_admin is False  # passed on: the application decides
    assert by_bob.args == ("twins", "5")

    followups = await fake_discord.wait_for_followups(2)
    assert not any(callback.ephemeral for callback in fake_discord.interaction_callbacks)
    assert not any(followup.ephemeral for followup in followups)


async def test_private_reply_to_a_public_command_stays_private(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> None:
    async def answer_privately(event: Event, sender: ReplySender) -> None:
        assert isinstance(event, Command)
        await sender.send(
            OutgoingReply(
                chat=event.chat,
                text="your link code is 1234",
                reply_to_message_id=event.platform_message_id,
                private=True,
                recipient=event.sender,
            )
        )

    adapter = discord_adapter_factory()
    await adapter.start(RecordingHandler(answer_privately))
    interaction = await fake_discord.use_command(
        "settings",
        user=discord_server.carol,
        channel_id=discord_server.general,
        permissions=MEMBER_PERMISSIONS | MANAGE_GUILD,
    )

    [followup] = await fake_discord.wait_for_followups(1)
    assert followup.ephemeral
    assert followup.content == "your link code is 1234"
    [(interaction_id, note)] = fake_discord.edited_originals
    assert interaction_id == int(interaction["id"])
    assert "1234" not in note["content"]


async def test_unanswered_command_does_not_keep_thinking(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> None:
    handler = RecordingHandler()
    adapter = discord_adapter_factory()
    await adapter.start(handler)
    interaction = await fake_discord.use_command(
        "forget", user=discord_server.bob, channel_id=discord_server.general
    )

    await handler.wait_for(1)
    await fake_discord.wait_for_call("DELETE /webhooks/{application_id}/{token}/messages/@original")
    assert fake_discord.deleted_originals == [int(interaction["id"])]


async def test_command_in_a_direct_message(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> None:
    handler = RecordingHandler(_answer)
    adapter = discord_adapter_factory()
    await adapter.start(handler)
    dm = fake_discord.dm_channel_for(discord_server.alice)

    await fake_discord.use_command(
        "twin", {"action": "status"}, user=discord_server.alice, channel_id=int(dm["id"])
    )
    [event] = await handler.wait_for(1)
    assert isinstance(event, Command)
    assert event.chat.kind is ChatKind.PRIVATE
    assert event.chat.platform_chat_id == dm["id"]
    assert event.sender_is_admin is False
    [followup] = await fake_discord.wait_for_followups(1)
    assert followup.content == "done: /twin status"


async def test_handler_failure_on_a_command_is_contained(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> None:
    async def explode(event: Event, sender: ReplySender) -> None:
        raise RuntimeError("handler exploded")

    handler = RecordingHandler(explode)
    adapter = discord_adapter_factory()
    await adapter.start(handler)
    await fake_discord.use_command(
        "forget", user=discord_server.bob, channel_id=discord_server.general
    )
    await fake_discord.use_command(
        "forget", user=discord_server.alice, channel_id=discord_server.general
    )

    await handler.wait_for(2)
    await fake_discord.wait_for_call(
        "DELETE /webhooks/{application_id}/{token}/messages/@original", count=2
    )
    assert len(fake_discord.interaction_callbacks) == 2


async def test_unknown_command_gets_an_answer(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> None:
    handler = RecordingHandler()
    adapter = discord_adapter_factory()
    await adapter.start(handler)
    await fake_discord.use_command(
        "retired", user=discord_server.bob, channel_id=discord_server.general
    )

    await fake_discord.wait_for_call("POST /interactions/{interaction_id}/{token}/callback")
    [callback] = fake_discord.interaction_callbacks
    assert callback.type == 4
    assert callback.payload["data"]["flags"] & EPHEMERAL
    assert handler.events == []


async def test_autocomplete_suggestions(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> None:
    queries: list[AutocompleteQuery] = []

    async def suggest(query: AutocompleteQuery) -> Sequence[str]:
        queries.append(query)
        return [name for name in ("tomatoes", "tulips", "thyme") if name.startswith(query.current)]

    spec = SlashCommandSpec(
        "plant",
        "Ask about a plant",
        (SlashOption("name", "Which plant", autocomplete=suggest),),
    )
    adapter = discord_adapter_factory(command_specs=[spec])
    await adapter.start(RecordingHandler())
    await fake_discord.use_command(
        "plant",
        {"name": "tu"},
        user=discord_server.alice,
        channel_id=discord_server.general,
        autocomplete_focus="name",
    )

    await fake_discord.wait_for_call("POST /interactions/{interaction_id}/{token}/callback")
    [callback] = fake_discord.interaction_callbacks
    assert callback.type == 8
    assert callback.payload["data"]["choices"] == [{"name": "tulips", "value": "tulips"}]
    [query] = queries
    assert query.chat.platform_chat_id == str(discord_server.general)
    assert query.member.username == "alice_l"
