"""An ``IngestLedger`` kept in memory, for adapters run without the application's database."""

from __future__ import annotations

import logging

from adapters.model import Platform, UnreadableUpdate

log = logging.getLogger(__name__)


class InMemoryIngestLedger:
    """Positions and unreadable updates held in memory (lost when the process ends)."""

    def __init__(self) -> None:
        self.cursors: dict[tuple[Platform, str], int] = {}
        self.unreadable: list[UnreadableUpdate] = []

    async def load_cursor(self, platform: Platform, key: str) -> int | None:
        """The position saved in this process, if any."""
        return self.cursors.get((platform, key))

    async def save_cursor(self, platform: Platform, key: str, value: int) -> None:
        """Remember ``value`` unless a later position is already saved."""
        current = self.cursors.get((platform, key))
        if current is None or value > current:
            self.cursors[(platform, key)] = value

    async def record_unreadable(self, update: UnreadableUpdate) -> None:
        """Keep the update in memory."""
        self.unreadable.append(update)
