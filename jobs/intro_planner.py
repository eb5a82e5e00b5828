"""A round of introductions in one chat, from its messages to groups with their reasons.

:func:`plan_introductions` is the whole round as a pure function: the bot
(:mod:`bots.intro_rounds`) and the quality benchmark (``bench/intro_quality.py``)
both call it. From the chat's messages and their vectors it

1. keeps each member's substantive messages, in their own words
   (:func:`jobs.member_interests.substantive_terms`, ``own_words``), leaving
   members' names and the names the chat uses for places, people and
   organisations out of their key terms (:mod:`jobs.proper_names`), and makes
   their vectors language-neutral (``neutral_vectors``);
2. scores every pair of members by what they share: pairs of their messages
   unusually alike across the chat, pairs sharing a particular word in one
   language or across English and Chinese (:mod:`jobs.shared_terms`), and chat
   topics both write on, on several days, that few others do
   (:mod:`jobs.shared_interests`);
3. matches members greedily, best shared interest first, never pairing members
   below ``min_shared_interest`` or with nothing linking them, members on each
   other's avoid lists, pairs from recent rounds, or pairs who already reply to
   or mention each other more than ``max_interactions`` times
   (:func:`jobs.intro_matcher.match_scored_pairs`); then a member may meet a
   second partner over a strong interest unlike the first
   (:meth:`ChatModel.same_interest`), a member left alone first;
4. says why for each group: the shared interest in words and one message of
   each member on it (:mod:`jobs.intro_reasons`), written in the current reply
   language (:func:`locales.using`; ``asyncio.to_thread`` carries it over).

It also returns each member's profile for storage (``InterestProfileStore``
keeps one vector per member and chat): the mean of the member's substantive
messages in the embedder's own space, so it stays comparable with message
vectors as personal digests need, with their key words. What members share
is not stored: a round finds it again from the recent messages it reads
anyway, holding their vectors as one float32 matrix.

Synchronous and CPU-bound; run it with ``asyncio.to_thread``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np
import numpy.typing as npt

from jobs.intro_matcher import (
    InterestProfiles,
    IntroGroup,
    IntroOptions,
    Pair,
    match_scored_pairs,
)
from jobs.intro_reasons import (
    CandidateMessage,
    EvidencePair,
    IntroReason,
    TermFrequencies,
    TermVectors,
    explain_intro,
    naming_candidates,
    render_intro,
)
from jobs.languages import HAN, Language, language_of_scripts, script_of
from jobs.member_interests import (
    codes_of_scripts,
    masked_mean,
    neutral_vectors,
    own_words,
)
from jobs.message_terms import MessageTerms, message_terms
from jobs.naming_checks import usual_likeness as likeness_of_chat
from jobs.proper_names import name_terms
from jobs.script_offsets import MIN_SCRIPT_ROWS, ScriptCentres, script_offsets
from jobs.shared_interests import SharedInterests, find_shared_interests, rows_by_owner
from jobs.shared_terms import PER_ROW, shared_term_pairs
from jobs.sorted_keys import among
from jobs.vector_math import FloatMatrix, as_float32, compact_rows, unit_rows, unit_rows_in_place
from memory.name_forms import name_forms

FloatVector = npt.NDArray[np.float32]

SAME_INTEREST = 0.5
"""Cosine of two sets of a member's messages (language-neutral means) showing one interest."""

WRITTEN_LIMIT = 500
"""How many of a member's latest messages a word naming an interest must recur in."""

