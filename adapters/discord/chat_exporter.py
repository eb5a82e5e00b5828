"""DiscordChatExporter's JSON export of a server channel or thread, read as history batches.

DiscordChatExporter writes one JSON object per channel: ``guild`` and ``channel`` first,
then ``messages`` (oldest first, ids ascending), then ``messageCount``. The file is
streamed, so memory stays flat however long the channel's history is. Members, the chat
and permalinks come out as the live Discord adapter makes them (user and channel
snowflakes as strings, server display names, threads titled ``parent › thread``), so
imported and live messages land on the same rows.

This module reads a file format only; it does not use discord.py.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Self

import ijson

from adapters.addressing import Span, text_for_hearth
from adapters.discord.deleted_accounts import is_deleted_account
from adapters.history import ExportError, HistoryBatch, SkipReason
from adapters.model import Chat, ChatKind, Member, Message, Platform, utc

PERMALINK = "https://discord.com/channels/{guild}/{channel}/{message}"
"""As ``adapters.discord.event_converter.PERMALINK`` (a test holds them equal)."""
THREAD_TITLE_SEPARATOR = " › "
"""As ``adapters.discord.event_converter.THREAD_TITLE_SEPARATOR``."""

_DIRECT_KINDS = frozenset({"DirectTextChat", "DirectGroupTextChat"})
_THREAD_KINDS = frozenset({"GuildNewsThread", "GuildPublicThread", "GuildPrivateThread"})
_TEXT_KINDS = frozenset({"Default", "Reply"})
_DIRECT_GUILD_ID = "0"
"""DiscordChatExporter files direct messages under a pseudo-guild with id 0."""
_KEY_BYTES = 1 << 20
_HEADER_LIMIT = 1 << 20
"""How far into a file the ``messages`` array must have started."""
_TAIL_BYTES = 4096
_SNOWFLAKE = re.compile(r"\d{1,25}")
_RAW_MENTION = re.compile(r"<@!?(\d{15,25})>")


def _is_deleted(author: dict[str, Any]) -> bool:
    """Whether Discord shows the author as a deleted account (see ``deleted_accounts``).

    DiscordChatExporter writes the username as ``name`` and ``0000`` as the discriminator
    of every account without one.
    """
    name = author.get("name")
    discriminator = author.get("discriminator")
    return is_deleted_account(
        name if isinstance(name, str) else None,
        discriminator if isinstance(discriminator, str) else None,
        bot=author.get("isBot") is True,
    )


@dataclass(frozen=True, slots=True)
class _Header:
    guild_id: str
    channel_id: str
    chat: Chat


class DiscordExportReader:
    """Reads one DiscordChatExporter JSON file as the history of its channel or thread."""

    def __init__(
        self,
        path: Path,
        header: _Header,
        *,
        size: int,
        source_key: str,
        hearth_user_id: str | None,
        max_chars: int,
        batch_size: int,
    ) -> None:
        self._path = path
        self._header = header
        self._size = size
        self._source_key = source_key
        self._hearth_user_id = hearth_user_id
        self._max_chars = max_chars
        self._batch_size = batch_size

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        hearth_user_id: str | None = None,
        max_chars: int = 16000,
        batch_size: int = 500,
    ) -> Self:
        """A reader for the export at ``path``, after checking its header and its end.

        ``hearth_user_id`` is Hearth's own Discord user id: its messages are left out.
        Raises ``ExportError`` for a file that is not a DiscordChatExporter JSON export, an
        export of direct messages (never imported), or a file cut short.
        """
        if max_chars < 1 or batch_size < 1:
            raise ValueError("max_chars and batch_size must be positive")
        header, size, key = await asyncio.to_thread(_inspect, path)
        return cls(
            path,
            header,
            size=size,
            source_key=key,
            hearth_user_id=hearth_user_id,
            max_chars=max_chars,
            batch_size=batch_size,
        )

    @property
    def chat(self) -> Chat:
        """The channel or thread the export holds, as the live adapter names it."""
        return self._header.chat

    @property
    def source_key(self) -> str:
        """Tells this file from others: its size and the SHA-256 of its first MiB."""
        return self._source_key

    async def batches(self, *, resume_after: str | None = None) -> AsyncIterator[HistoryBatch]:
        """The channel's messages in batches, oldest first, after message ``resume_after``.

        Each batch covers up to ``batch_size`` records; records up to and including
        ``resume_after`` are read past and yielded only as progress ticks. A file that turns
        out broken midway raises ``ExportError`` after the batch read before the break.
        """
        after = _resume_point(resume_after)
        with self._path.open("rb") as file:
            stream = _Stream(
                self, file, after, batch_size=self._batch_size, size=self._size, path=self._path
            )
            while True:
                batch, error = await asyncio.to_thread(stream.next_batch)
                if batch is not None:
                    yield batch
                if error is not None:
                    raise error
                if batch is None:
                    return

    # -- one record -----------------------------------------------------------------------

    def is_hearth(self, record: dict[str, Any]) -> bool:
        """Whether Hearth itself wrote the record."""
        author = record.get("author")
        return (
            self._hearth_user_id is not None
            and isinstance(author, dict)
            and author.get("id") == self._hearth_user_id
        )

    def message(self, record: dict[str, Any], hearth_messages: set[str]) -> Message | SkipReason:
        """One record of ``messages`` as a neutral message, or why it is left out.

        ``hearth_messages`` collects the ids of Hearth's own messages seen so far, so that
        replies to them count as said to Hearth.
        """
        author = record.get("author")
        message_id = record.get("id")
        if (
            not isinstance(author, dict)
            or not isinstance(message_id, str)
            or not isinstance(author.get("id"), str)
        ):
            return SkipReason.UNREADABLE
        if self._hearth_user_id is not None and author["id"] == self._hearth_user_id:
            hearth_messages.add(message_id)
            return SkipReason.HEARTH
        if record.get("type") not in _TEXT_KINDS:
            return SkipReason.SERVICE
        if _is_deleted(author):
            return SkipReason.DELETED_ACCOUNT
        try:
            sent_at = utc(datetime.fromisoformat(record["timestamp"]))
            edited = record.get("timestampEdited")
            edited_at = utc(datetime.fromisoformat(edited)) if edited else None
        except (KeyError, TypeError, ValueError):
            return SkipReason.UNREADABLE
        content = record.get("content")
        mentions = [m for m in record.get("mentions") or () if isinstance(m, dict)]
        text, mentions_hearth = self._text(content if isinstance(content, str) else "", mentions)
        if not text.strip():
            return SkipReason.EMPTY
        reply_to = _reply_to(record)
        sender = _member(author)
        return Message(
            chat=self.chat,
            sender=sender,
            platform_message_id=message_id,
            text=text[: self._max_chars],
            sent_at=sent_at,
            reply_to_message_id=reply_to,
            permalink=PERMALINK.format(
                guild=self._header.guild_id, channel=self._header.channel_id, message=message_id
            ),
            edited_at=edited_at,
            addressed_to_hearth=mentions_hearth or (reply_to in hearth_messages),
        )

    def _text(self, content: str, mentions: list[dict[str, Any]]) -> tuple[str, bool]:
        """The text as the live adapter keeps it, and whether it mentions Hearth.

        DiscordChatExporter writes user mentions as ``@Display Name`` (or leaves them as
        ``<@id>`` when asked not to format); raw ones become ``@username`` as live. Hearth's
        own mention follows ``adapters.addressing``.
        """
        names = {m.get("id"): m for m in mentions}

        def raw(match: re.Match[str]) -> str:
            user = names.get(match.group(1))
            name = user.get("name") if user is not None else None
            return f"@{name}" if isinstance(name, str) else match.group(0)

        hearth = names.get(self._hearth_user_id) if self._hearth_user_id is not None else None
        if hearth is None:
            return _RAW_MENTION.sub(raw, content), False
        shown = hearth.get("nickname") or hearth.get("name") or ""
        forms = [re.escape(f"<@{self._hearth_user_id}>"), re.escape(f"<@!{self._hearth_user_id}>")]
        if shown:
            forms.append(re.escape(f"@{shown}"))
        spans: list[Span] = [m.span() for m in re.finditer("|".join(forms), content)]
        if not spans:
            # Listed only because a reply pinged Hearth's message: not a mention in the text.
            return _RAW_MENTION.sub(raw, content), False
        text = text_for_hearth(content, spans, lambda _: f"@{shown}")
        return _RAW_MENTION.sub(raw, text), True


class _Stream:
    """The records of one pass over the file, cut into batches (used from a worker thread)."""

    def __init__(
        self,
        reader: DiscordExportReader,
        file: IO[bytes],
        after: int | None,
        *,
        batch_size: int,
        size: int,
        path: Path,
    ) -> None:
        self._reader = reader
        self._file = file
        self._after = after
        self._batch_size = batch_size
        self._size = size
        self._path = path
        self._records: Iterator[Any] = ijson.items(file, "messages.item", use_float=True)
        self._hearth_messages: set[str] = set()

    def next_batch(self) -> tuple[HistoryBatch | None, ExportError | None]:
        """The next batch (``None`` at the end) and the error that ended the file, if any."""
        reader = self._reader
        messages: list[Message] = []
        skipped: Counter[SkipReason] = Counter()
        last: str | None = None
        seen = 0
        error: ExportError | None = None
        try:
            while seen < self._batch_size:
                record = next(self._records, None)
                if record is None:
                    break
                seen += 1
                if not isinstance(record, dict):
                    skipped[SkipReason.UNREADABLE] += 1
                    continue
                record_id = record.get("id")
                if self._after is not None and _position(record_id) <= self._after:
                    if record_id is not None and reader.is_hearth(record):
                        self._hearth_messages.add(str(record_id))
                    continue
                if isinstance(record_id, str):
                    last = record_id
                found = reader.message(record, self._hearth_messages)
                if isinstance(found, Message):
                    messages.append(found)
                else:
                    skipped[found] += 1
        except ijson.JSONError as broken:
            error = ExportError(_broken(self._path, broken))
        if seen == 0:
            return None, error
        done = min(1.0, self._file.tell() / self._size) if self._size else None
        batch = HistoryBatch(tuple(messages), dict(skipped), resume_after=last, done=done)
        return batch, error


def _position(record_id: object) -> int:
    """A record's place in the export (its snowflake); -1 when it has none."""
    if isinstance(record_id, str) and _SNOWFLAKE.fullmatch(record_id):
        return int(record_id)
    return -1


