"""A round of introductions in one chat, from its messages to groups with their reasons.

:func:`plan_introductions` is the whole round as a pure function: the bot
(:mod:`bots.intro_rounds`) and the quality benchmark (``bench/intro_quality.py``)
both call it. From the chat's messages and their vectors it

1. keeps the substantive messages (:func:`jobs.member_interests.substantive_terms`)
   and makes their vectors language-neutral;
2. groups each member's messages into interests and scores every pair of
   members by the best interest they share, against what the chat as a whole
   talks about (:mod:`jobs.member_interests`);
3. matches members greedily, best shared interest first, never pairing members
   below ``min_shared_interest``, members on each other's avoid lists, pairs
   from recent rounds, or pairs who already reply to or mention each other
   more than ``max_interactions`` times (:func:`jobs.intro_matcher.match_scored_pairs`);
4. says why for each group: the shared interest in words and one message of
   each member on it (:mod:`jobs.intro_reasons`).

It also returns each member's profile for storage: one vector per member, the
mean of their substantive messages in the embedder's own space (so it stays
comparable with message vectors, as personal digests need), and their key words.
Interests themselves are not stored: a round recomputes them from the same
recent messages it reads anyway.

Synchronous and CPU-bound; run it with ``asyncio.to_thread``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

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
    IntroReason,
    TermFrequencies,
    explain_intro,
    render_intro,
)
from jobs.languages import HAN, Language, detect_language
from jobs.member_interests import (
    ChatInterests,
    SharedInterest,
    best_shared_interest,
    find_interests,
    neutral_vectors,
    shared_interests,
    substantive_terms,
)
from jobs.vector_math import FloatMatrix, unit_rows

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


@dataclass(frozen=True, slots=True)
class PlannedIntro:
    """One introduction: who, why, and the message that introduces them."""

    group: IntroGroup
    reason: IntroReason
    text: str


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


def _alias_finder(aliases: Mapping[str, int]) -> Callable[[str], list[int]]:
    """Who of ``aliases`` a text names: Chinese names anywhere, others as whole words."""
    usable = {
        alias.lower(): member
        for alias, member in aliases.items()
        if len(alias) >= (2 if HAN.search(alias) else 3)
    }
    if not usable:
        return lambda text: []
    pattern = re.compile(
        "|".join(
            re.escape(alias) if HAN.search(alias) else rf"(?<!\w){re.escape(alias)}(?!\w)"
            for alias in sorted(usable, key=len, reverse=True)
        )
    )
    return lambda text: [usable[found] for found in pattern.findall(text.lower())]


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
    """Each member's unit mean of their substantive messages (of all, without any)."""
    vectors = np.zeros((len(members), raw.shape[1]), dtype=np.float32)
    for position, member in enumerate(members):
        own = member_of == member
        rows = own & substantive if bool((own & substantive).any()) else own
        vectors[position] = raw[rows].mean(axis=0)
    return InterestProfiles(np.asarray(members, dtype=np.int64), unit_rows(vectors))


def _keywords(
    terms: Sequence[Sequence[str]],
    owners: Sequence[int],
    frequencies: TermFrequencies,
    top: int,
) -> dict[int, tuple[str, ...]]:
    """Each member's ``top`` key words: used in several of their messages, rare in the chat."""
    per_member: dict[int, Counter[str]] = {}
    sizes: Counter[int] = Counter(owners)
    for member, message_terms in zip(owners, terms, strict=True):
        per_member.setdefault(member, Counter()).update(message_terms)
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
    """What a round knows of a chat's members: profiles, key words and interests.

    ``interests`` are made of the substantive messages of members with enough
    messages; ``interest_rows[i]`` is the index (in the messages given) of
    the ``i``-th message the interests were built from, ``owners[i]`` its
    author, ``neutral[i]`` its language-neutral vector and ``terms[i]`` its
    key terms (members' names left out).
    """

    messages: Sequence[ChatMessage]
    profiles: InterestProfiles
    keywords: Mapping[int, tuple[str, ...]]
    interests: ChatInterests
    owners: npt.NDArray[np.int64]
    interest_rows: npt.NDArray[np.int64]
    neutral: FloatMatrix
    terms: tuple[tuple[str, ...], ...]
    frequencies: TermFrequencies
    min_support: int = 1

    def shared(self, a: int, b: int) -> SharedInterest | None:
        """The best interest two members share (``None``: none with enough messages)."""
        return best_shared_interest(self.interests, a, b, min_support=self.min_support)

    def pair_score(self, a: int, b: int) -> float | None:
        """The score of the best interest two members share."""
        shared = self.shared(a, b)
        return None if shared is None else shared.score

    def group_interests(self, group: Sequence[int]) -> dict[int, int]:
        """The interest each member of a group is introduced on (a row of ``interests``).

        A pair shares its best pair of interests. In a trio, the two who share
        the most keep theirs and the third takes its interest closest to both.
        """
        pairs = [
            shared
            for i, a in enumerate(group)
            for b in group[i + 1 :]
            if (shared := self.shared(a, b)) is not None
        ]
        if not pairs:
            return {}
        best = max(pairs, key=lambda shared: shared.score)
        chosen = {best.member_a: best.interest_a, best.member_b: best.interest_b}
        vectors = self.interests.vectors
        anchor = unit_rows(vectors[[best.interest_a, best.interest_b]].sum(axis=0))[0]
        for member in group:
            own = self.interests.of_member(member)
            if member not in chosen and len(own):
                fit = vectors[own] @ anchor - self.interests.baselines[own]
                chosen[member] = int(own[int(np.argmax(fit))])
        return chosen

    def messages_on(
        self, member: int, direction: FloatMatrix, limit: int = 8
    ) -> list[CandidateMessage]:
        """A member's substantive messages closest to ``direction`` (a unit vector).

        Up to ``limit`` messages on its side (positive cosine); the closest always.
        """
        own = np.flatnonzero(self.owners == member)
        if len(own) == 0:
            return []
        fit = self.neutral[own] @ direction
        order = np.argsort(-fit, kind="stable")[:limit]
        keep = [int(own[i]) for i in order.tolist() if i == order[0] or fit[i] > 0]
        return [self._candidate(local) for local in keep]

    def group_messages(self, group: Sequence[int]) -> dict[int, list[CandidateMessage]]:
        """Each member's messages on the interest the group shares, to name it and quote."""
        chosen = self.group_interests(group)
        if not chosen:
            return {}
        direction = unit_rows(self.interests.vectors[list(chosen.values())].sum(axis=0))[0]
        return {member: self.messages_on(member, direction) for member in chosen}

    def _candidate(self, local: int) -> CandidateMessage:
        message = self.messages[int(self.interest_rows[local])]
        return CandidateMessage(
            message.message_id,
            message.text,
            self.neutral[local],
            message.permalink,
            self.terms[local],
        )


