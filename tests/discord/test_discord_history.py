"""The fake serves channel history the way Discord does, as discord.py reads it."""

from __future__ import annotations

import discord
import pytest

from tests.fakes.discord_api import CHANNEL_HISTORY, JSON, FakeDiscord
from tests.fakes.discord_fixtures import AdapterFactory, TestServer
from tests.fakes.recording_handler import RecordingHandler

pytestmark = pytest.mark.wire


async def test_history_pages_newest_first_and_after_an_id(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> None:
    fake, server = fake_discord, discord_server
    posted: list[JSON] = [
        await fake.post_message(server.general, server.alice, f"message {n}", deliver=False)
        for n in range(130)
    ]
    handler = RecordingHandler()
    adapter = discord_adapter_factory()
    await adapter.start(handler)
    channel = adapter.client.get_channel(server.general)
    assert isinstance(channel, discord.TextChannel)

    newest = [m.id async for m in channel.history(limit=120)]
    assert newest == [int(m["id"]) for m in reversed(posted)][:120]
    assert [int(c.query["limit"]) for c in fake.calls_to(CHANNEL_HISTORY)] == [100, 20]

    after = discord.Object(int(posted[9]["id"]))
    oldest_first = [
        m.content async for m in channel.history(limit=None, after=after, oldest_first=True)
    ]
    assert oldest_first == [f"message {n}" for n in range(10, 130)]

    before = discord.Object(int(posted[5]["id"]))
    assert [m.content async for m in channel.history(before=before)] == [
        f"message {n}" for n in range(4, -1, -1)
    ]
    assert await handler.settle(0.1) == []  # history is read, never dispatched


async def test_history_refuses_bad_requests(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> None:
    adapter = discord_adapter_factory()
    await adapter.start(RecordingHandler())
    http = adapter.client.http
    with pytest.raises(discord.HTTPException) as too_many:
        await http.logs_from(discord_server.general, 101)
    assert too_many.value.code == 50035
    with pytest.raises(discord.NotFound):
        await http.logs_from(12345, 10)
    with pytest.raises(discord.NotFound):
        await adapter.client.fetch_channel(12345)
