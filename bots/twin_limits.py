"""Rate limits on answers (twins', Hearth's own), per chat and per asker, so they cannot be
used to flood."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Hashable
from datetime import datetime, timedelta


class SlidingWindow:
    """Allows at most ``limit`` events per key within ``window``."""

    def __init__(self, limit: int, window: timedelta) -> None:
        self._limit = limit
        self._window = window
        self._events: defaultdict[Hashable, deque[datetime]] = defaultdict(deque)

    def allows(self, key: Hashable, now: datetime) -> bool:
        """Whether one more event for ``key`` fits in the window now."""
        return len(self._current(key, now)) < self._limit

    def wait(self, key: Hashable, now: datetime) -> timedelta:
        """How long until one more event for ``key`` fits (zero when it fits now)."""
        events = self._current(key, now)
        if len(events) < self._limit:
            return timedelta(0)
        return events[len(events) - self._limit] + self._window - now

    def record(self, key: Hashable, now: datetime) -> None:
        """Count one event for ``key``."""
        self._events[key].append(now)

    def _current(self, key: Hashable, now: datetime) -> deque[datetime]:
        events = self._events[key]
        while events and now - events[0] >= self._window:
            events.popleft()
        return events


class TwinRateLimits:
    """At most ``per_chat`` answers per chat and ``per_asker`` per asker in a chat.

    ``chat_id`` is any key of the conversation (the assistant keys a private chat by its asker).
    """

    def __init__(
        self, per_chat: int = 10, per_asker: int = 3, window: timedelta = timedelta(minutes=10)
    ) -> None:
        self._chat = SlidingWindow(per_chat, window)
        self._asker = SlidingWindow(per_asker, window)

    def allows(self, chat_id: Hashable, asker_id: int, now: datetime) -> bool:
        """Whether this asker may be answered in this chat now."""
        return self._chat.allows(chat_id, now) and self._asker.allows((chat_id, asker_id), now)

    def wait(self, chat_id: Hashable, asker_id: int, now: datetime) -> timedelta:
        """How long until this asker may be answered in this chat (zero when they may now)."""
        return max(self._chat.wait(chat_id, now), self._asker.wait((chat_id, asker_id), now))

    def record(self, chat_id: Hashable, asker_id: int, now: datetime) -> None:
        """Count one answer."""
        self._chat.record(chat_id, now)
        self._asker.record((chat_id, asker_id), now)
