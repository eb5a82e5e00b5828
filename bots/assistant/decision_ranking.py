"""Which of the decisions found around a topic are about it, the best first.

A decision is weighed by the topic's terms it carries (itself, or the decision it changed)
and those its conversation carries, each term weighted by how rare it is in the talk read
(a word like 集合 or "meet" that many messages carry says little), and by how much closer
to the question it is in meaning than topic-free chatter. The best decision leads, or the
later one that changed it; beside it only decisions weighed nearly as well are listed. Of
decisions weighed about as well, one that says what the question asks for (a day or time,
when it asks when) leads before a later one that does not.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from jobs.decision_cues import names_a_time
from jobs.digest_model import DigestDecision
from jobs.languages import HAN

TALK_WEIGHT = 0.5
"""What the topic's terms in a decision's conversation count for, against the decision's own."""
MEANING_WEIGHT = 4.0
"""What closeness in meaning counts for: a lead of 0.05 over chatter is worth a fifth of the
topic's terms."""
ALSO_SHARE = 0.75
"""Beside the lead, a decision is listed when it weighs at least this share of the lead's."""
TIE = 0.1
"""Decisions weighed within this share of the best tie with it, and the latest wins."""


_ASKS_WHEN = re.compile(
    r"\b(?:when|what time|what day|which day|what date|which date|how late|how early)\b"
    r"|什么时候|哪天|哪一天|几点|几号|星期几|周几|礼拜几|啥时候|多会儿",
    re.IGNORECASE,
)


def asks_when(question: str) -> bool:
    """Whether a question asks for a day or time ("when is X", 聚餐改到哪天了)."""
    return _ASKS_WHEN.search(question) is not None


def answers_for(question: str) -> Callable[[DigestDecision], bool] | None:
    """What a decision must say to answer ``question`` itself: a day or time, when it asks
    when; ``None`` when the question asks for nothing in particular."""
    if asks_when(question):
        return lambda d: names_a_time(d.ref.text)
    return None


@dataclass(frozen=True, slots=True)
class TermWeights:
    """The topic's terms, each weighted by how rare it is among the messages read."""

    weights: Mapping[str, float]

    @classmethod
    def of(cls, terms: frozenset[str], found: Sequence[frozenset[str]]) -> TermWeights:
        """Weights of ``terms`` given the terms each message read carries (``found``): the
        log of how many messages per message carrying the term."""
        total = len(found)
        return cls(
            {
                term: math.log((1 + total) / (1 + sum(1 for f in found if term in f))) + 0.1
                for term in terms
            }
        )

    def share(self, found: Iterable[str]) -> float:
        """The weighted share of the topic's terms among ``found``."""
        whole = sum(self.weights.values())
        if whole <= 0:
            return 0.0
        return sum(self.weights.get(term, 0.0) for term in set(found)) / whole


def in_other_script(terms: frozenset[str], text: str) -> bool:
    """Whether ``text`` is written in another script than all of the topic's terms (then it
    cannot carry them, and what its conversation carries stands in)."""
    han = HAN.search(text) is not None
    return bool(terms) and all((HAN.search(term) is not None) != han for term in terms)


def ranked(
    decisions: Sequence[DigestDecision],
    weight: Callable[[DigestDecision], float],
    answers: Callable[[DigestDecision], bool] | None = None,
) -> list[DigestDecision]:
    """The decisions about the topic, best first: the best weighed one (or the latest that
    changed it), then only those weighed nearly as well; none when none weighs anything.

    ``answers`` tells a decision that says what the question asks for (see
    :func:`answers_for`): among those weighed within a tie of the best, they lead.
    """
    weighed = {id(d): weight(d) for d in decisions}
    order = sorted(decisions, key=lambda d: (weighed[id(d)], d.ref.sent_at), reverse=True)
    if not order or weighed[id(order[0])] <= 0:
        return []
    best = weighed[id(order[0])]
    # Of the decisions weighed within a tie of the best, the latest leads (of those that
    # answer the question, when some do).
    tied = [d for d in order if weighed[id(d)] >= (1 - TIE) * best]
    if answers is not None:
        tied = [d for d in tied if answers(d)] or tied
    lead = max(tied, key=lambda d: d.ref.sent_at)
    # The latest of the lead's chain leads: a later decision that changed it.
    while True:
        later = [
            d
            for d in order
            if d.replaces is not None
            and d.replaces.message_id == lead.ref.message_id
            and d.ref.sent_at > lead.ref.sent_at
        ]
        if not later:
            break
        lead = max(later, key=lambda d: d.ref.sent_at)
    shown = {lead.ref.message_id} | ({lead.replaces.message_id} if lead.replaces else set())
    also = [
        d for d in order if d.ref.message_id not in shown and weighed[id(d)] >= ALSO_SHARE * best
    ]
    return [lead, *also]
