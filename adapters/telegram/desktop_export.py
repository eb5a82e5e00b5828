"""Telegram Desktop's JSON export ("Export chat history", format JSON) as history batches.

The file is read as a stream (``ijson``), one message at a time, so memory stays flat
however large the export. Facts of the format, as Telegram Desktop writes it:

- A single chat's export is an object with ``name``, ``type``, ``id`` and ``messages``;
  a whole account's export lists chats under ``chats.list`` (and ``left_chats.list``).
  Only groups are read (``private_group`` = a basic group, ``private_supergroup``,
  ``public_supergroup``; forum topics live inside a supergroup); private chats, bots,
  saved messages and channels never are.
- ``id`` of a chat is the bare id: the Bot API sees a supergroup as ``-100<id>`` and a
  basic group as ``-<id>``, which is the id used here, so imported and live messages
  share one chat.
- ``from_id`` is ``user<id>``, or ``channel<id>`` / ``chat<id>`` for posts made as a chat
  (anonymous admins), which the live adapter knows by the chat's Bot API id. A deleted
  account has no name: ``from`` is null.
- ``text`` is a string, or a list of plain strings and entity objects with ``text``;
  a media caption is the text. ``date_unixtime`` and ``edited_unixtime`` are UTC.
- In a forum, a message without an explicit reply names the topic's opening service
  message (``topic_created``) as ``reply_to_message_id``; that is not a reply.
- Supergroup message ids are the chat's own, the same the bot sees live. Basic group
  ids are counted per account, so they are not the bot's ids: they are stored as
  ``export:<id>``, and whoever stores them matches them with live messages by sender,
  text and moment instead. Messages of a basic group that became a supergroup are
  exported with ids shifted below zero (``-1000000000``) and are treated the same way.
- A forwarded message is stored as said by the member who forwarded it (what they
  chose to share), not by its original author, who may not be in the group.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Self

import ijson

from adapters.history import EXPORT_ID_PREFIX, ExportError, HistoryBatch, SkipReason
from adapters.model import Chat, ChatKind, Member, Mention, Message, Platform

log = logging.getLogger(__name__)

GROUP_TYPES = frozenset({"private_group", "private_supergroup", "public_supergroup"})
"""Chat types of an export that are groups (the only ones imported)."""
_BASIC_GROUP = "private_group"
_PRIVATE_TYPES = frozenset(
    {"personal_chat", "bot_chat", "saved_messages", "replies", "verification_codes"}
)
_CHANNEL_TYPES = frozenset({"private_channel", "public_channel"})
_LIST_SECTIONS = ("chats", "left_chats")
_DELETED_NAME = "Deleted Account"
_FINGERPRINT_BYTES = 1 << 20
_TICK_RECORDS = 5_000
"""Records read without a message to store before a progress tick is handed over."""


@dataclass(frozen=True, slots=True)
class ExportedChat:
    """A chat found in an export file."""

    name: str | None
    type: str
    id: int
    section: str | None
    """``chats`` or ``left_chats`` in a whole account's export; ``None`` for one chat's."""
    index: int
    """Its place in that section's list."""

    @property
    def is_group(self) -> bool:
        """Whether the chat is a group (basic group or supergroup)."""
        return self.type in GROUP_TYPES

    @property
    def bot_api_id(self) -> str:
        """The id the Bot API gives this chat (``-100<id>`` for supergroups)."""
        return f"-{self.id}" if self.type == _BASIC_GROUP else f"-100{self.id}"

    def describe(self) -> str:
        """``"name" (id, type)`` for messages to the operator."""
        return f'"{self.name or "?"}" ({self.bot_api_id}, {self.type})'


