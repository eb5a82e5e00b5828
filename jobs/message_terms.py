"""A message's interest terms, found once when it is stored rather than at every round.

An introduction round reads the key terms of every recent message of its chat
(:func:`jobs.member_interests.message_cues`, with the particular one-character
nouns of :func:`jobs.interest_words.single_nouns`). That is about 0.1 ms of
segmenting and matching per message: two minutes of a round over a million
messages, and the same work again next round for messages that did not change.
The embedding worker, which reads every message once anyway, finds them beside
the message's vector (a fraction of a percent of the embedding's cost), and
SQL keeps them with the message (:func:`encode` / :func:`decode`). A round
uses what is stored and finds the rest itself (:func:`message_terms`), so
messages stored before, or by an older version of these rules
(:data:`TERMS_VERSION`), read just the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from sys import intern

from jobs.interest_words import single_nouns
from jobs.member_interests import message_cues

TERMS_VERSION = 1
"""The version of the rules behind stored terms: raise it whenever :func:`message_terms`
would find other terms for the same text, and stored ones are found again."""

_SEPARATOR = "\x1f"
"""Between stored terms (the unit separator: never part of a word)."""


@dataclass(frozen=True, slots=True)
class MessageTerms:
    """What a message tells of its author's interests, from its text alone.

    ``terms``: its key terms, then its particular one-character nouns, each once
    (``None``: the message says too little to show an interest). ``weight``: how
    much it counts as evidence, 0 to 1.
    """

    terms: tuple[str, ...] | None
    weight: float


def message_terms(text: str) -> MessageTerms:
    """The interest terms and evidence weight of one message (see the module text)."""
    cues, weight = message_cues(text)
    if cues is None:
        return MessageTerms(None, weight)
    return MessageTerms(tuple(map(intern, dict.fromkeys([*cues, *single_nouns(text)]))), weight)


def encode(found: MessageTerms) -> tuple[str | None, float]:
    """``found`` as SQL stores it: the terms in one text (``None`` for none), and the weight."""
    if found.terms is None:
        return None, found.weight
    return _SEPARATOR.join(found.terms), found.weight


def decode(terms: str | None, weight: float | None, version: int | None) -> MessageTerms | None:
    """Stored terms back, or ``None`` when none are stored or they follow older rules."""
    if version != TERMS_VERSION or weight is None:
        return None
    if terms is None:
        return MessageTerms(None, weight)
    return MessageTerms(tuple(map(intern, terms.split(_SEPARATOR))) if terms else (), weight)