def _resume_point(resume_after: str | None) -> int | None:
    if resume_after is None:
        return None
    if not _SNOWFLAKE.fullmatch(resume_after):
        raise ExportError(f"cannot continue after {resume_after!r}: not a Discord message id")
    return int(resume_after)


def _member(author: dict[str, Any]) -> Member:
    """The author as the live adapter makes them: the name shown in the server (nickname,
    else global name, else username; DiscordChatExporter's ``nickname`` is that already)."""
    name = author.get("name")
    username = name if isinstance(name, str) and name else None
    shown = author.get("nickname")
    display = shown if isinstance(shown, str) and shown.strip() else (username or author["id"])
    return Member(
        platform=Platform.DISCORD,
        platform_user_id=author["id"],
        display_name=display,
        username=username,
        is_bot=author.get("isBot") is True,
    )


def _reply_to(record: dict[str, Any]) -> str | None:
    """The id of the message a reply answers (forwards and pins refer, but do not reply)."""
    reference = record.get("reference")
    if record.get("type") != "Reply" or not isinstance(reference, dict):
        return None
    if reference.get("type", "Default") != "Default":
        return None
    target = reference.get("messageId")
    return target if isinstance(target, str) and target else None


# -- the file as a whole --------------------------------------------------------------------


def _inspect(path: Path) -> tuple[_Header, int, str]:
    """The export's header, size and key; ``ExportError`` for a file that cannot be imported."""
    try:
        size = path.stat().st_size
        with path.open("rb") as file:
            digest = hashlib.sha256(file.read(_KEY_BYTES)).hexdigest()
            file.seek(0)
            header = _header(path, file)
            file.seek(max(0, size - _TAIL_BYTES))
            tail = file.read()
    except FileNotFoundError:
        raise ExportError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ExportError(f"{path} is a folder, not a DiscordChatExporter JSON file") from None
    except PermissionError:
        raise ExportError(f"{path}: not allowed to read it") from None
    if not (tail.rstrip().endswith(b"}") and b'"messageCount"' in tail):
        raise ExportError(
            f"{path} is cut short: a complete DiscordChatExporter export ends with its "
            "message count; export the channel again or copy the whole file"
        )
    return header, size, f"{size}:{digest}"


