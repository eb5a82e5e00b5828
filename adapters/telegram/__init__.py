"""Telegram adapter: python-telegram-bot updates in, neutral events out, replies back."""

from adapters.telegram.reply_sender import TelegramReplySender, split_text
from adapters.telegram.telegram_adapter import ALLOWED_UPDATES, TelegramAdapter
from adapters.telegram.update_converter import BotIdentity, UpdateConverter
from adapters.text_split import utf16_length

__all__ = [
    "ALLOWED_UPDATES",
    "BotIdentity",
    "TelegramAdapter",
    "TelegramReplySender",
    "UpdateConverter",
    "split_text",
    "utf16_length",
]