_MENTION = re.compile(r"@([^\s@,，。:：!！?？()（）]{1,64})")


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message of the chat, as a round reads it (its vector is given beside it).

    ``reply_to`` is the ``message_id`` it answers; ``mentions`` the member ids
    it @-mentions (more are found in the text when the round is given handles).
    """

    message_id: int
    member_id: int
    text: str
    permalink: str | None = None
    reply_to: int | None = None
    mentions: tuple[int, ...] = ()
    sent_at: datetime | None = None
    terms: MessageTerms | None = None
    """Its interest terms as stored with it (:mod:`jobs.message_terms`); found from
    ``text`` when ``None``."""


@dataclass(frozen=True, slots=True)
class PlannedIntro:
    """One introduction: who, why, and the message that introduces them.

    ``evidence`` and ``messages`` are what the reason was made from (see
    :func:`jobs.intro_reasons.explain_intro`), kept to name it again with
    word vectors (:func:`with_word_vectors`).
    """

    group: IntroGroup
    reason: IntroReason
    text: str
    evidence: tuple[EvidencePair, ...] = ()
    messages: Mapping[int, Sequence[CandidateMessage]] = field(default_factory=dict)
    written: Mapping[int, Sequence[CandidateMessage]] | None = None
    """All the members' substantive messages, where the words naming the interest must
    recur (see :mod:`jobs.recurring_names`)."""


@dataclass(frozen=True, slots=True, eq=False)
class IntroPlan:
    """A round's introductions, who was left unmatched, and the members' profiles."""

    intros: tuple[PlannedIntro, ...]
    unmatched: tuple[int, ...]
    language: Language
    profiles: InterestProfiles
    """One vector per member with enough messages (in the embedder's space)."""
    keywords: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    """Each profiled member's most distinctive key words in the chat."""
    frequencies: TermFrequencies = field(default_factory=TermFrequencies)
    """The chat's term frequencies (over its substantive messages)."""
    script_directions: Mapping[str, FloatVector] = field(default_factory=dict)
    """From the mean of the chat's messages to the mean of those in each script."""
    usual_likeness: float | None = None
    """How alike two members' messages usually are: pairs of messages no more alike name
    no interest (see :func:`jobs.naming_checks.usual_likeness`)."""

    def naming_words(self) -> list[str]:
        """The words that may name the introductions' interests: embed them for
        :func:`with_word_vectors` (as passages, like the messages)."""
        words: dict[str, None] = {}
        for intro in self.intros:
            words.update(dict.fromkeys(naming_candidates(intro.evidence, self.frequencies)))
        return list(words)


_LATIN_TOKEN = re.compile(r"[a-z0-9][a-z0-9'_.-]*[a-z0-9]|[a-z0-9]")


def _alias_finder(aliases: Mapping[str, int]) -> Callable[[str], list[int]]:
    """Who of ``aliases`` a text names: Chinese names anywhere, others as whole words.

    Looked up by the text's word sequences and character runs, so thousands of
    names cost no more than a few.
    """
    words: dict[str, int] = {}
    han: dict[str, int] = {}
    for alias, member in aliases.items():
        lowered = " ".join(alias.lower().split())
        if HAN.search(lowered):
            if len(lowered) >= 2:
                han[lowered] = member
        elif len(lowered) >= 3:
            words[" ".join(_LATIN_TOKEN.findall(lowered))] = member
    longest = max((key.count(" ") + 1 for key in words), default=0)
    lengths = sorted({len(key) for key in han})
    first_words = {key.split(" ", 1)[0] for key in words}
    first_characters = {key[0] for key in han}

    def named(text: str) -> list[int]:
        lowered = text.lower()
        found = set()
        if words:
            tokens = _LATIN_TOKEN.findall(lowered)
            for start in range(len(tokens)):
                if tokens[start] not in first_words:  # no name starts here
                    continue
                for size in range(1, longest + 1):
                    member = words.get(" ".join(tokens[start : start + size]))
                    if member is not None:
                        found.add(member)
        if han and HAN.search(lowered):
            for start in range(len(lowered)):
                if lowered[start] not in first_characters:
                    continue
                for size in lengths:
                    member = han.get(lowered[start : start + size])
                    if member is not None:
                        found.add(member)
        return sorted(found)

    return named


def count_interactions(
    messages: Sequence[ChatMessage],
    handles: Mapping[str, int] | None = None,
    aliases: Mapping[str, int] | None = None,
) -> dict[Pair, int]:
    """How often pairs of members replied to, mentioned or named each other in ``messages``.

    ``handles`` maps @-handles (usernames) to member ids; ``aliases`` maps the
    names members call each other by (display names, nicknames), counted
    wherever a message says them.
    """
    author = {m.message_id: m.member_id for m in messages}
    lowered = {handle.lower(): member for handle, member in (handles or {}).items() if handle}
    named = _alias_finder(aliases or {})
    counts: Counter[Pair] = Counter()
    for message in messages:
        others: list[int] = list(message.mentions)
        if message.reply_to is not None and message.reply_to in author:
            others.append(author[message.reply_to])
        if lowered and "@" in message.text:
            others.extend(
                lowered[handle.lower()]
                for handle in _MENTION.findall(message.text)
                if handle.lower() in lowered
            )
        others.extend(named(message.text))
        for other in set(others):
            if other != message.member_id:
                counts[(min(message.member_id, other), max(message.member_id, other))] += 1
    return dict(counts)


def _profiles(
    member_of: npt.NDArray[np.int64],
    raw: FloatMatrix,
    substantive: npt.NDArray[np.bool_],
    members: Sequence[int],
) -> InterestProfiles:
    """Each member's unit mean of their substantive messages (of all, without any).

    Summed a block of rows at a time, by member.
    """
    ids = np.asarray(members, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    place = np.searchsorted(ids[order], member_of).clip(0, max(0, len(ids) - 1))
    position = order[place] if len(ids) else place
    profiled = ids[position] == member_of if len(ids) else np.zeros(len(member_of), dtype=bool)
    said = np.zeros(len(ids), dtype=bool)
    said[position[profiled & substantive]] = True
    counted = np.flatnonzero(profiled & (substantive | ~said[position]))
    counted = counted[np.argsort(position[counted], kind="stable")]
    sums = np.zeros((len(ids), raw.shape[1]), dtype=np.float32)
    for start in range(0, len(counted), _PROFILE_BLOCK):
        rows = counted[start : start + _PROFILE_BLOCK]
        labels = position[rows]
        starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
        sums[labels[starts]] += np.add.reduceat(as_float32(raw[rows]), starts, axis=0)
    return InterestProfiles(ids, unit_rows(sums))


_PROFILE_BLOCK = 1 << 15


def _keywords(
    terms: Sequence[Sequence[str]],
    owners: Sequence[int],
    frequencies: TermFrequencies,
    top: int,
) -> dict[int, tuple[str, ...]]:
    """Each member's ``top`` key words: used in several of their messages, rare in the chat."""
    per_member: dict[int, Counter[str]] = {}
    sizes: Counter[int] = Counter(owners)
    for member, written in zip(owners, terms, strict=True):
        per_member.setdefault(member, Counter()).update(written)
    result = {}
    for member, counts in per_member.items():
        needed = min(2, sizes[member])
        scored = sorted(
            (
                (-count / sizes[member] * frequencies.weight(term), term)
                for term, count in counts.items()
                if count >= needed
            ),
        )
        result[member] = tuple(term for _, term in scored[:top])
    return result


@dataclass(frozen=True, slots=True, eq=False)
class ChatModel:
    """What a round knows of a chat's members: profiles, key words and shared interests.

    Shared interests are found among the substantive messages of members with
    enough messages; ``interest_rows[i]`` is the index (in the messages given)
    of the ``i``-th of them, ``owners[i]`` its author, ``neutral[i]`` its
    language-neutral vector and ``terms[i]`` its key terms (members' names
    left out).
    """

    messages: Sequence[ChatMessage]
    profiles: InterestProfiles
    keywords: Mapping[int, tuple[str, ...]]
    shared: SharedInterests
    owners: npt.NDArray[np.int64]
    interest_rows: npt.NDArray[np.int64]
    neutral: FloatMatrix
    terms: tuple[tuple[str, ...], ...]
    frequencies: TermFrequencies
    script_directions: Mapping[str, FloatVector] = field(default_factory=dict)
    """From the mean of the messages to the mean of those in each script (see
    :func:`jobs.interest_words.centred_vectors`)."""
    owner_rows: Mapping[int, npt.NDArray[np.int64]] = field(default_factory=dict)
    """Each member's rows (of ``owners``), ascending."""
    language: Language = Language.ENGLISH
    """The script most of the messages are written in (see :func:`detect_language`)."""
    usual_likeness: float | None = None
    """How alike two members' messages usually are (:func:`jobs.naming_checks.usual_likeness`)."""

    def pair_score(self, a: int, b: int) -> float | None:
        """The score of the interest two members share (``None``: nothing links them)."""
        return self.shared.score(a, b)

    def evidence_rows(self, member: int, partner: int) -> list[int]:
        """``member``'s message rows in the best evidence of what they share with ``partner``."""
        key = (min(member, partner), max(member, partner))
        proof = self.shared.evidence.get(key, ())
        return [e.row_a if member == key[0] else e.row_b for e in proof]

    def same_interest(self, member: int, one: int, other: int) -> bool:
        """Whether what ``member`` shares with ``one`` is what they share with ``other``.

        It is when the member's messages showing the two overlap, their best ones
        are on one topic, or the two sets of messages are alike on the whole
        (``SAME_INTEREST`` cosine of their language-neutral means).
        """
        first, second = self.evidence_rows(member, one), self.evidence_rows(member, other)
        if not first or not second:
            return False
        if (
            set(first) & set(second)
            or self.shared.topics[first[0]] == self.shared.topics[second[0]]
        ):
            return True
        means = unit_rows(
            np.stack([self.neutral[first].mean(axis=0), self.neutral[second].mean(axis=0)])
        )
        return float(means[0] @ means[1]) >= SAME_INTEREST

    def group_messages(self, group: Sequence[int]) -> dict[int, list[CandidateMessage]]:
        """Each member's messages on what the group shares, best evidence first."""
        rows: dict[int, list[int]] = {member: [] for member in group}
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if self.shared.score(a, b) is None:
                    continue
                rows_a, rows_b = self.shared.shared_rows(a, b, self.owners, self.owner_rows)
                rows[a].extend(rows_a.tolist())
                rows[b].extend(rows_b.tolist())
        return {
            member: [self._candidate(row) for row in dict.fromkeys(found)]
            for member, found in rows.items()
            if found
        }

    def written(self, group: Sequence[int]) -> dict[int, list[CandidateMessage]]:
        """Each member's substantive messages (the latest ``WRITTEN_LIMIT``), oldest first."""
        return {
            member: [
                self._candidate(int(row))
                for row in self.owner_rows.get(member, np.zeros(0, np.int64))[-WRITTEN_LIMIT:]
            ]
            for member in group
        }

    def group_evidence(self, group: Sequence[int]) -> list[EvidencePair]:
        """The group's pairs of messages showing best what they share, best first, then
        those sharing the most particular words."""
        found: list[tuple[float, EvidencePair]] = []
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                first, second = min(a, b), max(a, b)
                for proof in self.shared.evidence.get((first, second), ()):
                    pair = EvidencePair(
                        first,
                        self._candidate(proof.row_a),
                        second,
                        self._candidate(proof.row_b),
                        max(proof.excess, 0.0),
                    )
                    found.append((proof.excess, pair))
        found.sort(key=lambda item: -item[0])
        strongest = max((value for value, _ in found), default=1.0)
        by_word = []
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                first, second = min(a, b), max(a, b)
                for proof in self.shared.word_evidence.get((first, second), ()):
                    pair = EvidencePair(
                        first,
                        self._candidate(proof.row_a),
                        second,
                        self._candidate(proof.row_b),
                        max(strongest, 0.0) * proof.excess,
                        by_word=True,
                    )
                    by_word.append((proof.excess, pair))
        by_word.sort(key=lambda item: -item[0])
        return [pair for _, pair in found] + [pair for _, pair in by_word]

    def _candidate(self, local: int) -> CandidateMessage:
        message = self.messages[int(self.interest_rows[local])]
        return CandidateMessage(
            message.message_id,
            message.text,
            self.neutral[local],
            message.permalink,
            self.terms[local],
        )


def _cues(
    messages: Sequence[ChatMessage], own: Sequence[bool]
) -> tuple[list[tuple[str, ...] | None], npt.NDArray[np.float32]]:
    """Each message's interest terms (``None``: not substantive, or not its author's own)
    and evidence weight (see :mod:`jobs.message_terms`): as stored with the message, or
    found now.

    Terms are interned: a large chat holds each word once, not once per message.
    """
    terms: list[tuple[str, ...] | None] = []
    weights = np.zeros(len(messages), dtype=np.float32)
    for row, (message, mine) in enumerate(zip(messages, own, strict=True)):
        if not mine:
            terms.append(None)
            continue
        found = message.terms or message_terms(message.text)
        terms.append(found.terms)
        weights[row] = found.weight
    return terms, weights


def _name_terms(names: Iterable[str]) -> Callable[[str], bool]:
    """Whether a key term is (part of) a member's name: names are no interest.

    Chinese names are looked up through their characters (only the names holding
    a term's rarest character are searched), so thousands of names cost little.
    """
    names = list(names)
    han_names = [name for name in names if HAN.search(name)]
    words = {word for name in names for word in re.findall(r"\w+", name.lower())}
    holding: dict[str, list[str]] = {}
    for name in han_names:
        for character in set(name):
            holding.setdefault(character, []).append(name)

    def is_name(term: str) -> bool:
        if HAN.search(term):
            rarest = min(term, key=lambda character: len(holding.get(character, ())))
            return any(term in name for name in holding.get(rarest, ()))
        return term in words

    return is_name


def _times(messages: Sequence[ChatMessage], rows: Sequence[int]) -> npt.NDArray[np.float64] | None:
    """When the messages at ``rows`` were sent, in seconds, if every one says."""
    moments = [messages[row].sent_at for row in rows]
    if not moments or any(moment is None for moment in moments):
        return None
    return np.asarray([moment.timestamp() for moment in moments if moment], dtype=np.float64)


def _addressed(
    messages: Sequence[ChatMessage], rows: Sequence[int], named: Callable[[str], list[int]]
) -> list[tuple[int, int]]:
    """``(position in rows, member)``: the message @-mentions or names the member."""
    found = []
    for index, row in enumerate(rows):
        message = messages[row]
        for member in {*message.mentions, *named(message.text)} - {message.member_id}:
            found.append((index, member))
    return found


def addressing_names(
    names: Mapping[int, str],
    handles: Mapping[str, int] | None = None,
    aliases: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """What members are called, to their ids: display names, handles, aliases, and what
    no other member is also called of: the first word of a display name of several
    words (Tomás Rivera: Tomás), and the forms of address of a Chinese name, in Chinese and
    in pinyin (林慧: 林阿姨, 老林, 小林, Lin Hui; see :mod:`memory.name_forms`)."""
    called = {name: member for member, name in names.items() if name}
    forms: dict[str, set[int]] = {}
    for member, name in names.items():
        for form in name_forms(name) - {name}:
            forms.setdefault(form, set()).add(member)
    called.update({form: next(iter(who)) for form, who in forms.items() if len(who) == 1})
    return {**called, **(handles or {}), **(aliases or {})}


def _links(messages: Sequence[ChatMessage], rows: Sequence[int]) -> list[tuple[int, int]]:
    """Pairs of positions in ``rows`` where one message answers the other."""
    position = {messages[row].message_id: index for index, row in enumerate(rows)}
    return [
        (index, position[messages[row].reply_to])  # type: ignore[index]
        for index, row in enumerate(rows)
        if messages[row].reply_to in position
    ]


def model_chat(
    messages: Sequence[ChatMessage],
    vectors: npt.ArrayLike,
    options: IntroOptions | None = None,
    *,
    names: Iterable[str] = (),
    addressing: Mapping[str, int] | None = None,
    overwrite: bool = False,
) -> ChatModel:
    """Profiles, key words and shared interests of a chat (``vectors[i]`` embeds message i).

    ``names`` are what members are called (display names, handles): words of
    them are not key terms. ``addressing`` maps what members are called to their
    ids (see :func:`addressing_names`): a message naming a member is part of an
    exchange with them. With ``overwrite``, a float32 matrix of ``vectors`` is
    worked on in place (a large chat's vectors are not copied): its rows are
    normalised and reordered, so the caller must not read it afterwards.
    """
    options = options or IntroOptions()
    normalised = unit_rows_in_place if overwrite else unit_rows
    raw = normalised(vectors) if len(messages) else np.zeros((0, 0), dtype=np.float32)
    if len(raw) != len(messages):
        raise ValueError("give one vector per message")
    member_of = np.asarray([m.member_id for m in messages], dtype=np.int64)
    authors, written = np.unique(member_of, return_counts=True)
    profiled = [
        int(member)
        for member, count in zip(authors.tolist(), written.tolist(), strict=True)
        if count >= max(1, options.min_messages)
    ]
    texts = [m.text for m in messages]
    is_member = _name_terms(list(names))
    is_place = name_terms(texts)

    known: dict[str, bool] = {}  # a chat's words repeat: each is looked up once

    def is_name(term: str) -> bool:
        found = known.get(term)
        if found is None:
            found = known[term] = is_member(term) or is_place(term)
        return found

    scripts = [script_of(text) for text in texts]
    own = own_words(texts, member_of.tolist())
    all_terms, cue_weights = _cues(messages, own)
    del own
    substantive = np.asarray([terms is not None for terms in all_terms], dtype=bool)
    profiles = _profiles(member_of, raw, substantive, profiled)
    in_profile = among(member_of, np.asarray(profiled, dtype=np.int64))
    interest_rows = np.flatnonzero(substantive & in_profile).astype(np.int64)
    row_list = interest_rows.tolist()
    terms = tuple(
        tuple(term for term in all_terms[row] or () if not is_name(term)) for row in row_list
    )
    del all_terms
    frequencies = TermFrequencies.of(terms)
    owners = member_of[interest_rows]
    keywords = _keywords(terms, owners.tolist(), frequencies, options.keywords)
    row_texts = [texts[row] for row in row_list]
    row_scripts = [scripts[row] for row in row_list]
    directions = _script_directions(raw, scripts, centres=options.language_centres)
    # the round's own matrix (normalised above): its interest rows are moved up in place
    neutral = neutral_vectors(
        compact_rows(raw, interest_rows),
        row_texts,
        scripts=row_scripts,
        overwrite=True,
        centres=options.language_centres,
    )
    del raw
    if neutral.dtype != np.float32 and len(neutral) <= options.interests.exact_limit:
        neutral = as_float32(neutral)  # the exact path computes on float32 only
    times = _times(messages, row_list)
    term_pairs = shared_term_pairs(
        owners, terms, per_row=_term_partners(len(terms), options), times=times
    )
    shared = find_shared_interests(
        owners,
        neutral,
        codes_of_scripts(row_scripts),
        times=times,
        positions=interest_rows,
        links=_links(messages, row_list),
        addressed=_addressed(messages, row_list, _alias_finder(addressing or {})),
        weights=cue_weights[interest_rows],
        term_pairs=term_pairs,
        options=options.interests,
    )
    return ChatModel(
        messages,
        profiles,
        {member: keywords.get(member, ()) for member in profiled},
        shared,
        owners,
        interest_rows,
        neutral,
        terms,
        frequencies,
        directions,
        rows_by_owner(owners),
        language_of_scripts(scripts),
        likeness_of_chat(neutral, owners),
    )


LARGE_CHAT_TERM_PARTNERS = 2
"""Pairs sharing a particular word each message keeps in a chat above the exact limit
(``InterestOptions.exact_limit`` messages): a round of many thousands of members stays
affordable."""


def _term_partners(messages: int, options: IntroOptions) -> int:
    """How many pairs sharing a word each message keeps (see :mod:`jobs.shared_terms`)."""
    return PER_ROW if messages <= options.interests.exact_limit else LARGE_CHAT_TERM_PARTNERS


def _script_directions(
    raw: FloatMatrix,
    written: Sequence[Language | None],
    *,
    centres: ScriptCentres | None = None,
    min_per_script: int = MIN_SCRIPT_ROWS,
) -> dict[str, FloatVector]:
    """From the mean of the messages to where each script's sit (see
    :func:`jobs.script_offsets.script_offsets`)."""
    if len(raw) < 2:
        return {}
    mean = raw.mean(axis=0, dtype=np.float64)
    scripts = np.asarray([str(script or "") for script in written])
    means, counts = {}, {}
    for script in set(scripts.tolist()) - {""}:
        rows = scripts == script
        counts[script] = int(rows.sum())
        means[script] = masked_mean(raw, rows)
    offsets = script_offsets(means, counts, mean, centres=centres, min_rows=min_per_script)
    return {script: offset.astype(np.float32) for script, offset in offsets.items()}


def plan_introductions(
    messages: Sequence[ChatMessage],
    vectors: npt.ArrayLike,
    names: Mapping[int, str],
    *,
    participants: Collection[int] | None = None,
    snoozed: Collection[int] = (),
    blocked: Mapping[int, Collection[int]] | None = None,
    interactions: Mapping[Pair, int] | None = None,
    past_rounds: Sequence[Sequence[Sequence[int]]] = (),
    handles: Mapping[str, int] | None = None,
    aliases: Mapping[str, int] | None = None,
    language: Language | None = None,
    options: IntroOptions | None = None,
    overwrite: bool = False,
) -> IntroPlan:
    """One round of introductions in a chat (see the module docstring).

    ``vectors[i]`` embeds ``messages[i]`` (with ``overwrite``, a float32 matrix
    is worked on in place and not to be read afterwards; a float16 one, a large
    chat's, is too and computed on a block of rows at a time). ``participants`` are the members who
    may be introduced (default: every author with enough messages); ``snoozed``
    ones sit out. ``interactions`` adds reply and mention counts found
    elsewhere to those in ``messages``; ``handles`` maps @-handles to members and
    ``aliases`` the names members call each other by (see :func:`count_interactions`).
    ``language`` is the chat's (detected from the messages when not given).
    Words of two languages name an interest together once the plan's
    :meth:`IntroPlan.naming_words` are embedded (:func:`with_word_vectors`).
    """
    options = options or IntroOptions()
    model = model_chat(
        messages,
        vectors,
        options,
        names=[*names.values(), *(handles or {}), *(aliases or {})],
        addressing=addressing_names(names, handles, aliases),
        overwrite=overwrite,
    )
    language = language or model.language
    profiled = set(model.profiles.member_ids.tolist())
    allowed = profiled if participants is None else set(participants) & profiled
    taking_part = sorted(allowed - set(snoozed))

    ranked = model.shared.candidates(min_score=options.min_shared_interest)  # sorted once

    def candidates(members: Sequence[int]) -> list[tuple[float, int, int]]:
        chosen = set(members)
        return [edge for edge in ranked if edge[1] in chosen and edge[2] in chosen]

    talked = count_interactions(messages, handles, aliases)
    for pair, count in (interactions or {}).items():
        key = (min(pair), max(pair))
        talked[key] = talked.get(key, 0) + count
    result = match_scored_pairs(
        taking_part,
        candidates,
        model.pair_score,
        blocked=blocked,
        interactions=talked,
        past_rounds=past_rounds,
        min_score=options.min_shared_interest,
        options=options,
        same_interest=model.same_interest,
    )
    intros = []
    for group in result.groups:
        on_topic = model.group_messages(group.member_ids)
        evidence = tuple(model.group_evidence(group.member_ids))
        written = model.written(group.member_ids)
        reason = explain_intro(
            group,
            names,
            on_topic,
            frequencies=model.frequencies,
            language=language,
            evidence=evidence,
            usual_likeness=model.usual_likeness,
            member_messages=written,
        )
        text = render_intro(group, names, reason)
        intros.append(PlannedIntro(group, reason, text, evidence, on_topic, written))
    return IntroPlan(
        tuple(intros),
        result.unmatched,
        language,
        model.profiles,
        model.keywords,
        model.frequencies,
        model.script_directions,
        model.usual_likeness,
    )


def with_word_vectors(
    plan: IntroPlan, names: Mapping[int, str], word_vectors: TermVectors
) -> IntroPlan:
    """The plan with its reasons named again, words of two languages matched by their vectors.

    ``word_vectors`` embed (some of) :meth:`IntroPlan.naming_words`.
    """
    intros = []
    for intro in plan.intros:
        reason = explain_intro(
            intro.group,
            names,
            intro.messages,
            frequencies=plan.frequencies,
            language=plan.language,
            evidence=intro.evidence,
            term_vectors=word_vectors,
            script_directions=plan.script_directions,
            usual_likeness=plan.usual_likeness,
            member_messages=intro.written,
        )
        text = render_intro(intro.group, names, reason)
        intros.append(replace(intro, reason=reason, text=text))
    return replace(plan, intros=tuple(intros))