def _header(path: Path, file: IO[bytes]) -> _Header:
    """Reads ``guild`` and ``channel``, up to the start of ``messages``."""
    start = file.read(3)
    if start != b"\xef\xbb\xbf":
        file.seek(0)
    parts: dict[str, Any] = {}
    builder: Any = None
    building = ""
    try:
        for prefix, event, value in ijson.parse(file, use_float=True):
            if builder is not None:
                builder.event(event, value)
                if prefix == building and event == "end_map":
                    parts[building] = builder.value
                    builder = None
                continue
            if prefix in ("guild", "channel") and event == "start_map":
                builder, building = ijson.ObjectBuilder(), prefix
                builder.event(event, value)
            elif prefix == "messages" and event == "start_array":
                break
            elif (prefix == "" and event not in ("start_map", "map_key")) or (
                file.tell() > _HEADER_LIMIT
            ):
                raise ExportError(_not_export(path))
        else:
            raise ExportError(_not_export(path))
    except ijson.JSONError as broken:
        if "premature EOF" in str(broken) and (parts or builder is not None):
            raise ExportError(_broken(path, broken)) from None
        raise ExportError(_not_export(path)) from None
    guild, channel = parts.get("guild"), parts.get("channel")
    if not isinstance(guild, dict) or not isinstance(channel, dict):
        raise ExportError(_not_export(path))
    guild_id, channel_id = guild.get("id"), channel.get("id")
    kind, name = channel.get("type"), channel.get("name")
    if not all(isinstance(v, str) and _SNOWFLAKE.fullmatch(v) for v in (guild_id, channel_id)):
        raise ExportError(_not_export(path))
    assert isinstance(guild_id, str) and isinstance(channel_id, str)
    if kind in _DIRECT_KINDS or guild_id == _DIRECT_GUILD_ID:
        raise ExportError(
            f"{path} is an export of direct messages; Hearth never imports direct "
            "messages, only server channels and threads"
        )
    title = name if isinstance(name, str) and name else None
    parent = channel.get("category")
    if kind in _THREAD_KINDS and title is not None and isinstance(parent, str) and parent:
        title = f"{parent}{THREAD_TITLE_SEPARATOR}{title}"
    return _Header(guild_id, channel_id, Chat(Platform.DISCORD, channel_id, ChatKind.GROUP, title))


def _not_export(path: Path) -> str:
    return (
        f"{path} is not a DiscordChatExporter JSON export (a channel exported with "
        "--format Json: guild, channel, then messages)"
    )


def _broken(path: Path, error: Exception) -> str:
    detail = str(error).splitlines()[0] if str(error) else type(error).__name__
    if "premature EOF" in detail:
        return f"{path} is cut short ({detail}); export the channel again or copy the whole file"
    return f"{path} is not valid JSON ({detail})"
