"""The application's ``IngestLedger``: adapter positions and skipped updates, in SQL."""

from __future__ import annotations

import os
import socket

from adapters.model import Platform, UnreadableUpdate
from adapters.ports import StoreUnavailable, UpdateClaim
from bots.metrics import HearthMetrics
from bots.storage.ingest_ledger_store import IngestLedgerStore
from bots.store_outages import is_store_outage


class CountingIngestLedger:
    """What adapters save of their update streams; skipped updates are also counted."""

    def __init__(self, store: IngestLedgerStore, metrics: HearthMetrics) -> None:
        self._store = store
        self._metrics = metrics
        self._owner = f"{socket.gethostname()[:40]}:{os.getpid()}"

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

    async def claim_update(self, platform: Platform, key: str, update_id: int) -> UpdateClaim:
        """Take an update for this process (webhook replicas share the claims)."""
        try:
            return await self._store.claim_update(platform, key, update_id, owner=self._owner)
        except Exception as error:
            if is_store_outage(error):
                raise StoreUnavailable(str(error)) from error
            raise

    async def finish_update(
        self, platform: Platform, key: str, update_id: int, *, handled: bool
    ) -> None:
        """Mark a claimed update handled, or give the claim back."""
        try:
            await self._store.finish_update(platform, key, update_id, handled=handled)
        except Exception as error:
            if is_store_outage(error):
                raise StoreUnavailable(str(error)) from error
            raise
