"""Whether the member's own messages answer a question, and which of them to quote.

Two small logistic models weigh the features of :mod:`twins.answer_features`:
one scores each candidate message ("does this message carry the answer?"),
the other the question as a whole, with the best candidate's score among its
inputs ("did the member ever say this?"). Their weights are fitted offline by
``bench/fit_answerability.py`` on labelled chats in English and Chinese and
kept in :mod:`twins.answerability_model`; nothing is learned at run time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from memory.name_forms import may_be_pinyin
from memory.records import MemoryHit, PeerScores
from twins.answer_features import (
    QUESTION_FEATURES,
    QUOTE_FEATURES,
    question_features,
    quotable,
    quote_features,
    unknown_names,
    vocabulary_of,
)
from twins.answerability_model import QUESTION_MODEL, QUOTE_MODEL
from twins.linear_model import LinearModel, probability
from twins.relevance import Baselines
from twins.retrieval import RankedHit, Retrieval
from twins.scripts import is_cjk

NEVER = -50.0
"""The logit of a candidate that may not be quoted (it only asks)."""

UPDATE_SHARE = 0.5
"""A candidate newer than the best one is quoted too when it is at least this share as likely
to answer: it may be the member's later word on the same thing."""
UPDATE_FLOOR = 0.25
"""...and never below this probability, however weak the best one is."""


@dataclass(frozen=True, slots=True)
class Judgement:
    """What the models found: whether to answer, and each candidate's chance of answering."""

    answerable: float
    """Probability that the member's messages answer the question."""
    answers: bool
    quotes: tuple[float, ...]
    """For each of the first candidates of the retrieval, the probability it carries the answer."""
    quote_threshold: float

    def chosen(self, hits: Sequence[RankedHit], limit: int) -> list[RankedHit]:
        """The candidates worth quoting, best first: none when the question is not answerable.

        The best candidate is always kept when the question is answerable; others when
        they too carry the answer, or when they are newer than the best one and nearly as
        likely to answer (what the member said may have changed since).
        """
        if not self.answers or not self.quotes:
            return []
        order = sorted(range(len(self.quotes)), key=lambda i: -self.quotes[i])
        best = order[0]
        newer_floor = max(self.quotes[best] * UPDATE_SHARE, UPDATE_FLOOR)
        keep = [best] + [
            i
            for i in order[1:]
            if self.quotes[i] >= self.quote_threshold
            or (
                self.quotes[i] >= newer_floor
                and _day(hits[i].hit.sent_at) > _day(hits[best].hit.sent_at)
            )
        ]
        return [hits[i] for i in keep[:limit]]


STRANGER_SCRIPT_SHARE = 0.2
"""A name counts against answering when at least this share of the member's messages are
in its script: a Chinese name cannot be checked against someone who writes English."""


def _writes_in_script_of(messages: Sequence[MemoryHit], name: str) -> bool:
    if not messages:
        return False
    chinese = is_cjk(name)
    same = sum(1 for hit in messages if is_cjk(hit.text) == chinese)
    return same >= STRANGER_SCRIPT_SHARE * len(messages)


def _day(moment: datetime) -> str:
    return moment.date().isoformat()


def _neutral(row: list[float], model: LinearModel, names: tuple[str, ...]) -> list[float]:
    """``row`` with the named features at the model's mean, where they weigh nothing."""
    neutral = list(row)
    for name in names:
        at = model.features.index(name)
        neutral[at] = model.mean[at]
    return neutral


def judge(
    retrieval: Retrieval,
    baselines: Baselines,
    peers: PeerScores,
    *,
    quote_model: LinearModel = QUOTE_MODEL,
    question_model: LinearModel = QUESTION_MODEL,
) -> Judgement:
    """Weigh a retrieval: CPU work over the member's pool of messages, run it off the loop."""
    if not retrieval.hits:
        return Judgement(0.0, False, (), quote_model.threshold)
    allowed = quotable(retrieval)
    if not any(allowed):
        return Judgement(0.0, False, (), quote_model.threshold)
    vocabulary = vocabulary_of(retrieval)
    rows = quote_features(retrieval, baselines, peers, vocabulary)
    unknown_peers = not peers.dense  # nobody else's scores are known: they must say nothing
    if unknown_peers:
        rows = [_neutral(row, quote_model, ("peer_gap",)) for row in rows]
    logits = [
        quote_model.logit(row) if ok else NEVER for row, ok in zip(rows, allowed, strict=True)
    ]
    question = question_features(retrieval, baselines, peers, max(logits), vocabulary)
    if unknown_peers:
        # Whether the chat knows a name the member never wrote cannot be told; with every
        # name written by the member (or none named) none is unknown.
        missing = question[QUESTION_FEATURES.index("missing_names")] > 0
        unknowable = ("unknown_names",) if missing else ()
        question = _neutral(question, question_model, ("peer_gap", "keyword_share", *unknowable))
    answerable = probability(question_model.logit(question))
    # No message of the member is closer to the question than topic-free chatter: nothing
    # can answer it, whatever the words say.
    beats_chatter = question[QUESTION_FEATURES.index("lead")] >= 0.0
    # It names someone nobody in the chat ever wrote, in a script the member writes: the
    # question is about a stranger here, however close the member's words come. A name that
    # may be pinyin ("Sun Hao") may have been written in characters: the model weighs it.
    strangers = [
        name
        for name in unknown_names(retrieval, peers, vocabulary)
        if _writes_in_script_of(vocabulary.messages, name)
        and (is_cjk(name) or not may_be_pinyin(name))
    ]
    return Judgement(
        answerable=answerable,
        answers=beats_chatter and not strangers and answerable >= question_model.threshold,
        quotes=tuple(probability(logit) for logit in logits),
        quote_threshold=quote_model.threshold,
    )


__all__ = ["QUESTION_FEATURES", "QUOTE_FEATURES", "Judgement", "LinearModel", "judge"]
