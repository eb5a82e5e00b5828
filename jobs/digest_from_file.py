"""Build digests from a ``messages.json`` export, for ``hearth digest --from FILE``.

The file is a JSON list of messages, each with ``chat_id``, ``message_id``,
``sender_id``, ``sender_name``, ``timestamp`` (ISO 8601; without a zone it is
read as UTC) and ``text``; ``reply_to`` (or ``reply_to_message_id``),
``permalink`` and ``is_newcomer`` are used when present. A row with
``"event": "join"`` is a member joining the chat, not a message (the format of
:mod:`bench.digest_sets`). Each chat in the file gets its own digest over the
period that its messages span (or ``since``/``until``); members who posted
in the file before that period are known as seen before it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from jobs.digest_builder import DigestOptions, compose_digest
from jobs.digest_model import DigestMessage, DigestPeriod
from jobs.digest_render import TELEGRAM_MAX_CHARS, render_digest
from memory.embedder import Embedder


@dataclass(frozen=True, slots=True)
class ChatExport:
    """The messages of one chat read from an export file, and who joined when."""

    chat_id: str
    messages: tuple[DigestMessage, ...]
    joins: tuple[tuple[int, str, datetime], ...] = ()
    """``(member_id, name, joined_at)`` per join row."""

    def joined_in(self, period: DigestPeriod) -> dict[int, str]:
        """The members who joined within ``period``, by id, with their names."""
        return {member: name for member, name, moment in self.joins if moment in period}

    def seen_before(self, period: DigestPeriod) -> set[int] | None:
        """Members who posted before ``period``; ``None`` when the file starts within it."""
        if not self.messages or min(m.sent_at for m in self.messages) >= period.start:
            return None
        return {m.member_id for m in self.messages if m.sent_at < period.start}


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def read_messages_json(path: str | Path) -> list[ChatExport]:
    """The chats of a ``messages.json`` file, in order of first appearance."""
    rows: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(rows, list):
        raise ValueError(f"{path}: expected a JSON list of messages")
    member_ids: dict[str, int] = {}
    chats: dict[str, list[DigestMessage]] = {}
    joins: dict[str, list[tuple[int, str, datetime]]] = {}
    for row in rows:
        sender = str(row["sender_id"])
        member_id = member_ids.setdefault(sender, len(member_ids) + 1)
        name = str(row.get("sender_name") or sender)
        chat_id = str(row["chat_id"])
        chats.setdefault(chat_id, [])
        if row.get("event") == "join":
            joins.setdefault(chat_id, []).append((member_id, name, _moment(str(row["timestamp"]))))
            continue
        reply = row.get("reply_to", row.get("reply_to_message_id"))
        chats[chat_id].append(
            DigestMessage(
                message_id=int(row["message_id"]),
                member_id=member_id,
                member_name=name,
                text=str(row.get("text") or ""),
                sent_at=_moment(str(row["timestamp"])),
                permalink=row.get("permalink"),
                reply_to_message_id=int(reply) if reply is not None else None,
                is_newcomer=bool(row.get("is_newcomer", False)),
            )
        )
    return [
        ChatExport(chat_id, tuple(messages), tuple(joins.get(chat_id, ())))
        for chat_id, messages in chats.items()
    ]


def span_of(messages: Sequence[DigestMessage]) -> DigestPeriod:
    """The whole days (UTC) that ``messages`` span."""
    first = min(message.sent_at for message in messages).astimezone(UTC)
    last = max(message.sent_at for message in messages).astimezone(UTC)
    start = first.replace(hour=0, minute=0, second=0, microsecond=0)
    end = last.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return DigestPeriod(start, end)


async def digest_from_messages_json(
    path: str | Path,
    *,
    embedder: Embedder | None = None,
    chat_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    max_chars: int = TELEGRAM_MAX_CHARS,
    options: DigestOptions | None = None,
) -> list[str]:
    """The rendered digest parts of every chat in ``path`` (or only ``chat_id``).

    Messages are embedded with ``embedder``; without one the digest falls
    back to bag-of-words vectors, which is fast but groups topics less well.
    """
    parts: list[str] = []
    for chat in read_messages_json(path):
        if chat_id is not None and chat.chat_id != chat_id:
            continue
        if not chat.messages:
            continue
        span = span_of(chat.messages)
        period = DigestPeriod(since or span.start, until or span.end)
        digest = await compose_digest(
            chat.messages,
            period,
            embedder=embedder,
            options=options,
            chat_title=chat.chat_id,
            joined=chat.joined_in(period),
            seen_before=chat.seen_before(period),
        )
        parts.extend(render_digest(digest, max_chars=max_chars))
    return parts
