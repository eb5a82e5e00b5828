"""An ``IngestLedger`` kept in memory, for adapters run without the application's database."""

from __future__ import annotations

import logging

from adapters.model import Platform, UnreadableUpdate
from adapters.ports import UpdateClaim

log = logging.getLogger(__name__)


class InMemoryIngestLedger:
    """Positions and unreadable updates held in memory (lost when the process ends)."""

    def __init__(self) -> None:
        self.cursors: dict[tuple[Platform, str], int] = {}
        self.unreadable: list[UnreadableUpdate] = []
        self.updates: dict[tuple[Platform, str, int], bool] = {}
        """Claimed updates: ``True`` once handled."""

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

    async def claim_update(self, platform: Platform, key: str, update_id: int) -> UpdateClaim:
        """Take the update unless this process has it (one process: no one else can)."""
        state = self.updates.get((platform, key, update_id))
        if state is None:
            self.updates[(platform, key, update_id)] = False
            return UpdateClaim.TAKEN
        return UpdateClaim.DONE if state else UpdateClaim.BUSY

    async def finish_update(
        self, platform: Platform, key: str, update_id: int, *, handled: bool
    ) -> None:
        """Mark the update handled, or forget the claim."""
        if handled:
            self.updates[(platform, key, update_id)] = True
        else:
            self.updates.pop((platform, key, update_id), None)
