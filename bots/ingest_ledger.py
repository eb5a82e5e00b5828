"""The application's ``IngestLedger``: adapter positions and skipped updates, in SQL."""

from __future__ import annotations

from adapters.model import Platform, UnreadableUpdate
from bots.metrics import HearthMetrics
from bots.storage.ingest_ledger_store import IngestLedgerStore


class CountingIngestLedger:
    """What adapters save of their update streams; skipped updates are also counted."""

    def __init__(self, store: IngestLedgerStore, metrics: HearthMetrics) -> None:
        self._store = store
        self._metrics = metrics

    async def load_cursor(self, platform: Platform, key: str) -> int | None:
        """The adapter's saved position."""
        return await self._store.load_cursor(platform, key)

    async def save_cursor(self, platform: Platform, key: str, value: int) -> None:
        """Save the adapter's position."""
        await self._store.save_cursor(platform, key, value)

    async def record_unreadable(self, update: UnreadableUpdate) -> None:
        """Count a skipped update and keep it as received."""
        self._metrics.update_skipped(update.platform)
        await self._store.record_unreadable(update)
