"""Owner corrections: when a member corrected an earlier twin answer, the twin uses it.

A correction answers the question it was made for; a new question that asks the
same thing (judged like retrieval relevance, against a per-query baseline) gets
the member's own corrected answer instead of a fresh search.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from memory.embedder import Embedder
from memory.embedding_lanes import for_reply
from twins.relevance import RelevanceGate


@dataclass(frozen=True, slots=True)
class Correction:
    """A member's corrected answer to a question their twin answered."""

    reply_id: int
    question: str
    answer: str
    corrected_at: datetime


class CorrectionMatcher:
    """Finds the correction, if any, that answers a new question."""

    def __init__(self, embedder: Embedder, gate: RelevanceGate) -> None:
        self._embedder = embedder
        self._gate = gate
        self._vectors: dict[str, list[float]] = {}

    async def best(self, question: str, corrections: Sequence[Correction]) -> Correction | None:
        """The correction whose question matches ``question`` best, if it matches at all."""
        usable = [c for c in corrections if c.question.strip()]
        if not usable or not question.strip():
            return None
        missing = [c.question for c in usable if c.question not in self._vectors]
        if missing:
            with for_reply():
                fresh = await self._embedder.embed_passages(missing)
            for text, vector in zip(missing, fresh, strict=True):
                self._vectors[text] = vector
        query = await self._embedder.embed_query(question)
        scores = [
            sum(a * b for a, b in zip(self._vectors[c.question], query, strict=True))
            for c in usable
        ]
        chosen = self._gate.select(scores, await self._gate.baseline(query))
        if not chosen:
            return None
        return usable[max(chosen, key=lambda i: scores[i])]
