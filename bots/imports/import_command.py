"""``hearth import``: bring a chat's exported history into Hearth from the command line.

Writes SQL only; a running bot (or the next ``hearth run``) embeds the messages. The
import is resumable: interrupted or killed, the same command continues where it stopped.
Nobody's twin is switched on by an import.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import os
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from adapters.history import (
    EXPORT_ID_PREFIX,
    ExportError,
    ExportReader,
    HistoryBatch,
    HistoryReader,
    SkipReason,
)
from adapters.model import Chat, Message
from bots.imports.history_import import HistoryImporter
from bots.settings import HearthSettings
from bots.storage.database import create_engine, migrate
from bots.storage.history_import_store import HistoryImportStore, ImportRun
from bots.storage.import_preview import ImportPreview
from bots.storage.persona_store import PersonaStore

EXIT_DONE = 0
EXIT_BAD_INPUT = 1
EXIT_INTERRUPTED = 130
SOURCES = {"telegram": "telegram-export", "discord": "discord-export"}
"""``history_imports.source`` for each export kind."""
_LINE_EVERY_S = 5.0
_TOP_NAMES = 5


@dataclass
class Tally:
    """What the messages read so far hold: members, counts, dates."""

    messages: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    members: Counter[tuple[str, str]] = field(default_factory=Counter)
    names: dict[tuple[str, str], str] = field(default_factory=dict)
    first: datetime | None = None
    last: datetime | None = None
    already_stored: int | None = 0

    def add(self, batch: HistoryBatch) -> None:
        """Count ``batch`` in."""
        self.messages += len(batch.messages)
        for reason, count in batch.skipped.items():
            self.skipped[str(reason)] += count
        for message in batch.messages:
            key = (message.sender.platform.value, message.sender.platform_user_id)
            self.members[key] += 1
            self.names[key] = message.sender.display_name
            if self.first is None or message.sent_at < self.first:
                self.first = message.sent_at
            if self.last is None or message.sent_at > self.last:
                self.last = message.sent_at

    def date_range(self) -> str:
        """``first – last`` (UTC dates) or ``none``."""
        if self.first is None or self.last is None:
            return "none"
        return f"{self.first:%Y-%m-%d} – {self.last:%Y-%m-%d} (UTC)"

    def top_names(self) -> str:
        """The most active members' names with their message counts."""
        return ", ".join(
            f"{self.names[key]} ({count})" for key, count in self.members.most_common(_TOP_NAMES)
        )


class _Tallied:
    """A reader that counts what passes through it (memory grows with members, not messages)."""

    def __init__(self, reader: HistoryReader, tally: Tally) -> None:
        self._reader = reader
        self._tally = tally

    @property
    def chat(self) -> Chat:
        return self._reader.chat

    async def batches(self, *, resume_after: str | None = None) -> AsyncIterator[HistoryBatch]:
        async for batch in self._reader.batches(resume_after=resume_after):
            self._tally.add(batch)
            yield batch


class _SkipSeenLive:
    """Leaves out messages with export-only ids (basic groups) that were stored live under
    the bot's ids: the same sender, text and moment (counted as ``seen live``)."""

    def __init__(self, reader: HistoryReader, preview: ImportPreview, chat_id: int) -> None:
        self._reader = reader
        self._preview = preview
        self._chat_id = chat_id

    @property
    def chat(self) -> Chat:
        return self._reader.chat

    async def batches(self, *, resume_after: str | None = None) -> AsyncIterator[HistoryBatch]:
        async for batch in self._reader.batches(resume_after=resume_after):
            own_ids = [
                m for m in batch.messages if m.platform_message_id.startswith(EXPORT_ID_PREFIX)
            ]
            seen = await self._preview.seen_live(self._chat_id, own_ids)
            if not seen:
                yield batch
                continue
            drop = {id(own_ids[place]) for place in seen}
            skipped = Counter(batch.skipped)
            skipped[SkipReason.SEEN_LIVE] += len(drop)
            yield replace(
                batch,
                messages=tuple(m for m in batch.messages if id(m) not in drop),
                skipped=dict(skipped),
            )


