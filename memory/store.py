"""The vector memory interface that every backend implements."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from memory.records import MemoryHit, MemoryRecord, MemoryScope, PeerScores


class MemoryStore(Protocol):
    """Stores message vectors and searches them within a scope.

    Implementations: ``memory.edge_store.EdgeMemoryStore`` (Qdrant Edge,
    in-process, the default) and ``memory.server_store.ServerMemoryStore``
    (a Qdrant server through ``qdrant-client``).
    """

    async def open(self) -> None:
        """Create or load the collection; safe to call more than once."""
        ...

    async def close(self) -> None:
        """Flush and release resources."""
        ...

    async def upsert(self, records: Sequence[MemoryRecord]) -> None:
        """Store records, replacing any with the same ``message_id``."""
        ...

    async def search(
        self, vector: Sequence[float], scope: MemoryScope, limit: int
    ) -> list[MemoryHit]:
        """The ``limit`` records closest to ``vector`` within ``scope``, best first."""
        ...

    async def search_keywords(self, text: str, scope: MemoryScope, limit: int) -> list[MemoryHit]:
        """The ``limit`` records within ``scope`` that best match ``text``'s words, best first.

        Scores are BM25 (inverse document frequency over the whole store);
        records sharing no word with ``text`` are not returned.
        """
        ...

    async def delete_messages(self, message_ids: Sequence[int]) -> None:
        """Remove the given messages; unknown ids are ignored."""
        ...

    async def delete_member(self, member_id: int, chat_id: int | None) -> None:
        """Remove every record of a member, in one chat or (``None``) in all chats."""
        ...

    async def delete_chat(self, chat_id: int) -> None:
        """Remove every record of a chat."""
        ...

    async def vectors(self, message_ids: Sequence[int]) -> dict[int, FloatVector]:
        """The stored dense vectors of these messages (those not stored are left out).

        Each vector is a float32 row of one matrix per page read (``VECTOR_PAGE``
        ids at a time), never a list of Python floats: read many vectors through
        :func:`vector_matrix`, which keeps one page at a time.
        """
        ...

    async def count(self, member_id: int | None = None, chat_id: int | None = None) -> int:
        """How many records match the optional member and chat filters."""
        ...


FloatVector = npt.NDArray[np.float32]
"""One stored vector: a 1-d float32 array."""
FloatMatrix = npt.NDArray[np.float32]
"""Stored vectors, one per row: a 2-d float32 array."""

VECTOR_PAGE = 1024
"""How many vectors a store reads from its engine at once."""
RELEASE_EVERY = 16
"""In a long read, pages of vectors after which a store gives back the file pages it mapped
(see :class:`PageReleasing`); shorter reads give nothing back."""


async def vector_matrix(
    store: MemoryStore,
    message_ids: Sequence[int],
    dimension: int,
    *,
    page: int = VECTOR_PAGE,
    half: bool = False,
) -> tuple[npt.NDArray[np.bool_], FloatMatrix]:
    """The stored vectors of ``message_ids`` as one float32 matrix, row ``i`` for id ``i``.

    Reads ``page`` ids at a time, so only one page of the engine's own vectors is
    held besides the matrix. Returns which rows were found too; rows of messages
    not stored are zero. With ``half``, the matrix is float16: half the memory, for
    jobs that read very many vectors (see :func:`jobs.vector_math.as_float32`); its
    rows are then scaled to unit length (any length would not fit float16).
    """
    if page < 1:
        raise ValueError("page must be positive")
    found = np.zeros(len(message_ids), dtype=bool)
    matrix = np.zeros((len(message_ids), dimension), dtype=np.float16 if half else np.float32)
    long_read = len(message_ids) > RELEASE_EVERY * page
    wanted = np.asarray(message_ids, dtype=np.int64).reshape(-1)
    # by id: ids grow as messages are stored, so the engine's files are read forward and a
    # release gives back what the pages before it mapped, not scattered pages of all of them
    by_id = np.argsort(wanted, kind="stable")
    for number, start in enumerate(range(0, len(message_ids), page)):
        if long_read and number % RELEASE_EVERY == RELEASE_EVERY - 1:
            await release_pages(store)
        chosen = by_id[start : start + page]
        ids = wanted[chosen]
        stored = await store.vectors(ids.tolist())
        if not stored:
            continue
        keys = np.fromiter(stored, dtype=np.int64, count=len(stored))
        order = np.argsort(keys)
        place = np.searchsorted(keys, ids, sorter=order).clip(0, len(keys) - 1)
        hit = keys[order[place]] == ids
        rows = np.stack(list(stored.values()))
        if half:
            norms = np.linalg.norm(rows, axis=1, keepdims=True)
            np.divide(rows, norms, out=rows, where=norms > 0)
        matrix[chosen[hit]] = rows[order[place[hit]]]
        found[chosen] = hit
    if long_read:
        await release_pages(store)
    return found, matrix


@runtime_checkable
class Compactable(Protocol):
    """A store that can merge its segments and drop deleted points (Qdrant Edge)."""

    async def optimize(self) -> bool:
        """Compact the store; whether anything changed."""
        ...


async def compact(store: object) -> bool:
    """Compact ``store`` when it can be (see :class:`Compactable`); whether anything changed."""
    return await store.optimize() if isinstance(store, Compactable) else False


@runtime_checkable
class PageReleasing(Protocol):
    """A store whose engine maps its files into the process (Qdrant Edge): after reading
    many vectors once, it can give the mapped pages back (see :mod:`memory.mapped_pages`)."""

    async def release_pages(self) -> None:
        """Have the pages of the store's mapped files reclaimed; their contents are kept."""
        ...


