"""Pytest fixtures for Telegram wire tests: the fake Bot API and adapters pointed at it.

Import the fixtures into a ``conftest.py`` to use them::

    from tests.fakes.telegram_fixtures import fake_telegram, telegram_adapter_factory
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

import pytest

from adapters.telegram import TelegramAdapter
from tests.fakes.telegram_api import FakeTelegramApi, free_tcp_port

TEST_COMMANDS: tuple[tuple[str, str], ...] = (
    ("twin", "Turn your twin on or off"),
    ("digest", "Summarise the recent conversation"),
)


class AdapterFactory(Protocol):
    """Builds a ``TelegramAdapter`` talking to the fake API; keyword overrides allowed."""

    def __call__(self, **overrides: Any) -> TelegramAdapter: ...


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegramApi]:
    """A running fake Bot API on 127.0.0.1 at a free port."""
    async with FakeTelegramApi() as api:
        yield api


@pytest.fixture
async def telegram_adapter_factory(
    fake_telegram: FakeTelegramApi,
) -> AsyncIterator[AdapterFactory]:
    """Makes adapters against ``fake_telegram`` with short timeouts; stops them afterwards.

    ``mode="webhook"`` picks a free local port and a secret unless given; ``token``
    overrides the fake's token.
    """
    made: list[TelegramAdapter] = []

    def make(**overrides: Any) -> TelegramAdapter:
        options: dict[str, Any] = {
            "api_base_url": fake_telegram.base_url,
            "poll_timeout": 1,
            "bot_commands": TEST_COMMANDS,
            "retry_backoff": 0.05,
            "request_timeout": 5.0,
        }
        if overrides.get("mode") == "webhook":
            port = free_tcp_port()
            options.update(
                webhook_listen="127.0.0.1",
                webhook_port=port,
                webhook_url=f"http://127.0.0.1:{port}/telegram/webhook",
                webhook_secret="hearth-test-secret",
            )
        token = overrides.pop("token", fake_telegram.token)
        options.update(overrides)
        adapter = TelegramAdapter(token, **options)
        made.append(adapter)
        return adapter

    yield make
    for adapter in made:
        await adapter.stop()
