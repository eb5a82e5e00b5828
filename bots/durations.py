"""Parsing the short durations members type, such as ``2h`` or ``30m``."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DURATION = re.compile(r"^\s*(\d{1,4})\s*(m|min|h|d|w)\s*$", re.IGNORECASE)
MAX_PAUSE = timedelta(days=90)


class DurationError(ValueError):
    """A duration the member typed could not be understood."""


def parse_duration(text: str, *, maximum: timedelta = MAX_PAUSE) -> timedelta:
    """``30m``, ``2h``, ``1d`` or ``2w`` as a timedelta; raises ``DurationError``."""
    match = _DURATION.match(text)
    if match is None:
        raise DurationError(f"“{text}” is not a duration; try 30m, 2h, 1d or 2w")
    amount, unit = int(match.group(1)), _UNITS[match.group(2).lower()]
    value = timedelta(**{unit: amount})
    if value <= timedelta(0):
        raise DurationError("the duration must be longer than zero")
    if value > maximum:
        raise DurationError(f"the longest is {maximum.days} days")
    return value
