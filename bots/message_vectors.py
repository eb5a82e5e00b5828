"""Vectors of stored messages for jobs: from memory, embedding the few not there yet."""

from __future__ import annotations

from collections.abc import Sequence

from memory.embedder import Embedder
from memory.store import MemoryStore


async def message_vectors(
    memory: MemoryStore,
    embedder: Embedder,
    messages: Sequence[tuple[int, str]],
    *,
    max_embed: int | None = None,
) -> dict[int, list[float]]:
    """Vectors of ``(message_id, text)`` pairs, by id.

    Messages the embedding worker has not reached yet (just posted) are embedded now; with
    more than ``max_embed`` of them missing, the missing ones are left out instead.
    """
    if not messages:
        return {}
    known = dict(await memory.vectors([i for i, _ in messages]))
    missing = [(i, text) for i, text in messages if i not in known]
    if missing and (max_embed is None or len(missing) <= max_embed):
        fresh = await embedder.embed_passages([text for _, text in missing])
        known.update({i: list(v) for (i, _), v in zip(missing, fresh, strict=True)})
    return known
