"""Webhook replicas behind a load balancer: an update Telegram sends again, to another
replica, is handled once (claims on update ids shared through the database)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from adapters.model import Command, Event, Platform
from adapters.ports import ReplySender, StoreUnavailable, UpdateClaim
from adapters.telegram import TelegramAdapter
from bots.ingest_ledger import CountingIngestLedger
from bots.metrics import HearthMetrics
from bots.storage import ingest_ledger_store
from bots.storage.database import create_engine
from bots.storage.ingest_ledger_store import IngestLedgerStore
from tests.fakes.recording_handler import RecordingHandler
from tests.fakes.telegram_api import FakeTelegramApi, make_chat, make_message, make_user
from tests.fakes.telegram_api import message_update as update_for
from tests.fakes.telegram_fixtures import AdapterFactory

ALICE = make_user(801, "Alice", username="alice_d")
GROUP = make_chat(-1008880002222, title="Replica Club")


@pytest.fixture
async def stores(database_url: str) -> AsyncIterator[list[IngestLedgerStore]]:
    """Two ledgers on the same database, as two replicas have."""
    made = [IngestLedgerStore(create_engine(database_url)) for _ in range(2)]
    yield made
    for store in made:
        await store.close()


async def replicas(
    factory: AdapterFactory, stores: list[IngestLedgerStore], handlers: list[RecordingHandler]
) -> list[TelegramAdapter]:
    adapters = []
    for store, handler in zip(stores, handlers, strict=True):
        ledger = CountingIngestLedger(store, HearthMetrics())
        adapter = factory(mode="webhook", ledger=ledger)
        await adapter.start(handler)
        adapters.append(adapter)
    return adapters


def url_of(adapter: TelegramAdapter) -> str:
    return str(adapter._webhook_url)


def command_update(update_id: int) -> dict[str, object]:
    update = dict(update_for(make_message(GROUP, ALICE, "/digest")))
    update["update_id"] = update_id
    return update


async def test_an_update_sent_again_to_the_other_replica_is_handled_once(
    telegram_adapter_factory: AdapterFactory,
    fake_telegram: FakeTelegramApi,
    stores: list[IngestLedgerStore],
) -> None:
    handlers = [RecordingHandler(), RecordingHandler()]
    a, b = await replicas(telegram_adapter_factory, stores, handlers)
    update = command_update(5001)
    assert await fake_telegram.post_webhook_update(update, url=url_of(a)) == 200
    assert await fake_telegram.post_webhook_update(update, url=url_of(b)) == 200
    assert await fake_telegram.post_webhook_update(update, url=url_of(a)) == 200
    assert [type(e) for e in handlers[0].events] == [Command]
    assert handlers[1].events == []


async def test_a_resend_while_the_first_replica_works_waits_for_it(
    telegram_adapter_factory: AdapterFactory,
    fake_telegram: FakeTelegramApi,
    stores: list[IngestLedgerStore],
) -> None:
    gate = asyncio.Event()

    async def slow(_event: Event, _sender: ReplySender) -> None:
        await gate.wait()

    handlers = [RecordingHandler(slow), RecordingHandler()]
    a, b = await replicas(telegram_adapter_factory, stores, handlers)
    update = command_update(5002)
    first = asyncio.create_task(fake_telegram.post_webhook_update(update, url=url_of(a)))
    await handlers[0].wait_for(1)
    assert await fake_telegram.post_webhook_update(update, url=url_of(b)) == 503
    gate.set()
    assert await first == 200
    assert await fake_telegram.post_webhook_update(update, url=url_of(b)) == 200
    assert len(handlers[0].events) == 1 and handlers[1].events == []


async def test_an_update_refused_for_a_storage_outage_is_taken_by_the_other_replica(
    telegram_adapter_factory: AdapterFactory,
    fake_telegram: FakeTelegramApi,
    stores: list[IngestLedgerStore],
) -> None:
    async def down(_event: Event, _sender: ReplySender) -> None:
        raise StoreUnavailable("connection refused")

    handlers = [RecordingHandler(down), RecordingHandler()]
    a, b = await replicas(telegram_adapter_factory, stores, handlers)
    update = command_update(5003)
    assert await fake_telegram.post_webhook_update(update, url=url_of(a)) == 503
    assert await fake_telegram.post_webhook_update(update, url=url_of(b)) == 200
    assert len(handlers[1].events) == 1


async def test_a_claim_left_by_a_dead_replica_runs_out(
    stores: list[IngestLedgerStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    live, other = stores
    tg = Platform.TELEGRAM
    assert await live.claim_update(tg, "bot", 7, owner="dead") is UpdateClaim.TAKEN
    assert await other.claim_update(tg, "bot", 7, owner="b") is UpdateClaim.BUSY
    monkeypatch.setattr(
        ingest_ledger_store, "UPDATE_CLAIM_HOLD", -ingest_ledger_store.UPDATE_CLAIM_HOLD
    )
    assert await other.claim_update(tg, "bot", 8, owner="b") is UpdateClaim.TAKEN
    # 7's claim has not run out yet (it was written with the real hold).
    assert await other.claim_update(tg, "bot", 7, owner="b") is UpdateClaim.BUSY
    await other.finish_update(tg, "bot", 8, handled=False)  # given back: free at once
    assert await live.claim_update(tg, "bot", 8, owner="a") is UpdateClaim.TAKEN
    # A claim that already ran out (written with a hold in the past) is taken over.
    assert await other.claim_update(tg, "bot", 8, owner="b") is UpdateClaim.TAKEN
    await other.finish_update(tg, "bot", 8, handled=True)
    assert await live.claim_update(tg, "bot", 8, owner="a") is UpdateClaim.DONE
