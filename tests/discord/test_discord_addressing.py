"""Messages said to Hearth itself arrive marked, over the gateway from the fake Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from adapters.discord import DiscordAdapter
from adapters.model import ChatKind, Member, Mention, Message, OutgoingReply, Platform
from tests.fakes.discord_api import FakeDiscord, make_user, snowflake, user_mention
from tests.fakes.discord_fixtures import AdapterFactory, TestServer
from tests.fakes.recording_handler import RecordingHandler

pytestmark = pytest.mark.wire


@dataclass
class Running:
    fake: FakeDiscord
    server: TestServer
    adapter: DiscordAdapter
    handler: RecordingHandler

    @property
    def hearth(self) -> dict[str, Any]:
        return self.fake.bot_user

    async def post(
        self,
        author: dict[str, Any],
        text: str,
        *,
        mentions: tuple[dict[str, Any], ...] = (),
        reply_to: dict[str, Any] | None = None,
    ) -> Message:
        before = len(self.handler.events)
        await self.fake.post_message(
            self.server.general, author, text, mentions=mentions, reply_to=reply_to
        )
        [event] = (await self.handler.wait_for(before + 1))[before:]
        assert isinstance(event, Message)
        return event


@pytest.fixture
async def running(
    fake_discord: FakeDiscord,
    discord_server: TestServer,
    discord_adapter_factory: AdapterFactory,
) -> AsyncIterator[Running]:
    handler = RecordingHandler()
    adapter = discord_adapter_factory()
    await adapter.start(handler)
    yield Running(fake_discord, discord_server, adapter, handler)


def _bob(server: TestServer) -> Member:
    return Member(Platform.DISCORD, server.bob["id"], "Bob", username="bob.b")


async def test_leading_mention_addresses_hearth_and_leaves_the_text(running: Running) -> None:
    hearth = running.hearth
    event = await running.post(
        running.server.alice, f"{user_mention(hearth)} what did I miss?", mentions=(hearth,)
    )

    assert event.addressed_to_hearth
    assert event.text == "what did I miss?"
    assert event.mentions == ()


async def test_nickname_form_at_the_end(running: Running) -> None:
    hearth = running.hearth
    text = f"周五聚餐定了吗 {user_mention(hearth, nickname_form=True)}"
    event = await running.post(running.server.bob, text, mentions=(hearth,))

    assert event.addressed_to_hearth
    assert event.text == "周五聚餐定了吗"


async def test_mention_inside_a_sentence_reads_as_the_bot_name(running: Running) -> None:
    hearth, server = running.hearth, running.server
    text = f"{user_mention(server.bob)} ask {user_mention(hearth)} who here knows Rust"
    event = await running.post(server.alice, text, mentions=(server.bob, hearth))

    assert event.addressed_to_hearth
    assert event.text == "@bob.b ask @Hearth who here knows Rust"
    assert event.mentions == (Mention(member=_bob(server)),)


async def test_only_the_mention_keeps_it_as_text(running: Running) -> None:
    hearth = running.hearth
    event = await running.post(running.server.alice, user_mention(hearth), mentions=(hearth,))

    assert event.addressed_to_hearth
    assert event.text == "@Hearth"


async def test_reply_to_a_message_hearth_sent(running: Running) -> None:
    server = running.server
    asked = await running.post(
        server.alice, f"{user_mention(running.hearth)} what did I miss?", mentions=(running.hearth,)
    )
    sent = await running.adapter.sender.send(
        OutgoingReply(
            asked.chat, "Bob planned a hike.", reply_to_message_id=asked.platform_message_id
        )
    )
    [hearth_said] = running.fake.sent_messages
    # Discord lists the replied-to author among the mentions when the reply pings them.
    event = await running.post(
        server.bob, "which trail?", reply_to=hearth_said.message, mentions=(running.hearth,)
    )

    assert event.addressed_to_hearth
    assert event.text == "which trail?"
    assert event.reply_to_message_id == sent.platform_message_id
    assert event.reply_to_member == running.adapter.bot_member
    assert event.mentions == ()


async def test_direct_message_addresses_hearth(running: Running) -> None:
    before = len(running.handler.events)
    await running.fake.post_dm(running.server.alice, "what did I miss?")
    [event] = (await running.handler.wait_for(before + 1))[before:]

    assert isinstance(event, Message)
    assert event.chat.kind is ChatKind.PRIVATE
    assert event.addressed_to_hearth
    assert event.text == "what did I miss?"


async def test_ordinary_messages_and_other_members_do_not_address_hearth(
    running: Running,
) -> None:
    server = running.server
    weather = make_user(snowflake(), "weather", global_name="Weather", bot=True)
    plain = await running.post(server.alice, "who here knows Rust?")
    person = await running.post(
        server.alice, f"{user_mention(server.bob)} do you know Rust?", mentions=(server.bob,)
    )
    other_bot = await running.post(
        server.alice, f"{user_mention(weather)} Friday?", mentions=(weather,)
    )
    before = len(running.handler.events)
    weather_said = await running.fake.post_message(server.general, weather, "Sunny on Friday")
    await running.handler.wait_for(before + 1)
    reply_to_bot = await running.post(server.bob, "thanks", reply_to=weather_said)
    named = await running.post(server.bob, "hearth is a nice name, @Hearth too")

    for event in (plain, person, other_bot, reply_to_bot, named):
        assert not event.addressed_to_hearth, event.text
    assert person.text == "@bob.b do you know Rust?"
    assert person.mentions == (Mention(member=_bob(server)),)
    assert other_bot.text == "@weather Friday?"
