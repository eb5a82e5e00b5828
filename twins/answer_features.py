"""The evidence a twin weighs before it answers: numbers that say whether a message answers.

A top similarity score alone cannot tell "Bob said this" from "Bob's messages
are about the same kind of thing". These features add what a reader would check:

- *coverage*: how much of the question's key words (weighted by how rare they
  are in the member's own messages) a message, or the member's messages at
  all, contain; names in the question (:mod:`twins.question_names`) the member
  never wrote count apart, and so do those nobody in the chat ever wrote (the
  other members' messages only tell whether they hold the name);
- *subject*: whether the thing the question is about (:mod:`twins.question_subject`:
  "your *corgi*", "你家*狗*") is in the member's own statements, in a candidate
  and in any of the found messages: a message about the cat does not tell the
  corgi's age;
- *statement or question*: a message that only asks ("what made you start?")
  or speaks only of "you" does not state the member's own fact;
- *peers*: whether the other members' messages in the chat match the question
  clearly better (the fact is someone else's): only their scores are used,
  never their words;
- *script*: whether the question and the message are in different scripts
  (Chinese and English), where words cannot match and meaning must carry it;
- *answer type*: whether the question wants a time or a person and the
  message holds none (:mod:`twins.answer_types`); a message that holds no
  number or place where one is asked is not quotable at all: the member
  spoke of the corgi, but never of its age.

:func:`quote_features` describes each candidate message, :func:`question_features`
the question as a whole; :mod:`twins.answerability` weighs them. The benchmark's
fitting script computes the very same features.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from memory.keywords import keyword_encoder
from memory.records import MemoryHit, PeerScores
from twins.answer_types import REQUIRED_TYPES, AnswerType, expected_type, holds_type
from twins.cross_lingual import translated_keywords
from twins.question_names import question_names, written_in
from twins.question_subject import subject_share, subject_words
from twins.relevance import Baselines
from twins.retrieval import Retrieval
from twins.retrieval_keywords import document_terms
from twins.scripts import cjk_share
from twins.text_cache import TextCache

QUOTE_FEATURES = (
    "lead",
    "coverage",
    "message_coverage",
    "asks",
    "about_you",
    "about_me",
    "rank",
    "peer_gap",
    "other_script",
    "words",
    "cross_lead",
    "context_coverage",
    "lacks_time",
    "lacks_person",
    "own_coverage",
    "subject",
)
"""The features of one candidate message, in model order."""

QUESTION_FEATURES = (
    "lead",
    "coverage",
    "missing_names",
    "unknown_names",
    "keyword_share",
    "peer_gap",
    "other_script",
    "lead_without_words",
    "cross_lead",
    "own_present",
    "subject_owned",
    "best_quote",
)
"""The features of a question, in model order (``best_quote``: the best candidate's logit)."""

CANDIDATES = 8
"""How many of the ranked messages are weighed as possible quotes."""

_SENTENCE_END = re.compile(r"(?<=[.!?。！？\n])\s*")
_ASKS = re.compile(r"(?:[?？]|[吗呢嘛么][\s~～。.!！]*)\s*$")
_YOU = re.compile(r"\b(?:you|your|yours|you're|you've|you'll|u)\b|你|您", re.IGNORECASE)
_ME = re.compile(r"\b(?:i|me|my|mine|i'm|i've|i'd|i'll|we|our|us)\b|我", re.IGNORECASE)
_VOCATIVE = re.compile(
    r"[,，]\s*[A-Z][a-z]+\s*[!?.！？~]*\s*$"
    r"|^(?i:hey|hi|hello|dear|yo|thanks|congrats|wow|oh|aw+)[,!]?\s+[A-Z][a-z]+\b"
)
"""A sentence that calls someone by name ("That sounds great, Mel!", "Hey Jon, ...")."""


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    """Inverse document frequency of the query's words over the member's messages."""

    messages: list[MemoryHit]
    """The member's messages the retrieval found (by meaning or by words), each once."""
    terms: frozenset[int]
    idf: dict[int, float]
    present: float
    """IDF-weighted share of the query's words found in any of the member's messages."""
    owned: float
    """The same share counting only the member's own statements (:func:`own_statements`)."""

    translated: _Vocabulary | None = None
    """The same for the English words of a Chinese question's terms
    (:func:`twins.cross_lingual.translated_keywords`), where there are any: they are what
    the member's English messages can hold."""

    @classmethod
    def of(cls, retrieval: Retrieval) -> _Vocabulary:
        messages = _vocabulary_messages(retrieval)
        encoder = keyword_encoder()
        words = translated_keywords(retrieval.query)
        translated = cls.over(frozenset(encoder.query(words).indices), messages) if words else None
        return cls.over(frozenset(encoder.query(retrieval.query).indices), messages, translated)

    @classmethod
    def over(
        cls,
        terms: frozenset[int],
        messages: list[MemoryHit],
        translated: _Vocabulary | None = None,
    ) -> _Vocabulary:
        """The statistics of ``terms`` (keyword ids) over ``messages``."""
        count = len(messages)
        frequency = dict.fromkeys(terms, 0)
        for hit in messages:
            for term in terms & _terms(hit.text):
                frequency[term] += 1
        idf = {
            term: math.log(1 + (count - seen + 0.5) / (seen + 0.5))
            for term, seen in frequency.items()
        }
        total = sum(idf.values())
        present = sum(idf[t] for t in terms if frequency[t]) / total if total else 0.0
        owned_terms: set[int] = set()
        wanted = {t for t in terms if frequency[t]}
        for hit in messages:
            if len(owned_terms) == len(wanted):
                break
            if terms & _terms(hit.text):
                owned_terms |= terms & _own_terms(hit.text)
        owned = sum(idf[t] for t in owned_terms) / total if total else 0.0
        return cls(messages, terms, idf, present, owned, translated)

    def coverage(self, text: str) -> float:
        """IDF-weighted share of the query's words in ``text`` (or of their English words,
        where more of those are in it)."""
        total = sum(self.idf.values())
        found = self.terms & _terms(text)
        share = sum(self.idf[t] for t in found) / total if total else 0.0
        if self.translated is not None:
            return max(share, self.translated.coverage(text))
        return share

    def across(self, other_script: float) -> tuple[float, float]:
        """:attr:`present` and :attr:`owned` for a question whose found messages are
        ``other_script`` in the other script: the English words' shares count there."""
        english = self.translated
        present = (1.0 - other_script) * self.present
        owned = (1.0 - other_script) * self.owned
        if english is not None:
            present += other_script * english.present
            owned += other_script * english.owned
        return present, owned


_terms = document_terms
"""The hashed keyword ids of a message (remembered, shared with ranking)."""


def _words_of_own_statements(text: str) -> frozenset[int]:
    encoder = keyword_encoder()
    return frozenset(i for s in own_statements(text) for i in encoder.document(s).indices)


_own_terms = TextCache(_words_of_own_statements, 1 << 16)
"""The keyword ids of a message's own statements (:func:`own_statements`), remembered."""


def _sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()] or [text]


