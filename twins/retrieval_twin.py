"""The retrieval-only twin: answers by quoting the member's own relevant messages."""

from __future__ import annotations

import logging
from datetime import datetime

from memory.embedder import Embedder
from memory.records import MemoryHit
from memory.store import MemoryStore
from twins.answer import TwinAnswer, TwinQuestion, TwinSource
from twins.labels import twin_label
from twins.relevance import RelevanceGate

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

    Only memories inside the question's scope are searched, and every hit is
    checked against that scope again before it is shown.
    """

    def __init__(
        self,
        embedder: Embedder,
        memory: MemoryStore,
        *,
        max_quotes: int = 3,
        relevance_margin: float = 0.015,
        candidates: int = 20,
    ) -> None:
        self._embedder = embedder
        self._memory = memory
        self._max_quotes = max_quotes
        self._gate = RelevanceGate(embedder, relevance_margin)
        self._candidates = max(candidates, max_quotes)

    async def find_sources(self, question: TwinQuestion) -> list[TwinSource]:
        """The member's messages most relevant to the question, best first."""
        if not question.question.strip():
            return []
        vector = await self._embedder.embed_query(question.question)
        hits = await self._memory.search(vector, question.scope, self._candidates)
        allowed = [hit for hit in hits if self._in_scope(hit, question)]
        if len(allowed) != len(hits):
            log.error("memory returned %d hits outside the twin's scope", len(hits) - len(allowed))
        baseline = await self._gate.baseline(vector)
        relevant = self._gate.select([hit.score for hit in allowed], baseline)
        relevant_hits = [allowed[i] for i in relevant]
        return [
            TwinSource(h.message_id, h.text, h.sent_at, h.permalink, h.score)
            for h in relevant_hits[: self._max_quotes]
        ]

    @staticmethod
    def _in_scope(hit: MemoryHit, question: TwinQuestion) -> bool:
        scope = question.scope
        if hit.member_id not in scope.member_ids:
            return False
        return scope.chat_ids is None or hit.chat_id in scope.chat_ids

    async def answer(self, question: TwinQuestion) -> TwinAnswer:
        """Quote what the member said that bears on the question, or say nothing was found."""
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
