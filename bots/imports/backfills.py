"""``/import``: admins have Hearth read a channel's earlier messages through the platform.

A backfill of a channel imports its threads (each a chat of its own, with its own run)
and then the channel itself, in the background, one page at a time, so live messages
and twins keep being handled meanwhile. The channel's run (source ``discord-backfill``,
key ``since:<day>``) is opened first and stays ``running`` until the channel and all
its threads are read; a thread's run is keyed ``since:<day>;in:<channel run id>``. A
backfill cut short by a stop or a kill is continued at the next start, after the
adapter is ready: finished threads are not read again, the others go on after their
last stored page. Imported messages never switch anyone's twin on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from adapters.history import HistoryReader
from adapters.model import Chat, Command, OutgoingReply, Platform
from adapters.ports import HistorySource, HistoryUnavailable, ReplySender
from bots.command_catalog import usage_hint
from bots.command_words import canonical_words
from bots.imports.backfill_progress import BackfillNews, ChatProgress, ProgressBoard
from bots.imports.history_import import HistoryImporter
from bots.reply_languages import ReplyLanguages
from bots.storage.history_import_store import HistoryImportStore, ImportRun
from bots.storage.repository import Storage
from locales import (
    N_,
    format_day_short,
    format_duration,
    join_sentences,
    tr,
    tr_marked,
    trn,
)

log = logging.getLogger(__name__)

DEFAULT_DAYS = 30
MAX_DAYS = 365
PROGRESS_EVERY = timedelta(seconds=10)
"""At most one edit of the progress message per this long."""

ACTION_WORDS = {"历史": "history", "导入": "history", "取消": "cancel", "停止": "cancel"}
"""Chinese words for the actions (``状态`` is already read as ``status``)."""

STATES = {
    "running": N_("running"),
    "done": N_("finished"),
    "failed": N_("stopped by an error"),
    "cancelled": N_("cancelled"),
}
"""How ``/import status`` names a run's status, in English (``tr_marked``)."""


def source_name(platform: Platform) -> str:
    """The ``history_imports.source`` of a platform's backfill (``discord-backfill``)."""
    return f"{platform.value}-backfill"


def thread_key(key: str, channel_run: int) -> str:
    """The run key of a thread read as part of the channel run ``channel_run``."""
    return f"{key};in:{channel_run}"


@dataclass(slots=True)
class _Backfill:
    """A backfill under way in this process."""

    chat: Chat
    task: asyncio.Task[None]
    cancelled: bool = False


@dataclass(slots=True)
class _Totals:
    stored: int = 0
    duplicates: int = 0
    skipped: int = 0

    def add(self, run: ImportRun) -> None:
        self.stored += run.stored
        self.duplicates += run.duplicates
        self.skipped += run.skipped_total


