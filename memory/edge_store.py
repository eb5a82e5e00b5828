"""Vector memory in an embedded Qdrant Edge shard: no server, files under one folder."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar
from uuid import UUID

import numpy as np
import numpy.typing as npt
from qdrant_edge import (
    CountRequest,
    Distance,
    EdgeConfig,
    EdgeOptimizersConfig,
    EdgeShard,
    EdgeSparseVectorParams,
    EdgeVectorParams,
    FieldCondition,
    Filter,
    HnswIndexConfig,
    IntegerIndexParams,
    IsEmptyCondition,
    MatchAny,
    MatchValue,
    Memory,
    Modifier,
    Point,
    Query,
    QueryBatchRequest,
    QueryRequest,
    Record,
    ScoredPoint,
    SparseVector,
    UpdateOperation,
)

from memory._payload import (
    CHAT_ID,
    INDEXED_FIELDS,
    MEMBER_CHAT,
    MEMBER_ID,
    NO_KEY,
    TEXT,
    as_vector,
    dense_rows,
    dense_vector,
    member_chat_key,
    to_hit,
    to_payload,
)
from memory.disk_guard import DEFAULT_MIN_FREE_BYTES, used_bytes, write_blocker
from memory.edge_rewrite import (
    BUILDING,
    CONFIG_FILE,
    ShardCopy,
    check_room,
    recover_swap,
    sibling,
    swap_in,
)
from memory.keywords import KEYWORDS, KeywordVector, keyword_encoder
from memory.mapped_pages import page_out
from memory.name_forms import NAME_HITS, holds_name
from memory.records import MemoryHit, MemoryRecord, MemoryScope, PeerScores
from memory.store import (
    VECTOR_PAGE,
    DimensionMismatchError,
    FloatVector,
    MemoryNotWritableError,
    MemoryStoreError,
)

T = TypeVar("T")
log = logging.getLogger(__name__)

SEGMENT_POINTS = 100_000
"""Most points in one indexed segment: what one optimizer step reads and writes at most.

The engine merges segments up to this size and never beyond, so optimizing, compacting
and reopening a shard of any size hold at most about two segments' worth of new data in
memory at once (about 150 MiB of 384-dimensional vectors each)."""
OPTIMIZE_EVERY = 50_000
"""Points written since the last optimize after which the store optimizes on its own.