def _name_terms(names: Iterable[str]) -> Callable[[str], bool]:
    """Whether a key term is (part of) a member's name: names are no interest."""
    han_names = [name for name in names if HAN.search(name)]
    words = {word for name in names for word in re.findall(r"\w+", name.lower())}

    def is_name(term: str) -> bool:
        if HAN.search(term):
            return any(term in name for name in han_names)
        return term in words

    return is_name


def model_chat(
    messages: Sequence[ChatMessage],
    vectors: npt.ArrayLike,
    options: IntroOptions | None = None,
    *,
    names: Iterable[str] = (),
) -> ChatModel:
    """Profiles, key words and interests of a chat's members (``vectors[i]`` embeds message i).

    ``names`` are what members are called (display names, handles): words of
    them are not key terms.
    """
    options = options or IntroOptions()
    raw = unit_rows(vectors) if len(messages) else np.zeros((0, 0), dtype=np.float32)
    if len(raw) != len(messages):
        raise ValueError("give one vector per message")
    member_of = np.asarray([m.member_id for m in messages], dtype=np.int64)
    authors, written = np.unique(member_of, return_counts=True)
    profiled = [
        int(member)
        for member, count in zip(authors.tolist(), written.tolist(), strict=True)
        if count >= max(1, options.min_messages)
    ]
    is_name = _name_terms(list(names))
    all_terms = [substantive_terms(m.text) for m in messages]
    substantive = np.asarray([terms is not None for terms in all_terms], dtype=bool)
    rows = np.flatnonzero(substantive)
    message_terms = [
        tuple(term for term in all_terms[row] or () if not is_name(term)) for row in rows.tolist()
    ]
    frequencies = TermFrequencies.of(message_terms)
    profiles = _profiles(member_of, raw, substantive, profiled)
    x = neutral_vectors(raw[rows], [messages[row].text for row in rows.tolist()])
    del raw
    in_profile = np.isin(member_of[rows], np.asarray(profiled, dtype=np.int64))
    interest_rows = rows[in_profile].astype(np.int64)
    terms = tuple(message_terms[position] for position in np.flatnonzero(in_profile).tolist())
    owners = member_of[interest_rows]
    keywords = _keywords(terms, owners.tolist(), frequencies, options.keywords)
    neutral = x[in_profile]
    interests = find_interests(
        owners,
        neutral,
        merge_spread=options.interest_merge_spread,
        max_interests=options.max_interests,
        seed=options.seed,
    )
    return ChatModel(
        messages,
        profiles,
        {member: keywords.get(member, ()) for member in profiled},
        interests,
        owners,
        interest_rows,
        neutral,
        terms,
        frequencies,
        options.min_interest_messages,
    )


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
) -> IntroPlan:
    """One round of introductions in a chat (see the module docstring).

    ``vectors[i]`` embeds ``messages[i]``. ``participants`` are the members who
    may be introduced (default: every author with enough messages); ``snoozed``
    ones sit out. ``interactions`` adds reply and mention counts found
    elsewhere to those in ``messages``; ``handles`` maps @-handles to members and
    ``aliases`` the names members call each other by (see :func:`count_interactions`).
    ``language`` is the chat's (detected from the messages when not given).
    """
    options = options or IntroOptions()
    language = language or detect_language(m.text for m in messages)
    model = model_chat(
        messages, vectors, options, names=[*names.values(), *(handles or {}), *(aliases or {})]
    )
    profiled = set(model.profiles.member_ids.tolist())
    allowed = profiled if participants is None else set(participants) & profiled
    taking_part = sorted(allowed - set(snoozed))

    def candidates(members: Sequence[int]) -> list[tuple[float, int, int]]:
        found = shared_interests(
            model.interests,
            members,
            min_score=options.min_shared_interest,
            min_support=options.min_interest_messages,
            neighbours=options.neighbours,
            exact_limit=options.exact_limit,
            probes=options.probes,
            seed=options.seed,
        )
        return [(s.score, s.member_a, s.member_b) for s in found]

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
    )
    intros = []
    for group in result.groups:
        on_topic = model.group_messages(group.member_ids)
        reason = explain_intro(
            group, names, on_topic, frequencies=model.frequencies, language=language
        )
        intros.append(PlannedIntro(group, reason, render_intro(group, names, reason, language)))
    return IntroPlan(tuple(intros), result.unmatched, language, model.profiles, model.keywords)
