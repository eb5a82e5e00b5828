"""An event handler for adapter tests that records every event it receives."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from adapters.model import Event
from adapters.ports import ReplySender


class RecordingHandler:
    """An ``EventHandler`` that records every event and can react to it.

    ``on_event`` (optional) runs for each event after it is recorded; whatever it raises
    propagates to the adapter, which is how tests check the error boundary.
    """

    def __init__(
        self,
        on_event: Callable[[Event, ReplySender], Awaitable[None]] | None = None,
    ) -> None:
        self.events: list[Event] = []
        self.on_event = on_event
        self._changed = asyncio.Condition()

    async def handle(self, event: Event, sender: ReplySender) -> None:
        """Record ``event``, then run ``on_event``."""
        async with self._changed:
            self.events.append(event)
            self._changed.notify_all()
        if self.on_event is not None:
            await self.on_event(event, sender)

    async def wait_for(
        self,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[Event]:
        """Wait until at least ``count`` events arrived; returns all of them."""
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(lambda: len(self.events) >= count)
        except TimeoutError:
            raise AssertionError(
                f"timed out after {timeout}s waiting for {count} events; got {self.events!r}"
            ) from None
        return list(self.events)

    async def settle(self, seconds: float = 0.2) -> list[Event]:
        """Give in-flight events ``seconds`` to arrive; returns all events so far."""
        await asyncio.sleep(seconds)
        return list(self.events)
