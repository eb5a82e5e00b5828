"""Starting, stopping, commands, the error boundary, webhooks and update confirmation."""

from __future__ import annotations

import logging

import pytest
from telegram.error import BadRequest, InvalidToken

from adapters.model import Event, Message
from adapters.ports import ReplySender
from tests.fakes.recording_handler import RecordingHandler
from tests.fakes.telegram_api import FakeTelegramApi, make_chat, make_message, make_user
from tests.fakes.telegram_api import message_update as update_for
from tests.fakes.telegram_fixtures import TEST_COMMANDS, AdapterFactory

pytestmark = pytest.mark.wire

ALICE = make_user(701, "Alice", username="alice_l")
GROUP = make_chat(-1007770001111, title="Garden Club")


def _text(event: Event) -> str:
    assert isinstance(event, Message)
    return event.text


async def test_start_registers_commands_and_identity(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> None:
    adapter = telegram_adapter_factory()
    await adapter.start(RecordingHandler())

    assert fake_telegram.commands == [
        {"command": name, "description": description} for name, description in TEST_COMMANDS
    ]
    methods = [call.method for call in fake_telegram.calls]
    assert methods.index("getMe") < methods.index("setMyCommands")
    assert adapter.identity.username == "HearthBot"
    assert adapter.identity.user_id == fake_telegram.bot_user["id"]
    assert adapter.bot_member.is_bot
    assert adapter.running

    poll = await fake_telegram.wait_for_call("getUpdates")
    assert set(poll.params["allowed_updates"]) >= {
        "message",
        "edited_message",
        "my_chat_member",
        "chat_member",
    }
    assert poll.params["timeout"] == 1

    await adapter.stop()
    await adapter.stop()  # stopping twice is harmless
    assert not adapter.running
    with pytest.raises(RuntimeError):
        _ = adapter.sender


async def test_handler_failure_does_not_stop_updates(
    fake_telegram: FakeTelegramApi,
    telegram_adapter_factory: AdapterFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def explode_on_first(event: Event, _sender: ReplySender) -> None:
        if _text(event) == "boom":
            raise ValueError("handler exploded")

    handler = RecordingHandler(explode_on_first)
    adapter = telegram_adapter_factory()
    await adapter.start(handler)

    with caplog.at_level(logging.ERROR, logger="adapters.telegram"):
        first = fake_telegram.push_update(update_for(make_message(GROUP, ALICE, "boom")))
        fake_telegram.push_update(update_for(make_message(GROUP, ALICE, "still listening")))
        events = await handler.wait_for(2)

    assert [_text(e) for e in events] == ["boom", "still listening"]
    failures = [r for r in caplog.records if r.exc_info and "handler failed" in r.getMessage()]
    assert len(failures) == 1
    assert str(first) in failures[0].getMessage()
    assert str(GROUP["id"]) in failures[0].getMessage()
    assert adapter.running


async def test_confirmed_update_is_not_delivered_again(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> None:
    first_handler = RecordingHandler()
    first = telegram_adapter_factory()
    await first.start(first_handler)
    fake_telegram.push_update(update_for(make_message(GROUP, ALICE, "once")))
    await first_handler.wait_for(1)
    await first.stop()
    assert fake_telegram.pending_updates == []

    second_handler = RecordingHandler()
    second = telegram_adapter_factory()
    await second.start(second_handler)
    fake_telegram.push_update(update_for(make_message(GROUP, ALICE, "after restart")))
    events = await second_handler.wait_for(1)

    assert [_text(e) for e in events] == ["after restart"]
    assert [_text(e) for e in first_handler.events] == ["once"]


async def test_webhook_mode_receives_updates_with_the_secret(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> None:
    handler = RecordingHandler()
    adapter = telegram_adapter_factory(mode="webhook")
    await adapter.start(handler)

    assert fake_telegram.webhook_url is not None
    assert fake_telegram.webhook_url.endswith("/telegram/webhook")
    assert fake_telegram.webhook_secret == "hearth-test-secret"
    assert fake_telegram.calls_to("getUpdates") == []
    set_webhook = fake_telegram.calls_to("setWebhook")[-1]
    assert "chat_member" in set_webhook.params["allowed_updates"]

    wrong = await fake_telegram.post_webhook_update(
        update_for(make_message(GROUP, ALICE, "forged")), secret_token="not-the-secret"
    )
    assert wrong == 403

    status = await fake_telegram.post_webhook_update(
        update_for(make_message(GROUP, ALICE, "via webhook"))
    )
    assert status == 200
    fake_telegram.push_update(update_for(make_message(GROUP, ALICE, "pushed")))

    events = await handler.wait_for(2)
    assert [_text(e) for e in events] == ["via webhook", "pushed"]
    assert await fake_telegram.wait_for_webhook_deliveries(1) == [200]


async def test_start_failure_is_reported_and_cleaned_up(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> None:
    adapter = telegram_adapter_factory(bot_commands=[("Not A Command", "bad")])

    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await adapter.start(RecordingHandler())

    assert not adapter.running


async def test_wrong_token_fails_to_start(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> None:
    adapter = telegram_adapter_factory(token="1:wrong")

    with pytest.raises(InvalidToken):
        await adapter.start(RecordingHandler())
    assert not adapter.running
