"""``/digest me …``: a member's own digest by direct message, its schedule, and its content.

Any member can ask, in a group or in a private chat with Hearth; every answer is
private. The content (see :mod:`jobs.personal_digest`) comes only from the
group chats the member is in, never from direct messages or other chats.

For each chat the gathering step reads the period's messages and, when someone
else asked a question there, the vectors the question rule needs: the period's
messages (from memory, the few not embedded yet are embedded now), the member's
interest vector (their stored interest profile in that chat, else the mean of
their recent message vectors there) and a baseline of the chat's recent
messages by others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from adapters.model import Chat, Command, Member, OutgoingReply
from adapters.ports import ReplySender
from bots.command_words import canonical_words
from bots.digests import period_messages
from bots.message_vectors import message_vectors
from bots.reply_languages import ReplyLanguages
from bots.storage.personal_digest_store import MemberChat, PersonalDigestStore
from bots.storage.repository import Storage
from jobs.digest_model import DigestPeriod
from jobs.digest_render import DISCORD_MAX_CHARS
from jobs.languages import Language as Script
from jobs.personal_digest import (
    ChatActivity,
    PersonalDigest,
    PersonalDigestOptions,
    build_personal_digest,
    render_personal_digest,
)
from jobs.schedule_spec import ScheduleError, ScheduleSpec, parse_digest_schedule
from jobs.scheduled_runs import JobKind
from jobs.scheduler import HearthScheduler
from jobs.text_cues import is_question
from jobs.vector_math import FloatMatrix, unit_rows
from locales import N_, current, format_moment, join_sentences, tr, tr_marked, using
from memory.embedder import Embedder
from memory.interest_profiles import InterestProfileStore
from memory.store import FloatVector, MemoryStore

log = logging.getLogger(__name__)

DEFAULT_TIME = "08:00"
"""``/digest me daily`` without a time sends the digest at this time (UTC unless set)."""
NOW_PERIOD = timedelta(hours=24)
EXAMPLE = N_("/digest me daily 07:30")
"""An example of a personal schedule, for messages (translate with ``tr_marked``)."""
USAGE = N_(
    "Usage: /digest me daily [07:30] | /digest me tz Asia/Shanghai | /digest me off | "
    "/digest me now | /digest me status"
)
NOTHING = N_("Nothing for you in the last 24 hours.")
MAX_CHARS = DISCORD_MAX_CHARS
"""Every part fits the smallest platform limit."""
_SCHEDULE_WORDS = frozenset({"daily", "weekly", "every", "off", "tz"})


@dataclass(frozen=True, slots=True)
class GatherSettings:
    """How far back the gathering step looks for interests, baselines and language."""

    interest_window: timedelta = timedelta(days=90)
    interest_messages: int = 200
    """The member's latest messages in a chat that make their interest vector there."""
    baseline_window: timedelta = timedelta(days=30)
    baseline_messages: int = 200
    """The chat's latest messages by others that show its typical similarity."""
    max_embed: int = 500
    """At most this many messages missing from memory are embedded for one chat; with more
    missing, that chat gives no questions this time (mentions and replies still count)."""


@dataclass(frozen=True, slots=True)
class PersonalDelivery:
    """A scheduled digest ready to send: to whom, through which chat, and the parts."""

    member: Member
    chat: Chat
    parts: tuple[str, ...]


def is_personal_digest(command: Command) -> bool:
    """Whether ``command`` is ``/digest me …`` (or ``/digest 我 …``; any member, any chat)."""
    words = canonical_words(" ".join(command.args).split())
    return command.name.lower() == "digest" and bool(words) and words[0].lower() == "me"


