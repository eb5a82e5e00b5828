"""Growing waits between retries (with a little jitter), and retrying while storage is out."""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from adapters.ports import StoreUnavailable

T = TypeVar("T")


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


async def until_stored(
    attempt: Callable[[], Awaitable[T]],
    backoff: Backoff,
    wait: Callable[[float], Awaitable[None]],
    what: str,
    log: logging.Logger,
) -> T:
    """Run ``attempt`` until the handler stops raising ``StoreUnavailable``.

    Between tries it awaits ``wait(delay)`` with growing delays (``wait`` may raise to
    give up, on a stop). One error is logged when storage first fails, naming ``what``,
    and one line when it is back.
    """
    while True:
        try:
            result = await attempt()
        except StoreUnavailable as error:
            delay = backoff.next_delay()
            if backoff.failures == 1:
                log.error(
                    "storage is unavailable (%s: %s); %s is retried with back-off",
                    type(error).__name__,
                    error,
                    what,
                )
            await wait(delay)
            continue
        if backoff.failures:
            log.info("storage is back after %d failed tries", backoff.failures)
            backoff.reset()
        return result
