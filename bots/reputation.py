"""Member reputation: points from the recognition other members give, capped per giver.

Four signals earn points in a chat: a reply by another member that thanks the member
(EN/ZH), another member's reaction on the member's message or twin answer, a twin answer
the member confirmed to another member's question, and a question by another member the
member answered with a reply (once per asker: the member earns it by acting alone). Each
giver's points to one member are capped (:data:`PER_GIVER_CAP`), so no single member can
raise anyone's score beyond that, however often they react or say thanks; recognition
from oneself (any linked account) counts for nothing. Everything here is pure: the SQL
lives in ``bots.storage.reputation_queries``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Signal(StrEnum):
    """A kind of recognition."""

    THANKS = "thanks"
    CONFIRMED_ANSWER = "confirmed_answer"
    ANSWERED_QUESTION = "answered_question"
    REACTION = "reaction"


SIGNALS: tuple[Signal, ...] = (
    Signal.THANKS,
    Signal.CONFIRMED_ANSWER,
    Signal.ANSWERED_QUESTION,
    Signal.REACTION,
)
"""The signals in the order a giver's points are credited until the cap is reached."""

WEIGHTS: Mapping[Signal, int] = {
    Signal.THANKS: 3,
    Signal.CONFIRMED_ANSWER: 2,
    Signal.ANSWERED_QUESTION: 2,
    Signal.REACTION: 1,
}
"""Points per recognition of each kind."""

PER_GIVER_CAP = 6
"""The most points one member can add to another member's score in a chat."""

ONCE_PER_GIVER: frozenset[Signal] = frozenset({Signal.ANSWERED_QUESTION})
"""Signals that earn points once per giver, however often: answering questions is the one
the member earns by acting alone (the asker did nothing), so each asker counts once."""


@dataclass(frozen=True, slots=True)
class Recognition:
    """``count`` recognitions of one kind that member ``giver_id`` gave."""

    giver_id: int
    signal: Signal
    count: int


@dataclass(frozen=True, slots=True)
class SignalTotal:
    """One signal on the page: how many recognitions counted, and the points they earned."""

    signal: Signal
    count: int
    points: int


@dataclass(frozen=True, slots=True)
class Reputation:
    """A member's score in one chat, with its breakdown by signal.

    ``givers`` is how many other members recognised them; ``capped_givers`` how many of
    those reached the per-giver cap (their further recognition earned nothing).
    """

    score: int
    givers: int
    capped_givers: int
    signals: tuple[SignalTotal, ...]

    def of(self, signal: Signal) -> SignalTotal:
        """The total for one signal."""
        for total in self.signals:
            if total.signal is signal:
                return total
        return SignalTotal(signal, 0, 0)


def score(
    recognitions: Iterable[Recognition],
    *,
    own_ids: Collection[int],
    weights: Mapping[Signal, int] = WEIGHTS,
    cap: int = PER_GIVER_CAP,
) -> Reputation:
    """The reputation ``recognitions`` earn a member whose accounts are ``own_ids``.

    Recognitions by the member's own accounts and non-positive counts are ignored. Each
    giver's points are credited signal by signal in :data:`SIGNALS` order until ``cap``;
    a signal in :data:`ONCE_PER_GIVER` earns its weight once per giver.
    """
    by_giver: dict[int, dict[Signal, int]] = defaultdict(lambda: defaultdict(int))
    for item in recognitions:
        if item.giver_id in own_ids or item.count <= 0:
            continue
        by_giver[item.giver_id][item.signal] += item.count
    counts: dict[Signal, int] = defaultdict(int)
    points: dict[Signal, int] = defaultdict(int)
    capped = 0
    for given in by_giver.values():
        room = cap
        for signal in SIGNALS:
            count = given.get(signal, 0)
            counts[signal] += count
            credited = min(count, 1) if signal in ONCE_PER_GIVER else count
            earned = min(room, credited * weights[signal])
            points[signal] += earned
            room -= earned
        if room <= 0:
            capped += 1
    totals = tuple(SignalTotal(s, counts[s], points[s]) for s in SIGNALS)
    return Reputation(
        score=sum(points.values()),
        givers=len(by_giver),
        capped_givers=capped,
        signals=totals,
    )


_NOT_THANKS = re.compile(
    r"(?ix)"
    r"\b(?:no|nope|nah)\b[\s,.!~]*(?:thanks|thank\s*(?:you|u)|thx)\b"
    r"|\bthanks?\s*(?:you\s*)?for\s+nothing\b"
    r"|\bthanks?\s*(?:you\s*)?in\s+advance\b"
    r"|\bthanks\s*,?\s*but\s+no\b"
    r"|不用谢|不客气|不谢"
    r"|(?:不用了?|不了|不必了?|算了)[\s，,。！!~]*(?:谢谢|多谢|感谢)"
    r"|(?:谢谢|多谢)[\s，,。！!~]*(?:不用了?|不了|不必了?)"
    r"|(?:提前|预先)(?:谢谢|感谢)"
)
"""Phrases that carry a thanks word but thank nobody (``no thanks``, ``不用了，谢谢``)."""

_THANKS = re.compile(
    r"(?ix)"
    r"\b(?:thanks|thank\s*(?:you|u|ya)|thx|thnx|tysm|ty|many\s+thanks|much\s+appreciated"
    r"|appreciate\s+it|cheers)\b"
    r"|谢谢|多谢|感谢|辛苦了|谢啦|谢了|感恩"
)


THANKS_CUES: tuple[str, ...] = (
    "thank",
    "thx",
    "thnx",
    "ty",
    "cheers",
    "appreciat",
    "谢",
    "感谢",
    "感恩",
    "辛苦",
)
"""Lower-case fragments every thank-you holds at least one of (a quick first check)."""


def is_thanks(text: str) -> bool:
    """Whether a reply thanks the member it answers (English or Chinese).

    ``no thanks``, ``thanks in advance``, ``不用了，谢谢``, ``不用谢`` and the like do
    not count; a thanks elsewhere in the same message still does.
    """
    lowered = text.lower()
    if not any(cue in lowered for cue in THANKS_CUES):
        return False
    return bool(_THANKS.search(_NOT_THANKS.sub(" ", text)))