New points land in one appendable segment that the engine keeps in memory and that only
optimize turns into indexed segments. Left alone through a bulk import it would grow to
the whole store and then be converted in one piece, holding it twice in memory. Each such
batch becomes a segment of its own and is written once; smaller segments (the rest of a
batch cut short by a restart) are merged with others up to :data:`SEGMENT_POINTS`."""

EDGE_INDEXED_FIELDS = (*INDEXED_FIELDS, MEMBER_CHAT)
"""Integer payload indexes of a shard: chat, member, and the member in their chat."""

_MARKER = "hearth_purge"
"""A file in the shard folder saying that deleted points may still be in its files."""
_REQUESTED = "requested"
"""Marker state: a purge was asked for (``/forget``) and is still owed."""
_DELETED = "deleted"
"""Marker state: points were deleted since the last rewrite; the nightly job purges them."""


class EdgeMemoryStore:
    """A :class:`~memory.store.MemoryStore` on a Qdrant Edge shard at ``path``.

    The shard is a synchronous, in-process engine. Every call runs on one
    worker thread owned by the store, so the event loop never blocks and the
    shard is never used from two threads at once; concurrent callers queue.

    Point ids are message ids. ``chat_id`` and ``member_id`` carry integer
    payload indexes, and the shard is created without a global HNSW graph
    (``m=0``): every search is filtered to a few members, so the engine reads
    their points through the payload index and scores them exactly, which is
    fast and never misses a match.

    Each point also carries a sparse ``keywords`` vector (BM25 weights of its
    text, see :mod:`memory.keywords`) for :meth:`search_keywords`. A shard
    made before keyword vectors existed is rebuilt with them on :meth:`open`,
    from the stored texts (nothing is embedded again).

    Segments are bounded (``segment_points`` points each; see
    :data:`SEGMENT_POINTS`) and the store optimizes on its own after
    ``optimize_every`` written points, so no engine step ever handles the
    whole store at once and peak memory stays near the steady level. A shard
    from before this bound is given it when loaded; one whose unindexed part is
    still larger than a segment is rewritten by :meth:`optimize` rather than
    converted in one piece.

    Updates go through the shard's write-ahead log, so they survive a crash.
    The log only shrinks when the shard is flushed, which the store does after
    ``flush_every`` changed points or ``flush_interval`` seconds (checked on
    each write), on :meth:`flush` and on :meth:`close`.

    The engine memory-maps its files, and a full disk under a mapped page kills
    the process with SIGBUS. So before every write (and before opening, which
    may replay the log) the store checks its filesystem: writable, not mounted
    read-only, and at least ``min_free_bytes`` free (compaction also needs room
    for a copy of the segments). Otherwise it raises
    :class:`~memory.store.MemoryNotWritableError` and writes nothing; reads go on.

    A deleted point stays in the shard's files (segments and log) until the
    shard is rewritten (see :mod:`memory.edge_rewrite`). :meth:`purge_soon`
    asks for a rewrite ``purge_delay`` seconds later (``/forget`` does);
    :meth:`optimize` rewrites when anything was deleted since the last
    rewrite. A marker file in the shard folder keeps an owed purge across a
    stop or a crash: :meth:`close` and :meth:`open` carry it out.
    """

    def __init__(
        self,
        path: Path,
        dimension: int,
        *,
        flush_every: int = 20_000,
        flush_interval: float = 300.0,
        min_free_bytes: int = DEFAULT_MIN_FREE_BYTES,
        purge_delay: float = 1.0,
        segment_points: int = SEGMENT_POINTS,
        optimize_every: int = OPTIMIZE_EVERY,
    ) -> None:
        if dimension < 1:
            raise ValueError("dimension must be positive")
        if segment_points < 1 or optimize_every < 1:
            raise ValueError("segment_points and optimize_every must be positive")
        if min_free_bytes < 0:
            raise ValueError("min_free_bytes cannot be negative")
        self._path = Path(path)
        self._dimension = dimension
        self._min_free_bytes = min_free_bytes
        self._flush_every = flush_every
        self._flush_interval = flush_interval
        self._purge_delay = purge_delay
        self._segment_points = segment_points
        self._optimize_every = min(optimize_every, segment_points)
        self._executor: ThreadPoolExecutor | None = None
        # Only touched on the event loop:
        self._purge_task: asyncio.Task[None] | None = None
        self._purge_requests = 0
        self._purge_lock = asyncio.Lock()
        # Only touched on the worker thread:
        self._shard: EdgeShard | None = None
        self._keyed = False  # every point carries its MEMBER_CHAT (read on any thread)
        self._unflushed = 0
        self._unoptimized = 0
        self._flushed_at = time.monotonic()
        self._marker: str | None = None
        self._copy: ShardCopy | None = None
        self._owed_after_copy: str | None = None
        self._copy_started = time.monotonic()

    @property
    def path(self) -> Path:
        """The folder holding the shard."""
        return self._path

    @property
    def dimension(self) -> int:
        """Length of the stored vectors."""
        return self._dimension

    async def open(self) -> None:
        """Create the shard (with its payload indexes) if missing, else load it.

        Raises :class:`~memory.store.DimensionMismatchError` when the shard on
        disk holds vectors of another length, and
        :class:`~memory.store.MemoryStoreError` when it cannot be opened (for
        example because another process holds it).
        """
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qdrant-edge")
        await asyncio.get_running_loop().run_in_executor(self._executor, self._open_sync)

    async def close(self) -> None:
        """Finish an owed purge, flush and close the shard, stop the worker thread.

        Safe to call twice.
        """
        executor = self._executor
        if executor is None:
            return
        task, self._purge_task = self._purge_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._executor = None
        try:
            await asyncio.get_running_loop().run_in_executor(executor, self._close_sync)
        finally:
            executor.shutdown(wait=False)

    async def check_writable(self) -> None:
        """Raise :class:`~memory.store.MemoryNotWritableError` when a write now would be refused.

        Only the filesystem is looked at, on a thread of its own: a health check never
        waits behind a long write or a compaction.
        """
        if self._executor is None:
            raise MemoryStoreError("the memory store is not open")
        await asyncio.to_thread(self._ensure_writable)

    async def upsert(self, records: Sequence[MemoryRecord]) -> None:
        """Store records, replacing any with the same ``message_id``."""
        if not records:
            return
        await self._run_write(lambda shard: self._upsert_sync(shard, records))

    async def search(
        self, vector: Sequence[float], scope: MemoryScope, limit: int
    ) -> list[MemoryHit]:
        """The ``limit`` records closest to ``vector`` within ``scope``, best first."""
        if limit < 1:
            return []
        request = QueryRequest(
            limit=limit,
            query=Query.Nearest(as_vector(vector, self._dimension)),
            filter=_scope_filter(scope, keyed=self._keyed),
            with_payload=True,
        )
        points = await self._run(lambda shard: shard.query(request))
        return [to_hit(point.id, point.score, point.payload) for point in points]

    async def search_keywords(self, text: str, scope: MemoryScope, limit: int) -> list[MemoryHit]:
        """The ``limit`` records within ``scope`` that best match ``text``'s words (BM25)."""
        if limit < 1:
            return []
        return await self._run(lambda shard: self._search_keywords_sync(shard, text, scope, limit))

    async def search_hybrid(
        self, vector: Sequence[float], text: str, scope: MemoryScope, limit: int
    ) -> tuple[list[MemoryHit], list[MemoryHit]]:
        """:meth:`search` and :meth:`search_keywords` in one batch: the engine reads the
        scope's points once for both and searches its segments in parallel."""
        if limit < 1:
            return [], []
        return await self._run(
            lambda shard: self._search_hybrid_sync(shard, vector, text, scope, limit)
        )

    async def peer_scores(
        self,
        vector: Sequence[float],
        text: str,
        chat_id: int,
        member_ids: Sequence[int],
        limit: int,
        *,
        names: Sequence[str] = (),
    ) -> PeerScores:
        """Scores of the best ``limit`` messages in ``chat_id`` not written by ``member_ids``.

        Only scores come back (no payload), for both meaning and keywords, and for each of
        ``names`` whether one of those messages holds a word of it (one keyword hit each).
        """
        if limit < 1:
            return PeerScores()
        return await self._run(
            lambda shard: self._peer_scores_sync(
                shard, vector, text, _peer_filter(chat_id, member_ids), limit, names=names
            )
        )

    async def delete_messages(self, message_ids: Sequence[int]) -> None:
        """Remove the given messages; unknown ids are ignored."""
        if not message_ids:
            return
        operation = UpdateOperation.delete_points(list(message_ids))
        await self._write(operation, len(message_ids), deleting=True)

    async def delete_member(self, member_id: int, chat_id: int | None) -> None:
        """Remove every record of a member, in one chat or (``None``) in all chats."""
        conditions = [_equals(MEMBER_ID, member_id)]
        if chat_id is not None:
            conditions.append(_equals(CHAT_ID, chat_id))
        operation = UpdateOperation.delete_points_by_filter(Filter(must=list(conditions)))
        await self._write(operation, deleting=True)

    async def delete_chat(self, chat_id: int) -> None:
        """Remove every record of a chat."""
        chat_filter = Filter(must=[_equals(CHAT_ID, chat_id)])
        await self._write(UpdateOperation.delete_points_by_filter(chat_filter), deleting=True)

    async def vectors(self, message_ids: Sequence[int]) -> dict[int, FloatVector]:
        """The stored dense vectors of these messages (those not stored are left out).

        Read ``VECTOR_PAGE`` at a time; each page's vectors are rows of one float32 matrix.
        """
        if not message_ids:
            return {}
        ids = list(dict.fromkeys(int(i) for i in message_ids))
        found: dict[int, FloatVector] = {}
        for start in range(0, len(ids), VECTOR_PAGE):
            read = functools.partial(self._vectors_sync, ids=ids[start : start + VECTOR_PAGE])
            rows, matrix = await self._run(read)
            found.update(zip(rows, matrix, strict=True))
        return found

    async def release_pages(self) -> None:
        """Have the pages of the shard's mapped files that reads went through reclaimed now.

        A round reading every vector of a large chat once would otherwise hold the
        whole vector file in its resident memory (see :mod:`memory.mapped_pages`).
        Runs on the store's thread, between its reads and writes.
        """
        path = self._path
        await self._run(lambda _: page_out(path))

    def _vectors_sync(
        self, shard: EdgeShard, ids: list[int]
    ) -> tuple[list[int], npt.NDArray[np.float32]]:
        records = shard.retrieve(list[int | UUID | str](ids), False, True)
        return dense_rows([(record.id, record.vector) for record in records], self._dimension)

    async def count(self, member_id: int | None = None, chat_id: int | None = None) -> int:
        """How many records match the optional member and chat filters."""
        conditions: list[FieldCondition] = []
        if member_id is not None:
            conditions.append(_equals(MEMBER_ID, member_id))
        if chat_id is not None:
            conditions.append(_equals(CHAT_ID, chat_id))
        request = CountRequest(
            exact=True, filter=Filter(must=list(conditions)) if conditions else None
        )
        return await self._run(lambda shard: shard.count(request))

    async def optimize(self) -> bool:
        """Merge segments and drop deleted points; returns whether anything changed.

        When points were deleted since the last rewrite, or when more points than
        one segment holds are still unindexed (a shard filled before segments
        were bounded), the shard is rewritten (:meth:`purge`), which leaves
        nothing of deleted points in its files and builds bounded segments;
        otherwise the engine merges segments, one bounded segment at a time.
        Without a global HNSW graph either is cheap (seconds for 100,000
        points), so it suits a nightly job. Merging writes segments beside the
        old ones, so it needs their size free on top of the usual margin.
        """
        if await self._run(self._needs_rewrite):
            try:
                await self.purge()
                return True
            except MemoryStoreError as error:
                log.warning("%s; merging segments instead", error)

        return await self._run(self._optimize_sync)

    def _needs_rewrite(self, shard: EdgeShard) -> bool:
        return (
            self._marker is not None
            or not self._keyed  # written before member-in-chat keys: the copy adds them
            or unindexed_points(shard) > self._segment_points
        )

    def _optimize_sync(self, shard: EdgeShard) -> bool:
        self._ensure_writable(headroom=used_bytes(self._path / "segments"))
        self._unoptimized = 0
        return shard.optimize()

    async def purge_soon(self) -> None:
        """Have the shard rewritten without its deleted points in ``purge_delay`` seconds.

        Returns at once; requests made before the rewrite starts share it. The
        request is written down first, so a stop or a crash does not lose it.
        """
        await self._run(lambda _shard: self._mark_sync(_REQUESTED))
        self._purge_requests += 1
        if self._purge_task is None or self._purge_task.done():
            self._purge_task = asyncio.get_running_loop().create_task(
                self._purge_when_due(), name=f"purge {self._path.name}"
            )

    async def purge(self) -> int:
        """Rewrite the shard now with only its live points; how many points it kept.

        The copy goes a page at a time, so searches and writes are served from
        the current shard meanwhile (writes reach both). Raises
        :class:`~memory.store.MemoryStoreError` when the disk lacks room for a
        second copy; the old shard then stays as it is.
        """
        async with self._purge_lock:
            await self._run(lambda _shard: self._begin_copy_sync())
            try:
                while not await self._run(lambda _shard: self._copy_step_sync()):
                    pass
                return await self._run(lambda _shard: self._finish_copy_sync())
            except asyncio.CancelledError:
                raise  # the copy stays; close() or the next purge finishes it
            except BaseException:
                with contextlib.suppress(MemoryStoreError):
                    await self._run(lambda _shard: self._abort_copy_sync())
                raise

    async def flush(self) -> None:
        """Write pending changes into the segments and trim the write-ahead log."""
        await self._run_write(self._flush_sync)

    async def _write(
        self, operation: UpdateOperation, changed: int = 1, *, deleting: bool = False
    ) -> None:
        await self._run_write(lambda shard: self._update_sync(shard, operation, changed, deleting))

    async def _run_write(self, call: Callable[[EdgeShard], T]) -> T:
        def guarded(shard: EdgeShard) -> T:
            self._ensure_writable()
            return call(shard)

        return await self._run(guarded)

    def _ensure_writable(self, headroom: int = 0) -> None:
        problem = write_blocker(self._path, self._min_free_bytes + headroom)
        if problem is not None:
            raise MemoryNotWritableError(f"not writing to the Qdrant Edge shard: {problem}")

    async def _purge_when_due(self) -> None:
        while True:
            seen = self._purge_requests
            await asyncio.sleep(self._purge_delay)
            try:
                await self.purge()
            except MemoryStoreError as error:
                log.warning("%s; the purge is left for the nightly upkeep or the next start", error)
                return
            except Exception:
                log.exception("the purge of %s failed; it is left for later", self._path)
                return
            if self._purge_requests == seen:
                return

    async def _run(self, call: Callable[[EdgeShard], T]) -> T:
        executor = self._executor
        if executor is None:
            raise MemoryStoreError("the memory store is not open")
        return await asyncio.get_running_loop().run_in_executor(executor, self._call, call)

    def _call(self, call: Callable[[EdgeShard], T]) -> T:
        if self._shard is None:
            raise MemoryStoreError("the memory store is not open")
        return call(self._shard)

    def _open_sync(self) -> None:
        if self._shard is not None:
            return
        # Loading replays the write-ahead log into the segments: a write like any other.
        self._ensure_writable()
        recover_swap(self._path)
        exists = (self._path / CONFIG_FILE).exists()
        if exists and not self._check_stored_config():
            self._ensure_writable(headroom=used_bytes(self._path))
            self._add_keyword_vectors()
        self._shard = self._load_sync(exists)
        self._marker = self._read_marker()
        if self._marker == _REQUESTED:
            self._purge_now_sync("the next start")

    def _purge_now_sync(self, later: str) -> None:
        """Rewrite the shard now (finishing a copy under way); a failure is logged, not raised."""
        try:
            self._begin_copy_sync()
            self._finish_copy_sync()
        except Exception:  # the store goes on with the shard it has
            self._abort_copy_sync()
            log.exception("the purge of %s failed; it is left for %s", self._path, later)

    def _load_sync(self, exists: bool) -> EdgeShard:
        config = self._config()
        try:
            if exists:
                shard = EdgeShard.load(str(self._path), config)
            else:
                self._path.mkdir(parents=True, exist_ok=True)
                shard = EdgeShard.create(str(self._path), config)
        except Exception as error:  # the engine raises plain Exception
            raise MemoryStoreError(
                f"cannot open the Qdrant Edge shard at {self._path}: {error}"
            ) from error
        try:
            indexed = shard.info().payload_schema
            for field in EDGE_INDEXED_FIELDS:
                if field not in indexed:
                    schema = IntegerIndexParams(lookup=True, range=False)
                    shard.update(UpdateOperation.create_field_index(field, schema))
            self._keyed = every_point_keyed(shard)
        except BaseException:
            shard.close()
            raise
        return shard

    def _config(self, *, keywords: bool = True) -> EdgeConfig:
        """The shard's settings; loading a shard with them stores them in its folder.

        Dense vectors stay in memory-mapped files that are not loaded up front
        (``Memory.Cold``): the pages a search reads stay in the page cache, and a
        store of a million messages does not take their 1.5 GB of memory to open
        or to build a segment. The optimizer settings and the placement apply to an
        existing shard as well: they only shape the segments it builds from now on,
        and change nothing already stored.
        """
        return EdgeConfig(
            vectors=EdgeVectorParams(
                size=self._dimension, distance=Distance.Cosine, memory=Memory.Cold
            ),
            sparse_vectors=(
                {KEYWORDS: EdgeSparseVectorParams(modifier=Modifier.Idf)} if keywords else None
            ),
            hnsw_config=HnswIndexConfig(m=0, ef_construct=100, full_scan_threshold=10_000),
            optimizers=segment_bounds(self._dimension, self._segment_points, self._optimize_every),
        )

    def _add_keyword_vectors(self) -> None:
        """Rebuild a shard made before keyword vectors, keeping every point and vector.

        The new shard is written beside the old one and swapped in by renames;
        :func:`~memory.edge_rewrite.recover_swap` finishes or discards an
        upgrade cut short. Deleted points are left behind, as in any rewrite.
        """
        try:
            old = EdgeShard.load(str(self._path), self._config(keywords=False))
        except Exception as error:  # the engine raises plain Exception
            raise MemoryStoreError(
                f"cannot open the Qdrant Edge shard at {self._path}: {error}"
            ) from error
        try:
            copy = ShardCopy(
                old,
                sibling(self._path, BUILDING),
                self._config(),
                EDGE_INDEXED_FIELDS,
                _with_keywords,
                optimize_every=self._optimize_every,
            )
            try:
                copy.finish()
            except BaseException:
                copy.abort()
                raise
        finally:
            old.close()
        swap_in(self._path, copy.target)
        log.info("added keyword vectors to %d messages in %s", copy.copied, self._path)

    def _begin_copy_sync(self) -> None:
        """Start copying the live points into a fresh shard (unless a copy is under way)."""
        shard = self._open_shard()
        if self._copy is not None:
            return
        check_room(self._path)
        self._copy = ShardCopy(
            shard,
            sibling(self._path, BUILDING),
            self._config(),
            EDGE_INDEXED_FIELDS,
            _with_key,
            optimize_every=self._optimize_every,
        )
        self._owed_after_copy = None
        self._copy_started = time.monotonic()

    def _copy_step_sync(self) -> bool:
        if self._copy is None:
            raise MemoryStoreError(f"the rewrite of {self._path} was abandoned")
        return self._copy.step()

    def _finish_copy_sync(self) -> int:
        """Copy the rest, swap the new shard in and load it; how many points it holds."""
        copy, shard = self._copy, self._open_shard()
        if copy is None:
            raise MemoryStoreError(f"the rewrite of {self._path} was abandoned")
        try:
            copy.finish()
            owed = self._owed_after_copy  # deleted from during the copy: still owed there
            if owed is not None:
                _write_marker(copy.target, owed)
        except BaseException:
            self._abort_copy_sync()
            raise
        self._copy, self._shard = None, None
        try:
            try:
                shard.flush()
            finally:
                shard.close()
            swap_in(self._path, copy.target)
        except Exception as error:  # the engine raises plain Exception
            recover_swap(self._path)  # back to whichever whole shard is there
            self._shard = self._load_sync(True)
            raise MemoryStoreError(f"cannot swap in the rewritten shard: {error}") from error
        self._shard = self._load_sync(True)
        self._unflushed, self._flushed_at = 0, time.monotonic()
        self._unoptimized = 0
        self._marker = owed
        log.info(
            "rewrote the memory shard at %s without its deleted points: %d kept, %.1f s",
            self._path,
            copy.copied,
            time.monotonic() - self._copy_started,
        )
        return copy.copied

    def _abort_copy_sync(self) -> None:
        copy, self._copy = self._copy, None
        if copy is not None:
            copy.abort()

    def _mark_sync(self, state: str) -> None:
        """Note (in the marker file) that deleted points may remain; ``requested`` wins."""
        if self._copy is not None and self._owed_after_copy != _REQUESTED:
            self._owed_after_copy = state
        if self._marker in (_REQUESTED, state):
            return
        try:
            _write_marker(self._path, state)
        except OSError as error:  # the purge still happens while the process lives
            log.warning("cannot note an owed purge in %s: %s", self._path, error)
        self._marker = state

    def _read_marker(self) -> str | None:
        try:
            state = (self._path / _MARKER).read_text(encoding="ascii").strip()
        except (OSError, ValueError):
            return None
        return _REQUESTED if state == _REQUESTED else _DELETED

    def _open_shard(self) -> EdgeShard:
        if self._shard is None:
            raise MemoryStoreError("the memory store is not open")
        return self._shard

    def _upsert_sync(self, shard: EdgeShard, records: Sequence[MemoryRecord]) -> None:
        encoder = keyword_encoder()
        points = [
            Point(
                record.message_id,
                {
                    "": as_vector(record.vector, self._dimension),
                    KEYWORDS: _sparse(encoder.document(record.text)),
                },
                _keyed_payload(record),
            )
            for record in records
        ]
        self._update_sync(shard, UpdateOperation.upsert_points(points), len(points))

    def _search_keywords_sync(
        self, shard: EdgeShard, text: str, scope: MemoryScope, limit: int
    ) -> list[MemoryHit]:
        query = keyword_encoder().query(text)
        if not query:
            return []
        request = _keyword_request(query, _scope_filter(scope, keyed=self._keyed), limit)
        return [to_hit(point.id, point.score, point.payload) for point in shard.query(request)]

    def _search_hybrid_sync(
        self, shard: EdgeShard, vector: Sequence[float], text: str, scope: MemoryScope, limit: int
    ) -> tuple[list[MemoryHit], list[MemoryHit]]:
        scoped = _scope_filter(scope, keyed=self._keyed)
        queries = [
            QueryRequest(
                limit=limit,
                query=Query.Nearest(as_vector(vector, self._dimension)),
                filter=scoped,
                with_payload=True,
            )
        ]
        words = keyword_encoder().query(text)
        if words:
            queries.append(_keyword_request(words, scoped, limit))
        dense, *keywords = shard.query_batch(QueryBatchRequest(queries))
        return (
            [to_hit(point.id, point.score, point.payload) for point in dense],
            [to_hit(point.id, point.score, point.payload) for found in keywords for point in found],
        )

    def _peer_scores_sync(
        self,
        shard: EdgeShard,
        vector: Sequence[float],
        text: str,
        peers: Filter,
        limit: int,
        *,
        names: Sequence[str] = (),
    ) -> PeerScores:
        queries = [
            QueryRequest(
                limit=limit,
                query=Query.Nearest(as_vector(vector, self._dimension)),
                filter=peers,
                with_payload=False,
            )
        ]
        query = keyword_encoder().query(text)
        if query:
            queries.append(
                QueryRequest(
                    limit=limit,
                    query=Query.Nearest(_sparse(query), using=KEYWORDS),
                    filter=peers,
                    with_payload=False,
                )
            )
        searched = len(queries)
        name_words = [keyword_encoder().query(name) for name in names]
        queries += [
            QueryRequest(
                limit=NAME_HITS,
                query=Query.Nearest(_sparse(words), using=KEYWORDS),
                filter=peers,
                with_payload=True,
            )
            for words in name_words
            if words
        ]
        dense, *keywords = shard.query_batch(QueryBatchRequest(queries))
        found_names = iter(keywords[searched - 1 :])
        return PeerScores(
            tuple(point.score for point in dense),
            tuple(point.score for found in keywords[: searched - 1] for point in found),
            tuple(
                _holds(next(found_names), name) if words else True
                for name, words in zip(names, name_words, strict=True)
            ),
        )

    def _update_sync(
        self, shard: EdgeShard, operation: UpdateOperation, changed: int, deleting: bool = False
    ) -> None:
        shard.update(operation)
        if self._copy is not None:
            try:
                self._copy.mirror(operation)
            except Exception:  # the engine raises plain Exception
                log.exception("the rewrite of %s could not follow a write; it stops", self._path)
                self._abort_copy_sync()
        if deleting:
            self._mark_sync(_DELETED)
        else:
            self._unoptimized += changed
        self._unflushed += changed
        if (
            self._unflushed >= self._flush_every
            or time.monotonic() - self._flushed_at >= self._flush_interval
        ):
            self._flush_sync(shard)
        if self._unoptimized >= self._optimize_every:
            self._optimize_new_points(shard)

    def _optimize_new_points(self, shard: EdgeShard) -> None:
        """Index the points written lately, so the appendable segment stays small.

        Skipped (and tried again later) while the disk lacks room for the new segment.
        """
        try:
            self._optimize_sync(shard)
        except MemoryNotWritableError as error:
            log.warning("not optimizing the new points yet: %s", error)
            self._unoptimized = 0

    def _flush_sync(self, shard: EdgeShard) -> None:
        shard.flush()
        self._unflushed = 0
        self._flushed_at = time.monotonic()

    def _check_stored_config(self) -> bool:
        """Fail clearly when the shard's vector size differs; whether it has keyword vectors."""
        try:
            stored = json.loads((self._path / CONFIG_FILE).read_text(encoding="utf-8"))
            size = stored["vectors"][""]["size"]
        except (OSError, ValueError, KeyError, TypeError):
            return True  # unknown layout: the engine's own compatibility check still applies
        sparse = stored.get("sparse_vectors")
        keywords = isinstance(sparse, dict) and KEYWORDS in sparse
        if isinstance(size, int) and size != self._dimension:
            raise DimensionMismatchError(
                f"the memory shard at {self._path} holds {size}-dimensional vectors but the "
                f"embedder makes {self._dimension}-dimensional ones; use the embedding model "
                "the shard was built with, or move the folder away to rebuild memory"
            )
        return keywords

    def _close_sync(self) -> None:
        if self._shard is not None and (self._copy is not None or self._marker == _REQUESTED):
            self._purge_now_sync("the next start")
        shard, self._shard = self._shard, None
        if shard is None:
            return
        problem = write_blocker(self._path, self._min_free_bytes)
        try:
            if problem is None:
                shard.flush()
            else:
                log.warning("closing the Qdrant Edge shard without a flush: %s", problem)
        finally:
            shard.close()


