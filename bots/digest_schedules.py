"""Admins' digest schedules: parsed, stored with the chat, and kept in the scheduler."""

from __future__ import annotations

from datetime import datetime

from bots.command_words import canonical_words
from bots.storage.repository import Storage
from jobs.schedule_spec import ScheduleError, ScheduleSpec, parse_digest_schedule
from jobs.scheduled_runs import JobKind
from jobs.scheduler import HearthScheduler
from locales import format_moment, join_sentences, tr


class DigestSchedules:
    """Changes and describes a chat's digest schedule, in the current reply language.

    What admins type may use Chinese command words (``每天 09:00``, ``每周一 18:00``,
    ``时区 Asia/Shanghai``, ``安静 跳过``…); they read as the English keywords.
    """

    def __init__(self, storage: Storage, scheduler: HearthScheduler) -> None:
        self._storage = storage
        self._scheduler = scheduler

    async def current(self, chat_id: int) -> ScheduleSpec | None:
        """The chat's schedule, or None when it never had one."""
        stored = await self._storage.digest_schedule(chat_id)
        return ScheduleSpec.from_json(stored) if stored else None

    async def change(self, chat_id: int, text: str) -> str:
        """Apply what an admin typed (``daily 09:00``, ``tz Asia/Shanghai``, ``off``…)."""
        words = canonical_words(text.split())
        if words and words[0].lower() == "quiet":
            return await self.quiet(chat_id, " ".join(words[1:]))
        try:
            spec = parse_digest_schedule(" ".join(words), await self.current(chat_id))
        except ScheduleError as error:
            return tr("Sorry: {error}", error=error)
        await self._storage.set_digest_schedule(chat_id, spec.to_json())
        next_run = await self._scheduler.schedule_digest(chat_id, spec)
        if spec.is_off:
            return tr("Scheduled digests are off in this chat. /digest now still works.")
        return join_sentences(tr("Digest scheduled {when}.", when=spec.describe()), _next(next_run))

    async def quiet(self, chat_id: int, choice: str) -> str:
        """``quiet skip`` posts nothing for a quiet period; ``quiet line`` posts one line."""
        choice = " ".join(canonical_words(choice.split())).lower()
        if choice not in ("skip", "line"):
            return tr("Usage: /digest quiet skip | /digest quiet line")
        await self._storage.set_digest_quiet_line(chat_id, choice == "line")
        return (
            tr("A quiet period now gets a one-line digest.")
            if choice == "line"
            else tr("A quiet period now gets no digest at all.")
        )

    async def status(self, chat_id: int) -> str:
        """The schedule and the next run, in words."""
        spec = await self.current(chat_id)
        if spec is None or spec.is_off:
            return tr("No digest is scheduled in this chat. Example: /digest daily 09:00")
        next_run = await self._scheduler.next_run(chat_id, JobKind.DIGEST)
        quiet = (
            tr("Quiet periods get one line.")
            if await self._storage.digest_quiet_line(chat_id)
            else tr("Quiet periods get no digest.")
        )
        return join_sentences(tr("Digest {when}.", when=spec.describe()), _next(next_run), quiet)


def _next(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return tr("Next: {moment} UTC.", moment=format_moment(moment))
