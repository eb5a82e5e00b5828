"""Vector memory in a Qdrant server collection, through ``qdrant-client``'s async API."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import httpx
from qdrant_client import AsyncQdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from memory._payload import (
    CHAT_ID,
    INDEXED_FIELDS,
    MEMBER_ID,
    SENT_AT,
    TEXT,
    as_vector,
    dense_rows,
    to_hit,
    to_payload,
)
from memory.keywords import KEYWORDS, KeywordVector, keyword_encoder
from memory.name_forms import NAME_HITS, holds_name
from memory.records import MemoryHit, MemoryRecord, MemoryScope, PeerScores
from memory.store import VECTOR_PAGE, DimensionMismatchError, FloatVector, MemoryStoreError

log = logging.getLogger(__name__)

T = TypeVar("T")

TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
"""HTTP answers from Qdrant that a retry may cure (overload, a node restarting)."""


ALREADY_EXISTS = 409
"""Qdrant's answer to creating a collection that exists (another process was first)."""


def is_transient(error: BaseException) -> bool:
    """Whether a Qdrant request failed for a passing reason (connection, time-out, overload)."""
    if isinstance(error, UnexpectedResponse):
        return error.status_code in TRANSIENT_STATUSES
    return isinstance(
        error, ResponseHandlingException | httpx.TransportError | ConnectionError | TimeoutError
    )


