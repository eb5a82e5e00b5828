"""Discord messages posted while Hearth was not connected are recovered from channel history.

Hearth runs against the fake Discord; messages are added to channel history without being
dispatched (as if posted while Hearth was down), then Hearth starts again or its gateway
connection drops. Each missed message must be stored exactly once, in order, while live
messages keep flowing; an old recovered mention wakes no twin.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import pytest

from adapters.discord import DiscordAdapter
from adapters.model import Platform
from bots.app import Hearth
from bots.platforms import discord_adapter
from bots.settings import HearthSettings
from memory.edge_store import EdgeMemoryStore
from memory.embedder import Embedder
from tests.e2e.worlds import eventually, settled, stored, stored_ids
from tests.fakes.discord_api import (
    CHANNEL_HISTORY,
    GET_CHANNEL,
    JSON,
    FakeDiscord,
    hide_from,
    user_mention,
)
from tests.fakes.discord_fixtures import AdapterFactory, TestServer, build_test_server

pytestmark = pytest.mark.wire


async def caught_up(hearth: Hearth, adapter: DiscordAdapter, count: int) -> None:
    """Wait until ``count`` messages are stored and ``adapter`` has finished catching up."""
    await stored(hearth, count)

    async def idle() -> bool:
        return not adapter.catching_up

    await eventually(idle, "the catch-up to finish")


def ago(minutes: float) -> datetime:
    return datetime.now(UTC) - timedelta(minutes=minutes)


def ids(messages: list[JSON]) -> list[str]:
    return [str(m["id"]) for m in messages]


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fake_discord: FakeDiscord) -> HearthSettings:
    return HearthSettings(
        HEARTH_DATA_DIR=tmp_path,
        DATABASE_URL=database_url,
        DISCORD_BOT_TOKEN=fake_discord.token,
    )


async def build_hearth(settings: HearthSettings, embedder: Embedder, tmp_path: Path) -> Hearth:
    memory = EdgeMemoryStore(tmp_path / "edge", embedder.dimension)
    return await Hearth.build(settings, embedder=embedder, memory=memory)


@pytest.fixture
async def hearth(
    settings: HearthSettings,
    embedder: Embedder,
    tmp_path: Path,
) -> AsyncIterator[Hearth]:
    app = await build_hearth(settings, embedder, tmp_path)
    yield app
    await app.close()


class Connect(Protocol):
    """Starts a Discord adapter that catches up from Hearth's storage."""

    async def __call__(self, **options: Any) -> DiscordAdapter: ...


@pytest.fixture
def connect(hearth: Hearth, discord_adapter_factory: AdapterFactory) -> Connect:
    """Starts adapters (``options`` go to the factory) routed to ``hearth``; stopped after."""

    async def start(**options: Any) -> DiscordAdapter:
        adapter = discord_adapter_factory(history=hearth.storage, **options)
        await adapter.start(hearth.router)
        return adapter

    return start


