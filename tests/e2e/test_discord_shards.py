"""Two Hearth instances split a Discord bot's shards (``DISCORD_SHARD_COUNT``/``_IDS``).

Both run inside the test process (discord.py reaches the fake Discord through the
``fake_discord`` fixture), each a Hearth of its own on the shared database with the Discord
adapter the settings build, connected to the fake with two shards. Each must get only its
own shard's servers and events, and every message must be stored once. Real ``hearth run``
processes doing the same are in ``tests/faults/test_discord_shard_processes.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from adapters.discord import DiscordAdapter
from adapters.model import Event, Message, Platform
from adapters.ports import PlatformAdapter, ReplySender
from bots.app import Hearth
from bots.platforms import discord_adapter
from bots.settings import HearthSettings
from memory.edge_store import EdgeMemoryStore
from memory.embedder import Embedder
from tests.e2e.worlds import eventually, stored_ids
from tests.fakes.discord_api import INTENT_GUILD_MEMBERS, FakeDiscord
from tests.fakes.discord_fixtures import TestServer, build_test_server

pytestmark = pytest.mark.wire


@dataclass
class Recorder:
    """Hands each event to a Hearth's router, noting it on the way."""

    hearth: Hearth
    events: list[Event] = field(default_factory=list)

    async def handle(self, event: Event, sender: ReplySender) -> None:
        self.events.append(event)
        await self.hearth.router.handle(event, sender)

    def message_chats(self) -> set[str]:
        return {e.chat.platform_chat_id for e in self.events if isinstance(e, Message)}


@dataclass
class ShardProcess:
    """One Hearth with its Discord adapter, running some of the bot's shards."""

    hearth: Hearth
    adapter: PlatformAdapter
    recorder: Recorder


def shard_settings(
    tmp_path: Path, database_url: str, fake: FakeDiscord, shard_ids: str
) -> HearthSettings:
    return HearthSettings(
        HEARTH_DATA_DIR=tmp_path / f"shards-{shard_ids}",
        DATABASE_URL=database_url,
        DISCORD_BOT_TOKEN=fake.token,
        DISCORD_SHARD_COUNT=2,
        DISCORD_SHARD_IDS=shard_ids,
        DISCORD_MEMBERS_INTENT="false",
    )


@pytest.fixture
def servers(fake_discord: FakeDiscord) -> dict[int, TestServer]:
    """One server on each of the fake's two shards."""
    fake_discord.shard_count = 2
    by_shard: dict[int, TestServer] = {}
    while len(by_shard) < 2:
        server = build_test_server(fake_discord, f"Club {len(fake_discord.guilds)}")
        by_shard.setdefault(fake_discord.shard_of(server.guild_id), server)
    return by_shard


@pytest.fixture
async def processes(
    tmp_path: Path,
    database_url: str,
    embedder: Embedder,
    fake_discord: FakeDiscord,
    servers: dict[int, TestServer],
) -> AsyncIterator[dict[int, ShardProcess]]:
    """Two Hearths on one database, running shard 0 and shard 1."""
    started: dict[int, ShardProcess] = {}
    try:
        for shard in (0, 1):
            settings = shard_settings(tmp_path, database_url, fake_discord, str(shard))
            memory = EdgeMemoryStore(settings.data_dir / "edge", embedder.dimension)
            hearth = await Hearth.build(settings, embedder=embedder, memory=memory)
            adapter = discord_adapter(settings, history=hearth.storage)
            recorder = Recorder(hearth)
            started[shard] = ShardProcess(hearth, adapter, recorder)
            await adapter.start(recorder)
        yield started
    finally:
        for process in started.values():
            await process.adapter.stop()
            await process.hearth.close()


async def test_two_processes_split_the_shards_and_store_each_message_once(
    fake_discord: FakeDiscord,
    servers: dict[int, TestServer],
    processes: dict[int, ShardProcess],
) -> None:
    fake = fake_discord
    assert sorted(p["shard"] for p in fake.identify_payloads) == [[0, 2], [1, 2]]
    assert all(not p["intents"] & INTENT_GUILD_MEMBERS for p in fake.identify_payloads)

    posted = {
        shard: await fake.post_message(server.general, server.alice, f"hello from shard {shard}")
        for shard, server in servers.items()
    }

    async def both_stored() -> bool:
        return await processes[0].hearth.storage.count_messages() >= 2

    await eventually(both_stored, "a message stored from each shard")
    for shard, process in processes.items():
        server = servers[shard]
        assert process.recorder.message_chats() == {str(server.general)}
        assert process.adapter.platform is Platform.DISCORD
        assert isinstance(process.adapter, DiscordAdapter)
        theirs = {int(g) for g in fake.guilds if fake.shard_of(int(g)) == shard}
        assert {g.id for g in process.adapter.client.guilds} == theirs
        assert await stored_ids(process.hearth, server.general) == [posted[shard]["id"]]
    assert await processes[1].hearth.storage.count_messages() == 2
