"""Who here knows about X? Members ranked by their own messages about X in this chat.

A member's messages that bear on the topic (carry one of its key terms, or are clearly
closer to it in meaning than topic-free chatter) each count, newer ones more; a message
that someone else thanked counts more again. The asker, bots and members who switched
off being suggested are never named. Each member named comes with one line of evidence:
their best message on the topic.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bots.assistant.chat_search import (
    ChatSearch,
    covers,
    ranked_evidence,
    stated_part,
    subject_terms,
    without_negated,
)
from bots.storage.assistant_queries import ChatPerson
from jobs.languages import Language, count_han, script_of
from memory.records import MemoryHit

SEMANTIC_MARGIN = 0.045
"""A message without a key term of the topic counts when its similarity beats the
baseline of topic-free chatter by this much (half weight)."""
CROSS_MARGIN = SEMANTIC_MARGIN
"""A message in another language than the question names its author on its own when its
similarity beats the baseline by this much."""
HALF_LIFE_DAYS = 120.0
"""A message this old counts half as much as one from today."""
THANKED_BONUS = 1.0
"""What a message that others thanked adds on top of its own weight."""
TOP = 3

ThanksLookup = Callable[[Sequence[MemoryHit]], Awaitable[dict[int, int]]]
"""How many others thanked each of these messages, by message id."""

_THANKS = re.compile(
    r"\b(?:thanks|thank you|thx|ty|cheers|that helped|helpful|that worked|works now|"
    r"life ?saver|appreciate it)\b|谢谢|多谢|感谢|谢啦|有用|管用|解决了|好使|学到了",
    re.IGNORECASE,
)


_LINK = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
MIN_CROSS_SUBSTANCE = 8.0
"""A message stands for its author across languages only with this much to say: Han
characters plus Latin words (links left out); "👍" or "ok, noted!" says nothing."""


def is_cross_language(text: str, asked_in: Language | None) -> bool:
    """Whether ``text`` is a message of substance in another language than the question,
    and not a thanks (thanking someone shows no knowledge of one's own)."""
    plain = _LINK.sub(" ", text)
    written_in = script_of(plain)
    if written_in is None or written_in == asked_in or is_thanks(plain):
        return False
    substance = count_han(plain) + len(re.findall(r"[A-Za-z]{2,}", plain))
    return substance >= MIN_CROSS_SUBSTANCE


def is_thanks(text: str) -> bool:
    """Whether a reply thanks its addressee or says their answer helped."""
    return _THANKS.search(text) is not None


@dataclass(slots=True)
class Candidate:
    """A member's standing on the topic: weight, how many messages, their best one."""

    member_id: int
    weight: float = 0.0
    count: int = 0
    best: MemoryHit | None = None
    best_score: float = -1.0
    on_topic: bool = False
    """Whether one of their messages carries a key term of the topic."""
    best_on_topic: bool = False


def _recency(sent_at: datetime, now: datetime) -> float:
    age = max(0.0, (now - sent_at).total_seconds() / 86_400)
    return float(0.5 ** (age / HALF_LIFE_DAYS))


async def rank_members(
    search: ChatSearch,
    chat_id: int,
    topic: str,
    *,
    people: dict[int, ChatPerson],
    asker_id: int,
    now: datetime | None = None,
    thanks: ThanksLookup | None = None,
    candidates: int = 120,
    language: Language | None = None,
) -> list[Candidate]:
    """Members who may be suggested, ranked by what they said about ``topic`` (best first).

    ``thanks`` tells how many others thanked each of the relevant messages (``None``: none
    counts as thanked). ``language`` is the question's (by default, the topic's script).
    """
    moment = now or datetime.now(UTC)
    if not topic.strip():
        return []
    found = await search.retrieve(chat_id, topic, candidates, moment)
    if not found.hits:
        return []
    baselines = await search.baselines(found)
    terms = subject_terms(topic)
    asked_in = language or script_of(topic)
    # A term written in the other script than the question ("谁懂 Rust", "写Unity") is a
    # name, written the same way in either language: only a message that carries it counts.
    translatable = all(script_of(term) in (asked_in, None) for term in terms)
    relevant: list[tuple[MemoryHit, float, bool]] = []
    for ranked in ranked_evidence(found):
        hit = ranked.hit
        person = people.get(hit.member_id)
        if person is None or person.is_bot or not person.suggestable or hit.member_id == asker_id:
            continue
        lead = ranked.similarity - baselines.of(hit.text) if ranked.similarity is not None else 0.0
        # What they asked or denied is no sign that they know: the term must be in what
        # they stated.
        if terms and covers(terms, without_negated(stated_part(hit.text))):
            weight = 1.0
        elif lead >= SEMANTIC_MARGIN:
            weight = 0.5
        else:
            continue
        # Key terms cannot match across languages: there, clear closeness in meaning counts.
        on_topic = weight == 1.0 or (
            translatable and lead >= CROSS_MARGIN and is_cross_language(hit.text, asked_in)
        )
        relevant.append((hit, weight * _recency(hit.sent_at, moment), on_topic))
    thanked = await thanks([hit for hit, _, _ in relevant]) if thanks and relevant else {}
    by_member: dict[int, Candidate] = {}
    for hit, base, on_topic in relevant:
        weight = base + THANKED_BONUS * min(2, thanked.get(hit.message_id, 0))
        candidate = by_member.setdefault(hit.member_id, Candidate(hit.member_id))
        candidate.weight += weight
        candidate.count += 1
        candidate.on_topic = candidate.on_topic or on_topic
        if (on_topic, weight) > (candidate.best_on_topic, candidate.best_score):
            candidate.best, candidate.best_score = hit, weight
            candidate.best_on_topic = on_topic
    # A member is named only for something they said on the topic in so many words (or in
    # another language); messages merely close in meaning add to that, never stand alone.
    named = [c for c in by_member.values() if c.on_topic]
    return sorted(named, key=lambda c: (-c.weight, -c.count))


def thanked_counts(
    replies: Sequence[tuple[int, int, str]], authors: dict[int, int]
) -> dict[int, int]:
    """How many people other than the author thanked each message.

    ``replies`` are (replied-to id, replier id, text); ``authors`` maps message ids to authors.
    """
    thanked: defaultdict[int, set[int]] = defaultdict(set)
    for original, replier, text in replies:
        if replier != authors.get(original) and is_thanks(text):
            thanked[original].add(replier)
    return {message_id: len(who) for message_id, who in thanked.items()}