class TelegramExportReader:
    """Reads one group's messages from a Telegram Desktop JSON export, oldest first."""

    def __init__(
        self,
        path: Path,
        found: ExportedChat,
        *,
        hearth_user_id: str | None = None,
        max_chars: int = 16_000,
        batch_size: int = 500,
    ) -> None:
        if not found.is_group:
            raise ExportError(f"{found.describe()} is not a group")
        self._path = path
        self._found = found
        self._hearth_user_id = hearth_user_id
        self._max_chars = max_chars
        self._batch_size = max(1, batch_size)
        self._chat = Chat(
            platform=Platform.TELEGRAM,
            platform_chat_id=found.bot_api_id,
            kind=ChatKind.GROUP,
            title=found.name,
        )
        self._source_key: str | None = None

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        chat: str | None = None,
        hearth_user_id: str | None = None,
        max_chars: int = 16_000,
        batch_size: int = 500,
    ) -> Self:
        """A reader for the group in the export at ``path`` (``chat``: its id or exact
        name, needed when a whole account's export holds several groups).

        Raises ``ExportError`` for a file that is not a Telegram export, is cut short,
        or whose chat is a private chat or a channel.
        """
        found = _choose(path, await asyncio.to_thread(find_chats, path), chat)
        return cls(
            path, found, hearth_user_id=hearth_user_id, max_chars=max_chars, batch_size=batch_size
        )

    @property
    def chat(self) -> Chat:
        """The group whose history this reader yields."""
        return self._chat

    @property
    def exported_chat(self) -> ExportedChat:
        """The group as the export describes it."""
        return self._found

    @property
    def source_key(self) -> str:
        """A fingerprint of the file (its size and the SHA-256 of its first MiB)."""
        if self._source_key is None:
            self._source_key = file_fingerprint(self._path)
        return self._source_key

    async def batches(self, *, resume_after: str | None = None) -> AsyncIterator[HistoryBatch]:
        """The group's messages in batches of about ``batch_size``, oldest first,
        skipping every record up to and including ``resume_after``."""
        after = _record_number(resume_after) if resume_after is not None else None
        size = max(1, self._path.stat().st_size)
        topic_roots: set[int] = set()
        messages: list[Message] = []
        skipped: Counter[SkipReason] = Counter()
        last: str | None = None
        since_yield = 0
        with self._path.open("rb") as handle:
            for record in self._records(handle):
                since_yield += 1
                number = _int(record.get("id"))
                if number is None:
                    skipped[SkipReason.UNREADABLE] += 1
                    continue
                if record.get("action") == "topic_created":
                    topic_roots.add(number)
                if after is not None and number <= after:
                    if since_yield >= _TICK_RECORDS:
                        yield HistoryBatch((), done=min(1.0, handle.tell() / size))
                        since_yield = 0
                    continue
                last = self._message_id(number)
                converted = self._convert(record, number, topic_roots)
                if isinstance(converted, SkipReason):
                    skipped[converted] += 1
                else:
                    messages.append(converted)
                if len(messages) >= self._batch_size or since_yield >= _TICK_RECORDS:
                    yield HistoryBatch(
                        tuple(messages),
                        dict(skipped),
                        resume_after=last,
                        done=min(1.0, handle.tell() / size),
                    )
                    messages, skipped, since_yield = [], Counter(), 0
        if messages or skipped or last is not None:
            yield HistoryBatch(tuple(messages), dict(skipped), resume_after=last, done=1.0)

    def _records(self, handle: IO[bytes]) -> Iterator[dict[str, Any]]:
        """The chosen chat's message records, parsed one at a time."""
        try:
            if self._found.section is None:
                yield from ijson.items(handle, "messages.item", use_float=True)
                return
            prefix = f"{self._found.section}.list.item"
            wanted = self._found.index
            index = -1
            inside = False
            events = ijson.parse(handle, use_float=True)

            def chosen() -> Iterator[tuple[str, str, Any]]:
                nonlocal index, inside
                for current, event, value in events:
                    if current == prefix and event == "start_map":
                        index += 1
                        inside = index == wanted
                    elif current == prefix and event == "end_map" and inside:
                        return
                    if inside:
                        yield current, event, value

            yield from ijson.items(chosen(), f"{prefix}.messages.item")
        except ijson.JSONError as error:
            raise ExportError(f"{self._path} is cut short or damaged: {error}") from error

    def _message_id(self, number: int) -> str:
        if self._found.type == _BASIC_GROUP or number < 0:
            return f"{EXPORT_ID_PREFIX}{number}"
        return str(number)

    def _convert(
        self, record: dict[str, Any], number: int, topic_roots: set[int]
    ) -> Message | SkipReason:
        """The record as a message, or why it is left out."""
        kind = record.get("type")
        if kind == "service":
            return SkipReason.SERVICE
        if kind != "message":
            return SkipReason.UNREADABLE
        sender = self._sender(record)
        if isinstance(sender, SkipReason):
            return sender
        parts = record.get("text")
        text = _plain_text(parts)
        if not text.strip():
            return SkipReason.EMPTY
        if _starts_with_command(parts):
            return SkipReason.COMMAND
        sent = _moment(record.get("date_unixtime"), record.get("date"))
        if sent is None:
            return SkipReason.UNREADABLE
        reply = _int(record.get("reply_to_message_id"))
        if record.get("reply_to_peer_id") is not None or reply in topic_roots:
            reply = None
        if len(text) > self._max_chars:
            log.warning(
                "message %s has %d characters; storing the first %d",
                number,
                len(text),
                self._max_chars,
            )
            text = text[: self._max_chars]
        return Message(
            chat=self._chat,
            sender=sender,
            platform_message_id=self._message_id(number),
            text=text,
            sent_at=sent,
            mentions=_mentions(parts),
            reply_to_message_id=None if reply is None else self._message_id(reply),
            permalink=self._permalink(number),
            edited_at=_moment(record.get("edited_unixtime"), record.get("edited")),
        )

    def _sender(self, record: dict[str, Any]) -> Member | SkipReason:
        from_id = record.get("from_id")
        name = record.get("from")
        if not isinstance(from_id, str):
            return SkipReason.UNREADABLE
        if not name or name == _DELETED_NAME:
            return SkipReason.DELETED_ACCOUNT
        user_id = _bot_api_peer_id(from_id)
        if user_id is None:
            return SkipReason.UNREADABLE
        if user_id == self._hearth_user_id:
            return SkipReason.HEARTH
        return Member(platform=Platform.TELEGRAM, platform_user_id=user_id, display_name=name)

    def _permalink(self, number: int) -> str | None:
        if self._found.type == _BASIC_GROUP or number <= 0:
            return None
        return f"https://t.me/c/{self._found.id}/{number}"


