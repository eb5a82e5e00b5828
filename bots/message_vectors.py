"""Vectors of stored messages for jobs: from memory, embedding the few not there yet.

Vectors travel as float32 arrays: :func:`message_matrix` fills one matrix, a
page of memory at a time, for jobs that read many messages (a round of
introductions, a digest); :func:`message_vectors` gives the same rows by id.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from memory.embedder import Embedder
from memory.store import FloatMatrix, FloatVector, MemoryStore, vector_matrix


async def message_matrix(
    memory: MemoryStore,
    embedder: Embedder,
    messages: Sequence[tuple[int, str]],
    *,
    max_embed: int | None = None,
    half: bool = False,
) -> tuple[npt.NDArray[np.bool_], FloatMatrix]:
    """The vectors of ``(message_id, text)`` pairs as one float32 matrix, row ``i`` for pair ``i``.

    Also returns which rows have a vector. Messages the embedding worker has not
    reached yet (just posted) are embedded now; with more than ``max_embed`` of
    them missing, the missing ones are left out instead (their rows stay zero).
    With ``half``, the matrix is float16 (see :func:`memory.store.vector_matrix`).
    """
    found, matrix = await vector_matrix(
        memory, [message_id for message_id, _ in messages], embedder.dimension, half=half
    )
    missing = np.flatnonzero(~found)
    if len(missing) and (max_embed is None or len(missing) <= max_embed):
        fresh = await embedder.embed_passages([messages[int(row)][1] for row in missing])
        matrix[missing] = np.asarray(fresh, dtype=np.float32).reshape(len(missing), -1)
        found[missing] = True
    return found, matrix


async def message_vectors(
    memory: MemoryStore,
    embedder: Embedder,
    messages: Sequence[tuple[int, str]],
    *,
    max_embed: int | None = None,
) -> dict[int, FloatVector]:
    """Vectors of ``(message_id, text)`` pairs, by id (rows of one float32 matrix).

    Messages the embedding worker has not reached yet (just posted) are embedded now; with
    more than ``max_embed`` of them missing, the missing ones are left out instead.
    """
    if not messages:
        return {}
    found, matrix = await message_matrix(memory, embedder, messages, max_embed=max_embed)
    return {message_id: matrix[row] for row, (message_id, _) in enumerate(messages) if found[row]}