async def release_pages(store: object) -> None:
    """Give back the pages ``store`` mapped in a long read, where it can."""
    if isinstance(store, PageReleasing):
        await store.release_pages()


@runtime_checkable
class WriteGuarded(Protocol):
    """A store that can tell, before writing, that a write would fail (Qdrant Edge).

    An embedded engine that memory-maps its files cannot fail gracefully when the
    disk fills up under a mapped page: the process gets SIGBUS. Such a store checks
    its disk before each write and raises :class:`MemoryNotWritableError` instead.
    """

    async def check_writable(self) -> None:
        """Raise :class:`MemoryNotWritableError` when a write now would be refused."""
        ...


async def check_writable(store: object) -> None:
    """Raise :class:`MemoryNotWritableError` when ``store`` can tell a write would fail now.

    Stores that cannot tell in advance (a Qdrant server) always pass; their writes
    fail with an error of their own instead.
    """
    if isinstance(store, WriteGuarded):
        await store.check_writable()


@runtime_checkable
class Purgeable(Protocol):
    """A store that keeps deleted points in its files until it is rewritten (Qdrant Edge)."""

    async def purge_soon(self) -> None:
        """Have deleted points physically removed within seconds; returns at once."""
        ...


async def purge_soon(store: object) -> bool:
    """Ask ``store`` to remove deleted points from its files soon, if it can; whether it can.

    A Qdrant server manages its own files: deleted points leave them when the
    server's optimizer vacuums their segments.
    """
    if not isinstance(store, Purgeable):
        return False
    await store.purge_soon()
    return True


@runtime_checkable
class HybridSearchable(Protocol):
    """A store that searches by meaning and by keywords in one call to its engine."""

    async def search_hybrid(
        self, vector: Sequence[float], text: str, scope: MemoryScope, limit: int
    ) -> tuple[list[MemoryHit], list[MemoryHit]]:
        """What :meth:`MemoryStore.search` and :meth:`MemoryStore.search_keywords` return."""
        ...


async def search_hybrid(
    store: MemoryStore, vector: Sequence[float], text: str, scope: MemoryScope, limit: int
) -> tuple[list[MemoryHit], list[MemoryHit]]:
    """The ``limit`` best records in ``scope`` by meaning (``vector``) and by ``text``'s words.

    One call to the engine where the store can (:class:`HybridSearchable`), else the
    two searches at once.
    """
    if isinstance(store, HybridSearchable):
        return await store.search_hybrid(vector, text, scope, limit)
    dense, keywords = await asyncio.gather(
        store.search(vector, scope, limit), store.search_keywords(text, scope, limit)
    )
    return dense, keywords


@runtime_checkable
class PeerScored(Protocol):
    """A store that can score the other members' messages of a chat against a query."""

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
        """Scores of the best ``limit`` messages in ``chat_id`` not written by ``member_ids``,
        and for each of ``names`` whether one of those messages holds a word of it."""
        ...


async def peer_scores(
    store: object,
    vector: Sequence[float],
    text: str,
    *,
    chat_id: int,
    member_ids: Sequence[int],
    limit: int = 5,
    names: Sequence[str] = (),
) -> PeerScores:
    """The other members' best scores in ``chat_id``, and which of ``names`` they wrote;
    empty when ``store`` cannot tell."""
    if isinstance(store, PeerScored):
        return await store.peer_scores(vector, text, chat_id, member_ids, limit, names=names)
    return PeerScores()


class MemoryStoreError(RuntimeError):
    """The vector store could not be opened or used."""


class MemoryNotWritableError(MemoryStoreError):
    """A write was refused because the store's disk is full or read-only; nothing was written."""


class DimensionMismatchError(MemoryStoreError):
    """The stored collection holds vectors of another length than the embedder makes."""
