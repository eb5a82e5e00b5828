"""An update is confirmed only once handled; unreadable updates are kept and skipped."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from adapters.ingest_ledger import InMemoryIngestLedger
from adapters.model import Command, Event, Message, Platform
from adapters.ports import EventRejected, ReplySender, StoreUnavailable
from tests.fakes.recording_handler import RecordingHandler
from tests.fakes.telegram_api import FakeTelegramApi, make_chat, make_message, make_user
from tests.fakes.telegram_api import message_update as update_for
from tests.fakes.telegram_fixtures import AdapterFactory

pytestmark = pytest.mark.wire

ALICE = make_user(801, "Alice", username="alice_d")
GROUP = make_chat(-1008880001111, title="Delivery Club")


def _texts(events: list[Event]) -> list[str]:
    return [e.text for e in events if isinstance(e, Message)]


async def test_update_stays_unconfirmed_while_storage_is_down(
    fake_telegram: FakeTelegramApi,
    telegram_adapter_factory: AdapterFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    outage = asyncio.Event()
    outage.set()
    retried = asyncio.Event()
    failures = 0

    async def store(event: Event, _sender: ReplySender) -> None:
        nonlocal failures
        if outage.is_set():
            failures += 1
            if failures >= 3:
                retried.set()
            raise StoreUnavailable("database is locked")

    handler = RecordingHandler(store)
    adapter = telegram_adapter_factory(ledger=InMemoryIngestLedger())
    with caplog.at_level(logging.ERROR, logger="adapters.telegram"):
        await adapter.start(handler)
        first = fake_telegram.push_update(update_for(make_message(GROUP, ALICE, "keep me")))
        fake_telegram.push_update(update_for(make_message(GROUP, ALICE, "and me")))
        await asyncio.wait_for(retried.wait(), 10)
        # Still failing: Telegram has not been told that the update was taken.
        assert first in [u["update_id"] for u in fake_telegram.pending_updates]
        assert {e.text for e in handler.events if isinstance(e, Message)} == {"keep me"}
        outage.clear()
        await handler.wait_for(failures + 2, timeout=10)
    assert _texts(handler.events)[-2:] == ["keep me", "and me"]
    outage_logs = [r for r in caplog.records if "storage is unavailable" in r.getMessage()]
    assert len(outage_logs) == 1, "one error line per outage, not one per retry"
    await adapter.stop()
    assert fake_telegram.pending_updates == []


async def test_malformed_updates_are_kept_skipped_and_do_not_stop_later_ones(
    fake_telegram: FakeTelegramApi,
    telegram_adapter_factory: AdapterFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ledger = InMemoryIngestLedger()
    handler = RecordingHandler()
    adapter = telegram_adapter_factory(ledger=ledger)
    await adapter.start(handler)
    await fake_telegram.wait_for_call("getUpdates")
    polls_before = len(fake_telegram.calls_to("getUpdates"))

    bad_date = make_message(GROUP, ALICE, "when?")
    bad_date["date"] = "yesterday"
    no_sender_id = make_message(GROUP, ALICE, "who?")
    no_sender_id["from"] = {"is_bot": False, "first_name": "Nobody"}
    with caplog.at_level(logging.WARNING, logger="adapters.telegram"):
        fake_telegram.push_update({"message": "not-a-dict"}, observe=False)
        fake_telegram.push_update(update_for(bad_date), observe=False)
        fake_telegram.push_update(update_for(no_sender_id), observe=False)
        fake_telegram.push_update(update_for(make_message(GROUP, ALICE, "still here")))
        events = await handler.wait_for(1)
        await asyncio.sleep(1.0)

    assert _texts(events) == ["still here"]
    assert len(ledger.unreadable) == 3
    assert [u.sender_platform_user_id for u in ledger.unreadable] == [None, "801", None]
    assert all(u.platform is Platform.TELEGRAM and u.error for u in ledger.unreadable)
    assert '"not-a-dict"' in ledger.unreadable[0].raw
    skipped = [r for r in caplog.records if "skipped Telegram update" in r.getMessage()]
    assert len(skipped) == 3 and not any(r.exc_info for r in skipped)
    # No spinning on the bad batch: a handful of long polls, not hundreds.
    assert len(fake_telegram.calls_to("getUpdates")) - polls_before < 10
    await adapter.stop()
    assert fake_telegram.pending_updates == []


async def test_a_rejected_message_is_kept_and_the_next_goes_on(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> None:
    async def reject_poison(event: Event, _sender: ReplySender) -> None:
        if isinstance(event, Message) and event.text == "poison":
            raise EventRejected("cannot be stored")

    ledger = InMemoryIngestLedger()
    handler = RecordingHandler(reject_poison)
    adapter = telegram_adapter_factory(ledger=ledger)
    await adapter.start(handler)
    fake_telegram.push_update(update_for(make_message(GROUP, ALICE, "poison")))
    fake_telegram.push_update(update_for(make_message(GROUP, ALICE, "fine")))
    events = await handler.wait_for(2)

    assert _texts(events) == ["poison", "fine"]
    [kept] = ledger.unreadable
    assert "poison" in kept.raw and "EventRejected" in kept.error
    assert kept.sender_platform_user_id == "801"


async def test_lone_surrogates_become_replacement_characters(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> None:
    handler = RecordingHandler()
    adapter = telegram_adapter_factory()
    await adapter.start(handler)
    fake_telegram.push_update(update_for(make_message(GROUP, ALICE, "half \ud83d a smile")))
    [event] = await handler.wait_for(1)

    assert isinstance(event, Message)
    assert event.text == "half \ufffd a smile"
    event.text.encode("utf-8")  # storable and sendable


async def test_updates_before_the_saved_position_are_not_handled_again(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> None:
    # A command was handled, its position saved, and the process was killed before
    # Telegram was told: Telegram hands it out again, Hearth must not run it twice.
    handled = fake_telegram.push_update(update_for(make_message(GROUP, ALICE, "/digest now")))
    fake_telegram.push_update(update_for(make_message(GROUP, ALICE, "new")))
    ledger = InMemoryIngestLedger()
    await ledger.save_cursor(Platform.TELEGRAM, str(fake_telegram.bot_user["id"]), handled + 1)

    handler = RecordingHandler()
    adapter = telegram_adapter_factory(ledger=ledger)
    await adapter.start(handler)
    events = await handler.settle(1.0)

    assert _texts(events) == ["new"]


async def test_position_is_saved_right_after_a_command(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> None:
    ledger = InMemoryIngestLedger()
    gate = asyncio.Event()

    async def hold_messages(event: Event, _sender: ReplySender) -> None:
        if isinstance(event, Message):
            await gate.wait()

    handler = RecordingHandler(hold_messages)
    adapter = telegram_adapter_factory(ledger=ledger)
    await adapter.start(handler)
    command = fake_telegram.push_update(update_for(make_message(GROUP, ALICE, "/twin on")))
    fake_telegram.push_update(update_for(make_message(GROUP, ALICE, "held")))
    await handler.wait_for(2)

    assert isinstance(handler.events[0], Command)
    key = (Platform.TELEGRAM, str(fake_telegram.bot_user["id"]))
    assert ledger.cursors[key] == command + 1  # saved while the message is still in hand
    gate.set()


async def test_webhook_answers_only_after_the_update_is_taken(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> None:
    gate = asyncio.Event()

    async def slow_store(_event: Event, _sender: ReplySender) -> None:
        await gate.wait()

    handler = RecordingHandler(slow_store)
    adapter = telegram_adapter_factory(mode="webhook")
    await adapter.start(handler)
    post = asyncio.create_task(
        fake_telegram.post_webhook_update(update_for(make_message(GROUP, ALICE, "slow")))
    )
    await handler.wait_for(1)
    await asyncio.sleep(0.2)
    assert not post.done(), "answered before the update was stored"
    gate.set()
    assert await post == 200


async def test_webhook_asks_telegram_to_retry_while_storage_is_down(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> None:
    attempts = 0

    async def down_twice(_event: Event, _sender: ReplySender) -> None:
        nonlocal attempts
        attempts += 1
        if attempts <= 2:
            raise StoreUnavailable("connection refused")

    handler = RecordingHandler(down_twice)
    adapter = telegram_adapter_factory(mode="webhook")
    await adapter.start(handler)
    fake_telegram.push_update(update_for(make_message(GROUP, ALICE, "retry me")))

    assert await fake_telegram.wait_for_webhook_deliveries(3) == [503, 503, 200]
    assert _texts(handler.events) == ["retry me"] * 3


async def test_messages_sent_while_hearth_was_down_are_marked_recovered(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> None:
    an_hour_ago = int(time.time()) - 3600
    fake_telegram.push_update(update_for(make_message(GROUP, ALICE, "old", date=an_hour_ago)))
    handler = RecordingHandler()
    adapter = telegram_adapter_factory()
    await adapter.start(handler)
    await asyncio.sleep(1.1)  # Telegram dates have whole seconds
    fake_telegram.push_update(update_for(make_message(GROUP, ALICE, "live")))
    events = await handler.wait_for(2)

    assert [(e.text, e.recovered) for e in events if isinstance(e, Message)] == [
        ("old", True),
        ("live", False),
    ]
