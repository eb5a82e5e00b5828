"""A backfill's one progress message: posted when it starts, edited as it reads, and
edited into its summary at the end (posted anew when the platform refuses the edit)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from adapters.model import Chat, OutgoingReply
from adapters.ports import ReplySender
from bots.reply_languages import ReplyLanguages
from bots.storage.history_import_store import ImportRun
from locales import trn, using

log = logging.getLogger(__name__)

MAX_CHAT_LINES = 8
"""Channels and threads named in the progress message (the latest ones): it must stay
one message (Discord: 2000 characters)."""

LAST_WORD_TIMEOUT = 5.0
"""Seconds a last edit may take while the backfill is being stopped."""


@dataclass(slots=True)
class ChatProgress:
    """How far the reading of one channel or thread got."""

    name: str
    read: int = 0
    """Records read: stored, already known and skipped ones."""
    stored: int = 0
    done: float | None = None
    """The share of the period covered so far (0 to 1), when known."""
    finished: bool = False

    @property
    def started(self) -> bool:
        """Whether any of it was read (or it is finished)."""
        return self.finished or self.read > 0 or self.done is not None

    def take(self, run: ImportRun, done: float | None) -> None:
        """Note the counts of ``run`` and the share of the period read."""
        self.read = run.stored + run.duplicates + run.skipped_total
        self.stored = run.stored
        if done is not None:
            self.done = done


class ProgressBoard:
    """What a backfill read so far, per channel and thread, as one message."""

    def __init__(self) -> None:
        self._chats: dict[int, ChatProgress] = {}
        self._order: list[int] = []
        """Chat ids in the order they started (then the ones not started)."""

    def add(self, chat_id: int, chat: Chat) -> ChatProgress:
        """A channel or thread the backfill will read (in reading order)."""
        name = f"#{chat.title}" if chat.title else f"#{chat.platform_chat_id}"
        entry = self._chats.setdefault(chat_id, ChatProgress(name))
        if chat_id not in self._order:
            self._order.append(chat_id)
        return entry

    def get(self, chat_id: int) -> ChatProgress | None:
        """The progress of one chat, if the backfill reads it."""
        return self._chats.get(chat_id)

    def text(self) -> str:
        """The progress message, in the language in use."""
        entries = [self._chats[chat_id] for chat_id in self._order]
        read = sum(e.read for e in entries)
        stored = sum(e.stored for e in entries)
        lines = [
            trn(
                "Reading this channel's history: {count} message read so far, {stored} new.",
                "Reading this channel's history: {count} messages read so far, {stored} new.",
                read,
                stored=stored,
            )
        ]
        started = [e for e in entries if e.started]
        hidden = started[:-MAX_CHAT_LINES] if len(started) > MAX_CHAT_LINES else []
        if hidden:
            lines.append(
                trn(
                    "…{count} more thread read: {read} messages.",
                    "…{count} more threads read: {read} messages.",
                    len(hidden),
                    read=sum(e.read for e in hidden),
                )
            )
        lines += [_line(e) for e in started[len(hidden) :]]
        waiting = len(entries) - len(started)
        if waiting:
            lines.append(
                trn(
                    "Still to read: {count} thread or channel.",
                    "Still to read: {count} threads or channels.",
                    waiting,
                )
            )
        return "\n".join(lines)


def _line(entry: ChatProgress) -> str:
    if entry.finished:
        return trn(
            "{chat}: {count} message, all read.",
            "{chat}: {count} messages, all read.",
            entry.read,
            chat=entry.name,
        )
    if entry.done is None:
        return trn(
            "{chat}: {count} message so far.",
            "{chat}: {count} messages so far.",
            entry.read,
            chat=entry.name,
        )
    return trn(
        "{chat}: {count} message so far, {percent}% of the period.",
        "{chat}: {count} messages so far, {percent}% of the period.",
        entry.read,
        chat=entry.name,
        percent=int(entry.done * 100),
    )


class BackfillNews:
    """Posts a backfill's progress message in its chat and keeps it up to date, in the
    chat's language; at most one edit per ``every`` seconds."""

    def __init__(
        self, languages: ReplyLanguages, sender: ReplySender, chat: Chat, *, every: float
    ) -> None:
        self._languages = languages
        self._sender = sender
        self._chat = chat
        self._every = every
        self._message_id: str | None = None
        self._last_edit = time.monotonic()

    async def start(self, text: Callable[[], str]) -> None:
        """Post the progress message."""
        sent = await self._post(await self._render(text))
        self._message_id = sent

    async def update(self, text: Callable[[], str]) -> None:
        """Edit the progress message, unless it was edited less than ``every`` ago."""
        if time.monotonic() - self._last_edit < self._every:
            return
        self._last_edit = time.monotonic()
        if self._message_id is not None:
            await self._edit(await self._render(text))

    async def finish(self, text: Callable[[], str]) -> None:
        """Edit the progress message into ``text``; post it when that fails."""
        body = await self._render(text)
        if self._message_id is None or not await self._edit(body):
            await self._post(body)

    async def last_word(self, text: Callable[[], str]) -> None:
        """Edit the progress message into ``text`` while the backfill is being stopped
        (briefly, and never posting a new message)."""
        if self._message_id is None:
            return
        try:
            async with asyncio.timeout(LAST_WORD_TIMEOUT):
                await self._edit(await self._render(text))
        except Exception:
            log.warning("could not update the backfill message in chat %s", self._chat_id)

    @property
    def _chat_id(self) -> str:
        return self._chat.platform_chat_id

    async def _render(self, text: Callable[[], str]) -> str:
        with using(await self._languages.for_chat(self._chat)):
            return text()

    async def _post(self, body: str) -> str | None:
        try:
            sent = await self._sender.send(OutgoingReply(chat=self._chat, text=body))
        except Exception:
            log.exception("could not post backfill news in chat %s", self._chat_id)
            return None
        return sent.platform_message_id

    async def _edit(self, body: str) -> bool:
        assert self._message_id is not None
        try:
            return await self._sender.edit(self._chat, self._message_id, body)
        except Exception:
            log.exception("could not edit backfill news in chat %s", self._chat_id)
            return False
