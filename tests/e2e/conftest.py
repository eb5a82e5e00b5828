"""End-to-end fixtures: fake Telegram and Discord APIs, adapters, and a running Hearth."""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # discord.py imports audioop
    from tests.fakes.discord_fixtures import (
        discord_adapter_factory,
        discord_server,
        fake_discord,
    )
from tests.e2e.worlds import world
from tests.fakes.openai_chat import fake_openai_chat
from tests.fakes.telegram_fixtures import fake_telegram, telegram_adapter_factory

__all__ = [
    "discord_adapter_factory",
    "discord_server",
    "fake_discord",
    "fake_openai_chat",
    "fake_telegram",
    "telegram_adapter_factory",
    "world",
]