async def test_messages_posted_while_hearth_was_down_are_stored_once_in_order(
    settings: HearthSettings,
    embedder: Embedder,
    tmp_path: Path,
    fake_discord: FakeDiscord,
    discord_server: TestServer,
) -> None:
    fake, server = fake_discord, discord_server
    general = server.general

    first = await build_hearth(settings, embedder, tmp_path)
    adapter = discord_adapter(settings, history=first.storage)
    await adapter.start(first.router)
    before = [
        await fake.post_message(
            general, server.bob, "Fern Creek loop is best for beginners", at=ago(120)
        ),
        await fake.post_message(general, server.alice, "See you all on Sunday", at=ago(90)),
    ]
    await fake.use_command("twin", {"action": "on"}, user=server.bob, channel_id=general)
    await fake.wait_for_followups(1)
    await stored(first, 2)
    await adapter.stop()
    await first.close()

    # Hearth is down: the channel goes on without it.
    missed = [
        await fake.post_message(
            general,
            server.alice,
            f"{user_mention(server.bob)} which trail for beginners?",
            mentions=[server.bob],
            at=ago(40),
            deliver=False,
        ),
        await fake.post_message(
            general, server.carol, "Fern Creek, surely", at=ago(30), deliver=False
        ),
        await fake.post_message(general, server.alice, "Thanks!", at=ago(20), deliver=False),
    ]
    # A channel Hearth never stored anything from is not imported.
    await fake.post_message(server.lounge, server.alice, "lounge chat", at=ago(25), deliver=False)

    second = await build_hearth(settings, embedder, tmp_path)
    try:
        adapter = discord_adapter(settings, history=second.storage)
        await adapter.start(second.router)
        live = await fake.post_message(general, server.carol, "Live again")
        await stored(second, 6)
        await settled(second)

        assert await second.storage.count_messages() == 6
        assert await second.memory.count() == 6
        recovered = [i for i in await stored_ids(second, general) if i in ids(missed)]
        assert recovered == ids(missed)
        assert set(await stored_ids(second, general)) == set(ids([*before, *missed, live]))
        assert await stored_ids(second, server.lounge) == []
        # Resumed right after the last stored message, and only where Hearth had stored some.
        [history_call] = fake.calls_to(CHANNEL_HISTORY)
        assert history_call.path == f"/channels/{general}/messages"
        assert history_call.query["after"] == before[-1]["id"]
        # The old mention found in history woke no twin, and nobody got a private report.
        await asyncio.sleep(0.3)
        assert fake.sent_messages == []
        assert len(fake.followups) == 1
        await adapter.stop()
    finally:
        await second.close()


async def test_a_reconnect_with_a_new_session_recovers_what_the_gap_lost(
    hearth: Hearth,
    fake_discord: FakeDiscord,
    discord_server: TestServer,
    connect: Connect,
) -> None:
    fake, server = fake_discord, discord_server
    await connect()
    await fake.post_message(server.general, server.alice, "before the drop", at=ago(1))
    await stored(hearth, 1)
    lost = [
        await fake.post_message(server.general, server.bob, f"lost {n}", deliver=False)
        for n in range(3)
    ]

    assert await fake.drop_gateway() == 1
    await fake.wait_for_identify(2)
    await stored(hearth, 4)
    live = await fake.post_message(server.general, server.carol, "after the drop")
    await stored(hearth, 5)

    order = await stored_ids(hearth, server.general)
    assert [i for i in order if i in ids(lost)] == ids(lost)
    assert str(live["id"]) in order
    assert await hearth.storage.count_messages() == 5
    assert len(fake.identify_payloads) == 2  # a new session, not a resumed one


