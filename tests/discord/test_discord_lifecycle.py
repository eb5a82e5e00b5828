"""Starting and stopping, intents, sharding discovery and the per-event error boundary."""

from __future__ import annotations

import logging
import time

import discord
import pytest

from adapters.discord import DiscordIntentsError, DiscordStartError
from adapters.model import Event, Message
from adapters.ports import ReplySender, StoreUnavailable
from tests.fakes.discord_api import (
    DEFAULT_APP_FLAGS,
    FLAG_GATEWAY_GUILD_MEMBERS_LIMITED,
    INTENT_GUILD_MEMBERS,
    INTENT_MESSAGE_CONTENT,
    FakeDiscord,
)
from tests.fakes.discord_fixtures import AdapterFactory, TestServer
from tests.fakes.recording_handler import RecordingHandler

pytestmark = pytest.mark.wire


def _text(event: Event) -> str:
    assert isinstance(event, Message)
    return event.text


async def test_start_reports_identity_and_asks_for_the_intents(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> None:
    adapter = discord_adapter_factory()
    await adapter.start(RecordingHandler())

    assert adapter.running
    assert adapter.identity.user_id == int(fake_discord.bot_user["id"])
    assert adapter.identity.username == "hearth"
    assert adapter.identity.display_name == "Hearth"
    assert adapter.identity.application_id == fake_discord.application_id
    assert adapter.bot_member.is_bot
    [identify] = fake_discord.identify_payloads
    assert identify["intents"] & INTENT_MESSAGE_CONTENT
    assert identify["intents"] & INTENT_GUILD_MEMBERS
    assert identify["shard"] == [0, 1]
    assert fake_discord.calls_to("GET /gateway/bot")  # Discord picks the shard count
    assert adapter.client.get_guild(discord_server.guild_id) is not None

    await adapter.stop()
    await adapter.stop()  # stopping twice is harmless
    assert not adapter.running
    assert fake_discord.gateway_sessions == 0
    with pytest.raises(RuntimeError):
        _ = adapter.sender


async def test_fixed_shard_count_uses_the_default_gateway(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> None:
    adapter = discord_adapter_factory(shard_count=1)
    await adapter.start(RecordingHandler())

    assert not fake_discord.calls_to("GET /gateway/bot")
    assert fake_discord.gateway_sessions == 1


async def test_handler_failure_does_not_stop_later_events(
    fake_discord: FakeDiscord,
    discord_server: TestServer,
    discord_adapter_factory: AdapterFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def explode_on_boom(event: Event, _sender: ReplySender) -> None:
        if _text(event) == "boom":
            raise ValueError("handler exploded")

    handler = RecordingHandler(explode_on_boom)
    adapter = discord_adapter_factory()
    await adapter.start(handler)

    with caplog.at_level(logging.ERROR, logger="adapters.discord"):
        boom = await fake_discord.post_message(discord_server.general, discord_server.alice, "boom")
        await fake_discord.post_message(discord_server.general, discord_server.alice, "still here")
        events = await handler.wait_for(2)

    assert [_text(e) for e in events] == ["boom", "still here"]
    failures = [r for r in caplog.records if r.exc_info and "handler failed" in r.getMessage()]
    assert len(failures) == 1
    assert boom["id"] in failures[0].getMessage()
    assert str(discord_server.general) in failures[0].getMessage()
    assert adapter.running


async def test_messages_wait_in_order_while_storage_is_down(
    fake_discord: FakeDiscord,
    discord_server: TestServer,
    discord_adapter_factory: AdapterFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    down_for = 3

    async def storage_down(event: Event, _sender: ReplySender) -> None:
        nonlocal down_for
        if down_for > 0:
            down_for -= 1
            raise StoreUnavailable("database is restarting")

    handler = RecordingHandler(storage_down)
    adapter = discord_adapter_factory()
    await adapter.start(handler)

    with caplog.at_level(logging.ERROR, logger="adapters.discord"):
        await fake_discord.post_message(discord_server.general, discord_server.alice, "first")
        await fake_discord.post_message(discord_server.general, discord_server.alice, "second")
        events = await handler.wait_for(5, timeout=15)

    # "first" is handed over until storage takes it, and only then "second".
    assert [_text(e) for e in events] == ["first"] * 4 + ["second"]
    errors = [r for r in caplog.records if "storage is unavailable" in r.getMessage()]
    assert len(errors) == 1


async def test_refused_intents_fail_fast_with_instructions(
    fake_discord: FakeDiscord,
    discord_server: TestServer,
    discord_adapter_factory: AdapterFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_discord.close_on_identify = 4014
    adapter = discord_adapter_factory(ready_timeout=20.0)
    started = time.monotonic()

    with pytest.raises(DiscordIntentsError, match="Message Content Intent"):
        await adapter.start(RecordingHandler())

    assert time.monotonic() - started < 5
    assert not adapter.running
    assert any(
        r.levelno >= logging.WARNING and "Privileged Gateway Intents" in r.getMessage()
        for r in caplog.records
    )


async def test_disabled_content_intent_is_reported_at_start(
    fake_discord: FakeDiscord,
    discord_server: TestServer,
    discord_adapter_factory: AdapterFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_discord.application_flags = 0  # a new application: no privileged intent enabled
    adapter = discord_adapter_factory()

    # Discord then refuses the intent with 4014.
    with (
        caplog.at_level(logging.WARNING, logger="adapters.discord"),
        pytest.raises(DiscordIntentsError),
    ):
        await adapter.start(RecordingHandler())

    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any(
        "Message Content intent is not enabled" in r.getMessage()
        and "Developer Portal -> your application -> Bot -> Privileged Gateway Intents "
        "-> Message Content Intent"
        in r.getMessage()
        for r in warnings
    )
    assert any(
        "Server Members intent is not enabled" in r.getMessage()
        and "Privileged Gateway Intents -> Server Members Intent" in r.getMessage()
        for r in warnings
    )


async def test_only_the_missing_intent_is_reported(
    fake_discord: FakeDiscord,
    discord_server: TestServer,
    discord_adapter_factory: AdapterFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_discord.application_flags = FLAG_GATEWAY_GUILD_MEMBERS_LIMITED  # content intent off
    fake_discord.enforce_privileged_intents = False
    adapter = discord_adapter_factory()

    with caplog.at_level(logging.WARNING, logger="adapters.discord"):
        await adapter.start(RecordingHandler())

    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("Message Content intent is not enabled" in m for m in messages)
    assert not any("Server Members intent" in m for m in messages)


async def test_messages_without_content_trigger_one_warning(
    fake_discord: FakeDiscord,
    discord_server: TestServer,
    discord_adapter_factory: AdapterFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    handler = RecordingHandler()
    adapter = discord_adapter_factory()
    await adapter.start(handler)

    with caplog.at_level(logging.WARNING, logger="adapters.discord"):
        # What Discord sends when the Message Content intent is off: no text, nothing else.
        await fake_discord.post_message(discord_server.general, discord_server.alice, "")
        await fake_discord.post_message(discord_server.lounge, discord_server.bob, "")
        await fake_discord.post_message(discord_server.lounge, discord_server.bob, "visible")
        await handler.wait_for(1)

    warnings = [
        r for r in caplog.records if "Message Content intent looks disabled" in r.getMessage()
    ]
    assert len(warnings) == 1
    assert "Privileged Gateway Intents -> Message Content Intent" in warnings[0].getMessage()
    assert [_text(e) for e in handler.events] == ["visible"]


async def test_running_without_privileged_intents(
    fake_discord: FakeDiscord,
    discord_server: TestServer,
    discord_adapter_factory: AdapterFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_discord.application_flags = 0
    adapter = discord_adapter_factory(message_content_intent=False, members_intent=False)

    with caplog.at_level(logging.WARNING, logger="adapters.discord"):
        await adapter.start(RecordingHandler())

    [identify] = fake_discord.identify_payloads
    assert not identify["intents"] & (INTENT_MESSAGE_CONTENT | INTENT_GUILD_MEMBERS)
    assert any("without the Message Content intent" in r.getMessage() for r in caplog.records)
    assert adapter.running


async def test_no_ready_is_a_clear_timeout(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> None:
    fake_discord.answer_identify = False
    adapter = discord_adapter_factory(ready_timeout=0.5)

    with pytest.raises(DiscordStartError, match=r"not ready within 0\.5s"):
        await adapter.start(RecordingHandler())
    assert not adapter.running


async def test_wrong_token_fails_to_start(
    fake_discord: FakeDiscord, discord_adapter_factory: AdapterFactory
) -> None:
    adapter = discord_adapter_factory(token="not-the-token")

    with pytest.raises(discord.LoginFailure):
        await adapter.start(RecordingHandler())
    assert not adapter.running
    assert fake_discord.application_flags == DEFAULT_APP_FLAGS


async def test_restart_after_stop(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> None:
    adapter = discord_adapter_factory()
    await adapter.start(RecordingHandler())
    await adapter.stop()

    handler = RecordingHandler()
    await adapter.start(handler)
    await fake_discord.post_message(discord_server.general, discord_server.bob, "back again")
    assert [_text(e) for e in await handler.wait_for(1)] == ["back again"]