class ServerMemoryStore:
    """A :class:`~memory.store.MemoryStore` on a Qdrant collection.

    ``client`` may point at a server or be ``AsyncQdrantClient(":memory:")``.
    The collection is created on :meth:`open` when missing (processes opening it at once
    share the one the first of them creates), with cosine
    distance, integer payload indexes on ``chat_id`` and ``member_id`` and no
    global HNSW graph (``m=0``): every search is filtered to a few members, so
    Qdrant scores their points exactly through the payload index. Writes wait
    for the server to apply them, so a search right after sees them.

    Each point also carries a sparse ``keywords`` vector (BM25 weights of its
    text, see :mod:`memory.keywords`, with Qdrant's IDF modifier) for
    :meth:`search_keywords`. A collection made before keyword vectors existed
    still works by vector; its keyword search finds nothing.

    The store closes ``client`` on :meth:`close` only when ``close_client``
    is true, as it is for stores made by :meth:`from_url`.

    On a cluster, ``shards`` and ``replication`` set a new collection's shard count and
    copies per shard (unset: the server's defaults; an existing collection keeps its own).
    ``sent_at`` also gets a float range index. A request that fails for a passing reason
    (see :func:`is_transient`) is tried again up to ``retries`` times, waiting
    ``retry_delay`` seconds and twice as long each time.
    """

    def __init__(
        self,
        client: AsyncQdrantClient,
        collection: str,
        dimension: int,
        *,
        close_client: bool = False,
        shards: int | None = None,
        replication: int | None = None,
        retries: int = 4,
        retry_delay: float = 0.5,
    ) -> None:
        if dimension < 1:
            raise ValueError("dimension must be positive")
        self._shards = shards
        self._replication = replication
        self._retries = retries
        self._retry_delay = retry_delay
        self._client = client
        self._collection = collection
        self._dimension = dimension
        self._close_client = close_client
        self._keywords = True

    @classmethod
    def from_url(
        cls,
        url: str,
        api_key: str | None,
        collection: str,
        dimension: int,
        *,
        shards: int | None = None,
        replication: int | None = None,
        retries: int = 4,
    ) -> ServerMemoryStore:
        """A store on the Qdrant server at ``url``, owning its client."""
        client = AsyncQdrantClient(url=url, api_key=api_key)
        return cls(
            client,
            collection,
            dimension,
            close_client=True,
            shards=shards,
            replication=replication,
            retries=retries,
        )

    @property
    def collection(self) -> str:
        """The collection name."""
        return self._collection

    @property
    def dimension(self) -> int:
        """Length of the stored vectors."""
        return self._dimension

    async def open(self) -> None:
        """Create the collection and its payload indexes if missing.

        Raises :class:`~memory.store.DimensionMismatchError` when an existing
        collection holds vectors of another length.
        """
        if not await self._call(self._client.collection_exists, self._collection):
            await self._create_collection()
        info = await self._call(self._client.get_collection, self._collection)
        self._check_vectors(info.config.params.vectors)
        self._keywords = KEYWORDS in (info.config.params.sparse_vectors or {})
        if not self._keywords:
            log.warning(
                "collection %r predates keyword search; twins search by meaning only until "
                "memory is rebuilt in a new QDRANT_COLLECTION",
                self._collection,
            )
        indexes: dict[str, models.PayloadSchemaParams] = {
            field: models.IntegerIndexParams(
                type=models.IntegerIndexType.INTEGER, lookup=True, range=False
            )
            for field in INDEXED_FIELDS
        }
        indexes[SENT_AT] = models.FloatIndexParams(type=models.FloatIndexType.FLOAT)
        for field, schema in indexes.items():
            if field not in info.payload_schema:
                await self._call(
                    self._client.create_payload_index,
                    self._collection,
                    field,
                    field_schema=schema,
                    wait=True,
                )

    async def _create_collection(self) -> None:
        """Create the collection; one that another process created meanwhile is kept."""
        try:
            await self._call(
                self._client.create_collection,
                self._collection,
                vectors_config=models.VectorParams(
                    size=self._dimension, distance=models.Distance.COSINE
                ),
                sparse_vectors_config={
                    KEYWORDS: models.SparseVectorParams(modifier=models.Modifier.IDF)
                },
                hnsw_config=models.HnswConfigDiff(m=0),
                shard_number=self._shards,
                replication_factor=self._replication,
            )
        except UnexpectedResponse as error:
            if error.status_code != ALREADY_EXISTS:
                raise
            log.info("collection %r was created by another process", self._collection)

    async def close(self) -> None:
        """Close the client if this store owns it."""
        if self._close_client:
            await self._client.close()

    async def upsert(self, records: Sequence[MemoryRecord]) -> None:
        """Store records, replacing any with the same ``message_id``."""
        if not records:
            return
        points = await asyncio.to_thread(self._points, records)
        await self._call(self._client.upsert, self._collection, points, wait=True)

    async def search(
        self, vector: Sequence[float], scope: MemoryScope, limit: int
    ) -> list[MemoryHit]:
        """The ``limit`` records closest to ``vector`` within ``scope``, best first."""
        if limit < 1:
            return []
        response = await self._call(
            self._client.query_points,
            self._collection,
            query=as_vector(vector, self._dimension),
            query_filter=_scope_filter(scope),
            limit=limit,
            with_payload=True,
        )
        return [to_hit(point.id, point.score, point.payload) for point in response.points]

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
        peers = models.Filter(
            must=[_equals(CHAT_ID, chat_id)],
            must_not=[_one_of(MEMBER_ID, member_ids)],
        )
        both = self._query_both(vector, text, peers, limit, with_payload=False)
        if names:  # both requests at once
            (dense, *keywords), named = await asyncio.gather(both, self._named(names, peers))
        else:
            (dense, *keywords), named = await both, ()
        return PeerScores(
            tuple(point.score for point in dense),
            tuple(point.score for found in keywords for point in found),
            named,
        )

    async def _named(self, names: Sequence[str], where: models.Filter) -> tuple[bool, ...]:
        """For each of ``names``, whether a record under ``where`` holds a word of it."""
        if not self._keywords:
            return tuple(True for _ in names)
        encoder = keyword_encoder()
        words = [await asyncio.to_thread(encoder.query, name) for name in names]
        requests = [
            models.QueryRequest(
                query=_sparse(query),
                using=KEYWORDS,
                filter=where,
                limit=NAME_HITS,
                with_payload=[TEXT],
            )
            for query in words
            if query
        ]
        responses = (
            iter(await self._call(self._client.query_batch_points, self._collection, requests))
            if requests
            else iter(())
        )
        return tuple(
            any(
                holds_name(str((point.payload or {}).get(TEXT, "")), name)
                for point in next(responses).points
            )
            if query
            else True
            for name, query in zip(names, words, strict=True)
        )

    async def search_hybrid(
        self, vector: Sequence[float], text: str, scope: MemoryScope, limit: int
    ) -> tuple[list[MemoryHit], list[MemoryHit]]:
        """:meth:`search` and :meth:`search_keywords` in one request to the server."""
        if limit < 1:
            return [], []
        found = await self._query_both(vector, text, _scope_filter(scope), limit, with_payload=True)
        dense, *keywords = [
            [to_hit(point.id, point.score, point.payload) for point in points] for points in found
        ]
        return dense, [hit for hits in keywords for hit in hits]

    async def _query_both(
        self,
        vector: Sequence[float],
        text: str,
        where: models.Filter,
        limit: int,
        *,
        with_payload: bool,
    ) -> list[list[models.ScoredPoint]]:
        """The dense search, then the keyword search when ``text`` has words, in one batch."""
        requests = [
            models.QueryRequest(
                query=as_vector(vector, self._dimension),
                filter=where,
                limit=limit,
                with_payload=with_payload,
            )
        ]
        query = await asyncio.to_thread(keyword_encoder().query, text) if self._keywords else None
        if query:
            requests.append(
                models.QueryRequest(
                    query=_sparse(query),
                    using=KEYWORDS,
                    filter=where,
                    limit=limit,
                    with_payload=with_payload,
                )
            )
        responses = await self._call(self._client.query_batch_points, self._collection, requests)
        return [response.points for response in responses]

    async def search_keywords(self, text: str, scope: MemoryScope, limit: int) -> list[MemoryHit]:
        """The ``limit`` records within ``scope`` that best match ``text``'s words (BM25)."""
        if limit < 1 or not self._keywords:
            return []
        query = await asyncio.to_thread(keyword_encoder().query, text)
        if not query:
            return []
        response = await self._call(
            self._client.query_points,
            self._collection,
            query=_sparse(query),
            using=KEYWORDS,
            query_filter=_scope_filter(scope),
            limit=limit,
            with_payload=True,
        )
        return [to_hit(point.id, point.score, point.payload) for point in response.points]

    async def delete_messages(self, message_ids: Sequence[int]) -> None:
        """Remove the given messages; unknown ids are ignored."""
        if not message_ids:
            return
        selector = models.PointIdsList(points=list(message_ids))
        await self._call(self._client.delete, self._collection, points_selector=selector, wait=True)

    async def delete_member(self, member_id: int, chat_id: int | None) -> None:
        """Remove every record of a member, in one chat or (``None``) in all chats."""
        conditions: list[models.Condition] = [_equals(MEMBER_ID, member_id)]
        if chat_id is not None:
            conditions.append(_equals(CHAT_ID, chat_id))
        await self._delete_where(conditions)

    async def delete_chat(self, chat_id: int) -> None:
        """Remove every record of a chat."""
        await self._delete_where([_equals(CHAT_ID, chat_id)])

    async def vectors(self, message_ids: Sequence[int]) -> dict[int, FloatVector]:
        """The stored dense vectors of these messages (those not stored are left out).

        Read ``VECTOR_PAGE`` at a time; each page's vectors are rows of one float32 matrix.
        """
        if not message_ids:
            return {}
        ids = list(dict.fromkeys(int(i) for i in message_ids))
        found: dict[int, FloatVector] = {}
        for start in range(0, len(ids), VECTOR_PAGE):
            points = await self._call(
                self._client.retrieve,
                self._collection,
                ids[start : start + VECTOR_PAGE],
                with_vectors=True,
                with_payload=False,
            )
            rows, matrix = dense_rows([(p.id, p.vector) for p in points], self._dimension)
            found.update(zip(rows, matrix, strict=True))
        return found

    async def count(self, member_id: int | None = None, chat_id: int | None = None) -> int:
        """How many records match the optional member and chat filters."""
        conditions: list[models.Condition] = []
        if member_id is not None:
            conditions.append(_equals(MEMBER_ID, member_id))
        if chat_id is not None:
            conditions.append(_equals(CHAT_ID, chat_id))
        result = await self._call(
            self._client.count,
            self._collection,
            count_filter=models.Filter(must=conditions) if conditions else None,
            exact=True,
        )
        return result.count

    def _points(self, records: Sequence[MemoryRecord]) -> list[models.PointStruct]:
        encoder = keyword_encoder()
        points = []
        for record in records:
            dense = as_vector(record.vector, self._dimension)
            vector: models.VectorStruct = (
                {"": dense, KEYWORDS: _sparse(encoder.document(record.text))}
                if self._keywords
                else dense
            )
            points.append(
                models.PointStruct(id=record.message_id, vector=vector, payload=to_payload(record))
            )
        return points

    async def _delete_where(self, conditions: list[models.Condition]) -> None:
        selector = models.FilterSelector(filter=models.Filter(must=conditions))
        await self._call(self._client.delete, self._collection, points_selector=selector, wait=True)

    def _check_vectors(
        self, vectors: models.VectorParams | dict[str, models.VectorParams] | None
    ) -> None:
        if not isinstance(vectors, models.VectorParams):
            raise MemoryStoreError(
                f"collection {self._collection!r} uses named vectors; Hearth needs one "
                "unnamed vector per point"
            )
        if vectors.size != self._dimension:
            raise DimensionMismatchError(
                f"collection {self._collection!r} holds {vectors.size}-dimensional vectors "
                f"but the embedder makes {self._dimension}-dimensional ones; use the "
                "embedding model the collection was built with, or another QDRANT_COLLECTION"
            )

    async def _call(self, method: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """``method(*args, **kwargs)``, tried again with back-off after a transient failure."""
        delay = self._retry_delay
        for attempt in range(self._retries + 1):
            try:
                return await method(*args, **kwargs)
            except Exception as error:
                if attempt == self._retries or not is_transient(error):
                    raise
                log.warning(
                    "Qdrant %s failed (%s); trying again in %.1fs",
                    getattr(method, "__name__", "request"),
                    error,
                    delay,
                )
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")


def _sparse(vector: KeywordVector) -> models.SparseVector:
    return models.SparseVector(indices=list(vector.indices), values=list(vector.values))


def _scope_filter(scope: MemoryScope) -> models.Filter:
    conditions: list[models.Condition] = []
    if not scope.every_member:
        conditions.append(_one_of(MEMBER_ID, scope.member_ids))
    if scope.chat_ids is not None:
        conditions.append(_one_of(CHAT_ID, scope.chat_ids))
    return models.Filter(must=conditions)


def _one_of(field: str, values: Sequence[int]) -> models.FieldCondition:
    """``field`` is one of ``values``: a plain equality for one value (cheaper to check)."""
    if len(values) == 1:
        return _equals(field, values[0])
    return models.FieldCondition(key=field, match=models.MatchAny(any=list(values)))


def _equals(field: str, value: int) -> models.FieldCondition:
    return models.FieldCondition(key=field, match=models.MatchValue(value=value))
