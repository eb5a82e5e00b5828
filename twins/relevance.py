"""Deciding whether a retrieved message is relevant enough to quote.

Dense similarity scores have no fixed scale: with e5-style models every text
scores 0.75-0.9 against every other, and the level shifts with the query and
its language. So each query is calibrated: its similarity to a fixed set of
everyday, topic-free sentences (in several languages) is its baseline, and a
hit counts as relevant only when it beats that baseline by a margin.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from memory.embedder import Embedder
from memory.embedding_lanes import for_reply
from twins.scripts import cjk_share, is_cjk

NEUTRAL_SENTENCES: tuple[str, ...] = (
    "The weather was nice today.",
    "I need to buy groceries after work.",
    "Did anyone watch the game last night?",
    "Thanks, see you tomorrow!",
    "My phone battery died again.",
    "Can someone share the meeting notes?",
    "今天天气不错。",
    "我下班后要去超市买东西。",
    "谢谢，明天见！",
    "会议记录能发一下吗？",
    "我的手机又没电了。",
    "昨晚的比赛你们看了吗？",
)
"""Topic-free chat lines in English and Chinese, the yardstick for a query's baseline."""

BASELINE_TOP = 3
KEEP_FRACTION = 0.5
"""A hit is kept only if its lead over the baseline is at least this share of the best lead."""


@dataclass(frozen=True, slots=True)
class Baselines:
    """A query's neutral baseline in each script: similarity is highest within one language,
    so a message is measured against topic-free chatter in its own script (a message that
    mixes scripts, against a blend in proportion)."""

    latin: float
    cjk: float

    def of(self, text: str) -> float:
        """The baseline that applies to a message ``text``."""
        return self.latin + cjk_share(text) * (self.cjk - self.latin)


class RelevanceGate:
    """Scores hits against a per-query baseline so one margin works across queries."""

    def __init__(
        self,
        embedder: Embedder,
        margin: float,
        neutral_sentences: Sequence[str] = NEUTRAL_SENTENCES,
    ) -> None:
        self._embedder = embedder
        self._margin = margin
        self._sentences = tuple(neutral_sentences)
        self._cjk = np.array([is_cjk(sentence) for sentence in self._sentences])
        self._anchors: np.ndarray | None = None
        self._lock = asyncio.Lock()

    async def _similarities(self, query_vector: Sequence[float]) -> np.ndarray:
        """The query's similarity to each neutral sentence (embedded once, on first use)."""
        async with self._lock:
            if self._anchors is None:
                with for_reply():
                    vectors = await self._embedder.embed_passages(self._sentences)
                self._anchors = np.asarray(vectors, dtype=np.float64)
        result: np.ndarray = self._anchors @ np.asarray(query_vector, dtype=np.float64)
        return result

    async def baseline(self, query_vector: Sequence[float]) -> float:
        """The query's mean similarity to its closest neutral sentences."""
        return _top_mean(await self._similarities(query_vector))

    async def baselines(self, query_vector: Sequence[float]) -> Baselines:
        """The query's baseline against the neutral sentences of each script apart."""
        scores = await self._similarities(query_vector)
        latin, cjk = scores[~self._cjk], scores[self._cjk]
        return Baselines(
            latin=_top_mean(latin if latin.size else cjk), cjk=_top_mean(cjk if cjk.size else latin)
        )

    def is_relevant(self, score: float, baseline: float) -> bool:
        """True when ``score`` beats the query's baseline by the margin."""
        return score - baseline >= self._margin

    def select(self, scores: Sequence[float], baseline: float) -> list[int]:
        """Indexes of the relevant scores: past the margin and close to the best one."""
        leads = [score - baseline for score in scores]
        if not leads or max(leads) < self._margin:
            return []
        floor = max(self._margin, max(leads) * KEEP_FRACTION)
        return [i for i, lead in enumerate(leads) if lead >= floor]


def _top_mean(scores: np.ndarray) -> float:
    """The mean of the :data:`BASELINE_TOP` highest scores."""
    return float(np.sort(scores)[::-1][:BASELINE_TOP].mean())
