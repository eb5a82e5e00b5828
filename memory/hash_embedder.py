"""A deterministic bag-of-words embedder with no model: the fast fake for tests."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN = re.compile(f"[{_CJK}]|[^\\W{_CJK}]+")
_EMPTY = "\x00empty"


class HashEmbedder:
    """Hashes lower-cased words (and single CJK characters) into ``dimension`` buckets.

    The vector is the L2-normalised bucket count, so texts that share words
    score higher than texts that share none, and the same text always gives
    the same vector, in every process. Queries and passages are embedded
    alike. A text without any word hashes a fixed marker token instead.
    """

    def __init__(self, dimension: int = 64) -> None:
        if dimension < 1:
            raise ValueError("dimension must be positive")
        self._dimension = dimension

    @property
    def dimension(self) -> int:
        """Length of every vector."""
        return self._dimension

    @property
    def name(self) -> str:
        """``hash-<dimension>``."""
        return f"hash-{self._dimension}"

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed stored texts, one vector per text, in order."""
        return [self.embed(text) for text in texts]

    async def embed_query(self, text: str) -> list[float]:
        """Embed a search query (the same way as a passage)."""
        return self.embed(text)

    def embed(self, text: str) -> list[float]:
        """The vector of one text, computed synchronously (it is cheap)."""
        counts = [0.0] * self._dimension
        tokens = tokenize(text) or [_EMPTY]
        for token in tokens:
            digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
            counts[int.from_bytes(digest, "big") % self._dimension] += 1.0
        norm = math.sqrt(sum(value * value for value in counts))
        return [value / norm for value in counts]


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens; each CJK character is a token of its own."""
    return _TOKEN.findall(text.lower())