def _vocabulary_messages(retrieval: Retrieval) -> list[MemoryHit]:
    seen: dict[int, MemoryHit] = {}
    for hit in (*retrieval.pool, *retrieval.keyword_pool):
        seen.setdefault(hit.message_id, hit)
    return list(seen.values())


def quote_features(
    retrieval: Retrieval,
    baselines: Baselines,
    peers: PeerScores,
    vocabulary: _Vocabulary | None = None,
) -> list[list[float]]:
    """One feature row (see :data:`QUOTE_FEATURES`) for each of the first candidates."""
    vocabulary = vocabulary or _Vocabulary.of(retrieval)
    query_share = cjk_share(retrieval.query)
    floor = min((hit.score for hit in retrieval.pool), default=baselines.latin)
    peer = max(peers.dense, default=None)
    turns = _Turns(vocabulary.messages)
    wanted = expected_type(retrieval.query)
    subject = subject_words(retrieval.query)
    rows = []
    for rank, ranked in enumerate(retrieval.hits[:CANDIDATES]):
        text = ranked.hit.text
        similarity = ranked.similarity if ranked.similarity is not None else floor
        other_script = abs(cjk_share(text) - query_share)
        lead = similarity - baselines.of(text)
        best = max(_sentences(text), key=vocabulary.coverage)
        rows.append(
            [
                lead,
                vocabulary.coverage(best),
                vocabulary.coverage(text),
                1.0 if _ASKS.search(best) else 0.0,
                1.0 if _YOU.search(best) and not _ME.search(best) else 0.0,
                1.0 if _ME.search(best) else 0.0,
                math.log1p(rank),
                similarity - peer if peer is not None else 0.0,
                other_script,
                math.log1p(len(_terms(text))),
                other_script * lead,
                max(map(vocabulary.coverage, turns.beside(ranked.hit)), default=0.0),
                *(
                    1.0 if kind is wanted and not holds_type(text, kind) else 0.0
                    for kind in (AnswerType.TIME, AnswerType.PERSON)
                ),
                max(map(vocabulary.coverage, own_statements(text)), default=0.0),
                _across(_subject_held(subject, [text]), other_script),
            ]
        )
    return rows


