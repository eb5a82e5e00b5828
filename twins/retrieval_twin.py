"""The retrieval-only twin: answers by quoting the member's own relevant messages."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from locales import join_sentences
from memory.embedder import Embedder
from memory.records import MemoryHit, PeerScores
from memory.store import MemoryStore, peer_scores
from twins import answer_wording as wording
from twins.answer import TwinAnswer, TwinQuestion, TwinSource
from twins.answer_wording import day_of
from twins.answerability import Judgement, judge
from twins.answerability_model import QUESTION_MODEL, QUOTE_MODEL
from twins.labels import twin_label
from twins.linear_model import LinearModel
from twins.question_names import question_names
from twins.relevance import RelevanceGate
from twins.retrieval import HybridRetriever, PeerQuery, Retrieval, RetrievalSettings

log = logging.getLogger(__name__)

QUOTE_CHARS = 300
"""Longest quote shown from one message; longer ones are shortened with an ellipsis."""


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= QUOTE_CHARS else flat[: QUOTE_CHARS - 1].rstrip() + "…"


def _with_threshold(model: LinearModel, threshold: float | None) -> LinearModel:
    return model if threshold is None else dataclasses.replace(model, threshold=threshold)


@dataclass(frozen=True, slots=True)
class Assessment:
    """What the twin would quote, and its confidence that the member's messages answer."""

    sources: list[TwinSource]
    confidence: float


def latest_first(sources: Sequence[TwinSource]) -> list[TwinSource]:
    """``sources`` newest first when they were said on different days, else as ranked.

    What a member says changes ("moving to Hangzhou", later "moved to
    Shenzhen"): the newest statement leads and the older ones read as earlier.
    """
    if len({day_of(source.sent_at) for source in sources}) < 2:
        return list(sources)
    return sorted(sources, key=lambda source: _utc(source.sent_at), reverse=True)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def quote_lines(sources: Sequence[TwinSource]) -> list[str]:
    """Numbered quotes with dates; a quote older than the first one's day is marked earlier
    (in the current reply language)."""
    lines = []
    newest = day_of(sources[0].sent_at) if sources else ""
    for number, source in enumerate(sources, start=1):
        where = f" {source.permalink}" if source.permalink else ""
        day = day_of(source.sent_at)
        if number > 1 and day < newest:
            lines.append(f"{number}. {wording.earlier(day)}“{_quote(source.text)}”{where}")
        else:
            lines.append(f"{number}. “{_quote(source.text)}” ({day}){where}")
    return lines


class RetrievalTwin:
    """Answers for an absent member with quotes from their own messages, never guessing.

    Messages are ranked by :class:`~twins.retrieval.HybridRetriever` (meaning
    and keywords fused, neighbouring turns as context, dates the question
    names). Only memories inside the question's scope are searched, and every
    hit is checked against that scope again before it is shown.

    The twin abstains unless its answerability models (see
    :mod:`twins.answerability`) find that the member's own messages answer the
    question: the key words of the question in what it would quote, statements
    rather than questions, no clearly better match among the other members'
    messages in the chat, and the query's lead over a neutral baseline. It
    then quotes only the candidates that carry the answer, the latest first
    when they were said on different days (see :func:`latest_first`).
    """

    def __init__(
        self,
        embedder: Embedder,
        memory: MemoryStore,
        *,
        max_quotes: int = 3,
        candidates: int = 20,
        retrieval: RetrievalSettings | None = None,
        min_confidence: float | None = None,
        min_quote_confidence: float | None = None,
    ) -> None:
        self._max_quotes = max_quotes
        self._question_model = _with_threshold(QUESTION_MODEL, min_confidence)
        self._quote_model = _with_threshold(QUOTE_MODEL, min_quote_confidence)
        self._memory = memory
        self._gate = RelevanceGate(embedder, 0.0)
        self._candidates = max(candidates, max_quotes)
        self._retriever = HybridRetriever(embedder, memory, retrieval)

    async def find_sources(self, question: TwinQuestion) -> list[TwinSource]:
        """The member's messages that answer the question (latest first), or none."""
        return (await self.assess(question)).sources

    async def assess(self, question: TwinQuestion) -> Assessment:
        """The sources to quote and how sure the twin is that the member's messages answer."""
        if not question.question.strip():
            return Assessment([], 0.0)
        found = await self._retriever.retrieve(
            question.question,
            question.scope,
            self._candidates,
            names=(question.member_name,),
            now=question.asked_at,
            peers=self._peer_query(question),
        )
        judgement = await self.weigh(found, question)
        if judgement is None:
            return Assessment([], 0.0)
        chosen = judgement.chosen(found.hits, self._max_quotes)
        sources = [
            TwinSource(r.hit.message_id, r.hit.text, r.hit.sent_at, r.hit.permalink, r.score)
            for r in chosen
        ]
        return Assessment(latest_first(sources), judgement.answerable)

    async def weigh(self, found: Retrieval, question: TwinQuestion) -> Judgement | None:
        """The answerability of a retrieval; ``None`` when it holds nothing in scope."""
        ranked = [r for r in found.hits if self._in_scope(r.hit, question)]
        if len(ranked) != len(found.hits):
            log.error(
                "memory returned %d hits outside the twin's scope", len(found.hits) - len(ranked)
            )
            return None
        if not ranked or found.best_similarity is None:
            return None
        baseline = await self._gate.baselines(found.vector)
        peers = found.peers
        if peers is None:  # not found beside the retrieval
            wanted = self._peer_query(question)
            peers = (
                PeerScores()
                if wanted is None
                else await peer_scores(
                    self._memory,
                    found.vector,
                    found.query,
                    chat_id=wanted.chat_id,
                    member_ids=wanted.member_ids,
                    limit=wanted.limit,
                    names=question_names(found.query),
                )
            )
        return await asyncio.to_thread(
            judge,
            found,
            baseline,
            peers,
            question_model=self._question_model,
            quote_model=self._quote_model,
        )

    @staticmethod
    def _peer_query(question: TwinQuestion) -> PeerQuery | None:
        """Whose scores weigh against the member's: the others in the question's one chat
        (the asker too is left out); ``None`` when the scope spans chats."""
        chats = question.scope.chat_ids
        if chats is None or len(chats) != 1:
            return None
        asker = () if question.asker_id is None else (question.asker_id,)
        return PeerQuery(chats[0], (*question.scope.member_ids, *asker))

    @staticmethod
    def _in_scope(hit: MemoryHit, question: TwinQuestion) -> bool:
        scope = question.scope
        if hit.member_id not in scope.member_ids:
            return False
        return scope.chat_ids is None or hit.chat_id in scope.chat_ids

    async def answer(
        self, question: TwinQuestion, sources: Sequence[TwinSource] | None = None
    ) -> TwinAnswer:
        """Quote what the member said that bears on the question, or say nothing was found,
        in the current reply language (``locales.using``).

        ``sources`` already found for the question (by :meth:`find_sources`) are quoted
        as they are instead of being searched again.
        """
        name = question.member_name
        label = twin_label(name)
        away = wording.away(name, question.last_seen_at, question.asked_at)
        if not question.question.strip():
            return TwinAnswer(
                label=label, text=join_sentences(away, wording.invite(name)), abstained=True
            )
        if sources is None:
            sources = await self.find_sources(question)
        if not sources:
            return TwinAnswer(
                label=label,
                text=join_sentences(away, wording.nothing_found(name)),
                abstained=True,
            )
        lines = [
            join_sentences(away, wording.quotes_follow(name)),
            *quote_lines(sources),
        ]
        return TwinAnswer(label=label, text="\n".join(lines), sources=tuple(sources))
