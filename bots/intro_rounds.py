"""Rounds of introductions in a chat: profiles from memory, matching, reasons, posting.

A round takes the chat's opted-in members who are awake and still present,
reads their recent messages with their vectors, counts how often pairs already
replied to each other, and hands all of it to
:func:`jobs.intro_planner.plan_introductions`: members are paired by an interest
they share (across languages, weighed against what the whole chat talks about),
skipping avoid lists, pairs from recent rounds and pairs who already talk.
Every introduction names the shared interest and quotes one message of each
member on it, with its link. Each member's profile (one vector per member and
chat) is kept in Qdrant through :class:`~memory.interest_profiles.InterestProfileStore`.
A round is written in the current reply language, which its caller sets from the
chat (:meth:`bots.reply_languages.ReplyLanguages.for_chat`: the admins' setting, else
what the chat mostly writes). Its direct messages are in that language too (an
introduction quotes the group, and both members read the same text), not in each
member's own app language.
The round is recorded before it is posted, so a pair never repeats even when a
delivery fails.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import numpy as np

from adapters.model import Chat, Member, OutgoingReply, Platform
from adapters.ports import DeliveryError, ReplySender
from bots.message_vectors import message_matrix
from bots.storage.intro_store import IntroParticipant, IntroStore
from jobs.digest_render import DISCORD_MAX_CHARS
from jobs.intro_matcher import IntroGroup, IntroOptions
from jobs.intro_planner import ChatMessage, plan_introductions, with_word_vectors
from jobs.vector_math import compact_rows
from locales import tr
from memory.embedder import Embedder
from memory.interest_profiles import InterestProfile, InterestProfileStore
from memory.language_centres import language_centres
from memory.store import MemoryStore

log = logging.getLogger(__name__)

MAX_EMBED_NOW = 500
"""At most this many messages not yet in memory are embedded for a round (else left out)."""
PROFILE_BATCH = 1000
"""Profiles written back to memory at once: a round of many members holds one batch of points."""


@dataclass(frozen=True, slots=True)
class RoundSettings:
    """How far back a round looks and how much it reads."""

    window: timedelta = timedelta(days=90)
    per_member: int = 200
    """Latest messages per member that make their profile."""
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
        recent = await self._intros.recent_messages(chat_id, ids, since, settings.per_member)
        recent.sort(key=lambda m: (m.sent_at or now, m.message_id))  # in the chat's order
        found, vectors = await message_matrix(
            self._memory,
            self._embedder,
            [(m.message_id, m.text) for m in recent],
            max_embed=MAX_EMBED_NOW,
            # above the exact limit a round compares candidates only: float16 is enough
            half=len(recent) > settings.options.interests.exact_limit,
        )
        if not found.all():
            recent = [m for m, kept in zip(recent, found.tolist(), strict=True) if kept]
            vectors = compact_rows(vectors, np.flatnonzero(found))  # no copy of the matrix
        if not recent:
            return PlannedRound((), len(people), len(people), ())
        messages = [
            ChatMessage(
                m.message_id, m.member_id, m.text, m.permalink, sent_at=m.sent_at, terms=m.terms
            )
            for m in recent
        ]
        profiled = sorted({m.member_id for m in recent})
        interactions = await self._intros.reply_counts(chat_id, profiled, since)
        blocked = await self._intros.avoided(profiled)
        past = await self._intros.past_rounds(chat_id, settings.options.no_repeat_rounds)
        names = {p.member_id: _display(p) for p in people}
        handles = {p.member.username: p.member_id for p in people if p.member.username}
        aliases = {p.member.display_name: p.member_id for p in people}
        plan = await asyncio.to_thread(  # the thread runs in a copy of the reply language
            plan_introductions,
            messages,
            vectors,
            names,
            blocked=blocked,
            interactions=interactions,
            past_rounds=past,
            handles=handles,
            aliases=aliases,
            options=replace(
                settings.options, language_centres=await language_centres(self._embedder)
            ),
            overwrite=True,  # the round's own matrix: normalised without a copy
        )
        words = plan.naming_words()
        if words:  # words of two languages name an interest together by their vectors
            embedded = await self._embedder.embed_passages(words)
            plan = with_word_vectors(plan, names, dict(zip(words, embedded, strict=True)))
        members = plan.profiles.member_ids.tolist()
        for start in range(0, len(members), PROFILE_BATCH):  # a large chat's in batches
            await self._profiles.upsert(
                [
                    InterestProfile(
                        chat_id, member, vector, " ".join(plan.keywords.get(member, ())), now
                    )
                    for member, vector in zip(
                        members[start : start + PROFILE_BATCH],
                        plan.profiles.vectors[start : start + PROFILE_BATCH],
                        strict=True,
                    )
                ]
            )
        intros = tuple(PlannedIntro(intro.group, intro.text) for intro in plan.intros)
        introduced = {m for intro in intros for m in intro.group.member_ids}
        return PlannedRound(
            intros,
            len(people),
            len(people) - len(plan.profiles),
            plan.unmatched,
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
            for part in _parts(_header(), [i.text for i in planned.intros]):
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
        head = (
            tr("👋 An introduction from {group}:", group=chat.title)
            if chat.title
            else tr("👋 An introduction from your group:")
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


def _display(person: IntroParticipant) -> str:
    member = person.member
    if member.platform is Platform.TELEGRAM and member.username:
        return f"{member.display_name} (@{member.username})"
    return member.display_name


def _header() -> str:
    return tr(
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