def _across(share: float, other_script: float) -> float:
    """``share`` of words found, where a text in the other script misses none (words
    cannot match across scripts: meaning must carry it)."""
    return 1.0 - (1.0 - share) * (1.0 - other_script)


def _subject_held(subject: Sequence[str], texts: Sequence[str]) -> float:
    """The share of the question's subject words in the writer's own statements of ``texts``."""
    if not subject:
        return 1.0
    return subject_share(subject, [_own_terms(t) for t in texts])


CONTEXT_GAP = timedelta(minutes=30)
"""The member's turns at most this far apart belong to one exchange."""


class _Turns:
    """The member's known messages in time order, to find a message's turns before and after."""

    def __init__(self, messages: Sequence[MemoryHit]) -> None:
        self._order = sorted(messages, key=lambda h: (h.chat_id, h.member_id, _utc(h.sent_at)))
        self._at = {hit.message_id: i for i, hit in enumerate(self._order)}

    def beside(self, hit: MemoryHit) -> list[str]:
        """Texts of the same member's turns next to ``hit`` in its chat, within the gap."""
        at = self._at.get(hit.message_id)
        if at is None:
            return []
        near = []
        for j in (at - 1, at + 1):
            if 0 <= j < len(self._order):
                other = self._order[j]
                same = other.chat_id == hit.chat_id and other.member_id == hit.member_id
                if same and abs(_utc(other.sent_at) - _utc(hit.sent_at)) <= CONTEXT_GAP:
                    near.append(other.text)
        return near


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def best_lead(pool: Sequence[MemoryHit], baselines: Baselines) -> float:
    """The largest lead of a message over the neutral baseline of its own script.

    ``pool`` is best first; past its first :data:`LEAD_DEPTH` messages no lead can win.
    """
    return max((hit.score - baselines.of(hit.text) for hit in pool[:LEAD_DEPTH]), default=0.0)


LEAD_DEPTH = 50


def only_asks(text: str) -> bool:
    """Whether ``text`` only asks: every sentence is a question and none speaks of the writer
    ("I play on Tuesdays, anyone want to join?" tells something; "what made you start?" not)."""
    return not _ME.search(text) and all(_ASKS.search(s) for s in _sentences(text))


def quotable(retrieval: Retrieval) -> list[bool]:
    """For each of the first candidates: whether it may be quoted at all.

    It must tell something, and where the question wants a number or a place
    (:data:`~twins.answer_types.REQUIRED_TYPES`) it must hold one: a message about the
    corgi that holds no number cannot tell the corgi's age.
    """
    wanted = expected_type(retrieval.query)
    required = wanted if wanted in REQUIRED_TYPES else None
    terms = frozenset(keyword_encoder().query(retrieval.query).indices)
    return [
        not only_asks(ranked.hit.text)
        and (required is None or holds_type(statements(ranked.hit.text), required))
        and not _told_only_of_others(ranked.hit.text, terms)
        for ranked in retrieval.hits[:CANDIDATES]
    ]


def _told_only_of_others(text: str, terms: frozenset[int]) -> bool:
    """Whether the question's words occur in ``text`` only where the writer speaks of
    someone else or asks: "that race sounds great, Mel!" is no answer about the writer's race."""
    if not terms & _terms(text):
        return False
    own = own_statements(text, whole_message=False)
    return not any(terms & _terms(sentence) for sentence in own)