class PersonalDigests:
    """Carries out ``/digest me …`` and builds members' digests (also for scheduled runs)."""

    def __init__(
        self,
        storage: Storage,
        store: PersonalDigestStore,
        memory: MemoryStore,
        embedder: Embedder,
        *,
        profiles: InterestProfileStore,
        scheduler: HearthScheduler,
        options: PersonalDigestOptions | None = None,
        gather: GatherSettings | None = None,
        languages: ReplyLanguages | None = None,
    ) -> None:
        self._storage = storage
        self._store = store
        self._memory = memory
        self._embedder = embedder
        self._profiles = profiles
        self._scheduler = scheduler
        self._options = options or PersonalDigestOptions()
        self._gather = gather or GatherSettings()
        self._languages = languages or ReplyLanguages(storage)

    # --- commands ---------------------------------------------------------------------------

    async def handle(self, command: Command, sender: ReplySender) -> None:
        """Answer ``/digest me …``, privately to the member who asked."""
        for part in await self.answer(command):
            await sender.send(
                OutgoingReply(
                    chat=command.chat,
                    text=part,
                    reply_to_message_id=command.platform_message_id,
                    recipient=command.sender,
                    private=True,
                )
            )

    async def answer(self, command: Command) -> list[str]:
        """The answer to ``/digest me …`` (and its effect), as messages in the member's
        language (the answer is private, wherever it was asked)."""
        with using(await self._languages.for_member(command.sender)):
            return await self._answer(command)

    async def _answer(self, command: Command) -> list[str]:
        raw = " ".join(command.args).split()
        words = canonical_words(raw)[1:]
        member_id = await self._storage.ensure_member(command.sender)
        action = words[0].lower() if words else ""
        if action == "status" and len(words) == 1:
            return [await self.status(member_id)]
        if action == "now" and len(words) == 1:
            end = datetime.now(UTC)
            found = await self.render(member_id, end - NOW_PERIOD, end)
            return found or [tr_marked(NOTHING)]
        if action in _SCHEDULE_WORDS:
            return [await self.change(member_id, words)]
        if not words:
            return [tr_marked(USAGE)]
        shown = " ".join(raw[1:])[:40]
        return [
            tr(
                "Sorry: “{text}” is not something /digest me knows. Example: {example}",
                text=shown,
                example=tr_marked(EXAMPLE),
            )
        ]

    async def current(self, member_id: int) -> ScheduleSpec | None:
        """The member's stored schedule, or None when they never set one."""
        stored = await self._store.schedule(member_id)
        if not stored:
            return None
        try:
            return ScheduleSpec.from_json(stored)
        except ScheduleError:
            log.warning("member %s has a personal digest schedule that cannot be read", member_id)
            return None

    async def change(self, member_id: int, words: Sequence[str]) -> str:
        """Apply ``daily 07:30``, ``tz ZONE``, ``off``… to the member's schedule."""
        words = canonical_words(words)
        current = await self.current(member_id)
        try:
            spec = parse_digest_schedule(" ".join(_with_default_time(words)), current)
        except ScheduleError as error:
            if words and words[0].lower() == "every":
                return _too_often()
            return tr("Sorry: {error}. Example: {example}", error=error, example=tr_marked(EXAMPLE))
        if spec.interval is not None and spec.interval < timedelta(days=1):
            return _too_often()
        await self._store.set_schedule(member_id, spec.to_json())
        next_run = await self._scheduler.schedule_personal_digest(member_id, spec)
        if spec.is_off:
            if current is None or current.is_off:
                return tr(
                    "Your time zone for digests is now {tz}. No personal digest is "
                    "scheduled; example: {example}",
                    tz=spec.tz,
                    example=tr_marked(EXAMPLE),
                )
            return tr("Your personal digest is off. /digest me now still sends one.")
        return join_sentences(
            tr(
                "Your personal digest comes by direct message {when}: mentions of "
                "you, replies to you and open questions about what you talk about, from the "
                "groups you are in.",
                when=spec.describe(),
            ),
            _next(next_run, spec),
            tr("/digest me off stops it."),
        )

    async def status(self, member_id: int) -> str:
        """The member's schedule and next digest, in words."""
        spec = await self.current(member_id)
        if spec is None or spec.is_off:
            return tr(
                "You get no personal digest. It brings mentions of you, replies to you and "
                "open questions about what you talk about, by direct message: {example}",
                example=tr_marked(EXAMPLE),
            )
        next_run = await self._scheduler.next_run(member_id, JobKind.PERSONAL_DIGEST)
        return join_sentences(
            tr("Your personal digest comes {when}.", when=spec.describe()), _next(next_run, spec)
        )

    # --- building ---------------------------------------------------------------------------

    async def render(self, member_id: int, start: datetime, end: datetime) -> list[str]:
        """The member's digest of ``[start, end)`` as messages; none when nothing is for them."""
        digest, _ = await self.build(member_id, DigestPeriod(start, end))
        spec = await self.current(member_id)
        zone = spec.zone if spec is not None else UTC
        return render_personal_digest(digest, max_chars=MAX_CHARS, zone=zone)

    async def scheduled(
        self, member_id: int, start: datetime, end: datetime
    ) -> PersonalDelivery | None:
        """A scheduled run's digest and where to send it; None when there is nothing to send.

        A member who is gone, or whose digest is off, gets nothing, and the stale job
        is cancelled.
        """
        member = await self._store.member(member_id)
        spec = await self.current(member_id) if member is not None else None
        if member is None or spec is None or spec.is_off:
            log.info("personal digest for member %s is no longer wanted; job removed", member_id)
            await self._scheduler.cancel(member_id, JobKind.PERSONAL_DIGEST)
            return None
        digest, chats = await self.build(member_id, DigestPeriod(start, end))
        parts = render_personal_digest(digest, max_chars=MAX_CHARS, zone=spec.zone)
        if not parts or not chats:
            log.info("nothing for member %s in their personal digest: none sent", member_id)
            return None
        return PersonalDelivery(member, chats[0].chat, tuple(parts))

    async def build(
        self, member_id: int, period: DigestPeriod
    ) -> tuple[PersonalDigest, list[MemberChat]]:
        """The member's digest of ``period``, and the group chats it was gathered from.

        Written in the current reply language, which the caller sets from the member
        (:meth:`bots.reply_languages.ReplyLanguages.for_member`).
        """
        member = await self._store.member(member_id)
        chats = await self._store.member_chats(member_id) if member is not None else []
        activity = [
            found
            for chat in chats
            if (found := await self._chat_activity(member_id, chat, period)) is not None
        ]
        digest = await asyncio.to_thread(
            build_personal_digest,
            member_id,
            member.username if member is not None else None,
            activity,
            period,
            language=Script(current()),
            options=self._options,
        )
        return digest, chats

    async def _chat_activity(
        self, member_id: int, chat: MemberChat, period: DigestPeriod
    ) -> ChatActivity | None:
        messages = await period_messages(self._storage, chat.chat_id, period)
        if not messages:
            return None
        inside = {m.message_id for m in messages}
        earlier = {m.reply_to_message_id for m in messages} - inside - {None}
        authors = await self._store.authors(sorted(i for i in earlier if i is not None))
        title = chat.chat.title or tr("a group")
        asked = any(m.member_id != member_id and is_question(m.text) for m in messages)
        interest = await self._interest(member_id, chat.chat_id, period.end) if asked else None
        if interest is None:
            return ChatActivity(chat.chat_id, title, messages, authors=authors)
        vectors = await self._vectors([(m.message_id, m.text) for m in messages])
        if len(vectors) < len(messages):
            return ChatActivity(chat.chat_id, title, messages, authors=authors)
        baseline = await self._baseline(member_id, chat.chat_id, period.end, vectors)
        return ChatActivity(
            chat.chat_id,
            title,
            messages,
            vectors=np.asarray([vectors[m.message_id] for m in messages], dtype=np.float32),
            interest=interest,
            baseline=baseline,
            authors=authors,
        )

    async def _interest(self, member_id: int, chat_id: int, end: datetime) -> list[float] | None:
        """The member's stored interest profile in the chat, else their recent messages' mean."""
        try:
            stored = await self._profiles.vectors(chat_id, [member_id])
        except ValueError:  # ids beyond what profile points can hold
            stored = {}
        if member_id in stored:
            return list(stored[member_id])
        own = await self._store.member_messages(
            member_id,
            end - self._gather.interest_window,
            self._gather.interest_messages,
            chat_id=chat_id,
        )
        vectors = await self._vectors([(m.message_id, m.text) for m in own])
        if not vectors:
            return None
        mean = unit_rows(np.asarray(list(vectors.values()), dtype=np.float32)).mean(axis=0)
        values: list[float] = mean.tolist()
        return values

    async def _baseline(
        self, member_id: int, chat_id: int, end: datetime, known: dict[int, FloatVector]
    ) -> FloatMatrix | None:
        """Vectors of the chat's recent messages by others (those in memory)."""
        ids = await self._store.others_message_ids(
            chat_id,
            member_id,
            end - self._gather.baseline_window,
            end,
            self._gather.baseline_messages,
        )
        missing = [i for i in ids if i not in known]
        found = dict(await self._memory.vectors(missing)) if missing else {}
        rows = [known[i] if i in known else found[i] for i in ids if i in known or i in found]
        return np.asarray(rows, dtype=np.float32) if rows else None

    async def _vectors(self, messages: Sequence[tuple[int, str]]) -> dict[int, FloatVector]:
        return await message_vectors(
            self._memory, self._embedder, messages, max_embed=self._gather.max_embed
        )


def _with_default_time(words: Sequence[str]) -> list[str]:
    """``daily`` without a time gets :data:`DEFAULT_TIME` (``daily tz ZONE`` too)."""
    out = list(words)
    if out and out[0].lower() == "daily" and (len(out) == 1 or out[1].lower() == "tz"):
        out.insert(1, DEFAULT_TIME)
    return out


def _too_often() -> str:
    return tr(
        "Sorry: a personal digest comes at most once a day. "
        "Example: {example} (or /digest me every 2d)",
        example=tr_marked(EXAMPLE),
    )


def _next(moment: datetime | None, spec: ScheduleSpec) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(spec.zone)
    return tr("Next: {moment} ({tz}).", moment=format_moment(local), tz=spec.tz)
