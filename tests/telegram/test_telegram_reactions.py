"""Reactions over the wire: ``message_reaction`` updates become reaction events, kept and
taken back in storage, and only arrive where the bot is an admin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.model import Event, Message, ReactionEvent
from adapters.ports import ReplySender
from adapters.telegram import TelegramAdapter
from bots.storage.database import create_engine, migrate
from bots.storage.reaction_store import ReactionOutcome
from bots.storage.repository import Storage
from tests.fakes.recording_handler import RecordingHandler
from tests.fakes.telegram_api import (
    FakeTelegramApi,
    bot_added_update,
    make_chat,
    make_message,
    make_user,
    message_update,
)
from tests.fakes.telegram_fixtures import AdapterFactory

pytestmark = pytest.mark.wire

ALICE = make_user(601, "Alice", username="alice_r")
BOB = make_user(602, "Bob", username="bob_r")
GROUP = make_chat(-1005550001, title="Hikers")
QUIET = make_chat(-1005550002, title="Not admin here")


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'hearth.db'}")
    await migrate(engine)
    store = Storage(engine)
    yield store
    await store.close()


class Stored:
    """Hands messages and reactions received over the wire to storage, noting outcomes."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.outcomes: list[ReactionOutcome] = []

    async def __call__(self, event: Event, _sender: ReplySender) -> None:
        if isinstance(event, Message):
            await self.storage.ingest_message(event)
        elif isinstance(event, ReactionEvent):
            self.outcomes.append(await self.storage.record_reaction(event))


async def _running(
    api: FakeTelegramApi, factory: AdapterFactory, handler: RecordingHandler
) -> TelegramAdapter:
    adapter = factory()
    await adapter.start(handler)
    bot = dict(api.bot_user)
    api.push_update(bot_added_update(GROUP, bot, by=ALICE, as_admin=True))
    api.push_update(bot_added_update(QUIET, bot, by=ALICE))
    await handler.wait_for(2)
    return adapter


async def _handled(api: FakeTelegramApi, handler: RecordingHandler, count: int) -> None:
    """Wait until ``count`` events were handled in full: a marker message after them has
    arrived (updates are handled one at a time, in order)."""
    api.push_update(message_update(make_message(GROUP, BOB, "marker")))
    await handler.wait_for(count + 1)


async def test_hearth_asks_telegram_for_reactions(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> None:
    adapter = telegram_adapter_factory()
    await adapter.start(RecordingHandler())
    poll = await fake_telegram.wait_for_call("getUpdates")
    assert "message_reaction" in poll.params["allowed_updates"]


async def test_a_webhook_asks_for_reactions_too(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> None:
    adapter = telegram_adapter_factory(mode="webhook")
    await adapter.start(RecordingHandler())
    set_webhook = await fake_telegram.wait_for_call("setWebhook")
    assert "message_reaction" in set_webhook.params["allowed_updates"]


async def test_reactions_are_stored_and_taken_back(
    fake_telegram: FakeTelegramApi,
    telegram_adapter_factory: AdapterFactory,
    storage: Storage,
) -> None:
    stored = Stored(storage)
    handler = RecordingHandler(stored)
    await _running(fake_telegram, telegram_adapter_factory, handler)
    post = make_message(GROUP, BOB, "The Fern Creek loop is flat and shaded")
    fake_telegram.push_update(message_update(post))
    await handler.wait_for(3)

    assert fake_telegram.react(GROUP, ALICE, post["message_id"], new=["👍"]) is not None
    [added] = (await handler.wait_for(4))[3:]
    assert isinstance(added, ReactionEvent)
    assert added.added and added.emoji == "👍"
    assert added.member.platform_user_id == str(ALICE["id"])
    assert added.platform_message_id == str(post["message_id"])
    assert added.chat.platform_chat_id == str(GROUP["id"])

    # Alice swaps 👍 for ❤ and adds a custom emoji: one removal and two additions.
    fake_telegram.react(GROUP, ALICE, post["message_id"], old=["👍"], new=["❤", "custom:5368"])
    changed = (await handler.wait_for(7))[4:]
    assert [(e.emoji, e.added) for e in changed if isinstance(e, ReactionEvent)] == [
        ("👍", False),
        ("❤", True),
        ("custom:5368", True),
    ]
    # Bob's reaction on his own message counts for nothing and is not kept.
    fake_telegram.react(GROUP, BOB, post["message_id"], new=["🔥"])
    await _handled(fake_telegram, handler, 8)

    assert stored.outcomes == [
        ReactionOutcome.STORED,
        ReactionOutcome.REMOVED,
        ReactionOutcome.STORED,
        ReactionOutcome.STORED,
        ReactionOutcome.OWN,
    ]
    chat_id = await storage.ensure_chat(added.chat)
    alice = await storage.ensure_member(added.member)
    assert await storage.reactions_on(chat_id, str(post["message_id"])) == [
        (alice, "❤"),
        (alice, "custom:5368"),
    ]

    fake_telegram.react(GROUP, ALICE, post["message_id"], old=["❤", "custom:5368"], new=[])
    await _handled(fake_telegram, handler, 11)
    assert await storage.reactions_on(chat_id, str(post["message_id"])) == []


async def test_no_reactions_where_the_bot_is_not_an_admin(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> None:
    handler = RecordingHandler()
    await _running(fake_telegram, telegram_adapter_factory, handler)
    post = make_message(QUIET, BOB, "hello")
    fake_telegram.push_update(message_update(post))
    await handler.wait_for(3)

    assert fake_telegram.react(QUIET, ALICE, post["message_id"], new=["👍"]) is None
    fake_telegram.push_update(message_update(make_message(QUIET, BOB, "marker")))
    events = await handler.wait_for(4)
    assert len(events) == 4
    assert isinstance(events[-1], Message) and events[-1].text == "marker"