def own_statements(text: str, *, whole_message: bool = True) -> list[str]:
    """The sentences of ``text`` that tell of the writer or the world, not of the person
    addressed: no questions, and no sentence that speaks to someone ("your son's okay",
    "that race sounds great, Mel!") without the writer in it.

    A message that never speaks of its writer and calls someone by name or asks them
    about themselves ("That bowl is gorgeous! Did you make it?") is a reply to them:
    nothing in it is the writer's. With ``whole_message``, so is any message that speaks
    to someone and never of its writer ("Sorry 'bout the accident! Glad your son's okay."),
    though advice ("Race tips: bring water. Change your shoes after.") is lost with it.
    """
    sentences = _sentences(text)
    if not _ME.search(text):
        to_them = [bool(_YOU.search(s)) for s in sentences]
        called = any(_VOCATIVE.search(s) for s in sentences)
        asked = any(you and _ASKS.search(s) for you, s in zip(to_them, sentences, strict=True))
        if called or asked or (whole_message and any(to_them)):
            return []
    return [
        sentence
        for sentence in sentences
        if not _ASKS.search(sentence)
        and not ((_YOU.search(sentence) or _VOCATIVE.search(sentence)) and not _ME.search(sentence))
    ]


def statements(text: str) -> str:
    """``text`` without its sentences that ask: "which company is it?" names no company."""
    return " ".join(s for s in _sentences(text) if not _ASKS.search(s))


def question_features(
    retrieval: Retrieval,
    baselines: Baselines,
    peers: PeerScores,
    best_quote: float,
    vocabulary: _Vocabulary | None = None,
) -> list[float]:
    """The feature row of the question (see :data:`QUESTION_FEATURES`)."""
    vocabulary = vocabulary or _Vocabulary.of(retrieval)
    lead = best_lead(retrieval.pool, baselines)
    query_share = cjk_share(retrieval.query)
    top = [r.hit.text for r in retrieval.hits[:5]]
    other_script = (
        sum(abs(cjk_share(text) - query_share) for text in top) / len(top) if top else 0.0
    )
    names = question_names(retrieval.query)
    written = _all_text(vocabulary) if names else ""
    missing = sum(1 for name in names if not written_in(name, written))
    unknown = len(unknown_names(retrieval, peers, vocabulary))
    own_keywords = max((hit.score for hit in retrieval.keyword_pool), default=0.0)
    peer_keywords = max(peers.keywords, default=0.0)
    shared = own_keywords + peer_keywords
    keyword_share = own_keywords / shared if shared else 0.0
    own_top = sorted((hit.score for hit in retrieval.pool), reverse=True)[:3]
    peer_top = sorted(peers.dense, reverse=True)[:3]
    peer_gap = 0.0
    if own_top and peer_top:
        peer_gap = sum(own_top) / len(own_top) - sum(peer_top) / len(peer_top)
    coverage, owned = vocabulary.across(other_script)
    subject = subject_words(retrieval.query)
    owned_subject = _subject_held(subject, [hit.text for hit in vocabulary.messages])
    return [
        lead,
        coverage,
        float(missing),
        float(unknown),
        keyword_share,
        peer_gap,
        other_script,
        lead * (1.0 - coverage),
        lead * other_script,
        owned,
        _across(owned_subject, other_script),
        best_quote,
    ]


def _all_text(vocabulary: _Vocabulary) -> str:
    return "\n".join(hit.text for hit in vocabulary.messages)


def unknown_names(
    retrieval: Retrieval, peers: PeerScores, vocabulary: _Vocabulary | None = None
) -> list[str]:
    """The names in the question that nobody in the chat ever wrote: neither the member
    (in the messages found) nor, as far as ``peers`` tell, anyone else."""
    names = question_names(retrieval.query)
    if len(peers.named) != len(names):
        return []
    vocabulary = vocabulary or _Vocabulary.of(retrieval)
    written = _all_text(vocabulary)
    return [
        name
        for name, known in zip(names, peers.named, strict=True)
        if not known and not written_in(name, written)
    ]


def vocabulary_of(retrieval: Retrieval) -> _Vocabulary:
    """The query's word statistics over the member's messages, to share between both rows."""
    return _Vocabulary.of(retrieval)