class _Meter:
    """Progress: a rich bar on a terminal, else a line every few seconds."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._started = time.monotonic()
        self._last_line = 0.0
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        if out.isatty():
            self._progress = Progress(
                TextColumn("[bold]importing"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[records]:,} read · {task.fields[rate]:,.0f} msg/s"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(file=out),
                transient=False,
            )
            self._task = self._progress.add_task("import", total=1000, records=0, rate=0.0)
            self._progress.start()

    def update(self, records: int, done: float | None) -> None:
        """Show ``records`` read in this process and the share ``done`` of the source."""
        elapsed = max(1e-6, time.monotonic() - self._started)
        rate = records / elapsed
        if self._progress is not None and self._task is not None:
            completed = None if done is None else done * 1000
            self._progress.update(self._task, completed=completed, records=records, rate=rate)
            return
        now = time.monotonic()
        if now - self._last_line < _LINE_EVERY_S:
            return
        self._last_line = now
        share = "" if done is None else f" ({done:.0%})"
        eta = ""
        if done is not None and done > 0:
            eta = f", ETA {_duration(elapsed * (1 - done) / done)}"
        print(f"{records:,} records read{share}, {rate:,.0f} msg/s{eta}", file=self._out)

    def stop(self) -> None:
        """Put the bar away."""
        if self._progress is not None:
            self._progress.stop()


async def open_reader(
    platform: str, path: Path, *, chat: str | None, settings: HearthSettings
) -> ExportReader:
    """The history reader for ``platform``'s export at ``path`` (raises ``ExportError``)."""
    if platform == "telegram":
        from adapters.telegram.desktop_export import TelegramExportReader  # noqa: PLC0415

        return await TelegramExportReader.open(
            path,
            chat=chat,
            hearth_user_id=_telegram_bot_id(settings),
            max_chars=settings.max_message_chars,
        )
    from adapters.discord.chat_exporter import DiscordExportReader  # noqa: PLC0415

    return await DiscordExportReader.open(
        path, hearth_user_id=_discord_bot_id(settings), max_chars=settings.max_message_chars
    )


