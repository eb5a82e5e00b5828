"""End-to-end fixtures: the fake Telegram Bot API and adapters pointed at it."""

from tests.fakes.telegram_fixtures import fake_telegram, telegram_adapter_factory

__all__ = ["fake_telegram", "telegram_adapter_factory"]
