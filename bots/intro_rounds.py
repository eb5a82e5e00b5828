"""Rounds of introductions in a chat: profiles from memory, matching, reasons, posting.

A round takes the chat's opted-in members who are awake and still present,
builds each one's interest profile from the vectors of their recent messages
(kept in Qdrant through :class:`~memory.interest_profiles.InterestProfileStore`),
counts how often pairs already replied to or mentioned each other, and lets
:func:`jobs.intro_matcher.match_members` pair them, skipping avoid lists and
pairs from recent rounds. Every introduction says why in one line, quoting one
message of each member with its link. The round is recorded before it is posted,
so a pair never repeats even when a delivery fails.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from adapters.model import Chat, Member, OutgoingReply, Platform
from adapters.ports import DeliveryError, ReplySender
from bots.message_vectors import message_vectors
from bots.storage.intro_store import IntroMessage, IntroParticipant, IntroStore
from jobs.digest_render import DISCORD_MAX_CHARS
from jobs.intro_matcher import IntroGroup, IntroOptions, build_interest_profiles, match_members
from jobs.intro_reasons import CandidateMessage, explain_intro, member_keywords, render_intro
from jobs.languages import Language, detect_language
from jobs.vector_math import unit_rows
from memory.embedder import Embedder
from memory.interest_profiles import InterestProfile, InterestProfileStore
from memory.store import MemoryStore

log = logging.getLogger(__name__)

MIN_MESSAGES = 3
"""Members with fewer recent messages have no profile yet and sit the round out."""
MAX_EMBED_NOW = 500
"""At most this many messages not yet in memory are embedded for a round (else left out)."""
REASON_KEYWORDS = 40
"""Key words kept per member when looking for the ones a pair shares."""


@dataclass(frozen=True, slots=True)
class RoundSettings:
    """How far back a round looks and how much it reads."""

    window: timedelta = timedelta(days=90)
    per_member: int = 200
    """Latest messages per member that make their profile."""
    centre_sample: int = 5000
    """Latest chat messages (everyone's) whose mean direction is removed from profiles."""
    options: IntroOptions = field(default_factory=IntroOptions)


@dataclass(frozen=True, slots=True)
class PlannedIntro:
    """One introduction of a round: who, and the message that introduces them."""

    group: IntroGroup
    text: str


@dataclass(frozen=True, slots=True)
class PlannedRound:
    """A round before posting: its introductions, and who was left out and why."""

    intros: tuple[PlannedIntro, ...]
    participants: int
    without_profile: int
    unmatched: tuple[int, ...]
    language: Language
    members: Mapping[int, Member] = field(default_factory=dict)
    """The introduced members' accounts, by member id (for direct messages)."""


class IntroRounds:
    """Plans and posts a chat's introductions."""

    def __init__(
        self,
        intros: IntroStore,
        memory: MemoryStore,
        profiles: InterestProfileStore,
        embedder: Embedder,
        settings: RoundSettings | None = None,
    ) -> None:
        self._intros = intros
        self._memory = memory
        self._profiles = profiles
        self._embedder = embedder
        self._settings = settings or RoundSettings()

    async def plan(self, chat_id: int, now: datetime) -> PlannedRound:
        """Match this chat's participants now; stores their profiles, posts nothing."""
        settings = self._settings
        since = now - settings.window
        people = await self._intros.participants(chat_id, now)
        ids = [p.member_id for p in people]
        messages = await self._intros.recent_messages(chat_id, ids, since, settings.per_member)
        vectors = await message_vectors(
            self._memory,
            self._embedder,
            [(m.message_id, m.text) for m in messages],
            max_embed=MAX_EMBED_NOW,
        )
        messages = [m for m in messages if m.message_id in vectors]
        by_member: dict[int, list[IntroMessage]] = defaultdict(list)
        for message in messages:
            by_member[message.member_id].append(message)
        language = detect_language(m.text for m in messages)
        if not messages:
            return PlannedRound((), len(people), len(people), (), language)
        profiles = build_interest_profiles(
            [m.member_id for m in messages],
            np.asarray([vectors[m.message_id] for m in messages], dtype=np.float32),
            min_messages=MIN_MESSAGES,
        )
        profiled = set(profiles.member_ids.tolist())
        # A long list per member, so that words two members share make it into both.
        keywords = member_keywords(
            {member: [m.text for m in by_member[member]] for member in sorted(profiled)},
            top=REASON_KEYWORDS,
        )
        await self._profiles.upsert(
            [
                InterestProfile(
                    chat_id, member, vector.tolist(), " ".join(keywords[member][:8]), now
                )
                for member, vector in zip(
                    profiles.member_ids.tolist(), profiles.vectors, strict=True
                )
            ]
        )
        interactions = await self._intros.reply_counts(chat_id, sorted(profiled), since)
        for pair, count in _mention_counts(people, by_member).items():
            interactions[pair] = interactions.get(pair, 0) + count
        blocked = await self._intros.avoided(sorted(profiled))
        past = await self._intros.past_rounds(chat_id, settings.options.no_repeat_rounds)
        centre = await self._chat_centre(chat_id, since)
        result = await asyncio.to_thread(
            match_members,
            profiles,
            blocked=blocked,
            interactions=interactions,
            past_rounds=past,
            centre_on=centre,
            options=settings.options,
        )
        names = {p.member_id: _display(p) for p in people}
        candidates = {
            member: [
                CandidateMessage(m.message_id, m.text, vectors[m.message_id], m.permalink)
                for m in reversed(by_member[member])
            ]
            for member in profiled
        }
        intros = []
        for group in result.groups:
            reason = explain_intro(group, names, candidates, keywords=keywords, language=language)
            intros.append(PlannedIntro(group, render_intro(group, names, reason, language)))
        introduced = {m for intro in intros for m in intro.group.member_ids}
        return PlannedRound(
            tuple(intros),
            len(people),
            len(people) - len(profiled),
            result.unmatched,
            language,
            {p.member_id: p.member for p in people if p.member_id in introduced},
        )

    async def post(
        self,
        chat: Chat,
        chat_id: int,
        sender: ReplySender,
        now: datetime,
        *,
        sent: Callable[[], Awaitable[None]] | None = None,
    ) -> PlannedRound:
        """Plan a round, record it, and post it in the group or by DM (per chat setting).

        ``sent`` is awaited after each message the platform accepted.
        """
        planned = await self.plan(chat_id, now)
        if not planned.intros:
            log.info("no introductions in chat %s this round", chat_id)
            return planned
        await self._intros.record_round(
            chat_id, now, {i.group.member_ids: i.group.similarity for i in planned.intros}
        )
        if await self._intros.delivery(chat_id) == "dm":
            await self._send_privately(chat, planned, sender, sent)
        else:
            for part in _parts(_header(planned.language), [i.text for i in planned.intros]):
                await sender.send(OutgoingReply(chat=chat, text=part))
                if sent is not None:
                    await sent()
        log.info("posted %d introductions in chat %s", len(planned.intros), chat_id)
        return planned

    @staticmethod
    async def _send_privately(
        chat: Chat,
        planned: PlannedRound,
        sender: ReplySender,
        sent: Callable[[], Awaitable[None]] | None,
    ) -> None:
        where = chat.title or "your group"
        head = (
            f"👋 来自「{where}」的介绍："
            if planned.language is Language.CHINESE
            else f"👋 An introduction from {where}:"
        )
        for intro in planned.intros:
            for member_id in intro.group.member_ids:
                reply = OutgoingReply(
                    chat=chat,
                    text=f"{head}\n{intro.text}",
                    private=True,
                    recipient=planned.members[member_id],
                )
                try:
                    await sender.send(reply)
                except DeliveryError:  # one closed inbox must not stop the others
                    log.warning("could not send an introduction to member %s", member_id)
                    continue
                if sent is not None:
                    await sent()

    async def _chat_centre(self, chat_id: int, since: datetime) -> list[float] | None:
        """The mean direction of the chat's recent messages: what every profile shares."""
        ids = await self._intros.chat_message_ids(chat_id, since, self._settings.centre_sample)
        stored = await self._memory.vectors(ids)
        if len(stored) < 2 * MIN_MESSAGES:
            return None
        mean = unit_rows(np.asarray(list(stored.values()), dtype=np.float32)).mean(axis=0)
        values: list[float] = mean.tolist()
        return values


def _display(person: IntroParticipant) -> str:
    member = person.member
    if member.platform is Platform.TELEGRAM and member.username:
        return f"{member.display_name} (@{member.username})"
    return member.display_name


def _mention_counts(
    people: Sequence[IntroParticipant], by_member: Mapping[int, Sequence[IntroMessage]]
) -> dict[tuple[int, int], int]:
    """How often pairs of participants @-mentioned each other in their recent messages."""
    handles = {p.member.username.lower(): p.member_id for p in people if p.member.username}
    if not handles:
        return {}
    pattern = re.compile(r"@([\w.]{2,64})")
    counts: dict[tuple[int, int], int] = {}
    for author, messages in by_member.items():
        for message in messages:
            for handle in pattern.findall(message.text):
                other = handles.get(handle.lower())
                if other is not None and other != author:
                    pair = (min(author, other), max(author, other))
                    counts[pair] = counts.get(pair, 0) + 1
    return counts


def _header(language: Language) -> str:
    if language is Language.CHINESE:
        return "🤝 本轮介绍：这些朋友聊的话题很接近，但还很少交流。"
    return (
        "🤝 This round's introductions: people who talk about the same things "
        "but rarely to each other."
    )


def _parts(header: str, intros: Sequence[str], limit: int = DISCORD_MAX_CHARS) -> list[str]:
    """The header and introductions packed into messages within the platform limit."""
    parts: list[str] = []
    current = header
    for intro in intros:
        piece = intro[: limit - 1]
        if len(current) + 2 + len(piece) > limit:
            parts.append(current)
            current = piece
        else:
            current = f"{current}\n\n{piece}"
    parts.append(current)
    return parts
