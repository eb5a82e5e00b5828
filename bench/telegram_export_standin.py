"""STAND-IN, to be replaced by ``adapters.telegram.desktop_export`` when it lands.

A minimal streaming reader of the single-chat Telegram Desktop exports that
``bench.export_generator`` writes, so the import benchmark runs before the real
parser is merged. It reads only what the generator writes (a supergroup, ``user``
senders, string or entity-list text) and is used only when
``adapters.telegram.desktop_export`` cannot be imported.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ijson

from adapters.history import HistoryBatch, SkipReason
from adapters.model import Chat, ChatKind, Member, Message, Platform


class StandInExportReader:
    """Reads a generated export in batches (a ``HistoryReader``)."""

    def __init__(self, path: Path, chat: Chat, *, batch_size: int = 500) -> None:
        self._path = path
        self._chat = chat
        self._batch_size = batch_size

    @classmethod
    async def open(cls, path: Path, *, batch_size: int = 500) -> StandInExportReader:
        """Read the export's header (the chat) from ``path``."""
        head: dict[str, Any] = {}
        with path.open("rb") as file:
            for prefix, event, value in ijson.parse(file):
                if prefix in ("name", "type", "id"):
                    head[prefix] = value
                if event == "map_key" and value == "messages":
                    break
        chat = Chat(Platform.TELEGRAM, f"-100{head['id']}", ChatKind.GROUP, head.get("name"))
        return cls(path, chat, batch_size=batch_size)

    @property
    def chat(self) -> Chat:
        """The exported chat."""
        return self._chat

    @property
    def source_key(self) -> str:
        """The file's size and the SHA-256 of its first MiB."""
        with self._path.open("rb") as file:
            digest = hashlib.sha256(file.read(2**20)).hexdigest()
        return f"{self._path.stat().st_size}:{digest[:32]}"

    async def batches(self, *, resume_after: str | None = None) -> AsyncIterator[HistoryBatch]:
        """The chat's messages, oldest first, after ``resume_after``."""
        after = int(resume_after) if resume_after is not None else 0
        size = self._path.stat().st_size
        messages: list[Message] = []
        skipped: Counter[SkipReason] = Counter()
        last = None
        with self._path.open("rb") as file:
            for record in ijson.items(file, "messages.item"):
                if record["id"] <= after:
                    continue
                last = str(record["id"])
                message = self._message(record)
                if message is None:
                    reason = SkipReason.SERVICE if record["type"] == "service" else SkipReason.EMPTY
                    skipped[reason] += 1
                else:
                    messages.append(message)
                if len(messages) >= self._batch_size:
                    yield HistoryBatch(tuple(messages), dict(skipped), last, file.tell() / size)
                    messages, skipped = [], Counter()
            if messages or skipped:
                yield HistoryBatch(tuple(messages), dict(skipped), last, 1.0)

    def _message(self, record: dict[str, Any]) -> Message | None:
        if record["type"] != "message":
            return None
        body = record["text"]
        text = body if isinstance(body, str) else "".join(_part(p) for p in body)
        if not text.strip():
            return None
        sender = Member(Platform.TELEGRAM, record["from_id"].removeprefix("user"), record["from"])
        edited = record.get("edited_unixtime")
        reply = record.get("reply_to_message_id")
        return Message(
            self._chat,
            sender,
            str(record["id"]),
            text,
            datetime.fromtimestamp(int(record["date_unixtime"]), UTC),
            reply_to_message_id=str(reply) if reply is not None else None,
            edited_at=datetime.fromtimestamp(int(edited), UTC) if edited else None,
        )


def _part(part: str | dict[str, Any]) -> str:
    return part if isinstance(part, str) else str(part.get("text", ""))
