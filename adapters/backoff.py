"""Growing waits between retries, with a little jitter so that retries do not align."""

from __future__ import annotations

import random


class Backoff:
    """Waits that double from ``initial`` up to ``maximum`` seconds; ``reset`` starts over."""

    def __init__(self, initial: float = 0.5, maximum: float = 30.0, jitter: float = 0.1) -> None:
        if initial <= 0 or maximum < initial:
            raise ValueError("backoff needs 0 < initial <= maximum")
        self._initial = initial
        self._maximum = maximum
        self._jitter = jitter
        self._next = initial
        self.failures = 0

    def next_delay(self) -> float:
        """The wait before the next try (and count one more failure)."""
        delay = self._next
        self._next = min(self._next * 2, self._maximum)
        self.failures += 1
        return delay * (1 + random.uniform(-self._jitter, self._jitter))

    def reset(self) -> None:
        """Start again from the shortest wait (after a success)."""
        self._next = self._initial
        self.failures = 0