class Backfills:
    """Runs ``/import`` for the platforms whose history Hearth can read (see ``attach``)."""

    def __init__(
        self,
        storage: Storage,
        store: HistoryImportStore,
        importer: HistoryImporter,
        languages: ReplyLanguages,
        *,
        progress_every: timedelta = PROGRESS_EVERY,
    ) -> None:
        self._storage = storage
        self._store = store
        self._importer = importer
        self._languages = languages
        self.progress_every = progress_every
        """At most one edit of the progress message per this long."""
        self._sources: dict[Platform, tuple[HistorySource, ReplySender]] = {}
        self._running: dict[int, _Backfill] = {}
        """Backfills under way, by the chat id of the channel they read."""

    # -- platforms ---------------------------------------------------------------------------

    async def attach(self, source: HistorySource, sender: ReplySender) -> None:
        """``source``'s platform is connected: take ``/import`` there, and continue the
        backfills a stop or a kill left unfinished."""
        self._sources[source.platform] = (source, sender)
        for run in await self._store.runs(source=source_name(source.platform), unfinished=True):
            if ";in:" in run.source_key or run.chat_id in self._running:
                continue  # a thread's run goes on with its channel's
            chat = await self._storage.chat(run.chat_id)
            if chat is None or run.since is None:
                continue
            log.info("continuing the backfill of chat %s (run %d)", chat.platform_chat_id, run.id)
            self._launch(run.chat_id, chat, run.since, run.requested_by, sender)

    async def detach(self, platform: Platform) -> None:
        """``platform`` is disconnecting: stop its backfills, leaving them to be continued."""
        self._sources.pop(platform, None)
        for chat_id, backfill in list(self._running.items()):
            if backfill.chat.platform is platform:
                await self._stop(chat_id)

    async def close(self) -> None:
        """Stop every backfill; each is continued at the next start."""
        for chat_id in list(self._running):
            await self._stop(chat_id)

    def running(self, chat: Chat) -> bool:
        """Whether a backfill of ``chat`` is under way in this process."""
        return any(_same(b.chat, chat) for b in self._running.values())

    async def wait(self, chat: Chat) -> None:
        """Wait until the backfill of ``chat`` (if any) has ended."""
        for backfill in list(self._running.values()):
            if _same(backfill.chat, chat):
                with contextlib.suppress(asyncio.CancelledError):
                    await backfill.task

    # -- the command -------------------------------------------------------------------------

    async def handle(self, command: Command, sender: ReplySender) -> None:
        """``/import history [days]``, ``/import status``, ``/import cancel``."""
        await sender.send(
            OutgoingReply(
                chat=command.chat,
                text=await self._answer(command, sender),
                reply_to_message_id=command.platform_message_id,
                recipient=command.sender,
            )
        )

    async def _answer(self, command: Command, sender: ReplySender) -> str:
        words = [ACTION_WORDS.get(w, w).lower() for w in canonical_words(list(command.args))]
        if command.chat.platform not in self._sources:
            return tr(
                "Hearth cannot read this chat's earlier messages here. To import them, export "
                "the chat: in Telegram Desktop, open it and choose Export chat history, "
                "format JSON; then run on the server: hearth import telegram result.json"
            )
        if not command.chat.is_group:
            return tr(
                "/{command} works in a group chat: send it in the group it is about.",
                command="import",
            )
        if command.sender_is_admin is not True:
            return tr("Sorry, only this chat's admins can import its history.")
        if not words or words[0] not in ("history", "status", "cancel"):
            return usage_hint("import")
        chat_id = await self._store.chat_id(command.chat)
        if words[0] == "status" and len(words) == 1:
            return await self._status(chat_id, command.chat.platform)
        if words[0] == "cancel" and len(words) == 1:
            return await self._cancel(chat_id)
        if words[0] != "history" or len(words) > 2:
            return usage_hint("import")
        days = _days(words[1] if len(words) == 2 else str(DEFAULT_DAYS))
        if days is None:
            return tr(
                "Days must be a whole number from 1 to {most}, for example: /import history 30",
                most=MAX_DAYS,
            )
        if chat_id in self._running:
            return tr(
                "A history import is already running in this channel: /import status shows "
                "how far it got, /import cancel stops it."
            )
        requested_by = await self._storage.ensure_member(command.sender)
        since = datetime.now(UTC) - timedelta(days=days)
        self._launch(chat_id, command.chat, since, requested_by, sender)
        return trn(
            "Reading this channel's history for the last day… Progress and a summary follow here.",
            "Reading this channel's history for the last {count} days… Progress and a "
            "summary follow here.",
            days,
        )

    async def _status(self, chat_id: int, platform: Platform) -> str:
        runs = [
            run
            for run in await self._store.runs(chat_id=chat_id, source=source_name(platform))
            if ";in:" not in run.source_key
        ]
        if not runs:
            return tr("No history import in this channel yet (/import history 30 reads a month).")
        run = runs[0]
        totals = await self._totals(run)
        state = run.status
        return tr(
            "History import since {day}: {state}. {stored} messages stored, {duplicates} "
            "already known, {skipped} skipped.",
            day=format_day_short(run.since or run.started_at),
            state=tr_marked(STATES.get(state, STATES["running"])),
            stored=totals.stored,
            duplicates=totals.duplicates,
            skipped=totals.skipped,
        )

    async def _cancel(self, chat_id: int) -> str:
        backfill = self._running.get(chat_id)
        if backfill is None:
            return tr("No history import is running in this channel.")
        backfill.cancelled = True
        await self._stop(chat_id)
        return tr("History import cancelled; the messages already stored stay.")

    # -- running -----------------------------------------------------------------------------

    def _launch(
        self,
        chat_id: int,
        chat: Chat,
        since: datetime,
        requested_by: int | None,
        sender: ReplySender,
    ) -> None:
        task = asyncio.create_task(
            self._backfill(chat_id, chat, since, requested_by, sender),
            name=f"hearth-backfill-{chat.platform_chat_id}",
        )
        self._running[chat_id] = _Backfill(chat, task)
        task.add_done_callback(lambda _: self._ended(chat_id, task))

    def _ended(self, chat_id: int, task: asyncio.Task[None]) -> None:
        backfill = self._running.get(chat_id)
        if backfill is not None and backfill.task is task:
            del self._running[chat_id]

    async def _stop(self, chat_id: int) -> None:
        backfill = self._running.get(chat_id)
        if backfill is None:
            return
        backfill.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await backfill.task

    async def _backfill(
        self,
        chat_id: int,
        chat: Chat,
        since: datetime,
        requested_by: int | None,
        sender: ReplySender,
    ) -> None:
        started = time.monotonic()
        source_entry = self._sources.get(chat.platform)
        if source_entry is None:
            return
        source = source_name(chat.platform)
        key = f"since:{since.date().isoformat()}"
        channel_run, _ = await self._store.start_run(
            chat_id,
            platform=chat.platform.value,
            source=source,
            source_key=key,
            since=since,
            requested_by=requested_by,
        )
        news = BackfillNews(
            self._languages, sender, chat, every=self.progress_every.total_seconds()
        )
        await news.start(
            lambda: tr(
                "Reading this channel's history since {day}… this message shows how far it got.",
                day=format_day_short(since),
            )
        )
        board = ProgressBoard()

        async def progress(run: ImportRun, done: float | None) -> None:
            entry = board.get(run.chat_id)
            if entry is not None:
                entry.take(run, done)
            await news.update(board.text)

        try:
            readers = await source_entry[0].history_readers(chat, since=since)
            own, threads = readers[0], readers[1:]
            entries = [  # in reading order: the threads, then the channel
                board.add(await self._store.chat_id(r.chat), r.chat) for r in [*threads, own]
            ]
            for reader, entry in zip(threads, entries, strict=False):
                await self._thread(
                    reader,
                    entry,
                    channel_run=channel_run,
                    key=key,
                    since=since,
                    requested_by=requested_by,
                    progress=progress,
                )
            finished = await self._importer.run(
                own,
                source=source,
                source_key=key,
                since=since,
                requested_by=requested_by,
                progress=progress,
            )
            entries[-1].take(finished, 1.0)
            entries[-1].finished = True
        except asyncio.CancelledError:
            backfill = self._running.get(chat_id)
            if backfill is not None and backfill.cancelled:
                await self._cancel_runs(channel_run)
                await news.last_word(
                    lambda: tr("History import cancelled; the messages already stored stay.")
                )
            else:
                await news.last_word(
                    lambda: tr(
                        "History import paused while Hearth stops; it continues where it "
                        "stopped when Hearth is back."
                    )
                )
            raise
        except HistoryUnavailable as error:
            log.warning("cannot backfill chat %s: %s", chat.platform_chat_id, error)
            await self._store.finish_run(channel_run.id, "failed", str(error)[:2000])
            await news.finish(
                lambda: tr(
                    "Hearth cannot read this channel's history: it needs the View Channel "
                    "and Read Message History permissions here."
                )
            )
            return
        except Exception as error:
            log.exception("the backfill of chat %s failed", chat.platform_chat_id)
            current = await self._store.run(channel_run.id)
            if current is not None and current.status == "running":
                note = f"{type(error).__name__}: {error}"
                await self._store.finish_run(channel_run.id, "failed", note[:2000])
            totals = await self._totals(channel_run)
            await news.finish(
                lambda: tr(
                    "The history import stopped after {stored} messages because of an error; "
                    "/import history again continues where it stopped.",
                    stored=totals.stored,
                )
            )
            return
        totals = await self._totals(channel_run)
        members = await self._store.imported_members(
            [await self._store.chat_id(r.chat) for r in readers], since=since
        )
        took = timedelta(seconds=round(time.monotonic() - started))
        await news.finish(
            lambda: join_sentences(
                tr(
                    "History import finished in {took}: {stored} messages stored, {duplicates} "
                    "already known, {skipped} skipped, written by {members} members.",
                    took=format_duration(max(took, timedelta(seconds=1))),
                    stored=totals.stored,
                    duplicates=totals.duplicates,
                    skipped=totals.skipped,
                    members=members,
                ),
                tr("Nobody's twin was switched on: each member turns their own on with /twin on."),
            )
        )

    async def _thread(
        self,
        reader: HistoryReader,
        entry: ChatProgress,
        *,
        channel_run: ImportRun,
        key: str,
        since: datetime,
        requested_by: int | None,
        progress: Callable[[ImportRun, float | None], Awaitable[None]],
    ) -> None:
        """Import one thread of the channel run, unless it was read already."""
        source, part = channel_run.source, thread_key(key, channel_run.id)
        thread_id = await self._store.chat_id(reader.chat)
        earlier = await self._store.runs(chat_id=thread_id, source=source)
        done = [r for r in earlier if r.source_key == part and r.status in ("done", "cancelled")]
        if not done:
            done = [
                await self._importer.run(
                    reader,
                    source=source,
                    source_key=part,
                    since=since,
                    requested_by=requested_by,
                    progress=progress,
                )
            ]
        entry.take(done[0], 1.0)
        entry.finished = True

    async def _thread_runs(self, channel_run: ImportRun) -> list[ImportRun]:
        part = thread_key(channel_run.source_key, channel_run.id)
        return [
            run
            for run in await self._store.runs(source=channel_run.source)
            if run.source_key == part
        ]

    async def _totals(self, channel_run: ImportRun) -> _Totals:
        totals = _Totals()
        current = await self._store.run(channel_run.id)
        for run in [current or channel_run, *await self._thread_runs(channel_run)]:
            totals.add(run)
        return totals

    async def _cancel_runs(self, channel_run: ImportRun) -> None:
        for run in [channel_run, *await self._thread_runs(channel_run)]:
            current = await self._store.run(run.id)
            if current is not None and current.status == "running":
                await self._store.finish_run(run.id, "cancelled", "cancelled with /import cancel")


def _same(one: Chat, other: Chat) -> bool:
    return (one.platform, one.platform_chat_id) == (other.platform, other.platform_chat_id)


def _days(word: str) -> int | None:
    try:
        days = int(word)
    except ValueError:
        return None
    return days if 1 <= days <= MAX_DAYS else None
