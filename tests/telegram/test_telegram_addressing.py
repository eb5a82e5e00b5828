"""Messages said to Hearth itself arrive marked, over the wire from the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from adapters.model import ChatKind, Command, Event, Mention, Message, OutgoingReply
from adapters.telegram import TelegramAdapter
from tests.fakes.recording_handler import RecordingHandler
from tests.fakes.telegram_api import (
    FakeTelegramApi,
    edited_message_update,
    make_chat,
    make_message,
    make_user,
    message_update,
    private_chat,
)
from tests.fakes.telegram_fixtures import AdapterFactory

pytestmark = pytest.mark.wire

ALICE = make_user(601, "Alice", username="alice_l")
BOB = make_user(602, "Bob", username="bobby_b")
OTHER_BOT = make_user(699, "Weather", username="WeatherBot", is_bot=True)
GROUP = make_chat(-1001234500000, title="Hikers")


@dataclass
class Running:
    api: FakeTelegramApi
    adapter: TelegramAdapter
    handler: RecordingHandler

    async def deliver(self, message: dict[str, object]) -> Event:
        before = len(self.handler.events)
        self.api.push_update(message_update(message))
        events = await self.handler.wait_for(before + 1)
        [event] = events[before:]
        return event

    async def message(self, message: dict[str, object]) -> Message:
        event = await self.deliver(message)
        assert isinstance(event, Message)
        return event


@pytest.fixture
async def running(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> AsyncIterator[Running]:
    handler = RecordingHandler()
    adapter = telegram_adapter_factory()
    await adapter.start(handler)
    yield Running(fake_telegram, adapter, handler)


async def test_leading_mention_addresses_hearth_and_leaves_the_text(running: Running) -> None:
    event = await running.message(make_message(GROUP, ALICE, "@HearthBot what did I miss?"))

    assert event.addressed_to_hearth
    assert event.text == "what did I miss?"
    assert event.mentions == ()


async def test_mention_in_any_case_and_at_the_end(running: Running) -> None:
    event = await running.message(make_message(GROUP, BOB, "周五聚餐定了吗 @hearthbot"))

    assert event.addressed_to_hearth
    assert event.text == "周五聚餐定了吗"
    assert event.mentions == ()


async def test_mention_inside_a_sentence_stays_and_others_are_kept(running: Running) -> None:
    text = "🎉 @bobby_b, ask @HearthBot who here knows Rust"
    event = await running.message(make_message(GROUP, ALICE, text))

    assert event.addressed_to_hearth
    assert event.text == text
    assert event.mentions == (Mention(username="bobby_b"),)


async def test_text_mention_of_the_bot_after_emoji(running: Running) -> None:
    text = "👩‍👩‍👧 Hearth, who is coming on Friday?"
    raw = make_message(GROUP, ALICE, text, text_mentions={"Hearth": running.api.bot_user})
    event = await running.message(raw)

    assert event.addressed_to_hearth
    assert event.text == "👩‍👩‍👧 Hearth, who is coming on Friday?"  # not at the start
    leading = make_message(
        GROUP, ALICE, "Hearth, who is coming?", text_mentions={"Hearth": running.api.bot_user}
    )
    event = await running.message(leading)
    assert event.addressed_to_hearth
    assert event.text == "who is coming?"
    assert event.mentions == ()


async def test_caption_mention_addresses_hearth(running: Running) -> None:
    event = await running.message(make_message(GROUP, ALICE, caption="@HearthBot where is this?"))

    assert event.addressed_to_hearth
    assert event.text == "where is this?"


async def test_reply_to_a_message_hearth_sent(running: Running) -> None:
    asked = await running.message(make_message(GROUP, ALICE, "@HearthBot what did I miss?"))
    sent = await running.adapter.sender.send(
        OutgoingReply(
            asked.chat, "Bob planned a hike.", reply_to_message_id=asked.platform_message_id
        )
    )
    [hearth_said] = running.api.sent_messages
    event = await running.message(
        make_message(GROUP, BOB, "which trail?", reply_to=hearth_said.message)
    )

    assert event.addressed_to_hearth
    assert event.text == "which trail?"
    assert event.reply_to_message_id == sent.platform_message_id
    assert event.reply_to_member == running.adapter.bot_member


async def test_private_chat_with_hearth(running: Running) -> None:
    event = await running.message(make_message(private_chat(ALICE), ALICE, "what did I miss?"))

    assert event.chat.kind is ChatKind.PRIVATE
    assert event.addressed_to_hearth
    assert event.text == "what did I miss?"


async def test_ordinary_messages_and_other_members_do_not_address_hearth(
    running: Running,
) -> None:
    plain = await running.message(make_message(GROUP, ALICE, "who here knows Rust?"))
    person = await running.message(make_message(GROUP, ALICE, "@bobby_b do you know Rust?"))
    other_bot = await running.message(make_message(GROUP, ALICE, "@WeatherBot Friday?"))
    reply_to_bot = await running.message(
        make_message(
            GROUP, BOB, "thanks", reply_to=make_message(GROUP, OTHER_BOT, "Sunny on Friday")
        )
    )
    reply_to_person = await running.message(
        make_message(GROUP, BOB, "me too", reply_to=make_message(GROUP, ALICE, "I'm in"))
    )
    longer_name = await running.message(make_message(GROUP, ALICE, "@HearthBotFan hello"))

    for event in (plain, person, other_bot, reply_to_bot, reply_to_person, longer_name):
        assert not event.addressed_to_hearth, event.text
    assert person.text == "@bobby_b do you know Rust?"
    assert person.mentions == (Mention(username="bobby_b"),)
    assert other_bot.mentions == (Mention(username="WeatherBot"),)


async def test_commands_stay_commands(running: Running) -> None:
    command = await running.deliver(make_message(GROUP, ALICE, "/digest@HearthBot now"))

    assert isinstance(command, Command)
    assert command.name == "digest"
    assert command.args == ("now",)


async def test_edited_mention_is_still_addressed(running: Running) -> None:
    raw = make_message(GROUP, ALICE, "@HearthBot what did I miss?")
    await running.message(raw)
    before = len(running.handler.events)
    running.api.push_update(edited_message_update(raw, text="@HearthBot what did I miss today?"))
    [edited] = (await running.handler.wait_for(before + 1))[before:]

    assert isinstance(edited, Message)
    assert edited.addressed_to_hearth
    assert edited.text == "what did I miss today?"
    assert edited.edited_at is not None