def segment_bounds(
    dimension: int, segment_points: int, optimize_every: int
) -> EdgeOptimizersConfig:
    """Optimizer settings that keep every segment at most ``segment_points`` points.

    The engine measures segments by their dense vectors, in KiB. Segments whose
    vectors exceed a quarter of ``optimize_every`` points' worth are indexed;
    smaller ones are merged with their neighbours, never past the bound.
    """
    kib_per_point = dimension * 4 / 1024
    return EdgeOptimizersConfig(
        max_segment_size=max(1, int(segment_points * kib_per_point)),
        indexing_threshold=max(1, int(optimize_every * kib_per_point / 4)),
        default_segment_number=2,
    )


def every_point_keyed(shard: EdgeShard) -> bool:
    """Whether every point of ``shard`` carries its :data:`~memory._payload.MEMBER_CHAT` key
    (points written before keys existed do not, until the shard is rewritten)."""
    missing = Filter(must=[IsEmptyCondition(MEMBER_CHAT)])
    return shard.count(CountRequest(exact=True, filter=missing)) == 0


def unindexed_points(shard: EdgeShard) -> int:
    """How many points wait in appendable segments for :meth:`EdgeShard.optimize` to index them.

    The engine counts every indexed vector, dense and keyword; a point waiting in an
    appendable segment has its keyword vector indexed but not its dense one.
    """
    info = shard.info()
    return max(0, 2 * info.points_count - info.indexed_vectors_count)


