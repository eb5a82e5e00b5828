"""``DISCORD_API_URL`` / ``DISCORD_GATEWAY_URL``: the adapter sends REST calls and opens its
gateway sessions where the settings say, not at Discord's own addresses."""

from __future__ import annotations

import discord.gateway
import discord.http
import pytest
import yarl

from bots.platforms import discord_adapter
from bots.settings import HearthSettings
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.discord_fixtures import TestServer
from tests.fakes.recording_handler import RecordingHandler

pytestmark = pytest.mark.wire

UNREACHABLE_API = "http://127.0.0.1:9/api/v10"
UNREACHABLE_GATEWAY = yarl.URL("ws://127.0.0.1:9/gateway")


async def test_settings_point_the_adapter_at_a_proxy_and_gateway(
    fake_discord: FakeDiscord, discord_server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing listens where discord.py would go by default (restored after the test).
    monkeypatch.setattr(discord.http.Route, "BASE", UNREACHABLE_API)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", UNREACHABLE_GATEWAY)
    settings = HearthSettings(  # type: ignore[call-arg]
        _env_file=None,
        DISCORD_BOT_TOKEN=fake_discord.token,
        DISCORD_API_URL=fake_discord.base_url + "/",
        DISCORD_GATEWAY_URL=fake_discord.gateway_url,
        DISCORD_SHARD_COUNT="1",
        DISCORD_RECOVERY_MAX_MESSAGES="0",
    )
    adapter = discord_adapter(settings)
    try:
        await adapter.start(RecordingHandler())
        assert fake_discord.calls_to("GET /users/@me")
        assert not fake_discord.calls_to("GET /gateway/bot")  # the fixed count skips it
        [identify] = fake_discord.identify_payloads
        assert identify["shard"] == [0, 1]
        assert fake_discord.base_url == discord.http.Route.BASE
    finally:
        await adapter.stop()
