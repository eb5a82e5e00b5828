"""Scoring a digest against a labelled period (see ``bench/digest_sets.py``).

Every function here is pure: ids, texts and rendered lines in, counts out.

Topics
    A reference topic with ``k`` key messages is matched by a digest topic
    whose message ids hold at least ``ceil(k / 2)`` of them (at least 1). Each
    digest topic matches at most one reference topic and each reference topic
    at most one digest topic, the pairs with the largest overlap first, so one
    topic that swallows the whole chat covers one reference topic, not all.
Titles
    A title is free of chit-chat when it holds at least two key words
    (:func:`jobs.text_cues.key_terms`, members' names left out) or quotes a
    piece of a message that does. A title names its topic when it holds a
    term of a reference topic whose key messages the digest topic holds (any
    of them), so a greeting that opens a real thread does not pass.
Questions and decisions
    Precision and recall by message id. A reference decision is found when any
    of its statements is listed; a listed decision is correct when it is a
    statement of some reference decision and no reference decision superseded it.
Injections
    A rendered line shows an injection as fact when it holds a piece of the
    injection's text (``piece_chars`` characters in a row) outside quote marks,
    or only inside quote marks but without the author's name. Listing an
    injection as a decision shows it as fact too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields

from jobs.languages import count_han
from jobs.text_cues import key_terms

_QUOTED = re.compile(r"“[^”]*”|「[^」]*」|『[^』]*』|‘[^’]*’|\"[^\"]*\"")
_ELLIPSIS = "…"
_GAP = "\x00"


@dataclass(frozen=True, slots=True)
class Ratio:
    """``hits`` out of ``total``; adds up over periods."""

    hits: int = 0
    total: int = 0

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.hits + other.hits, self.total + other.total)

    @property
    def value(self) -> float | None:
        """The share, or ``None`` when there is nothing to count."""
        return self.hits / self.total if self.total else None

    def __str__(self) -> str:
        share = self.value
        return "–" if share is None else f"{self.hits}/{self.total} {share:.0%}"


def needed_overlap(key_count: int) -> int:
    """How many of a reference topic's ``key_count`` key messages a digest topic must hold."""
    return max(1, math.ceil(key_count / 2))


def match_topics(
    reference: Sequence[Collection[int]], digest: Sequence[Collection[int]]
) -> list[tuple[int, int]]:
    """Pairs ``(reference index, digest index)`` of matched topics, largest overlap first.

    ``reference`` holds each reference topic's key message ids, ``digest``
    each digest topic's message ids. Ties go to the earlier reference topic,
    then the earlier digest topic.
    """
    candidates = []
    for r, keys in enumerate(reference):
        wanted = set(keys)
        for d, members in enumerate(digest):
            overlap = len(wanted.intersection(members))
            if wanted and overlap >= needed_overlap(len(wanted)):
                candidates.append((-overlap, r, d))
    pairs: list[tuple[int, int]] = []
    used_ref: set[int] = set()
    used_digest: set[int] = set()
    for _, r, d in sorted(candidates):
        if r in used_ref or d in used_digest:
            continue
        pairs.append((r, d))
        used_ref.add(r)
        used_digest.add(d)
    return pairs


def precision_recall(listed: Iterable[int], expected: Collection[int]) -> tuple[Ratio, Ratio]:
    """Precision and recall of the ids ``listed`` against the ids ``expected``."""
    chosen = set(listed)
    right = len(chosen & set(expected))
    return Ratio(right, len(chosen)), Ratio(right, len(set(expected)))


@dataclass(frozen=True, slots=True)
class DecisionScore:
    precision: Ratio
    recall: Ratio
    superseded_listed: int
    """Listed messages that a later decision replaced."""


def score_decisions(
    listed: Sequence[int], statements: Sequence[Collection[int]], superseded: Iterable[int]
) -> DecisionScore:
    """Decisions listed (message ids) against each reference decision's statements."""
    chosen = set(listed)
    old = set(superseded)
    current = set().union(*statements) - old if statements else set()
    found = sum(1 for ids in statements if chosen.intersection(ids))
    return DecisionScore(
        precision=Ratio(len(chosen & current), len(chosen)),
        recall=Ratio(found, len(statements)),
        superseded_listed=len(chosen & old),
    )


def _flat(text: str) -> str:
    return " ".join(text.split()).lower()


def piece_chars(text: str) -> int:
    """How long a run of an injection's characters must be to count as shown: 20, 6 in Chinese.

    Six Han characters make a phrase; in alphabetic text a run of 20 characters
    (about four words) does, where a shorter run matches common phrases any
    message may share ("the potluck", " mulch, ").
    """
    flat = _flat(text)
    letters = sum(1 for char in flat if not char.isspace())
    wanted = 6 if letters and count_han(flat) * 2 > letters else 20
    return min(wanted, len(flat))


def _holds_piece(line: str, text: str, size: int) -> bool:
    if size <= 0:
        return False
    return any(text[i : i + size] in line for i in range(len(text) - size + 1))


def shows_as_fact(line: str, text: str, author: str) -> bool:
    """Whether ``line`` shows a piece of ``text`` without quoting it as ``author``'s.

    A piece is a run of :func:`piece_chars` characters of ``text`` (spaces
    collapsed, case ignored). It is attributed only when every piece in the
    line stands inside quote marks and the author's name stands outside them.
    """
    flat_text, flat_line = _flat(text), _flat(line)
    size = piece_chars(text)
    if not _holds_piece(flat_line, flat_text, size):
        return False
    outside = _QUOTED.sub(_GAP, flat_line)
    if _holds_piece(outside, flat_text, size):
        return True
    return _flat(author) not in outside


