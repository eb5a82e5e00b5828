"""Moves stored messages into vector memory in the background.

Messages are committed to SQL first; this worker embeds whatever is not yet
in memory, in batches, off the update path. After a crash, a kill or a memory
outage it simply finds the rows still marked pending and embeds them, once:
the point id is the message id, so a retry overwrites instead of duplicating.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bots.storage.records import StoredMessage
from bots.storage.repository import Storage
from bots.storage.tables import utcnow
from memory.embedder import Embedder
from memory.records import MemoryRecord
from memory.store import MemoryStore, purge_soon

log = logging.getLogger(__name__)


class EmbeddingWorker:
    """A background task that embeds pending messages and stores them in memory."""

    def __init__(
        self,
        storage: Storage,
        embedder: Embedder,
        memory: MemoryStore,
        *,
        batch_size: int = 16,
        max_backoff: float = 30.0,
    ) -> None:
        self._storage = storage
        self._embedder = embedder
        self._memory = memory
        self._batch_size = batch_size
        self._max_backoff = max_backoff
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.embedded_total = 0

    def start(self) -> None:
        """Start the worker; it first catches up on everything still pending."""
        if self._task is None:
            self._wake.set()
            self._task = asyncio.create_task(self._run(), name="hearth-embedding-worker")

    def notify(self) -> None:
        """Tell the worker new messages are waiting."""
        self._idle.clear()
        self._wake.set()

    async def stop(self) -> None:
        """Stop the worker; unfinished messages stay pending for the next start."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def drain(self) -> None:
        """Wait until nothing is pending (for tests, benchmarks and the playground)."""
        self.notify()
        await self._idle.wait()

    async def run_once(self) -> int:
        """Embed everything pending now; returns how many messages were stored."""
        done = 0
        while batch := await self._storage.pending_messages(self._batch_size):
            await self._embed_batch(batch)
            done += len(batch)
        return done

    async def _run(self) -> None:
        backoff = 1.0
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception(
                    "embedding failed; pending messages stay queued, retry in %.0fs", backoff
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff)
                self._wake.set()
                continue
            backoff = 1.0
            if not self._wake.is_set():
                self._idle.set()

    async def _embed_batch(self, batch: list[StoredMessage]) -> None:
        vectors = await self._embedder.embed_passages([m.text for m in batch])
        records = [
            MemoryRecord(
                message_id=m.id,
                chat_id=m.chat_id,
                member_id=m.member_id,
                sent_at=m.sent_at,
                text=m.text,
                vector=vector,
                permalink=m.permalink,
            )
            for m, vector in zip(batch, vectors, strict=True)
        ]
        await self._memory.upsert(records)
        ids = [m.id for m in batch]
        still_stored = await self._storage.existing_message_ids(ids)
        gone = [i for i in ids if i not in still_stored]
        if gone:
            # Forgotten or deleted while being embedded: take them out again, and out
            # of the files soon (a /forget may already have had its purge).
            await self._memory.delete_messages(gone)
            await purge_soon(self._memory)
        await self._storage.mark_embedded([m for m in batch if m.id in still_stored], utcnow())
        self.embedded_total += len(batch)
