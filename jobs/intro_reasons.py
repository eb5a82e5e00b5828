"""Why two (or three) members should meet: the interest they share, in words, and a message of each.

The reason line names the shared interest by its key terms (the terms the
members' messages on it have in common, else each member's own most
distinctive term, e.g. "跑步 / running" across languages), words the members
come back to across their messages first (:mod:`jobs.recurring_names`), then
quotes one message of each member on it, attributed and linked:
``Why: you both talk about running — Ana: “…” (link) · Wei: “…” (link)``.
Quoted text is the members' own words, never restated in Hearth's voice.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from jobs.interest_words import (
    WordMatch,
    centred_vectors,
    evidence_words,
    is_content_word,
    is_distinctive,
    whole_word,
)
from jobs.intro_matcher import IntroGroup
from jobs.languages import Language, script_of
from jobs.member_interests import term_rarity
from jobs.naming_checks import alike_beyond_usual, excerpt_showing, subject_weight
from jobs.quoting import quoted
from jobs.recurring_names import MIN_MESSAGES, is_agreement, recurring_words
from jobs.text_cues import key_terms
from jobs.vector_math import unit_rows
from locales import format_list, tr

_QUOTE_CHARS = 60
_MOST_RECURRENCE = 8
"""Messages writing a word beyond this many make it no likelier to name the interest."""
_NAMED_BONUS = 0.5
"""How much a quote that names the shared interest is preferred (in cosine units)."""


@dataclass(frozen=True, slots=True, eq=False)
class CandidateMessage:
    """A message a member wrote on the shared interest, that an introduction may quote.

    ``terms`` are its key terms (computed from ``text`` when not given).
    """

    message_id: int
    text: str
    vector: Sequence[float] | npt.NDArray[np.floating]
    permalink: str | None = None
    terms: tuple[str, ...] | None = None

    def key_terms(self) -> tuple[str, ...]:
        """The message's distinct key terms."""
        if self.terms is not None:
            return self.terms
        return tuple(dict.fromkeys(key_terms(self.text)))


@dataclass(frozen=True, slots=True)
class EvidencePair:
    """Two members' messages that show best what they share (best pairs come first)."""

    first_member: int
    first: CandidateMessage
    second_member: int
    second: CandidateMessage
    strength: float = 1.0
    """How strongly the two messages show a shared interest (their excess likeness)."""
    by_word: bool = False
    """Found by a particular word both messages use (see :mod:`jobs.shared_terms`), not
    by how alike they are: such pairs come after the others."""


TermVectors = Mapping[str, Sequence[float] | npt.NDArray[np.floating]]


@dataclass(frozen=True, slots=True)
class TermFrequencies:
    """In how many of a chat's ``documents`` messages each term appears."""

    counts: Counter[str] = field(default_factory=Counter)
    documents: int = 0

    @classmethod
    def of(cls, terms: Sequence[Sequence[str]]) -> TermFrequencies:
        """Frequencies over messages given as their key terms."""
        counts: Counter[str] = Counter()
        for message in terms:
            counts.update(set(message))
        return cls(counts, len(terms))

    def weight(self, term: str) -> float:
        """``log(1 + N / f)``: terms few messages use weigh more."""
        return math.log(1.0 + max(1, self.documents) / max(1, self.counts[term]))


@dataclass(frozen=True, slots=True)
class Quote:
    """One member's message quoted in an introduction."""

    member_id: int
    message_id: int
    text: str
    permalink: str | None


@dataclass(frozen=True, slots=True)
class IntroReason:
    """The one-line "why" of an introduction and what it is made of.

    ``interest`` are the words that name the shared interest (empty when none
    was found); ``shared_keywords`` are those the members' messages have in
    common (a subset).
    """

    interest: tuple[str, ...]
    shared_keywords: tuple[str, ...]
    quotes: tuple[Quote, ...]
    line: str


def _fits(
    messages: Mapping[int, Sequence[CandidateMessage]], *, cross: bool = False
) -> dict[int, npt.NDArray[np.float32]]:
    """How close each member's messages are to what the group shares.

    The shared direction is the sum of the members' mean message vectors, so
    a message on the others' subject as well as its author's scores best;
    with ``cross``, only the other members' mean vectors count.
    """
    members = [member for member in messages if messages[member]]
    vectors = {
        member: unit_rows(
            np.stack([np.asarray(m.vector, dtype=np.float32) for m in messages[member]])
        )
        for member in members
    }
    centres = {member: unit_rows(vectors[member].mean(axis=0))[0] for member in members}
    fits = {}
    for member in members:
        parts = [centres[other] for other in members if other != member or not cross]
        if not parts:
            parts = [centres[member]]
        target = unit_rows(np.sum(parts, axis=0))[0]
        fits[member] = (vectors[member] @ target).astype(np.float32)
    return fits