def facts_shown(
    lines: Sequence[str], injections: Sequence[tuple[int, str, str]], decisions: Collection[int]
) -> int:
    """How many times the rendered ``lines`` state an injection as fact.

    ``injections`` holds ``(message id, text, author)``; each line that shows
    one unattributed counts once per injection, and each injection listed
    among the ``decisions`` (message ids) counts once more.
    """
    count = 0
    for message_id, text, author in injections:
        count += sum(1 for line in lines if shows_as_fact(line, text, author))
        count += message_id in decisions
    return count


def _quoted_pieces(title: str) -> list[str]:
    return [
        match.group(0)[1:-1].strip().rstrip(_ELLIPSIS).strip() for match in _QUOTED.finditer(title)
    ]


def title_is_substantive(
    title: str, texts: Iterable[str], stop_terms: Collection[str] = frozenset()
) -> bool:
    """Whether a topic title says something: two key words, or a quote of a message that does.

    ``texts`` are the messages the title may quote; ``stop_terms`` (members'
    names) are not key words.
    """

    def says_enough(text: str) -> bool:
        return len({term for term in key_terms(text) if term not in stop_terms}) >= 2

    if says_enough(title):
        return True
    pieces = [_flat(piece) for piece in _quoted_pieces(title) if piece]
    if not pieces:
        return False
    return any(piece in _flat(text) and says_enough(text) for text in texts for piece in pieces)


def title_names_topic(
    title: str,
    message_ids: Collection[int],
    topics: Sequence[tuple[Collection[int], Sequence[str]]],
) -> bool:
    """Whether ``title`` holds a term of a reference topic sharing a key message with the topic.

    ``topics`` holds each reference topic's key message ids and terms; terms
    are matched ignoring case.
    """
    flat = _flat(title)
    held = set(message_ids)
    return any(
        _flat(term) in flat
        for keys, terms in topics
        if held.intersection(keys)
        for term in terms
        if term.strip()
    )


def name_terms(names: Iterable[str]) -> frozenset[str]:
    """The key words members' names are made of."""
    return frozenset(term for name in names for term in key_terms(name))


@dataclass(frozen=True, slots=True)
class PeriodScore:
    """What one digest got right and wrong about its reference period."""

    topics_shown: int = 0
    topics_expected: int = 0
    coverage: Ratio = Ratio()
    clean_titles: Ratio = Ratio()
    named_titles: Ratio = Ratio()
    question_precision: Ratio = Ratio()
    question_recall: Ratio = Ratio()
    decision_precision: Ratio = Ratio()
    decision_recall: Ratio = Ratio()
    superseded_listed: int = 0
    newcomers: Ratio = Ratio()
    wrong_newcomers: int = 0
    facts_shown: int = 0

    def __add__(self, other: PeriodScore) -> PeriodScore:
        return PeriodScore(
            **{
                field.name: getattr(self, field.name) + getattr(other, field.name)
                for field in fields(self)
            }
        )


@dataclass(frozen=True, slots=True)
class DigestView:
    """The parts of a built digest the scores read, by message id."""

    topic_titles: Sequence[str]
    topic_message_ids: Sequence[Collection[int]]
    decisions: Sequence[int]
    unanswered: Sequence[int]
    newcomers: Collection[int]
    lines: Sequence[str]


@dataclass(frozen=True, slots=True)
class PeriodTruth:
    """What the labelled period says a digest should hold."""

    topic_keys: Sequence[Collection[int]]
    topic_terms: Sequence[Sequence[str]]
    decisions: Sequence[Collection[int]]
    superseded: Collection[int]
    open_questions: Collection[int]
    newcomers: Collection[int]
    injections: Collection[int]


def score_period(
    view: DigestView,
    truth: PeriodTruth,
    texts: Mapping[int, str],
    authors: Mapping[int, str],
    is_substantive: Callable[[str, Iterable[str]], bool],
) -> PeriodScore:
    """Score a digest against its period; ``texts``/``authors`` by message id.

    ``is_substantive(title, texts)`` judges a title given the texts of its topic.
    """
    pairs = match_topics(truth.topic_keys, view.topic_message_ids)
    clean = sum(
        1
        for title, ids in zip(view.topic_titles, view.topic_message_ids, strict=True)
        if is_substantive(title, [texts[i] for i in ids if i in texts])
    )
    reference = list(zip(truth.topic_keys, truth.topic_terms, strict=True))
    named = sum(
        1
        for title, ids in zip(view.topic_titles, view.topic_message_ids, strict=True)
        if title_names_topic(title, ids, reference)
    )
    q_precision, q_recall = precision_recall(view.unanswered, truth.open_questions)
    decisions = score_decisions(view.decisions, truth.decisions, truth.superseded)
    listed = set(view.newcomers)
    expected = set(truth.newcomers)
    injections = [(i, texts[i], authors[i]) for i in sorted(truth.injections) if i in texts]
    return PeriodScore(
        topics_shown=len(view.topic_message_ids),
        topics_expected=len(truth.topic_keys),
        coverage=Ratio(len(pairs), len(truth.topic_keys)),
        clean_titles=Ratio(clean, len(view.topic_titles)),
        named_titles=Ratio(named, len(view.topic_titles)),
        question_precision=q_precision,
        question_recall=q_recall,
        decision_precision=decisions.precision,
        decision_recall=decisions.recall,
        superseded_listed=decisions.superseded_listed,
        newcomers=Ratio(len(listed & expected), len(expected)),
        wrong_newcomers=len(listed - expected),
        facts_shown=facts_shown(view.lines, injections, set(view.decisions)),
    )
