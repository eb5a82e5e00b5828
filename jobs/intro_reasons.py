"""Why two (or three) members should meet: shared key words and their closest messages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from jobs.intro_matcher import IntroGroup
from jobs.keywords import distinctive_terms, terms_per_message
from jobs.languages import Language
from jobs.text_cues import excerpt
from jobs.vector_math import unit_rows

_MAX_CANDIDATES = 100
_QUOTE_CHARS = 60


@dataclass(frozen=True, slots=True, eq=False)
class CandidateMessage:
    """A message a member wrote that an introduction may quote."""

    message_id: int
    text: str
    vector: Sequence[float] | npt.NDArray[np.floating]
    permalink: str | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    """One member's message quoted in an introduction."""

    member_id: int
    message_id: int
    text: str
    permalink: str | None


@dataclass(frozen=True, slots=True)
class IntroReason:
    """The one-line "why" of an introduction and what it is made of."""

    shared_keywords: tuple[str, ...]
    quotes: tuple[Quote, ...]
    line: str


def member_keywords(
    texts_by_member: Mapping[int, Sequence[str]], *, top: int = 8
) -> dict[int, tuple[str, ...]]:
    """Each member's most distinctive key words among all the members given."""
    members = list(texts_by_member)
    groups = [terms_per_message(texts_by_member[member]) for member in members]
    return dict(zip(members, distinctive_terms(groups, top=top, min_messages=1), strict=True))


def _shared_keywords(
    group: Sequence[int], keywords: Mapping[int, Sequence[str]], limit: int
) -> tuple[str, ...]:
    """Key words at least two members share, best ranked first."""
    ranks: dict[str, list[int]] = {}
    for member in group:
        for rank, word in enumerate(keywords.get(member, ())):
            ranks.setdefault(word, []).append(rank)
    shared = [(sum(r) / len(r) - len(r), word) for word, r in ranks.items() if len(r) >= 2]
    shared.sort()
    return tuple(word for _, word in shared[:limit])


def _closest_messages(
    group: Sequence[int], messages: Mapping[int, Sequence[CandidateMessage]]
) -> list[tuple[int, CandidateMessage]]:
    """One message per member, chosen so that together they are as alike as possible."""
    members = [member for member in group if messages.get(member)]
    if not members:
        return []
    pools = {member: list(messages[member])[:_MAX_CANDIDATES] for member in members}
    if len(members) == 1:
        return [(members[0], pools[members[0]][0])]
    vectors = {
        member: unit_rows(np.stack([np.asarray(m.vector, dtype=np.float32) for m in pools[member]]))
        for member in members
    }
    chosen: dict[int, int] = {}
    if len(members) == 2:
        a, b = members
        sims = vectors[a] @ vectors[b].T
        i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
        chosen = {a: int(i), b: int(j)}
    else:
        for member in members:
            total = np.zeros(len(pools[member]), dtype=np.float32)
            for other in members:
                if other != member:
                    total += (vectors[member] @ vectors[other].T).max(axis=1)
            chosen[member] = int(np.argmax(total))
    return [(member, pools[member][chosen[member]]) for member in members]


def explain_intro(
    group: IntroGroup | Sequence[int],
    names: Mapping[int, str],
    messages: Mapping[int, Sequence[CandidateMessage]],
    *,
    keywords: Mapping[int, Sequence[str]] | None = None,
    language: Language = Language.ENGLISH,
    max_keywords: int = 3,
) -> IntroReason:
    """The one-line reason to introduce ``group``, quoting one message of each member.

    ``messages`` gives each member's candidate messages (with vectors and
    permalinks); the quotes are the messages of each member that are closest
    to the others'. ``keywords`` (see :func:`member_keywords`) adds the key
    words the members share.
    """
    member_ids = tuple(group.member_ids if isinstance(group, IntroGroup) else group)
    shared = _shared_keywords(member_ids, keywords or {}, max_keywords)
    quotes = tuple(
        Quote(member, message.message_id, message.text, message.permalink)
        for member, message in _closest_messages(member_ids, messages)
    )
    return IntroReason(shared, quotes, _why_line(shared, quotes, names, len(member_ids), language))


def _why_line(
    shared: Sequence[str],
    quotes: Sequence[Quote],
    names: Mapping[int, str],
    size: int,
    language: Language,
) -> str:
    chinese = language is Language.CHINESE
    parts = []
    for quote in quotes:
        name = names.get(quote.member_id, str(quote.member_id))
        text = excerpt(quote.text, _QUOTE_CHARS)
        said = f"{name}：“{text}”" if chinese else f"{name}: “{text}”"
        if quote.permalink:
            said += f"（{quote.permalink}）" if chinese else f" ({quote.permalink})"
        parts.append(said)
    evidence = " · ".join(parts)
    if chinese:
        head = f"为什么：你们都聊到{'、'.join(shared)}" if shared else "为什么：你们聊的话题很接近"
        return f"{head} —— {evidence}" if evidence else head
    who = "you both" if size == 2 else "you all"
    head = (
        f"Why: {who} talk about {', '.join(shared)}"
        if shared
        else "Why: you talk about similar things"
    )
    return f"{head} — {evidence}" if evidence else head


def render_intro(
    group: IntroGroup | Sequence[int],
    names: Mapping[int, str],
    reason: IntroReason,
    language: Language = Language.ENGLISH,
) -> str:
    """The introduction message: who should meet, then the reason line."""
    member_ids = group.member_ids if isinstance(group, IntroGroup) else tuple(group)
    people = [names.get(member, str(member)) for member in member_ids]
    if language is Language.CHINESE:
        return f"👋 认识一下：{'、'.join(people)}！\n{reason.line}"
    joined = (
        " and ".join(people) if len(people) == 2 else f"{', '.join(people[:-1])} and {people[-1]}"
    )
    return f"👋 Meet {joined}!\n{reason.line}"
