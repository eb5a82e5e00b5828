"""Moves stored messages into vector memory in the background.

Messages are committed to SQL first; this worker embeds whatever is not yet
in memory, in batches, off the update path. After a crash, a kill or a memory
outage it simply finds the rows still marked pending and embeds them, once:
the point id is the message id, so a retry overwrites instead of duplicating.
Messages said to Hearth itself are marked done without entering memory, so no
twin, search or digest built on memory ever treats them as the members' talk.

When memory cannot take writes (a full or read-only disk, a Qdrant server that
is down) the worker logs one error for the outage, retries with back-off and
logs again when memory is back; meanwhile new messages are still stored in SQL
and wait there. A store that can check its disk before writing (Qdrant Edge) is
checked before each batch is embedded, so no work is thrown away, and polled
while the worker waits, so a repair is noticed within a second.

Several workers (``hearth worker`` processes beside ``hearth run``) share the
pending rows through claims (:class:`Claims`): each batch is claimed for a while
before it is embedded, so no two workers take the same message, and the claims of
a worker that was killed run out and put its rows back in the pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from adapters.backoff import Backoff
from bots.metrics import HearthMetrics
from bots.storage.records import StoredMessage
from bots.storage.repository import Storage
from bots.storage.tables import utcnow
from jobs.message_terms import MessageTerms, message_terms
from memory.embedder import Embedder
from memory.records import MemoryRecord
from memory.store import MemoryNotWritableError, MemoryStore, check_writable, purge_soon

log = logging.getLogger(__name__)

RECHECK_SECONDS = 1.0
"""How often a store that can check its disk is checked while the worker waits to retry."""

POLL_SECONDS = 5.0
"""How often an idle worker looks for pending messages nobody told it about (stored by
another process, such as ``hearth import``)."""


def worker_name() -> str:
    """A name for this worker that no other process shares: host, process id and a tag."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Claims:
    """Claim batches before embedding them, for workers in several processes.

    ``hold`` is how long a claim lasts: longer than one batch takes to embed and store,
    and the time a killed worker's rows wait before another worker takes them.
    """

    hold: timedelta = timedelta(minutes=2)
    name: str = field(default_factory=worker_name)