async def test_the_limit_keeps_the_oldest_and_warns(
    hearth: Hearth,
    fake_discord: FakeDiscord,
    discord_server: TestServer,
    connect: Connect,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake, server = fake_discord, discord_server
    adapter = await connect(catch_up_max_messages=5)
    await fake.post_message(server.general, server.alice, "the last one seen", at=ago(60))
    await stored(hearth, 1)
    await adapter.stop()
    missed = [
        await fake.post_message(
            server.general, server.bob, f"missed message {n}", at=ago(50 - n / 10), deliver=False
        )
        for n in range(8)
    ]

    caplog.set_level(logging.INFO, logger="adapters.discord")
    adapter = await connect(catch_up_max_messages=5)
    await caught_up(hearth, adapter, 6)

    recovered = (await stored_ids(hearth, server.general))[1:]
    assert recovered == ids(missed[:5])
    pages = [int(call.query["limit"]) for call in fake.calls_to(CHANNEL_HISTORY)]
    assert pages == [6]  # one more than the limit, to know whether it cut something off
    assert any(
        r.levelno == logging.WARNING and "more than 5 messages" in r.getMessage()
        for r in caplog.records
    )
    assert any(
        r.levelno == logging.INFO and r.getMessage().startswith("recovered 5 messages")
        for r in caplog.records
    )


async def test_a_catch_up_cut_short_resumes_where_it_started(
    hearth: Hearth,
    fake_discord: FakeDiscord,
    discord_server: TestServer,
    connect: Connect,
) -> None:
    fake, server = fake_discord, discord_server
    adapter = await connect()
    await fake.post_message(server.general, server.alice, "the last one seen", at=ago(60))
    await stored(hearth, 1)
    await adapter.stop()
    missed = [
        await fake.post_message(
            server.general, server.bob, f"missed {n}", at=ago(50 - n), deliver=False
        )
        for n in range(5)
    ]

    # Hearth starts and reads history slowly; a live message is stored meanwhile, then
    # Hearth stops before the catch-up is done (as a crash would). The next start must
    # resume from where the first catch-up started, not after the live message.
    fake.history_delay = 2.0
    adapter = await connect()
    await fake.wait_for_call(CHANNEL_HISTORY)
    live = await fake.post_message(server.general, server.carol, "live in between")
    await stored(hearth, 2)
    await adapter.stop()
    assert await hearth.storage.count_messages() == 2

    fake.history_delay = 0.0
    adapter = await connect()
    await caught_up(hearth, adapter, 7)

    order = await stored_ids(hearth, server.general)
    assert len(order) == len(set(order)) == 7
    assert order[-5:] == ids(missed)
    assert str(live["id"]) in order
    first_try, second_try = fake.calls_to(CHANNEL_HISTORY)
    assert first_try.query["after"] == second_try.query["after"] == order[0]


async def test_archived_threads_are_read_and_hidden_channels_skipped(
    hearth: Hearth,
    fake_discord: FakeDiscord,
    discord_server: TestServer,
    connect: Connect,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake, server = fake_discord, discord_server
    adapter = await connect()
    thread = await fake.create_thread(server.general, "hikes", owner=server.alice)
    thread_id = int(thread["id"])
    await fake.post_message(thread_id, server.alice, "thread opener", at=ago(30))
    await fake.post_message(server.lounge, server.bob, "lounge opener", at=ago(30))
    await stored(hearth, 2)
    await adapter.stop()

    missed = await fake.post_message(thread_id, server.bob, "in the thread", deliver=False)
    await fake.post_message(server.lounge, server.carol, "in the lounge", deliver=False)
    fake.archive_thread(thread_id)
    lounge = next(c for c in server.guild["channels"] if int(c["id"]) == server.lounge)
    lounge["permission_overwrites"].append(hide_from(int(fake.bot_user["id"]), member=True))

    caplog.set_level(logging.INFO, logger="adapters.discord")
    adapter = await connect()
    await caught_up(hearth, adapter, 3)

    assert (await stored_ids(hearth, thread_id))[-1] == missed["id"]
    assert fake.calls_to(GET_CHANNEL)[-1].path == f"/channels/{thread_id}"
    assert [c.path for c in fake.calls_to(CHANNEL_HISTORY)] == [f"/channels/{thread_id}/messages"]
    assert await hearth.storage.count_messages() == 3
    assert any("can no longer read the history" in r.getMessage() for r in caplog.records)


async def test_a_shard_that_reconnects_alone_leaves_no_resume_points_behind(
    hearth: Hearth,
    fake_discord: FakeDiscord,
    discord_server: TestServer,
    connect: Connect,
) -> None:
    fake = fake_discord
    fake.shard_count = 2
    servers = {fake.shard_of(discord_server.guild_id): discord_server}
    while len(servers) < 2:  # another server, on the other shard
        server = build_test_server(fake, "Book Club")
        servers.setdefault(fake.shard_of(server.guild_id), server)
    adapter = await connect()
    assert fake.gateway_sessions == 2
    for server in servers.values():
        await fake.post_message(server.general, server.alice, "hello", at=ago(10))
    await caught_up(hearth, adapter, 2)

    first = servers[0]
    missed = await fake.post_message(first.general, first.bob, "missed", deliver=False)
    assert await fake.drop_gateway(shard=0) == 1
    await fake.wait_for_identify(3)
    await caught_up(hearth, adapter, 3)

    assert (await stored_ids(hearth, first.general))[-1] == missed["id"]
    # Shard 1 kept its session: its channels need no resume point any more.
    assert await hearth.storage.catch_up_points(Platform.DISCORD) == []
    other = servers[1]
    await fake.post_message(other.general, other.bob, "still live")
    await stored(hearth, 4)
