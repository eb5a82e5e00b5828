"""Parsing the short durations members type, such as ``2h``, ``30m`` or ``2小时``."""

from __future__ import annotations

import re
from datetime import timedelta

from bots.command_words import canonical_words
from locales import tr, trn

_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DURATION = re.compile(r"^\s*(\d{1,4})\s*(m|min|h|d|w)\s*$", re.IGNORECASE)
MAX_PAUSE = timedelta(days=90)


class DurationError(ValueError):
    """A duration the member typed could not be understood (the message is for them)."""


def parse_duration(text: str, *, maximum: timedelta = MAX_PAUSE) -> timedelta:
    """``30m``, ``2h``, ``1d``, ``2w`` (or ``半小时``, ``2小时``, ``两周``) as a timedelta;
    raises ``DurationError`` with a message in the reply language."""
    words = canonical_words(("".join(text.split()),)) if text.strip() else ()
    match = _DURATION.match(words[0]) if len(words) == 1 else None
    if match is None:
        raise DurationError(
            tr("“{text}” is not a duration; try 30m, 2h, 1d or 2w", text=text.strip())
        )
    amount, unit = int(match.group(1)), _UNITS[match.group(2).lower()]
    value = timedelta(**{unit: amount})
    if value <= timedelta(0):
        raise DurationError(tr("the duration must be longer than zero"))
    if value > maximum:
        raise DurationError(
            trn("the longest is {count} day", "the longest is {count} days", maximum.days)
        )
    return value
