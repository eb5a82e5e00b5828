"""The text embedding interface."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Embedder(Protocol):
    """Turns texts into unit-length vectors.

    Passages (stored messages) and queries may be embedded differently, as
    e5-style models expect; both return L2-normalised vectors of ``dimension``.
    Implementations never block the event loop.
    """

    @property
    def dimension(self) -> int:
        """Length of every vector this embedder returns."""
        ...

    @property
    def name(self) -> str:
        """A short name of the model, stored beside the collection."""
        ...

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed stored texts, one vector per text, in order."""
        ...

    async def embed_query(self, text: str) -> list[float]:
        """Embed a search query."""
        ...


class EmbeddingError(RuntimeError):
    """The embedding backend failed (unreachable endpoint, bad response)."""
