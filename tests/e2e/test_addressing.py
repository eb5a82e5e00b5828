"""On every platform, what is said to Hearth reaches the application marked as such.

The platform drivers post over the wire to each fake; a recording handler stands in for
the application and answers what is addressed to Hearth, so that members can reply to it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.model import ChatKind, Event, Message, OutgoingReply, Platform
from adapters.ports import ReplySender
from tests.e2e.platform_drivers import DiscordDriver, Driver, TelegramDriver
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.discord_fixtures import AdapterFactory as DiscordAdapterFactory
from tests.fakes.discord_fixtures import TestServer
from tests.fakes.recording_handler import RecordingHandler
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_fixtures import AdapterFactory as TelegramAdapterFactory

pytestmark = pytest.mark.wire


async def _answer_when_addressed(event: Event, sender: ReplySender) -> None:
    if isinstance(event, Message) and event.addressed_to_hearth and event.chat.is_group:
        await sender.send(
            OutgoingReply(event.chat, f"Heard: {event.text}", event.platform_message_id)
        )


@pytest.fixture(params=[Platform.TELEGRAM, Platform.DISCORD], ids=["telegram", "discord"])
async def platform(
    request: pytest.FixtureRequest,
    fake_telegram: FakeTelegramApi,
    telegram_adapter_factory: TelegramAdapterFactory,
    fake_discord: FakeDiscord,
    discord_server: TestServer,
    discord_adapter_factory: DiscordAdapterFactory,
) -> AsyncIterator[tuple[Driver, RecordingHandler]]:
    """A driver for one platform, and the handler its adapter delivers to."""
    handler = RecordingHandler(_answer_when_addressed)
    driver: Driver
    if request.param is Platform.TELEGRAM:
        driver = TelegramDriver(fake_telegram)
        await telegram_adapter_factory().start(handler)
    else:
        driver = DiscordDriver(fake_discord, discord_server)
        await discord_adapter_factory().start(handler)
    yield driver, handler


async def _delivered(handler: RecordingHandler, message_id: str) -> Message:
    for _ in range(100):
        for event in await handler.settle(0.05):
            if isinstance(event, Message) and event.platform_message_id == message_id:
                return event
    raise AssertionError(f"message {message_id} never reached the application")


async def test_what_is_said_to_hearth_arrives_marked(
    platform: tuple[Driver, RecordingHandler],
) -> None:
    driver, handler = platform

    asked = await _delivered(handler, await driver.post_to_hearth("alice", "what did I miss?"))
    [answer] = await driver.replies(1)
    followed_up = await _delivered(handler, await driver.reply_to_hearth("bob", "and Friday?"))
    chinese = await _delivered(
        handler, await driver.post_to_hearth("carol", "周五聚餐定了吗", at_end=True)
    )
    private = await _delivered(handler, await driver.post_privately("alice", "what did I miss?"))

    assert asked.addressed_to_hearth
    assert asked.text == "what did I miss?"
    assert asked.mentions == ()
    assert answer.text == "Heard: what did I miss?"
    assert followed_up.addressed_to_hearth
    assert followed_up.text == "and Friday?"
    assert followed_up.reply_to_member is not None
    assert followed_up.reply_to_member.is_bot
    assert chinese.addressed_to_hearth
    assert chinese.text == "周五聚餐定了吗"
    assert private.addressed_to_hearth
    assert private.chat.kind is ChatKind.PRIVATE
    assert driver.reply_count() == 3  # the private message is not answered here


async def test_ordinary_messages_and_mentions_of_members_are_not_for_hearth(
    platform: tuple[Driver, RecordingHandler],
) -> None:
    driver, handler = platform

    plain = await _delivered(handler, await driver.post("alice", "who here knows Rust?"))
    to_bob = await _delivered(
        handler, await driver.post("alice", "do you know Rust?", mention="bob")
    )

    assert not plain.addressed_to_hearth
    assert not to_bob.addressed_to_hearth
    assert len(to_bob.mentions) == 1
    assert driver.reply_count() == 0
