"""Replies go out through the real Bot API client: threading, splitting, retries, privacy."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

import pytest

from adapters.model import (
    Chat,
    ChatKind,
    Event,
    Member,
    Message,
    OutgoingReply,
    Platform,
)
from adapters.ports import DeliveryError, ReplySender
from adapters.telegram import TelegramAdapter, utf16_length
from tests.fakes.recording_handler import RecordingHandler
from tests.fakes.telegram_api import (
    FakeTelegramApi,
    make_chat,
    make_message,
    make_user,
    message_update,
)
from tests.fakes.telegram_fixtures import AdapterFactory

pytestmark = pytest.mark.wire

ALICE = make_user(601, "Alice", username="alice_l")
GROUP = make_chat(-1005550001111, title="Reading Room")
CHAT = Chat(Platform.TELEGRAM, str(GROUP["id"]), ChatKind.GROUP, "Reading Room")
ALICE_MEMBER = Member(Platform.TELEGRAM, "601", "Alice", username="alice_l")


@pytest.fixture
async def adapter(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> AsyncIterator[TelegramAdapter]:
    running = telegram_adapter_factory()
    await running.start(RecordingHandler())
    yield running


async def _seed(api: FakeTelegramApi, adapter: TelegramAdapter, text: str = "hi") -> int:
    """Post a group message (so the fake knows the chat) and wait until it was handled."""
    raw = make_message(GROUP, ALICE, text)
    api.push_update(message_update(raw))
    await api.wait_for_call("getUpdates", count=2)
    return int(raw["message_id"])


async def test_handler_reply_is_threaded_plain_text(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> None:
    async def answer(event: Event, sender: ReplySender) -> None:
        if isinstance(event, Message):
            await sender.send(
                OutgoingReply(
                    chat=event.chat,
                    text="<b>not bold</b> *nor this*",
                    reply_to_message_id=event.platform_message_id,
                    label="🪞 Alice's twin",
                )
            )

    adapter = telegram_adapter_factory()
    await adapter.start(RecordingHandler(answer))
    raw = make_message(GROUP, ALICE, "what would I say?")
    fake_telegram.push_update(message_update(raw))

    [sent] = await fake_telegram.wait_for_sent(1)
    assert sent.chat_id == GROUP["id"]
    assert sent.text == "🪞 Alice's twin\n<b>not bold</b> *nor this*"
    assert sent.reply_to_message_id == raw["message_id"]
    assert "parse_mode" not in sent.params
    assert sent.params["reply_parameters"] == {
        "message_id": raw["message_id"],
        "allow_sending_without_reply": True,
    }
    assert sent.params["link_preview_options"] == {"is_disabled": True}


async def test_send_returns_platform_message_id(
    fake_telegram: FakeTelegramApi, adapter: TelegramAdapter
) -> None:
    await _seed(fake_telegram, adapter)
    result = await adapter.sender.send(OutgoingReply(chat=CHAT, text="hello"))

    [sent] = fake_telegram.sent_messages
    assert result.platform_message_id == str(sent.message_id)
    assert result.sent_at.tzinfo is not None
    assert sent.reply_to_message_id is None


async def test_reply_to_deleted_message_still_arrives(
    fake_telegram: FakeTelegramApi, adapter: TelegramAdapter
) -> None:
    message_id = await _seed(fake_telegram, adapter)
    fake_telegram.delete_message(int(GROUP["id"]), message_id)

    await adapter.sender.send(
        OutgoingReply(chat=CHAT, text="still here", reply_to_message_id=str(message_id))
    )

    [sent] = fake_telegram.sent_messages
    assert sent.text == "still here"
    assert sent.reply_to_message_id is None


async def test_rate_limited_reply_is_retried_and_arrives_once(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> None:
    async def answer(event: Event, sender: ReplySender) -> None:
        if isinstance(event, Message):
            await sender.send(
                OutgoingReply(event.chat, "answer", reply_to_message_id=event.platform_message_id)
            )

    adapter = telegram_adapter_factory()
    await adapter.start(RecordingHandler(answer))
    fake_telegram.inject_rate_limit(count=1, retry_after=1)
    started = time.monotonic()
    fake_telegram.push_update(message_update(make_message(GROUP, ALICE, "question")))

    [sent] = await fake_telegram.wait_for_sent(1, timeout=10)
    waited = time.monotonic() - started
    assert sent.text == "answer"
    assert waited >= 1.0
    assert len(fake_telegram.calls_to("sendMessage")) == 2

    # Nothing else trickles in later.
    fake_telegram.push_update(message_update(make_message(GROUP, ALICE, "second")))
    await fake_telegram.wait_for_sent(2)
    assert [m.text for m in fake_telegram.sent_messages] == ["answer", "answer"]
    assert len(fake_telegram.calls_to("sendMessage")) == 3


async def test_rate_limit_beyond_retries_raises_delivery_error(
    fake_telegram: FakeTelegramApi,
    telegram_adapter_factory: AdapterFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    adapter = telegram_adapter_factory(max_rate_limit_retries=1)
    await adapter.start(RecordingHandler())
    await _seed(fake_telegram, adapter)
    fake_telegram.inject_rate_limit(count=2, retry_after=1)

    with caplog.at_level(logging.ERROR), pytest.raises(DeliveryError):
        await adapter.sender.send(OutgoingReply(chat=CHAT, text="too eager"))

    assert fake_telegram.sent_messages == []
    assert len(fake_telegram.calls_to("sendMessage")) == 2
    assert any("could not be delivered" in r.getMessage() for r in caplog.records)


async def test_transient_network_error_is_retried(
    fake_telegram: FakeTelegramApi, adapter: TelegramAdapter
) -> None:
    await _seed(fake_telegram, adapter)
    fake_telegram.inject_error("sendMessage", 2, 502, "Bad Gateway")

    await adapter.sender.send(OutgoingReply(chat=CHAT, text="eventually"))

    assert [m.text for m in fake_telegram.sent_messages] == ["eventually"]
    assert len(fake_telegram.calls_to("sendMessage")) == 3


async def test_bad_request_is_not_retried(
    adapter: TelegramAdapter, fake_telegram: FakeTelegramApi
) -> None:
    unknown = Chat(Platform.TELEGRAM, "-100999", ChatKind.GROUP)

    with pytest.raises(DeliveryError, match=r"(?i)chat not found"):
        await adapter.sender.send(OutgoingReply(chat=unknown, text="anyone?"))

    assert len(fake_telegram.calls_to("sendMessage")) == 1


async def test_long_reply_is_split_on_paragraphs(
    fake_telegram: FakeTelegramApi, adapter: TelegramAdapter
) -> None:
    message_id = await _seed(fake_telegram, adapter)
    sentence = "😀 words and more words."
    paragraphs = [f"Paragraph {i}: " + " ".join([sentence] * 60) for i in range(8)]
    text = "\n\n".join(paragraphs)
    assert utf16_length(text) > 2 * 4096

    result = await adapter.sender.send(
        OutgoingReply(chat=CHAT, text=text, reply_to_message_id=str(message_id), label="Digest")
    )

    sent = fake_telegram.sent_messages
    assert len(sent) >= 3
    assert all(utf16_length(m.text) <= 4096 for m in sent)
    assert all(m.reply_to_message_id == message_id for m in sent)
    assert sent[0].text.startswith("Digest\nParagraph 0: ")
    # every cut falls between paragraphs and nothing is lost
    assert all(m.text.endswith(sentence) for m in sent)
    assert "\n\n".join(m.text for m in sent) == f"Digest\n{text}"
    assert result.platform_message_id == str(sent[0].message_id)


async def test_private_reply_goes_to_the_recipient(
    fake_telegram: FakeTelegramApi, adapter: TelegramAdapter
) -> None:
    message_id = await _seed(fake_telegram, adapter)
    fake_telegram.allow_private(601)

    await adapter.sender.send(
        OutgoingReply(
            chat=CHAT,
            text="only for you",
            reply_to_message_id=str(message_id),
            private=True,
            recipient=ALICE_MEMBER,
        )
    )

    [sent] = fake_telegram.sent_messages
    assert sent.chat_id == 601
    assert sent.text == "only for you"


async def test_private_reply_falls_back_to_a_note_in_the_group(
    fake_telegram: FakeTelegramApi, adapter: TelegramAdapter
) -> None:
    message_id = await _seed(fake_telegram, adapter)

    await adapter.sender.send(
        OutgoingReply(
            chat=CHAT,
            text="only for you",
            reply_to_message_id=str(message_id),
            private=True,
            recipient=ALICE_MEMBER,
        )
    )

    calls = fake_telegram.calls_to("sendMessage")
    assert [call.params["chat_id"] for call in calls] == [601, GROUP["id"]]
    [sent] = fake_telegram.sent_messages
    assert sent.chat_id == GROUP["id"]
    assert sent.reply_to_message_id == message_id
    assert "@alice_l" in sent.text
    assert "@HearthBot" in sent.text
    assert "only for you" not in sent.text  # private content never reaches the group


async def test_a_private_message_without_note_fails_quietly_when_dms_are_closed(
    fake_telegram: FakeTelegramApi, adapter: TelegramAdapter
) -> None:
    await _seed(fake_telegram, adapter)
    reply = OutgoingReply(
        chat=CHAT,
        text="your daily digest",
        private=True,
        recipient=ALICE_MEMBER,
        note_if_undeliverable=False,
    )
    with pytest.raises(DeliveryError):
        await adapter.sender.send(reply)
    assert fake_telegram.sent_messages == []  # no note in the group
    fake_telegram.allow_private(601)
    await adapter.sender.send(reply)
    assert [m.chat_id for m in fake_telegram.sent_messages] == [601]


async def test_a_message_is_edited_in_place(
    fake_telegram: FakeTelegramApi, adapter: TelegramAdapter
) -> None:
    await _seed(fake_telegram, adapter)
    sent = await adapter.sender.send(OutgoingReply(chat=CHAT, text="Reading… 10%"))
    assert sent.platform_message_id is not None

    assert await adapter.sender.edit(CHAT, sent.platform_message_id, "<b>Read</b> it all")
    assert await adapter.sender.edit(CHAT, sent.platform_message_id, "<b>Read</b> it all")

    assert len(fake_telegram.sent_messages) == 1  # no new message
    edited = (int(GROUP["id"]), int(sent.platform_message_id), "<b>Read</b> it all")
    assert fake_telegram.edited_messages == [edited]  # the same text again changes nothing
    call = next(c for c in fake_telegram.calls if c.method == "editMessageText")
    assert "parse_mode" not in call.params


async def test_an_edit_of_a_gone_or_foreign_message_is_refused(
    fake_telegram: FakeTelegramApi, adapter: TelegramAdapter
) -> None:
    theirs = await _seed(fake_telegram, adapter)
    sent = await adapter.sender.send(OutgoingReply(chat=CHAT, text="soon gone"))
    assert sent.platform_message_id is not None
    assert await adapter.sender.delete(CHAT, sent.platform_message_id)

    assert not await adapter.sender.edit(CHAT, sent.platform_message_id, "new text")
    assert not await adapter.sender.edit(CHAT, str(theirs), "new text")
    assert not await adapter.sender.edit(CHAT, "export:12", "new text")
    assert fake_telegram.edited_messages == []