def _term_shares(
    messages: Sequence[CandidateMessage], fit: npt.NDArray[np.float32]
) -> tuple[dict[str, float], Counter[str]]:
    """Each term's share of a member's messages, weighed by how on-topic they are, and counts."""
    weights = np.maximum(fit, 0.0) + 1e-3
    total = float(weights.sum())
    shares: dict[str, float] = {}
    counts: Counter[str] = Counter()
    for message, weight in zip(messages, weights.tolist(), strict=True):
        for term in message.key_terms():
            shares[term] = shares.get(term, 0.0) + weight / total
            counts[term] += 1
    return shares, counts


def _ranked(scored: list[tuple[float, str]]) -> list[tuple[float, str]]:
    return sorted(scored, key=lambda item: (-item[0], -len(item[1]), item[1]))


def interest_name(
    messages: Mapping[int, Sequence[CandidateMessage]],
    frequencies: TermFrequencies | None = None,
    *,
    language: Language = Language.ENGLISH,
    limit: int = 2,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words naming what the members' ``messages`` are about: ``(name, shared)``.

    A term weighs its share of a member's messages (messages closer to the
    other members' count more) times how rare it is in the chat
    (``frequencies``) and in the language at large
    (:func:`jobs.member_interests.term_rarity`). ``shared`` are the best terms
    every member uses (two of a trio), up to ``limit``; they name the interest
    unless each member's own best term weighs clearly more, and then the name
    is those own terms, the chat's language first ("跑步 / running").
    """
    fits = _fits(messages, cross=True)
    members = list(fits)
    if not members:
        return (), ()
    frequencies = frequencies or TermFrequencies.of(
        [m.key_terms() for member in members for m in messages[member]]
    )
    per_member = [_term_shares(messages[member], fits[member]) for member in members]

    def weight(term: str) -> float:
        return frequencies.weight(term) * term_rarity(term)

    own: list[tuple[float, str]] = []
    for shares, _ in per_member:
        ranked = _ranked([(share * weight(term), term) for term, share in shares.items()])
        if ranked and ranked[0][1] not in {term for _, term in own}:
            own.append(ranked[0])
    shared: tuple[str, ...] = ()
    if len(members) >= 2:
        needed = len(members) if len(members) <= 2 else 2
        scored = []
        for term in set().union(*(shares for shares, _ in per_member)):
            values = sorted((shares.get(term, 0.0) for shares, _ in per_member), reverse=True)
            if values[needed - 1] > 0:
                scored.append((values[needed - 1] * weight(term), term))
        ranked = _ranked(scored)
        weakest_own = min((score for score, _ in own), default=0.0)
        if ranked and ranked[0][0] >= weakest_own / 2:
            shared = tuple(term for score, term in ranked[:limit] if score >= ranked[0][0] / 2)
    if shared:
        return shared, shared
    names = [term for _, term in own]
    names.sort(key=lambda term: script_of(term) is not language)
    return tuple(names[:limit]), ()


def _quote_choice(
    group: Sequence[int],
    messages: Mapping[int, Sequence[CandidateMessage]],
    named: Sequence[str],
) -> list[tuple[int, CandidateMessage]]:
    """One message per member: on what the group shares, and naming it where one does."""
    fits = _fits({member: found for member, found in messages.items() if found})
    chosen = []
    for member in group:
        if member not in fits:
            continue
        names = np.asarray(
            [any(term in m.key_terms() for term in named) for m in messages[member]],
            dtype=np.float32,
        )
        best = int(np.argmax(fits[member] + _NAMED_BONUS * names))
        chosen.append((member, messages[member][best]))
    return chosen


EVIDENCE_NAMED = 3
"""How many of a group's best pairs of evidence messages may give the interest its name."""


def naming_pairs(evidence: Sequence[EvidencePair]) -> list[tuple[int, EvidencePair]]:
    """The pairs of evidence that may name an interest, with their places: the
    ``EVIDENCE_NAMED`` best by likeness, then as many found by a particular word (which
    name it only when the others have no words for it)."""
    alike = [(i, pair) for i, pair in enumerate(evidence) if not pair.by_word]
    by_word = [(i, pair) for i, pair in enumerate(evidence) if pair.by_word]
    return alike[:EVIDENCE_NAMED] + by_word[:EVIDENCE_NAMED]


def naming_candidates(
    evidence: Sequence[EvidencePair], frequencies: TermFrequencies
) -> dict[str, float]:
    """The words of the ``evidence`` messages that may name an interest, with their weight.

    Content words (:func:`jobs.interest_words.is_content_word`) few messages
    of the chat use, weighed by their rarity in the chat and in the language, and
    nouns before verbs and adjectives (:func:`jobs.naming_checks.subject_weight`).
    """
    weights: dict[str, float] = {}
    for _, pair in naming_pairs(evidence):
        for term in (*pair.first.key_terms(), *pair.second.key_terms()):
            if term in weights or not is_content_word(term):
                continue
            if is_distinctive(term, frequencies.counts, frequencies.documents):
                weights[term] = frequencies.weight(term) * term_rarity(term) * subject_weight(term)
    return weights


def _evidence_name(
    evidence: Sequence[EvidencePair],
    weights: Mapping[str, float],
    term_vectors: TermVectors | None,
    language: Language,
    limit: int,
    *,
    script_directions: Mapping[str, npt.NDArray[np.float32]] | None = None,
    usual: float | None = None,
    recurring: bool = False,
) -> tuple[int, WordMatch | None]:
    """The evidence pair whose words name what it shares best, and its words (``None``: none has).

    Words weigh as much as the pair shows a shared interest (its ``strength``):
    the words of a weak pair may name another subject. A pair whose two messages
    are no more alike than the chat's ``usual`` (see
    :func:`jobs.naming_checks.usual_likeness`) names nothing: its words mean two
    things ("a sign-up sheet", "a sheet of wire") or any two messages may share them.
    """
    # centred over all the words given (a round's), not only this pair's few
    vectors = {
        term: vector
        for term, vector in centred_vectors(term_vectors or {}, script_directions).items()
        if term in weights
    }
    best: tuple[int, WordMatch | None] = (0, None)
    strongest = 0.0
    for index, pair in naming_pairs(evidence):
        if is_agreement(pair.first.text) or is_agreement(pair.second.text):
            continue  # words of someone else's proposal
        # a pair linked by a word both come back to may be named by it when it is a noun
        nouns_only = not alike_beyond_usual(pair.first.vector, pair.second.vector, usual)
        if nouns_only and not (recurring and pair.by_word):
            continue
        match = evidence_words(
            pair.first.key_terms(),
            pair.second.key_terms(),
            weights,
            vectors,
            language=language,
            limit=limit,
        )
        if match is None or (nouns_only and min(map(subject_weight, match.words)) < 1.0):
            continue
        if match.shared:
            texts = (pair.first.text, pair.second.text)
            match = replace(match, words=tuple(whole_word(word, texts) for word in match.words))
        if best[1] is not None and pair.by_word and not evidence[best[0]].by_word:
            break  # pairs found by a word name the interest only when the others cannot
        if best[1] is None or match.score * pair.strength > best[1].score * strongest:
            best, strongest = (index, match), pair.strength
    return best


def _pools(
    member_ids: Sequence[int],
    on_topic: Mapping[int, Sequence[CandidateMessage]],
    evidence: Sequence[EvidencePair],
    member_messages: Mapping[int, Sequence[CandidateMessage]] | None,
) -> dict[int, list[CandidateMessage]]:
    """Each member's messages where a name must recur: the evidence first, then the
    messages on the interest, then (when given) all the member's messages."""
    pools: dict[int, dict[int, CandidateMessage]] = {member: {} for member in member_ids}
    for pair in evidence:
        for member, message in ((pair.first_member, pair.first), (pair.second_member, pair.second)):
            if member in pools:
                pools[member].setdefault(message.message_id, message)
    for member in member_ids:
        for message in (*on_topic.get(member, ()), *(member_messages or {}).get(member, ())):
            pools[member].setdefault(message.message_id, message)
    return {member: list(found.values()) for member, found in pools.items()}


def explain_intro(
    group: IntroGroup | Sequence[int],
    names: Mapping[int, str],
    messages: Mapping[int, Sequence[CandidateMessage]],
    *,
    frequencies: TermFrequencies | None = None,
    language: Language = Language.ENGLISH,
    max_terms: int = 2,
    evidence: Sequence[EvidencePair] = (),
    term_vectors: TermVectors | None = None,
    script_directions: Mapping[str, npt.NDArray[np.float32]] | None = None,
    usual_likeness: float | None = None,
    member_messages: Mapping[int, Sequence[CandidateMessage]] | None = None,
) -> IntroReason:
    """The one-line reason to introduce ``group``: the shared interest and a message of each.

    ``messages`` gives each member's messages on the interest they share (with
    their vectors and permalinks); ``frequencies`` are the chat's term
    frequencies, so that words everyone uses do not name the interest.
    With ``evidence`` (the members' best pairs of messages on it, best
    first), the interest is named by a word of those pairs that each member comes
    back to: writes in several of their messages (the evidence, ``messages`` and
    ``member_messages``, all they wrote; see :mod:`jobs.recurring_names`), and
    messages writing it are quoted. Else, the words naming it come from one such pair
    alone; ``term_vectors`` (embedded words of
    those messages) let words of two languages name it together ("跑步 /
    running"), compared without their languages' directions
    (``script_directions``, see :func:`jobs.interest_words.centred_vectors`). Only
    pairs of messages more alike than ``usual_likeness`` (the chat's usual, see
    :func:`jobs.naming_checks.usual_likeness`; ``None``: any) may name it. When no
    word names it, the line says the members write about similar things (and
    ``IntroReason.interest`` is empty); quotes are cut so that they show the words
    naming the interest. ``language`` is the chat's script (its words name the
    interest first); the line is written in the current reply language
    (:func:`locales.using`).
    """
    member_ids = tuple(group.member_ids if isinstance(group, IntroGroup) else group)
    on_topic = {member: messages.get(member, ()) for member in member_ids}
    if evidence:
        frequencies = frequencies or TermFrequencies.of(
            [m.key_terms() for pair in evidence for m in (pair.first, pair.second)]
        )
        pools = _pools(member_ids, on_topic, evidence, member_messages)
        weights = naming_candidates(evidence, frequencies)
        recurring = recurring_words(
            weights,
            {member: [(m.text, m.key_terms()) for m in pools[member]] for member in member_ids},
            needed=len(member_ids) if len(member_ids) <= 2 else 2,
        )
        again = {
            word: weights[word] * (1.0 + min(count, _MOST_RECURRENCE) / MIN_MESSAGES)
            for word, count in recurring.items()
        }
        for candidates, recur in ((again, True), (weights, False)):
            # words the members come back to first
            index, match = _evidence_name(
                evidence,
                candidates,
                term_vectors,
                language,
                max_terms,
                script_directions=script_directions,
                usual=usual_likeness,
                recurring=recur,
            )
            if match is not None:
                break
        interest = match.words if match else ()
        shared = interest if match and match.shared else ()
        chosen = evidence[index]
        picked = {chosen.first_member: chosen.first, chosen.second_member: chosen.second}
        rest = [member for member in member_ids if member not in picked]
        picked.update(_quote_choice(rest, on_topic, interest))
        quotes = tuple(
            Quote(member, picked[member].message_id, picked[member].text, picked[member].permalink)
            for member in member_ids
            if member in picked
        )
    else:
        interest, shared = interest_name(on_topic, frequencies, language=language, limit=max_terms)
        quotes = tuple(
            Quote(member, message.message_id, message.text, message.permalink)
            for member, message in _quote_choice(member_ids, on_topic, interest)
        )
    line = _why_line(
        interest,
        shared=bool(shared),
        quotes=quotes,
        names=names,
        size=len(member_ids),
    )
    return IntroReason(interest, shared, quotes, line)


def _why_line(
    interest: Sequence[str],
    *,
    shared: bool,
    quotes: Sequence[Quote],
    names: Mapping[int, str],
    size: int,
) -> str:
    """The reason line in the current reply language (quotes stay as written)."""
    parts = []
    for quote in quotes:
        name = names.get(quote.member_id, str(quote.member_id))
        said = quoted(name, excerpt_showing(quote.text, _QUOTE_CHARS, interest))
        if quote.permalink:
            said = tr("{intro_quote} ({intro_link})", intro_quote=said, intro_link=quote.permalink)
        parts.append(said)
    evidence = " · ".join(parts)
    if interest:
        joined = interest[0]
        for word in interest[1:]:
            joined = (
                tr("{interest}, {next_interest}", interest=joined, next_interest=word)
                if shared
                else f"{joined} / {word}"
            )
        if size == 2:
            head = tr("Why: you both talk about {interest}", interest=joined)
        else:
            head = tr("Why: you all talk about {interest}", interest=joined)
    elif size == 2:
        head = tr("Why: you both wrote about similar things")
    else:
        head = tr("Why: you all wrote about similar things")
    return (
        tr("{intro_reason} — {intro_quotes}", intro_reason=head, intro_quotes=evidence)
        if evidence
        else head
    )


def render_intro(
    group: IntroGroup | Sequence[int],
    names: Mapping[int, str],
    reason: IntroReason,
) -> str:
    """The introduction message: who should meet, then the reason line (in the current
    reply language, as the reason line was written)."""
    member_ids = group.member_ids if isinstance(group, IntroGroup) else tuple(group)
    people = [names.get(member, str(member)) for member in member_ids]
    return tr("👋 Meet {people}!", people=format_list(people)) + f"\n{reason.line}"