def find_chats(path: Path) -> list[ExportedChat]:
    """The chats in the export at ``path`` (one, or all of an account's), read as a stream.

    Raises ``ExportError`` when the file is not a Telegram Desktop JSON export or is cut short.
    """
    if not path.is_file():
        raise ExportError(f"no such file: {path}")
    if not _ends_like_json_object(path):
        raise ExportError(
            f"{path} does not end like a complete JSON export: it may be cut short "
            "(was the export finished?) or not be a Telegram Desktop JSON export"
        )
    try:
        with path.open("rb") as handle:
            return _scan(handle, path)
    except ijson.JSONError as error:
        raise ExportError(f"{path} is not valid JSON (cut short or damaged): {error}") from error


def _scan(handle: IO[bytes], path: Path) -> list[ExportedChat]:
    events = ijson.parse(handle, use_float=True)
    first = next(events, None)
    if first is None or first[1] != "start_map":
        raise ExportError(f"{path} is not a Telegram Desktop JSON export (no object at the top)")
    header: dict[str, Any] = {}
    chats: list[ExportedChat] = []
    current: dict[str, Any] = {}
    indexes = dict.fromkeys(_LIST_SECTIONS, -1)
    for prefix, event, value in events:
        if prefix in ("name", "type", "id") and event not in ("start_map", "start_array"):
            header[prefix] = value
        elif prefix == "messages" and event == "start_array" and "id" in header:
            chat = _exported(header, None, 0, path)
            return [chat]  # a single chat's export: the header is all we need
        section, _, rest = prefix.partition(".")
        if section not in indexes:
            continue
        if rest == "list.item" and event == "start_map":
            indexes[section] += 1
            current = {}
        elif rest in ("list.item.name", "list.item.type", "list.item.id"):
            current[rest.rsplit(".", 1)[1]] = value
        elif rest == "list.item.messages" and event == "start_array" and "id" in current:
            chats.append(_exported(current, section, indexes[section], path))
    if not chats:
        raise ExportError(
            f"{path} is not a Telegram Desktop JSON export (no chat with messages found)"
        )
    return chats


def _exported(fields: dict[str, Any], section: str | None, index: int, path: Path) -> ExportedChat:
    number = _int(fields.get("id"))
    if number is None:
        raise ExportError(f"{path}: a chat without a readable id")
    name = fields.get("name")
    return ExportedChat(
        name=name if isinstance(name, str) else None,
        type=str(fields.get("type") or ""),
        id=number,
        section=section,
        index=index,
    )


