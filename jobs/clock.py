"""Clocks: the system clock in production, a hand-driven one in tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Tells the current time, timezone-aware."""

    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        """The current moment in UTC."""
        return datetime.now(UTC)


SYSTEM_CLOCK = SystemClock()
"""The clock every component uses unless given another one."""


class ManualClock:
    """A clock that only moves when told to: ``set`` or ``advance`` it."""

    def __init__(self, start: datetime) -> None:
        self._now = _aware_utc(start)

    def now(self) -> datetime:
        """The moment the clock was last set to."""
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to ``moment`` (timezone-aware; may go backwards)."""
        self._now = _aware_utc(moment)

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` and return the new time."""
        self._now += delta
        return self._now


def _aware_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the clock needs a timezone-aware datetime")
    return moment.astimezone(UTC)
