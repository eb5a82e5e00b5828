"""A running Hearth on one platform's fake, with a driver for that platform, and waits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from adapters.model import Platform
from bots.app import Hearth
from bots.platforms import discord_adapter, telegram_adapter
from bots.settings import HearthSettings
from bots.storage.tables import ChatRow, MessageRow
from memory.edge_store import EdgeMemoryStore
from tests.e2e.platform_drivers import DiscordDriver, Driver, TelegramDriver
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.discord_fixtures import TestServer
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.fakes.telegram_api import FakeTelegramApi


async def eventually(check: Callable[[], Awaitable[bool]], what: str, limit: float = 30) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(params=[Platform.TELEGRAM, Platform.DISCORD], ids=["telegram", "discord"])
async def world(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    database_url: str,
    embedder,  # type: ignore[no-untyped-def]
    fake_telegram: FakeTelegramApi,
    fake_discord: FakeDiscord,
    discord_server: TestServer,
    fake_openai_chat: FakeOpenAIChat,
) -> AsyncIterator[tuple[Driver, Hearth]]:
    """A running Hearth connected to one platform's fake, and a driver for that platform.

    Tests marked ``llm`` get twins that write with a chat model at a local
    OpenAI-compatible endpoint.
    """
    base = HearthSettings(HEARTH_DATA_DIR=tmp_path, DATABASE_URL=database_url)
    if request.node.get_closest_marker("llm"):
        base = base.model_copy(
            update={
                "llm_provider": "openai",
                "llm_base_url": fake_openai_chat.base_url,
                "llm_model": "fake-chat",
                "llm_api_key": SecretStr("test-key"),
            }
        )
    driver: Driver
    if request.param is Platform.TELEGRAM:
        settings = base.model_copy(
            update={
                "telegram_bot_token": SecretStr(fake_telegram.token),
                "telegram_api_url": fake_telegram.base_url,
                "telegram_poll_timeout": 1,
            }
        )
        adapter = telegram_adapter(settings)
        driver = TelegramDriver(fake_telegram)
    else:
        settings = base.model_copy(update={"discord_bot_token": SecretStr(fake_discord.token)})
        adapter = discord_adapter(settings)
        driver = DiscordDriver(fake_discord, discord_server)
    memory = EdgeMemoryStore(tmp_path / "edge", embedder.dimension)
    hearth = await Hearth.build(settings, embedder=embedder, memory=memory)
    await adapter.start(hearth.router)
    yield driver, hearth
    await adapter.stop()
    await hearth.close()


async def stored(hearth: Hearth, count: int) -> None:
    async def check() -> bool:
        return await hearth.storage.count_messages() >= count

    await eventually(check, f"{count} stored messages")


async def stored_ids(hearth: Hearth, channel_id: int) -> list[str]:
    """The platform ids of a channel's stored messages, in the order they were stored."""
    stmt = (
        select(MessageRow.platform_message_id)
        .join(ChatRow, ChatRow.id == MessageRow.chat_id)
        .where(ChatRow.platform_chat_id == str(channel_id))
        .order_by(MessageRow.id)
    )
    async with hearth.storage.engine.connect() as conn:
        return [str(row[0]) for row in await conn.execute(stmt)]


async def settled(hearth: Hearth) -> None:
    async with asyncio.timeout(30):
        await hearth.worker.drain()