async def import_history(
    settings: HearthSettings,
    platform: str,
    path: Path,
    *,
    chat: str | None = None,
    dry_run: bool = False,
    out: TextIO | None = None,
) -> int:
    """Import (or with ``dry_run`` only preview) one export file; returns the exit code."""
    out = out or sys.stdout
    try:
        reader = await open_reader(platform, path, chat=chat, settings=settings)
    except ExportError as error:
        print(f"hearth: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if dry_run:
        return await _dry_run(settings, reader, out)
    return await _import(settings, reader, SOURCES[platform], out)


IMPORT_NICENESS = 10
"""How much lower the import's CPU priority is than the bot's: on a shared machine the
running bot's replies and live messages get the processor first."""


def lower_priority() -> None:
    """Run this process (the import) at a lower CPU priority, where the system allows it."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(IMPORT_NICENESS)


async def _import(settings: HearthSettings, reader: ExportReader, source: str, out: TextIO) -> int:
    engine = create_engine(settings.resolved_database_url())
    tally = Tally()
    started = time.monotonic()
    meter: _Meter | None = None
    try:
        await migrate(engine)
        preview = ImportPreview(engine)
        known = await preview.chat(reader.chat)
        store = HistoryImportStore(engine)
        importer = HistoryImporter(store, PersonaStore(engine))
        title = reader.chat.title or reader.chat.platform_chat_id
        print(f"importing {title} ({reader.chat.platform_chat_id}) from {source}", file=out)
        meter = _Meter(out)
        shown = meter

        async def progress(run: ImportRun, done: float | None) -> None:
            shown.update(tally.messages + sum(tally.skipped.values()), done)

        chat_id = known.id if known is not None else await store.chat_id(reader.chat)
        try:
            run = await importer.run(
                _Tallied(_SkipSeenLive(reader, preview, chat_id), tally),
                source=source,
                source_key=reader.source_key,
                progress=progress,
            )
        except ExportError as error:
            meter.stop()
            print(
                f"hearth: {error}\nwhat was read before is stored; fix the file and run "
                "the same command again to continue",
                file=sys.stderr,
            )
            return EXIT_BAD_INPUT
        except asyncio.CancelledError:
            meter.stop()
            print(
                "\ninterrupted: what was read so far is stored; run the same command again "
                "to continue where it stopped",
                file=sys.stderr,
            )
            raise
        meter.stop()
        _summary(run, tally, time.monotonic() - started, out)
        if known is None or not known.active:
            print(
                "Hearth is not in this chat yet: twins use this history once Hearth is added "
                "to the chat.",
                file=out,
            )
        return EXIT_DONE
    finally:
        await engine.dispose()


def _summary(run: ImportRun, tally: Tally, seconds: float, out: TextIO) -> None:
    skipped = ", ".join(f"{reason} {count:,}" for reason, count in sorted(run.skipped.items()))
    print(
        f"done in {_duration(seconds)} (import run {run.id})\n"
        f"  messages stored: {run.stored:,}\n"
        f"  already stored (duplicates): {run.duplicates:,}\n"
        f"  members: {len(tally.members):,}\n"
        f"  skipped: {run.skipped_total:,}{f' ({skipped})' if skipped else ''}\n"
        f"  dates: {tally.date_range()}\n"
        "Vectors are made by the running bot (or at the next `hearth run`). "
        "Nobody's twin was switched on.",
        file=out,
    )


async def _dry_run(settings: HearthSettings, reader: ExportReader, out: TextIO) -> int:
    tally = Tally()
    check = await _stored_checker(settings, reader.chat)
    started = time.monotonic()
    meter = _Meter(out)
    try:
        async for batch in reader.batches():
            tally.add(batch)
            if check is not None and tally.already_stored is not None:
                found = await check(batch.messages)
                tally.already_stored = None if found is None else tally.already_stored + found
            meter.update(tally.messages + sum(tally.skipped.values()), batch.done)
    except ExportError as error:
        meter.stop()
        print(f"hearth: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        if check is not None:
            await check(None)
    meter.stop()
    skipped = ", ".join(f"{reason} {count:,}" for reason, count in sorted(tally.skipped.items()))
    stored = "unknown" if tally.already_stored is None else f"{tally.already_stored:,}"
    title = reader.chat.title or reader.chat.platform_chat_id
    print(
        f"dry run of {title} ({reader.chat.platform_chat_id}), nothing written; "
        f"read in {_duration(time.monotonic() - started)}\n"
        f"  messages to import: {tally.messages:,}\n"
        f"  of these already stored: {stored}\n"
        f"  members: {len(tally.members):,}"
        f"{f' (most active: {tally.top_names()})' if tally.members else ''}\n"
        f"  skipped: {sum(tally.skipped.values()):,}{f' ({skipped})' if skipped else ''}\n"
        f"  dates: {tally.date_range()}",
        file=out,
    )
    return EXIT_DONE


StoredCheck = Callable[[Sequence[Message] | None], Any]


async def _stored_checker(settings: HearthSettings, chat: Chat) -> StoredCheck | None:
    """A read-only count of stored messages among given ids (``None`` closes it); ``None``
    when there is no database yet, or no row for the chat (nothing can be stored)."""
    url = settings.resolved_database_url()
    if _no_sqlite_file(url):
        return None  # no database yet: nothing is stored, and none is created
    engine = create_engine(url)
    preview = ImportPreview(engine)
    try:
        known = await preview.chat(chat)
    except (SQLAlchemyError, OSError):
        await engine.dispose()
        return None
    if known is None:
        await engine.dispose()
        return None
    chat_id = known.id

    async def check(messages: Sequence[Message] | None) -> int | None:
        if messages is None:
            await engine.dispose()
            return None
        own_ids = [m for m in messages if m.platform_message_id.startswith(EXPORT_ID_PREFIX)]
        try:
            by_id = await preview.stored_count(chat_id, [m.platform_message_id for m in messages])
            return by_id + len(await preview.seen_live(chat_id, own_ids))
        except SQLAlchemyError:
            return None

    return check


async def import_status(settings: HearthSettings, out: TextIO | None = None) -> int:
    """List the import runs, newest first, with their counts."""
    out = out or sys.stdout
    engine = create_engine(settings.resolved_database_url())
    try:
        await migrate(engine)
        runs = await HistoryImportStore(engine).runs()
        chats = await ImportPreview(engine).chats([run.chat_id for run in runs])
    finally:
        await engine.dispose()
    if not runs:
        print("no imports yet", file=out)
        return EXIT_DONE
    for run in runs:
        known = chats.get(run.chat_id)
        title = (known.title or known.platform_chat_id) if known else f"chat {run.chat_id}"
        ended = f", finished {run.finished_at:%Y-%m-%d %H:%M}" if run.finished_at else ""
        print(
            f"#{run.id} {run.status:<8} {title} [{run.source}] stored {run.stored:,}, "
            f"duplicates {run.duplicates:,}, skipped {run.skipped_total:,}; "
            f"started {run.started_at:%Y-%m-%d %H:%M}{ended}"
            + (f"\n    {run.note}" if run.note else "")
            + (
                "\n    unfinished: run the same import command again to continue"
                if run.status in ("running", "failed")
                else ""
            ),
            file=out,
        )
    return EXIT_DONE


def _no_sqlite_file(url: str) -> bool:
    """Whether ``url`` names a SQLite database whose file does not exist (yet)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return False
    return not (parsed.database and Path(parsed.database).is_file())


def _telegram_bot_id(settings: HearthSettings) -> str | None:
    """The bot's user id: the number before ``:`` in its token."""
    if settings.telegram_bot_token is None:
        return None
    head = settings.telegram_bot_token.get_secret_value().split(":", 1)[0]
    return head if head.isdigit() else None


def _discord_bot_id(settings: HearthSettings) -> str | None:
    """The bot's user id: a Discord token starts with it, in base64."""
    token = getattr(settings, "discord_bot_token", None)
    if token is None:
        return None
    head = token.get_secret_value().split(".", 1)[0]
    try:
        decoded = base64.b64decode(head + "=" * (-len(head) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded if decoded.isdigit() else None


def _duration(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
