"""The retrieval-only twin: answers by quoting the member's own relevant messages."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from memory.embedder import Embedder
from memory.records import MemoryHit
from memory.store import MemoryStore
from twins.answer import TwinAnswer, TwinQuestion, TwinSource
from twins.labels import twin_label
from twins.relevance import KEEP_FRACTION, RelevanceGate
from twins.retrieval import HybridRetriever, RetrievalSettings

log = logging.getLogger(__name__)

QUOTE_CHARS = 300
"""Longest quote shown from one message; longer ones are shortened with an ellipsis."""


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= QUOTE_CHARS else flat[: QUOTE_CHARS - 1].rstrip() + "…"


def _date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def _ago(last_seen: datetime | None, now: datetime) -> str:
    if last_seen is None:
        return "has not posted here yet"
    minutes = max(0, int((now - last_seen).total_seconds() // 60))
    if minutes < 60:
        return f"last posted here {minutes} min ago"
    if minutes < 48 * 60:
        return f"last posted here {minutes // 60} h ago"
    return f"last posted here on {_date(last_seen)}"


class RetrievalTwin:
    """Answers for an absent member with quotes from their own messages, never guessing.

    Messages are ranked by :class:`~twins.retrieval.HybridRetriever` (meaning
    and keywords fused, neighbouring turns as context, dates the question
    names). Only memories inside the question's scope are searched, and every
    hit is checked against that scope again before it is shown.

    The twin abstains unless the member's closest message by meaning beats the
    query's neutral baseline by ``relevance_margin`` (see
    :class:`~twins.relevance.RelevanceGate`). It then quotes, in ranked order,
    messages that each pass the same margin and whose fused score is close to
    the best one.
    """

    def __init__(
        self,
        embedder: Embedder,
        memory: MemoryStore,
        *,
        max_quotes: int = 3,
        relevance_margin: float = 0.015,
        candidates: int = 20,
        retrieval: RetrievalSettings | None = None,
    ) -> None:
        self._max_quotes = max_quotes
        self._gate = RelevanceGate(embedder, relevance_margin)
        self._candidates = max(candidates, max_quotes)
        self._retriever = HybridRetriever(embedder, memory, retrieval)

    async def find_sources(self, question: TwinQuestion) -> list[TwinSource]:
        """The member's messages most relevant to the question, best first."""
        if not question.question.strip():
            return []
        found = await self._retriever.retrieve(
            question.question,
            question.scope,
            self._candidates,
            names=(question.member_name,),
            now=question.asked_at,
        )
        ranked = [r for r in found.hits if self._in_scope(r.hit, question)]
        if len(ranked) != len(found.hits):
            log.error(
                "memory returned %d hits outside the twin's scope", len(found.hits) - len(ranked)
            )
        if not ranked or found.best_similarity is None:
            return []
        baseline = await self._gate.baseline(found.vector)
        if not self._gate.is_relevant(found.best_similarity, baseline):
            return []
        floor = ranked[0].score * KEEP_FRACTION
        chosen = [
            r
            for r in ranked
            if r.score >= floor
            and r.similarity is not None
            and self._gate.is_relevant(r.similarity, baseline)
        ]
        return [
            TwinSource(r.hit.message_id, r.hit.text, r.hit.sent_at, r.hit.permalink, r.score)
            for r in chosen[: self._max_quotes]
        ]

    @staticmethod
    def _in_scope(hit: MemoryHit, question: TwinQuestion) -> bool:
        scope = question.scope
        if hit.member_id not in scope.member_ids:
            return False
        return scope.chat_ids is None or hit.chat_id in scope.chat_ids

    async def answer(
        self, question: TwinQuestion, sources: Sequence[TwinSource] | None = None
    ) -> TwinAnswer:
        """Quote what the member said that bears on the question, or say nothing was found.

        ``sources`` already found for the question (by :meth:`find_sources`) are quoted
        as they are instead of being searched again.
        """
        name = question.member_name
        label = twin_label(name)
        away = _ago(question.last_seen_at, question.asked_at)
        if not question.question.strip():
            return TwinAnswer(
                label=label,
                text=(
                    f"{name} is away ({away}). Mention {name} with a question and I will "
                    f"look through what {name} said in this chat."
                ),
                abstained=True,
            )
        if sources is None:
            sources = await self.find_sources(question)
        if not sources:
            return TwinAnswer(
                label=label,
                text=(
                    f"{name} is away ({away}). I found nothing {name} said in this chat "
                    f"about that, so I won't guess. {name} can answer when back."
                ),
                abstained=True,
            )
        lines = [f"{name} is away ({away}). What {name} said here that may help:"]
        for number, source in enumerate(sources, start=1):
            where = f" {source.permalink}" if source.permalink else ""
            lines.append(f"{number}. “{_quote(source.text)}” ({_date(source.sent_at)}){where}")
        return TwinAnswer(label=label, text="\n".join(lines), sources=tuple(sources))
