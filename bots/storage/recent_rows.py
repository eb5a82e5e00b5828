"""Ids of chats and members this process wrote lately, with the values it wrote.

Chat and member rows are never deleted, so their ids stay valid; what a live message
would refresh on them (a title, a display name) only needs writing when it changed.
Storing a message therefore skips those upserts when the same values were written a
short while ago. The entries expire, so a value another process wrote meanwhile is
overwritten again within ``ttl`` seconds at the latest. Code that ever deletes chat or
member rows must clear this cache (a row removed behind its back shows as a foreign-key
error, after which the ingest path clears it and writes the rows again).
"""

from __future__ import annotations

import time
from collections.abc import Hashable

RECENT_SECONDS = 60.0
"""How long a written row's values are trusted before they are written again."""

RECENT_ROWS = 50_000
"""How many rows are remembered at most (the oldest go first)."""


class RecentRows:
    """A small cache: key -> (row id, the values written, when)."""

    def __init__(self, ttl: float = RECENT_SECONDS, size: int = RECENT_ROWS) -> None:
        self._ttl = ttl
        self._size = size
        self._rows: dict[Hashable, tuple[int, Hashable, float]] = {}

    def get(self, key: Hashable, values: Hashable) -> int | None:
        """The row id for ``key`` if ``values`` are what was written there lately, else None."""
        found = self._rows.get(key)
        if found is None:
            return None
        row_id, written, at = found
        if written != values or time.monotonic() - at >= self._ttl:
            return None
        return row_id

    def put(self, key: Hashable, values: Hashable, row_id: int) -> None:
        """Remember that ``values`` were written to row ``row_id`` (call after the commit)."""
        rows = self._rows
        rows.pop(key, None)
        if len(rows) >= self._size:
            del rows[next(iter(rows))]
        rows[key] = (row_id, values, time.monotonic())

    def __len__(self) -> int:
        return len(self._rows)

    def clear(self) -> None:
        """Forget everything (the next writes go to the database again)."""
        self._rows.clear()
