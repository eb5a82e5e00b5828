"""The application's ``IngestLedger``: adapter positions and skipped updates, in SQL."""

from __future__ import annotations

import logging

from adapters.model import Platform, UnreadableUpdate
from bots.storage.ingest_ledger_store import IngestLedgerStore

log = logging.getLogger(__name__)


class CountingIngestLedger:
    """What adapters save of their update streams; counts what it had to skip."""

    def __init__(self, store: IngestLedgerStore) -> None:
        self._store = store
        self.skipped_total = 0

    async def load_cursor(self, platform: Platform, key: str) -> int | None:
        """The adapter's saved position."""
        return await self._store.load_cursor(platform, key)

    async def save_cursor(self, platform: Platform, key: str, value: int) -> None:
        """Save the adapter's position."""
        await self._store.save_cursor(platform, key, value)

    async def record_unreadable(self, update: UnreadableUpdate) -> None:
        """Keep a skipped update as received, and count it."""
        self.skipped_total += 1
        await self._store.record_unreadable(update)