def _write_marker(folder: Path, state: str) -> None:
    with open(folder / _MARKER, "w", encoding="ascii") as file:
        file.write(state)
        file.flush()
        os.fsync(file.fileno())


def _equals(field: str, value: int) -> FieldCondition:
    return FieldCondition(field, match=MatchValue(value))


def _sparse(vector: KeywordVector) -> SparseVector:
    return SparseVector(list(vector.indices), list(vector.values))


def _with_keywords(record: Record) -> Point:
    """A stored point of the old layout, with keyword vectors from its payload text."""
    dense = dense_vector(record.vector)
    if dense is None:
        raise MemoryStoreError(f"point {record.id!r} has no dense vector to keep")
    payload = _keyed(record.payload or {})
    keywords = _sparse(keyword_encoder().document(str(payload.get(TEXT, ""))))
    return Point(record.id, {"": dense, KEYWORDS: keywords}, payload)


def _keyed_payload(record: MemoryRecord) -> dict[str, object]:
    """The payload stored for ``record``, its member-in-chat key included."""
    return {**to_payload(record), MEMBER_CHAT: member_chat_key(record.member_id, record.chat_id)}


def _with_key(record: Record) -> Point:
    """A stored point as it is, with its member-in-chat key where it lacks one."""
    if record.vector is None:
        raise MemoryStoreError(f"point {record.id!r} has no vector to keep")
    return Point(record.id, record.vector, _keyed(record.payload or {}))


