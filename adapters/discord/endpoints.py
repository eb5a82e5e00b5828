"""Where discord.py sends REST calls and opens gateway sessions (process-wide)."""

from __future__ import annotations

import logging

import discord.gateway
import discord.http
import yarl

logger = logging.getLogger(__name__)

DISCORD_API_URL = "https://discord.com/api/v10"
"""Discord's own REST API base (what discord.py uses unless told otherwise)."""


def use_endpoints(api_url: str | None = None, gateway_url: str | None = None) -> None:
    """Point discord.py at ``api_url`` (REST base, e.g. a rate-limit proxy) and
    ``gateway_url`` (the gateway used with a fixed shard count and after a lost session).

    discord.py keeps both as class attributes, so they hold for every client in this
    process; ``None`` leaves the current value as it is.
    """
    if api_url is not None:
        discord.http.Route.BASE = api_url.rstrip("/")
        logger.info("Discord REST calls go to %s", discord.http.Route.BASE)
    if gateway_url is not None:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
        logger.info("Discord gateway sessions open at %s", gateway_url)
