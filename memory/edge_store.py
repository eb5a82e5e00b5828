"""Vector memory in an embedded Qdrant Edge shard: no server, files under one folder."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar
from uuid import UUID

from qdrant_edge import (
    CountRequest,
    Distance,
    EdgeConfig,
    EdgeShard,
    EdgeSparseVectorParams,
    EdgeVectorParams,
    FieldCondition,
    Filter,
    HnswIndexConfig,
    IntegerIndexParams,
    MatchAny,
    MatchValue,
    Modifier,
    Point,
    Query,
    QueryRequest,
    Record,
    ScrollRequest,
    SparseVector,
    UpdateOperation,
)

from memory._payload import (
    CHAT_ID,
    INDEXED_FIELDS,
    MEMBER_ID,
    TEXT,
    as_vector,
    dense_vector,
    to_hit,
    to_payload,
)
from memory.disk_guard import DEFAULT_MIN_FREE_BYTES, used_bytes, write_blocker
from memory.keywords import KEYWORDS, KeywordVector, keyword_encoder
from memory.records import MemoryHit, MemoryRecord, MemoryScope
from memory.store import DimensionMismatchError, MemoryNotWritableError, MemoryStoreError

T = TypeVar("T")
log = logging.getLogger(__name__)

_CONFIG_FILE = "edge_config.json"
_BUILDING = ".building"
_PREVIOUS = ".previous"


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
    """

    def __init__(
        self,
        path: Path,
        dimension: int,
        *,
        flush_every: int = 20_000,
        flush_interval: float = 300.0,
        min_free_bytes: int = DEFAULT_MIN_FREE_BYTES,
    ) -> None:
        if dimension < 1:
            raise ValueError("dimension must be positive")
        if min_free_bytes < 0:
            raise ValueError("min_free_bytes cannot be negative")
        self._path = Path(path)
        self._dimension = dimension
        self._min_free_bytes = min_free_bytes
        self._flush_every = flush_every
        self._flush_interval = flush_interval
        self._executor: ThreadPoolExecutor | None = None
        # Only touched on the worker thread:
        self._shard: EdgeShard | None = None
        self._unflushed = 0
        self._flushed_at = time.monotonic()

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
        """Flush and close the shard and stop the worker thread; safe to call twice."""
        executor = self._executor
        if executor is None:
            return
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
            filter=_scope_filter(scope),
            with_payload=True,
        )
        points = await self._run(lambda shard: shard.query(request))
        return [to_hit(point.id, point.score, point.payload) for point in points]

    async def search_keywords(self, text: str, scope: MemoryScope, limit: int) -> list[MemoryHit]:
        """The ``limit`` records within ``scope`` that best match ``text``'s words (BM25)."""
        if limit < 1:
            return []
        return await self._run(lambda shard: self._search_keywords_sync(shard, text, scope, limit))

    async def delete_messages(self, message_ids: Sequence[int]) -> None:
        """Remove the given messages; unknown ids are ignored."""
        if not message_ids:
            return
        await self._write(UpdateOperation.delete_points(list(message_ids)), len(message_ids))

    async def delete_member(self, member_id: int, chat_id: int | None) -> None:
        """Remove every record of a member, in one chat or (``None``) in all chats."""
        conditions = [_equals(MEMBER_ID, member_id)]
        if chat_id is not None:
            conditions.append(_equals(CHAT_ID, chat_id))
        await self._write(UpdateOperation.delete_points_by_filter(Filter(must=list(conditions))))

    async def delete_chat(self, chat_id: int) -> None:
        """Remove every record of a chat."""
        chat_filter = Filter(must=[_equals(CHAT_ID, chat_id)])
        await self._write(UpdateOperation.delete_points_by_filter(chat_filter))

    async def vectors(self, message_ids: Sequence[int]) -> dict[int, list[float]]:
        """The stored dense vectors of these messages (those not stored are left out)."""
        if not message_ids:
            return {}
        ids = list(dict.fromkeys(int(i) for i in message_ids))
        records = await self._run(lambda shard: shard.retrieve(list(ids), False, True))
        found: dict[int, list[float]] = {}
        for record in records:
            dense = dense_vector(record.vector)
            if dense is not None:
                found[int(record.id)] = dense
        return found

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

        The shard never optimizes on its own. Without a global HNSW graph this
        is cheap (seconds for a million points), so it suits a nightly job. It
        writes merged segments beside the old ones, so it needs their size free
        on top of the usual margin.
        """

        def optimize(shard: EdgeShard) -> bool:
            self._ensure_writable(headroom=used_bytes(self._path / "segments"))
            return shard.optimize()

        return await self._run(optimize)

    async def flush(self) -> None:
        """Write pending changes into the segments and trim the write-ahead log."""
        await self._run_write(self._flush_sync)

    async def _write(self, operation: UpdateOperation, changed: int = 1) -> None:
        await self._run_write(lambda shard: self._update_sync(shard, operation, changed))

    async def _run_write(self, call: Callable[[EdgeShard], T]) -> T:
        def guarded(shard: EdgeShard) -> T:
            self._ensure_writable()
            return call(shard)

        return await self._run(guarded)

    def _ensure_writable(self, headroom: int = 0) -> None:
        problem = write_blocker(self._path, self._min_free_bytes + headroom)
        if problem is not None:
            raise MemoryNotWritableError(f"not writing to the Qdrant Edge shard: {problem}")

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
        self._recover_upgrade()
        exists = (self._path / _CONFIG_FILE).exists()
        if exists and not self._check_stored_config():
            self._ensure_writable(headroom=used_bytes(self._path))
            self._add_keyword_vectors()
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
            for field in INDEXED_FIELDS:
                if field not in indexed:
                    schema = IntegerIndexParams(lookup=True, range=False)
                    shard.update(UpdateOperation.create_field_index(field, schema))
        except BaseException:
            shard.close()
            raise
        self._shard = shard

    def _config(self, *, keywords: bool = True) -> EdgeConfig:
        return EdgeConfig(
            vectors=EdgeVectorParams(size=self._dimension, distance=Distance.Cosine),
            sparse_vectors=(
                {KEYWORDS: EdgeSparseVectorParams(modifier=Modifier.Idf)} if keywords else None
            ),
            hnsw_config=HnswIndexConfig(m=0, ef_construct=100, full_scan_threshold=10_000),
        )

    def _add_keyword_vectors(self) -> None:
        """Rebuild a shard made before keyword vectors, keeping every point and vector.

        The new shard is written beside the old one and swapped in by renames;
        :meth:`_recover_upgrade` finishes or discards an upgrade cut short.
        """
        building, previous = self._sibling(_BUILDING), self._sibling(_PREVIOUS)
        shutil.rmtree(building, ignore_errors=True)
        try:
            old = EdgeShard.load(str(self._path), self._config(keywords=False))
        except Exception as error:  # the engine raises plain Exception
            raise MemoryStoreError(
                f"cannot open the Qdrant Edge shard at {self._path}: {error}"
            ) from error
        moved = 0
        try:
            new = EdgeShard.create(str(building), self._config())
            try:
                offset: int | str | UUID | None = None
                while True:
                    page = ScrollRequest(offset, 1000, with_payload=True, with_vector=True)
                    batch, offset = old.scroll(page)
                    points = [_with_keywords(record) for record in batch]
                    if points:
                        new.update(UpdateOperation.upsert_points(points))
                    moved += len(points)
                    if offset is None:
                        break
                new.flush()
            finally:
                new.close()
        finally:
            old.close()
        self._path.rename(previous)
        building.rename(self._path)
        shutil.rmtree(previous)
        log.info("added keyword vectors to %d messages in %s", moved, self._path)

    def _recover_upgrade(self) -> None:
        """Undo the traces of an upgrade that stopped part-way (a crash, a kill)."""
        previous = self._sibling(_PREVIOUS)
        if previous.exists():
            if (self._path / _CONFIG_FILE).exists():
                shutil.rmtree(previous)  # the new shard is in place
            else:
                shutil.rmtree(self._path, ignore_errors=True)
                previous.rename(self._path)
        shutil.rmtree(self._sibling(_BUILDING), ignore_errors=True)

    def _sibling(self, suffix: str) -> Path:
        return self._path.with_name(self._path.name + suffix)

    def _upsert_sync(self, shard: EdgeShard, records: Sequence[MemoryRecord]) -> None:
        encoder = keyword_encoder()
        points = [
            Point(
                record.message_id,
                {
                    "": as_vector(record.vector, self._dimension),
                    KEYWORDS: _sparse(encoder.document(record.text)),
                },
                to_payload(record),
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
        request = QueryRequest(
            limit=limit,
            query=Query.Nearest(_sparse(query), using=KEYWORDS),
            filter=_scope_filter(scope),
            with_payload=True,
        )
        return [to_hit(point.id, point.score, point.payload) for point in shard.query(request)]

    def _update_sync(self, shard: EdgeShard, operation: UpdateOperation, changed: int) -> None:
        shard.update(operation)
        self._unflushed += changed
        if (
            self._unflushed >= self._flush_every
            or time.monotonic() - self._flushed_at >= self._flush_interval
        ):
            self._flush_sync(shard)

    def _flush_sync(self, shard: EdgeShard) -> None:
        shard.flush()
        self._unflushed = 0
        self._flushed_at = time.monotonic()

    def _check_stored_config(self) -> bool:
        """Fail clearly when the shard's vector size differs; whether it has keyword vectors."""
        try:
            stored = json.loads((self._path / _CONFIG_FILE).read_text(encoding="utf-8"))
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


def _equals(field: str, value: int) -> FieldCondition:
    return FieldCondition(field, match=MatchValue(value))


def _sparse(vector: KeywordVector) -> SparseVector:
    return SparseVector(list(vector.indices), list(vector.values))


def _with_keywords(record: Record) -> Point:
    """A stored point of the old layout, with keyword vectors from its payload text."""
    dense = dense_vector(record.vector)
    if dense is None:
        raise MemoryStoreError(f"point {record.id!r} has no dense vector to keep")
    payload = record.payload or {}
    keywords = _sparse(keyword_encoder().document(str(payload.get(TEXT, ""))))
    return Point(record.id, {"": dense, KEYWORDS: keywords}, payload)


def _scope_filter(scope: MemoryScope) -> Filter:
    conditions = [FieldCondition(MEMBER_ID, match=MatchAny(list(scope.member_ids)))]
    if scope.chat_ids is not None:
        conditions.append(FieldCondition(CHAT_ID, match=MatchAny(list(scope.chat_ids))))
    return Filter(must=list(conditions))