def _keyed(payload: dict[str, object]) -> dict[str, object]:
    """``payload`` with its :data:`~memory._payload.MEMBER_CHAT` key (:data:`NO_KEY` when its
    ids are missing or do not fit one)."""
    if MEMBER_CHAT in payload:
        return payload
    member, chat = payload.get(MEMBER_ID), payload.get(CHAT_ID)
    key = (
        member_chat_key(member, chat)
        if isinstance(member, int) and isinstance(chat, int)
        else NO_KEY
    )
    return {**payload, MEMBER_CHAT: key}


def _keyword_request(words: KeywordVector, scope: Filter, limit: int) -> QueryRequest:
    return QueryRequest(
        limit=limit,
        query=Query.Nearest(_sparse(words), using=KEYWORDS),
        filter=scope,
        with_payload=True,
    )


def _holds(points: Sequence[ScoredPoint], name: str) -> bool:
    """Whether one of the points' texts holds ``name`` (the texts go no further)."""
    return any(holds_name(str((point.payload or {}).get(TEXT, "")), name) for point in points)


def _peer_filter(chat_id: int, member_ids: Sequence[int]) -> Filter:
    return Filter(
        must=[_equals(CHAT_ID, chat_id)],
        must_not=[_one_of(MEMBER_ID, member_ids)],
    )


def _scope_filter(scope: MemoryScope, *, keyed: bool = False) -> Filter:
    """The points inside ``scope``. One member in one chat (a twin's scope) is one key on a
    ``keyed`` shard: a third to a half less work for the engine than a member and a chat."""
    if keyed and len(scope.member_ids) == 1 and scope.chat_ids and len(scope.chat_ids) == 1:
        key = member_chat_key(scope.member_ids[0], scope.chat_ids[0])
        if key != NO_KEY:
            return Filter(must=[_equals(MEMBER_CHAT, key)])
    conditions = []
    if not scope.every_member:
        conditions.append(_one_of(MEMBER_ID, scope.member_ids))
    if scope.chat_ids is not None:
        conditions.append(_one_of(CHAT_ID, scope.chat_ids))
    return Filter(must=list(conditions))


def _one_of(field: str, values: Sequence[int]) -> FieldCondition:
    """``field`` is one of ``values``: a plain equality for one value, which the engine
    checks for less CPU per point than a match against a list (at 1M points, a fifth less
    for a dense search of one member's messages, two fifths less for a keyword search)."""
    if len(values) == 1:
        return _equals(field, values[0])
    return FieldCondition(field, match=MatchAny(list(values)))
