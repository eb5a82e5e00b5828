"""Hearth serving Telegram and Discord in one process, against the two platform fakes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bots.app import Hearth, serve
from bots.platforms import discord_adapter, telegram_adapter
from bots.settings import HearthSettings
from memory.edge_store import EdgeMemoryStore
from memory.embedder import Embedder
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.telegram_api import FakeTelegramApi


def two_platform_settings(
    tmp_path: Path, fake_telegram: FakeTelegramApi, fake_discord: FakeDiscord, **more: Any
) -> HearthSettings:
    """Settings with both tokens, pointing the clients at the fakes; ``more`` adds settings
    by their environment names (``HEARTH_WEB_PORT=0``)."""
    return HearthSettings(
        HEARTH_DATA_DIR=tmp_path,
        TELEGRAM_BOT_TOKEN=fake_telegram.token,
        TELEGRAM_API_URL=fake_telegram.base_url,
        TELEGRAM_POLL_TIMEOUT=1,
        DISCORD_BOT_TOKEN=fake_discord.token,
        **more,
    )


@asynccontextmanager
async def running_hearth(
    settings: HearthSettings, embedder: Embedder, tmp_path: Path, *, discord_first: bool = False
) -> AsyncIterator[Hearth]:
    """Hearth with both adapters (memory under ``tmp_path``), from start to a clean stop."""
    memory = EdgeMemoryStore(tmp_path / "edge", embedder.dimension)
    hearth = await Hearth.build(settings, embedder=embedder, memory=memory)
    adapters = [telegram_adapter(settings), discord_adapter(settings, history=hearth.storage)]
    stop = asyncio.Event()
    task = asyncio.create_task(serve(hearth, adapters[::-1] if discord_first else adapters, stop))
    try:
        yield hearth
    finally:
        stop.set()
        await task
        await hearth.close()
