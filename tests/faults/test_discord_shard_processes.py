"""Two real ``hearth run`` processes split a Discord bot's two shards on one PostgreSQL
database, against the fake Discord reached through ``DISCORD_API_URL`` and
``DISCORD_GATEWAY_URL``.

Each process identifies only its own shard (the fake records every IDENTIFY), every
message posted in a server of either shard is stored exactly once, and a slash command in
each server is answered once, by the process that owns the server's shard (the processes
reach the fake under different host names, which the fake records with each REST call).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bots.storage.database import create_engine
from bots.storage.tables import ChatRow, MessageRow
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.discord_fixtures import TestServer, build_test_server
from tests.fakes.hearth_process import HashEmbeddingsApi, HearthProcess

SHARDS = 2
HOSTS = ("127.0.0.1", "localhost")
"""The host each shard's process reaches the fake by (both are this machine)."""
MESSAGES_PER_SERVER = 3


@pytest.fixture
async def embeddings() -> AsyncIterator[HashEmbeddingsApi]:
    api = HashEmbeddingsApi()
    await api.start()
    yield api
    await api.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(shard_count=SHARDS) as discord:
        yield discord


def servers_on_each_shard(fake: FakeDiscord, at_least: int = 2) -> dict[int, list[TestServer]]:
    """Servers registered in the fake until each shard has ``at_least`` of them."""
    by_shard: dict[int, list[TestServer]] = {shard: [] for shard in range(SHARDS)}
    while any(len(servers) < at_least for servers in by_shard.values()):
        server = build_test_server(fake, f"Club {len(fake.guilds)}")
        by_shard[fake.shard_of(server.guild_id)].append(server)
    return by_shard


async def wait_for_output(process: HearthProcess, text: str, timeout: float = 60.0) -> None:  # noqa: ASYNC109
    """Wait until the process has printed ``text``; fails with its log otherwise."""
    deadline = asyncio.get_running_loop().time() + timeout
    while text not in process.output(tail=None):
        process.check_running()
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no {text!r} in the output:\n{process.output()}")
        await asyncio.sleep(0.1)


async def stored_messages(engine: AsyncEngine) -> list[tuple[str, str]]:
    """``(platform chat id, platform message id)`` of every stored message."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(ChatRow.platform_chat_id, MessageRow.platform_message_id).join(
                ChatRow, ChatRow.id == MessageRow.chat_id
            )
        )
        return [(str(chat), str(message)) for chat, message in rows]


async def wait_for_stored(engine: AsyncEngine, count: int, processes: list[HearthProcess]) -> None:
    async with asyncio.timeout(30):
        while len(await stored_messages(engine)) < count:
            for process in processes:
                process.check_running()
            await asyncio.sleep(0.1)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_two_processes_split_the_shards_of_one_bot(
    fake: FakeDiscord, embeddings: HashEmbeddingsApi, database_url: str, tmp_path: Path
) -> None:
    servers = servers_on_each_shard(fake)
    processes = [
        HearthProcess(
            None,
            tmp_path / f"shard-{shard}",
            discord=fake,
            discord_host=HOSTS[shard],
            embeddings=embeddings,
            extra_env={
                "DATABASE_URL": database_url,
                "DISCORD_SHARD_COUNT": str(SHARDS),
                "DISCORD_SHARD_IDS": str(shard),
            },
        )
        for shard in range(SHARDS)
    ]
    engine = create_engine(database_url)
    try:
        for process in processes:
            await process.start()
        for shard, process in enumerate(processes):
            await wait_for_output(process, f"on shard(s) {shard} of {SHARDS}")

        # Each process identified once, for its own shard only.
        identified = sorted(p["shard"] for p in fake.identify_payloads)
        assert identified == [[0, 2], [1, 2]], fake.identify_payloads
        assert {call.host.rsplit(":", 1)[0] for call in fake.calls} == set(HOSTS)

        posted: list[tuple[str, str]] = []
        for shard_servers in servers.values():
            for server in shard_servers:
                for i in range(MESSAGES_PER_SERVER):
                    words = f"note {i} in {server.guild['name']} about the ride"
                    message = await fake.post_message(server.general, server.alice, words)
                    posted.append((str(server.general), str(message["id"])))
        await wait_for_stored(engine, len(posted), processes)
        await asyncio.sleep(0.5)  # room for a second, wrong copy
        assert Counter(await stored_messages(engine)) == Counter(dict.fromkeys(posted, 1))

        # A command in each server is answered once, by the process owning its shard.
        asked: dict[int, int] = {}
        for shard, shard_servers in servers.items():
            for server in shard_servers:
                payload = await fake.use_command(
                    "twin", {"action": "status"}, user=server.bob, channel_id=server.general
                )
                asked[int(payload["id"])] = shard
        async with asyncio.timeout(30):
            while {c.interaction_id for c in fake.interaction_callbacks} < set(asked):
                for process in processes:
                    process.check_running()
                await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # room for a second answer
        answered = Counter(c.interaction_id for c in fake.interaction_callbacks)
        assert answered == Counter(dict.fromkeys(asked, 1))
        for interaction_id, shard in asked.items():
            callbacks = [
                call
                for call in fake.calls
                if call.path.startswith(f"/interactions/{interaction_id}/")
            ]
            assert [c.host.rsplit(":", 1)[0] for c in callbacks] == [HOSTS[shard]]
        for process in processes:
            process.check_running()
    finally:
        await asyncio.gather(*(p.stop() for p in processes if p.running))
        await engine.dispose()
        for shard, process in enumerate(processes):  # shown when the test fails
            print(f"--- shard {shard} process ---\n{process.output()}")