class EmbeddingWorker:
    """A background task that embeds pending messages and stores them in memory.

    Live messages are taken ``batch_size`` at a time, before any imported one; the
    imported backlog, when no live message waits, ``import_batch_size`` at a time
    (fewer reads and writes per message; default ``batch_size``).
    """

    def __init__(
        self,
        storage: Storage,
        embedder: Embedder,
        memory: MemoryStore,
        *,
        batch_size: int = 16,
        import_batch_size: int | None = None,
        max_backoff: float = 30.0,
        metrics: HearthMetrics | None = None,
        poll_seconds: float = POLL_SECONDS,
        claims: Claims | None = None,
    ) -> None:
        self._storage = storage
        self._claims = claims
        self._poll_seconds = poll_seconds
        self._embedder = embedder
        self._memory = memory
        self._batch_size = batch_size
        self._import_batch_size = import_batch_size or batch_size
        self._max_backoff = max_backoff
        self._metrics = metrics or HearthMetrics()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._outage: str | None = None
        self._outage_since = 0.0

    @property
    def outage(self) -> str | None:
        """Why messages cannot be embedded now (the last error); ``None`` when they can."""
        return self._outage

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
        """Embed everything pending now; returns how many messages were stored.

        Batches are pipelined so that the embedder never waits for SQL or memory: while
        one batch is embedded, the next batch of live messages is already read and queued
        behind it, and the batch before it is written to memory and then marked embedded
        in SQL. Imported messages are read only once the batch before them is embedded,
        so live messages still come first (one that arrives during an import waits for
        the import batch being embedded, no more). A message is marked only once memory
        holds it. With claims, each batch is claimed as it is read, and a failure or a
        stop gives back what this worker still holds.
        """
        done = 0
        # Checked first so that no batch is embedded only to be refused (each write is
        # checked again by the store itself).
        await check_writable(self._memory)
        storing: asyncio.Task[None] | None = None
        stored: list[int] = []
        batch = await self._next_batch(stored)
        embedding = self._embed_soon(batch)
        queued: asyncio.Task[list[list[float]]] | None = None
        try:
            while embedding is not None:
                held = stored + [m.id for m in batch]
                following = await self._next_batch(held, live_only=True)
                queued = self._embed_soon(following)
                vectors = await embedding
                if storing is not None:
                    await storing
                storing = asyncio.create_task(self._store(batch, vectors))
                stored = [m.id for m in batch]
                done += len(batch)
                if queued is None:
                    following = await self._next_batch(stored)
                    queued = self._embed_soon(following)
                batch, embedding, queued = following, queued, None
        except BaseException as error:
            embeddings = [t for t in (embedding, queued) if t is not None and not t.done()]
            for task in embeddings:
                task.cancel()
            await asyncio.gather(*embeddings, return_exceptions=True)
            if storing is not None and not storing.done():
                # A stop cuts the write short (the batch stays pending); a failed
                # embedding still lets the batch before it be written and marked.
                if isinstance(error, asyncio.CancelledError):
                    storing.cancel()
                await asyncio.gather(storing, return_exceptions=True)
            await self._release()
            raise
        if storing is not None:
            await storing
        return done

    def _embed_soon(self, batch: list[StoredMessage]) -> asyncio.Task[list[list[float]]] | None:
        """Start embedding ``batch`` now, queued behind any batch the embedder is on
        (None for an empty batch)."""
        return asyncio.create_task(self._vectors(batch)) if batch else None

    async def _next_batch(
        self, in_flight: list[int], *, live_only: bool = False
    ) -> list[StoredMessage]:
        """The next batch: claimed for this worker, or (one worker alone) just read
        (``live_only``: live messages, or nothing)."""
        if self._claims is not None:
            return await self._storage.claim_pending(
                self._claims.name,
                self._batch_size,
                imported_limit=self._import_batch_size,
                hold=self._claims.hold,
                live_only=live_only,
            )
        return await self._storage.pending_messages(
            self._batch_size,
            imported_limit=self._import_batch_size,
            exclude=in_flight,
            live_only=live_only,
        )

    async def _release(self) -> None:
        """Give back this worker's claims so that another worker need not wait for them."""
        if self._claims is None:
            return
        try:
            await asyncio.shield(self._storage.release_claims(self._claims.name))
        except Exception as error:  # they run out by themselves
            log.warning("could not give back embedding claims (they run out): %s", error)

    async def _run(self) -> None:
        backoff = Backoff(initial=1.0, maximum=self._max_backoff, jitter=0.0)
        while True:
            # ``asyncio.timeout`` rather than ``wait_for``: on Python 3.11 a stop that
            # lands while ``wait_for`` is finishing can be swallowed, and ``stop()`` hangs.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll_seconds):
                    await self._wake.wait()
            self._wake.clear()
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                delay = backoff.next_delay()
                self._failed(error, delay)
                await self._wait_to_retry(delay, error)
                self._wake.set()
                continue
            self._recovered()
            backoff.reset()
            if not self._wake.is_set():
                self._idle.set()

    def _failed(self, error: Exception, backoff: float) -> None:
        """Note a failed attempt; only the first of an outage is logged as an error."""
        if self._outage is not None:
            self._outage = str(error) or type(error).__name__
            log.debug("embedding still failing (retry in %.0fs): %s", backoff, error)
            return
        self._outage = str(error) or type(error).__name__
        self._outage_since = time.monotonic()
        log.error(
            "messages cannot be put into vector memory: %s. They stay pending in the database "
            "and are embedded when memory is back; retrying with back-off (up to every %.0fs)",
            self._outage,
            self._max_backoff,
            exc_info=None if isinstance(error, MemoryNotWritableError) else error,
        )

    def _recovered(self) -> None:
        if self._outage is None:
            return
        self._outage = None
        log.info(
            "vector memory is writable again after %.0fs; pending messages were embedded",
            time.monotonic() - self._outage_since,
        )

    async def _wait_to_retry(self, delay: float, error: Exception) -> None:
        """Sleep ``delay`` seconds; a store whose disk was the problem is rechecked meanwhile."""
        if not isinstance(error, MemoryNotWritableError):
            await asyncio.sleep(delay)
            return
        deadline = time.monotonic() + delay
        while (left := deadline - time.monotonic()) > 0:
            await asyncio.sleep(min(RECHECK_SECONDS, left))
            try:
                await check_writable(self._memory)
            except MemoryNotWritableError:
                continue
            return

    async def _vectors(self, batch: list[StoredMessage]) -> list[list[float]]:
        """The vectors of the batch's messages that go into memory (not those said to Hearth)."""
        talk = [m.text for m in batch if not m.to_hearth]
        return await self._embedder.embed_passages(talk) if talk else []

    async def _store(self, batch: list[StoredMessage], vectors: list[list[float]]) -> None:
        """Write an embedded batch to memory, then mark it embedded in SQL."""
        talk = [m for m in batch if not m.to_hearth]
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
            for m, vector in zip(talk, vectors, strict=True)
        ]
        if records:
            await self._memory.upsert(records)
        terms = await _interest_terms(talk)
        asked = [m.id for m in batch if m.to_hearth]
        if asked:
            # Said to Hearth itself: never in memory (an edit may have made an earlier
            # version of the message part of the talk, so any old point goes).
            await self._memory.delete_messages(asked)
        # Marked only now that memory holds them; the rows still stored are read in
        # the same transaction.
        still_stored = await self._storage.mark_embedded(batch, utcnow(), terms)
        gone = [m.id for m in batch if m.id not in still_stored]
        if gone:
            # Forgotten or deleted while being embedded: take them out again, and out
            # of the files soon (a /forget may already have had its purge).
            await self._memory.delete_messages(gone)
            await purge_soon(self._memory)
        self._metrics.messages_embedded.inc(len(batch))


async def _interest_terms(talk: Sequence[StoredMessage]) -> dict[int, MessageTerms]:
    """The interest terms of the messages, by id, found beside their vectors so that no
    introduction round finds them again (see :mod:`jobs.message_terms`). Text rules
    that fail on a message leave it without: a round then finds them itself."""

    def find() -> dict[int, MessageTerms]:
        found = {}
        for message in talk:
            try:
                found[message.id] = message_terms(message.text)
            except Exception:
                log.exception("no interest terms for message %d", message.id)
        return found

    return await asyncio.to_thread(find) if talk else {}
