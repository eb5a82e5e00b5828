"""Reactions over the gateway: raw reaction add/remove become reaction events, kept and
taken back in storage; Hearth asks for the (non-privileged) guild reactions intent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.discord import DiscordAdapter
from adapters.model import Event, Message, Platform, ReactionEvent
from adapters.ports import ReplySender
from bots.storage.database import create_engine, migrate
from bots.storage.reaction_store import ReactionOutcome
from bots.storage.repository import Storage
from tests.fakes.discord_api import INTENT_GUILD_MESSAGE_REACTIONS, FakeDiscord
from tests.fakes.discord_fixtures import AdapterFactory, TestServer
from tests.fakes.recording_handler import RecordingHandler

pytestmark = pytest.mark.wire


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'hearth.db'}")
    await migrate(engine)
    store = Storage(engine)
    yield store
    await store.close()


class Stored:
    """Hands messages and reactions received over the gateway to storage."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.outcomes: list[ReactionOutcome] = []

    async def __call__(self, event: Event, _sender: ReplySender) -> None:
        if isinstance(event, Message):
            await self.storage.ingest_message(event)
        elif isinstance(event, ReactionEvent):
            self.outcomes.append(await self.storage.record_reaction(event))


async def _handled(
    fake: FakeDiscord, server: TestServer, handler: RecordingHandler, count: int
) -> None:
    """Wait until ``count`` events were handled in full (a marker message came after)."""
    await fake.post_message(server.general, server.carol, "marker")
    await handler.wait_for(count + 1)


async def test_reactions_are_stored_and_taken_back(
    fake_discord: FakeDiscord,
    discord_server: TestServer,
    discord_adapter_factory: AdapterFactory,
    storage: Storage,
) -> None:
    server = discord_server
    stored = Stored(storage)
    handler = RecordingHandler(stored)
    adapter: DiscordAdapter = discord_adapter_factory()
    await adapter.start(handler)
    [identify] = fake_discord.identify_payloads
    assert identify["intents"] & INTENT_GUILD_MESSAGE_REACTIONS

    post = await fake_discord.post_message(server.general, server.bob, "Fern Creek is flat")
    await handler.wait_for(1)
    assert await fake_discord.add_reaction(post, server.alice, "👍") == 1
    [_, added] = await handler.wait_for(2)
    assert isinstance(added, ReactionEvent)
    assert added.added and added.emoji == "👍"
    assert added.member.platform is Platform.DISCORD
    assert added.member.platform_user_id == server.alice["id"]
    assert added.member.display_name == "Ali"  # the member Discord sends with the reaction
    assert added.platform_message_id == post["id"]
    assert added.chat.platform_chat_id == str(server.general)

    await fake_discord.add_reaction(post, server.alice, "hearth:1234567890123456789")
    await fake_discord.add_reaction(post, server.bob, "🔥")  # on his own message
    await fake_discord.remove_reaction(post, server.alice, "👍")
    await _handled(fake_discord, server, handler, 5)
    events = [e for e in handler.events if isinstance(e, ReactionEvent)]
    assert [(e.emoji, e.added) for e in events] == [
        ("👍", True),
        ("custom:1234567890123456789", True),
        ("🔥", True),
        ("👍", False),
    ]
    assert stored.outcomes == [
        ReactionOutcome.STORED,
        ReactionOutcome.STORED,
        ReactionOutcome.OWN,
        ReactionOutcome.REMOVED,
    ]
    chat_id = await storage.ensure_chat(added.chat)
    alice = await storage.ensure_member(added.member)
    assert await storage.reactions_on(chat_id, post["id"]) == [
        (alice, "custom:1234567890123456789")
    ]
