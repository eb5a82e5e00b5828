"""Inline keyboards over the wire: buttons go out as callback data, presses come back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from adapters.model import (
    Button,
    Chat,
    ChatKind,
    Command,
    Event,
    Member,
    Message,
    OutgoingReply,
    Platform,
)
from adapters.ports import DeliveryError, ReplySender
from adapters.telegram import TelegramAdapter
from adapters.telegram.reply_sender import ButtonTooLong, inline_keyboard
from adapters.telegram.telegram_adapter import STALE_BUTTON_ANSWER
from tests.fakes.recording_handler import RecordingHandler
from tests.fakes.telegram_api import (
    FakeTelegramApi,
    SentMessage,
    callback_query_update,
    make_chat,
    make_message,
    make_user,
    message_update,
)
from tests.fakes.telegram_fixtures import AdapterFactory

pytestmark = pytest.mark.wire

ALICE = make_user(701, "Alice", username="alice_b")
BOB = make_user(702, "Bob", username="bob_b")
GROUP = make_chat(-1007770001111, title="Garden Club")
CHAT = Chat(Platform.TELEGRAM, str(GROUP["id"]), ChatKind.GROUP, "Garden Club")
ALICE_MEMBER = Member(Platform.TELEGRAM, str(ALICE["id"]), "Alice", username="alice_b")
COMMANDS = (("settings", "Chat settings"), ("digest", "Digests"), ("twin", "Your twin"))
KEYBOARD = (
    (Button("Twins off", "/settings twins off"),),
    (Button("Digest off", "/digest off"), Button("Digest status", "/digest status")),
)


@dataclass
class Running:
    api: FakeTelegramApi
    adapter: TelegramAdapter
    handler: RecordingHandler

    async def keyboard_message(self) -> SentMessage:
        """Post a message in the group and send a reply with ``KEYBOARD`` under it."""
        self.api.push_update(message_update(make_message(GROUP, ALICE, "hello")))
        await self.handler.wait_for(len(self.handler.events) + 1)
        await self.adapter.sender.send(OutgoingReply(CHAT, "Settings:", buttons=KEYBOARD))
        return self.api.sent_messages[-1]

    async def press(self, message: SentMessage, user: dict[str, Any], data: str | None) -> str:
        """Press a button with ``data`` under ``message``; returns the query id."""
        update = callback_query_update(message.message, user, data)
        self.api.push_update(update)
        return str(update["callback_query"]["id"])


@pytest.fixture
async def running(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> AsyncIterator[Running]:
    handler = RecordingHandler()
    adapter = telegram_adapter_factory(bot_commands=COMMANDS, admin_commands=["settings"])
    await adapter.start(handler)
    yield Running(fake_telegram, adapter, handler)


async def test_buttons_go_out_as_an_inline_keyboard(running: Running) -> None:
    sent = await running.keyboard_message()

    assert sent.text == "Settings:"
    assert sent.buttons == [
        [("Twins off", "/settings twins off")],
        [("Digest off", "/digest off"), ("Digest status", "/digest status")],
    ]
    assert sent.message["reply_markup"] == sent.reply_markup
    poll = running.api.calls_to("getUpdates")[-1]
    assert "callback_query" in poll.params["allowed_updates"]


async def test_split_reply_carries_the_keyboard_on_its_last_part(
    fake_telegram: FakeTelegramApi, running: Running
) -> None:
    await running.keyboard_message()
    await running.adapter.sender.send(OutgoingReply(CHAT, "word " * 1500, buttons=KEYBOARD))

    first, last = fake_telegram.sent_messages[-2:]
    assert first.reply_markup is None
    assert last.buttons[0] == [("Twins off", "/settings twins off")]


async def test_over_long_button_command_is_refused_before_sending(
    fake_telegram: FakeTelegramApi, running: Running
) -> None:
    await running.keyboard_message()
    before = len(fake_telegram.calls_to("sendMessage"))
    too_long = Button("Long", "/settings " + "é" * 28)  # 10 + 56 = 66 bytes, 38 characters

    with pytest.raises(ButtonTooLong, match="66 bytes, Telegram allows at most 64") as refused:
        await running.adapter.sender.send(OutgoingReply(CHAT, "text", buttons=((too_long,),)))

    assert isinstance(refused.value, DeliveryError)
    assert len(fake_telegram.calls_to("sendMessage")) == before
    exactly = Button("Fits", "/settings " + "é" * 27)  # 64 bytes
    assert inline_keyboard(((exactly,),)) is not None


async def test_a_press_is_the_command_typing_it_would_give(
    fake_telegram: FakeTelegramApi, running: Running
) -> None:
    fake_telegram.set_member_status(GROUP, BOB, "administrator")
    keyboard = await running.keyboard_message()
    fake_telegram.push_update(message_update(make_message(GROUP, BOB, "/settings twins off")))
    [typed] = (await running.handler.wait_for(2))[1:]

    query_id = await running.press(keyboard, BOB, "/settings twins off")
    [pressed] = (await running.handler.wait_for(3))[2:]

    assert isinstance(typed, Command) and isinstance(pressed, Command)
    assert (pressed.name, pressed.args, pressed.raw_text) == (
        "settings",
        ("twins", "off"),
        typed.raw_text,
    )
    assert pressed.chat == typed.chat == CHAT
    assert pressed.sender == typed.sender
    assert pressed.sender.platform_user_id == str(BOB["id"])
    assert pressed.sender_is_admin is True and typed.sender_is_admin is True
    assert pressed.platform_message_id == str(keyboard.message_id)
    answer = await fake_telegram.wait_for_callback_answer(query_id)
    assert answer.get("text") is None


async def test_a_member_pressing_an_admin_button_is_not_an_admin(
    fake_telegram: FakeTelegramApi, running: Running
) -> None:
    fake_telegram.set_member_status(GROUP, BOB, "member")
    keyboard = await running.keyboard_message()

    query_id = await running.press(keyboard, BOB, "/settings@HearthBot twins off")
    [pressed] = (await running.handler.wait_for(2))[1:]

    assert isinstance(pressed, Command)
    assert pressed.name == "settings" and pressed.args == ("twins", "off")
    assert pressed.sender_is_admin is False
    get_member = fake_telegram.calls_to("getChatMember")[-1]
    assert get_member.params["user_id"] == BOB["id"]
    await fake_telegram.wait_for_callback_answer(query_id)


@pytest.mark.parametrize(
    "data",
    [
        "garbage",
        "",
        None,
        "/",
        "/nosuchcommand on",
        "/settings@OtherBot twins off",
        "settings twins off",
        " /settings twins off",
        "/settings-twins off",
    ],
)
async def test_forged_button_data_is_answered_and_changes_nothing(
    fake_telegram: FakeTelegramApi, running: Running, data: str | None
) -> None:
    keyboard = await running.keyboard_message()
    before = len(running.handler.events)
    sends = len(fake_telegram.calls_to("sendMessage"))

    query_id = await running.press(keyboard, BOB, data)
    answer = await fake_telegram.wait_for_callback_answer(query_id)
    fake_telegram.push_update(message_update(make_message(GROUP, BOB, "marker")))
    events = await running.handler.wait_for(before + 1)

    assert answer["text"] == STALE_BUTTON_ANSWER
    assert len(events) == before + 1
    assert isinstance(events[-1], Message) and events[-1].text == "marker"
    assert len(fake_telegram.calls_to("sendMessage")) == sends


async def test_a_press_is_answered_when_the_handler_fails(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> None:
    async def explode(event: Event, _sender: ReplySender) -> None:
        if isinstance(event, Command):
            raise RuntimeError("handler failed")

    handler = RecordingHandler(explode)
    adapter = telegram_adapter_factory(bot_commands=COMMANDS)
    await adapter.start(handler)
    fake_telegram.push_update(message_update(make_message(GROUP, ALICE, "hello")))
    await handler.wait_for(1)
    await adapter.sender.send(OutgoingReply(CHAT, "Settings:", buttons=KEYBOARD))
    keyboard = fake_telegram.sent_messages[-1]

    first = callback_query_update(keyboard.message, ALICE, "/digest status")
    second = callback_query_update(keyboard.message, ALICE, "/digest off")
    fake_telegram.push_update(first)
    fake_telegram.push_update(second)

    events = await handler.wait_for(3)
    assert [e.args for e in events[1:] if isinstance(e, Command)] == [("status",), ("off",)]
    for update in (first, second):
        answer = await fake_telegram.wait_for_callback_answer(update["callback_query"]["id"])
        assert answer.get("text") is None


async def test_private_reply_keeps_its_buttons_and_the_fallback_note_has_none(
    fake_telegram: FakeTelegramApi, running: Running
) -> None:
    await running.keyboard_message()
    private = OutgoingReply(
        CHAT, "Only for you", private=True, recipient=ALICE_MEMBER, buttons=KEYBOARD
    )

    await running.adapter.sender.send(private)
    note = fake_telegram.sent_messages[-1]
    assert note.chat_id == GROUP["id"] and "couldn't message you privately" in note.text
    assert note.reply_markup is None

    fake_telegram.allow_private(int(ALICE["id"]))
    await running.adapter.sender.send(private)
    direct = fake_telegram.sent_messages[-1]
    assert direct.chat_id == ALICE["id"] and direct.text == "Only for you"
    assert direct.buttons[1][1] == ("Digest status", "/digest status")
