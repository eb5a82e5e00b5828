"""Raw Telegram updates (JSON as received) before python-telegram-bot parses them."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from adapters.model import Platform, UnreadableUpdate

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_SENDER_PATHS = (
    ("message", "from"),
    ("edited_message", "from"),
    ("callback_query", "from"),
    ("my_chat_member", "from"),
    ("chat_member", "from"),
    ("channel_post", "from"),
    ("message_reaction", "user"),
)
_MAX_ERROR_CHARS = 300


def sanitise(value: Any) -> Any:
    """``value`` with every lone UTF-16 surrogate in its strings replaced by U+FFFD.

    JSON may carry ``\\ud800``-style escapes that are not valid Unicode; such text cannot
    be stored or sent on. U+FFFD is one UTF-16 unit like the surrogate it replaces, so
    Telegram's entity offsets still line up.
    """
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {sanitise(k): sanitise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [sanitise(v) for v in value]
    return value


def update_id_of(raw: object) -> int | None:
    """The update's id when it has a proper one."""
    if isinstance(raw, dict):
        value = raw.get("update_id")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def sender_id_of(raw: object) -> str | None:
    """The id of the user who sent the update, when it can still be read."""
    if not isinstance(raw, dict):
        return None
    for kind, field in _SENDER_PATHS:
        part = raw.get(kind)
        if isinstance(part, dict):
            sender = part.get(field)
            if isinstance(sender, dict) and isinstance(sender.get("id"), int | str):
                return str(sender["id"])
    return None


def unreadable_update(raw: object, error: BaseException, at: datetime) -> UnreadableUpdate:
    """The record kept for an update that could not be handled."""
    text = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False, default=str)
    update_id = update_id_of(raw)
    return UnreadableUpdate(
        platform=Platform.TELEGRAM,
        platform_update_id="" if update_id is None else str(update_id),
        raw=text,
        error=describe_error(error),
        received_at=at,
        sender_platform_user_id=sender_id_of(raw),
    )


def describe_error(error: BaseException) -> str:
    """One short line naming the error (no traceback)."""
    message = " ".join(str(error).split())
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text if len(text) <= _MAX_ERROR_CHARS else text[: _MAX_ERROR_CHARS - 1] + "…"