def _choose(path: Path, chats: list[ExportedChat], wanted: str | None) -> ExportedChat:
    """The group to import: the only one, or the one named by ``wanted``."""
    if len(chats) == 1 and chats[0].section is None:
        [only] = chats
        if only.type in _PRIVATE_TYPES:
            raise ExportError(
                f"{path} is the export of a private chat ({only.type}); only groups are imported"
            )
        if only.type in _CHANNEL_TYPES:
            raise ExportError(f"{path} is the export of a channel; only groups are imported")
        if not only.is_group:
            raise ExportError(f"{path}: chat type {only.type!r} is not a group")
        if wanted is not None and not _matches(only, wanted):
            raise ExportError(f"{path} holds {only.describe()}, not {wanted!r}")
        return only
    groups = [chat for chat in chats if chat.is_group]
    listing = "\n".join(f"  {chat.describe()}" for chat in groups) or "  (none)"
    if not groups:
        raise ExportError(f"{path} holds no group chats (private chats and channels are skipped)")
    if wanted is None:
        if len(groups) == 1:
            return groups[0]
        raise ExportError(
            f"{path} holds {len(groups)} groups; choose one with --chat <id or exact name>:\n"
            + listing
        )
    chosen = [chat for chat in groups if _matches(chat, wanted)]
    if len(chosen) != 1:
        problem = "no group" if not chosen else f"{len(chosen)} groups"
        raise ExportError(f"{path}: {problem} match {wanted!r}; the groups are:\n{listing}")
    return chosen[0]


def _matches(chat: ExportedChat, wanted: str) -> bool:
    return wanted in (str(chat.id), chat.bot_api_id, chat.name)


def file_fingerprint(path: Path) -> str:
    """The file's size and the SHA-256 of its first MiB: the same file, the same key."""
    with path.open("rb") as handle:
        head = handle.read(_FINGERPRINT_BYTES)
    return f"{path.stat().st_size}:{hashlib.sha256(head).hexdigest()}"


def _ends_like_json_object(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(0, 2)
        end = handle.tell()
        handle.seek(max(0, end - 64))
        tail = handle.read().rstrip()
    return tail.endswith(b"}")


def _bot_api_peer_id(from_id: str) -> str | None:
    """``user123`` -> ``123``; ``channel123`` -> ``-100123``; ``chat123`` -> ``-123``."""
    for prefix, bot_api in (("user", ""), ("channel", "-100"), ("chat", "-")):
        if from_id.startswith(prefix) and from_id[len(prefix) :].isdigit():
            return bot_api + from_id[len(prefix) :]
    return None


def _plain_text(parts: object) -> str:
    if isinstance(parts, str):
        return parts
    if isinstance(parts, list):
        return "".join(
            part if isinstance(part, str) else str(part.get("text") or "")
            for part in parts
            if isinstance(part, str | dict)
        )
    return ""


def _starts_with_command(parts: object) -> bool:
    if not isinstance(parts, list) or not parts:
        return False
    first = parts[0]
    return isinstance(first, dict) and first.get("type") == "bot_command"


def _mentions(parts: object) -> tuple[Mention, ...]:
    if not isinstance(parts, list):
        return ()
    found: list[Mention] = []
    for part in parts:
        if not isinstance(part, dict):
            continue
        text = str(part.get("text") or "")
        if part.get("type") == "mention" and text.startswith("@") and len(text) > 1:
            found.append(Mention(username=text[1:]))
        elif part.get("type") == "mention_name" and part.get("user_id") is not None:
            member = Member(
                platform=Platform.TELEGRAM,
                platform_user_id=str(part["user_id"]),
                display_name=text.removeprefix("@") or str(part["user_id"]),
            )
            found.append(Mention(member=member))
    return tuple(found)


def _moment(unix: object, local: object) -> datetime | None:
    """A record's moment: ``*_unixtime`` (UTC), else the local-time string read as UTC."""
    seconds = _int(unix)
    if seconds is not None:
        return datetime.fromtimestamp(seconds, UTC)
    if isinstance(local, str) and local:
        try:
            return datetime.fromisoformat(local).replace(tzinfo=UTC)
        except ValueError:
            return None
    return None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def _record_number(resume_after: str) -> int:
    number = _int(resume_after.removeprefix(EXPORT_ID_PREFIX))
    if number is None:
        raise ExportError(f"cannot continue after {resume_after!r}: not a Telegram message id")
    return number
