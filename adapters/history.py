"""A chat's past messages as the platform-neutral model: what history readers yield.

Two kinds of reader produce history: a parser of an export file (Telegram Desktop's
JSON, DiscordChatExporter's JSON) and a platform adapter reading a channel's history
through the platform's API (Discord). Either hands over ``HistoryBatch``es, oldest
first, each with the place to continue after it, so an import cut short resumes there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from adapters.model import Chat, Message

EXPORT_ID_PREFIX = "export:"
"""Starts message ids of an export's own numbering where it is not the platform's (a
Telegram basic group numbers messages per account): they never match live messages' ids."""


class SkipReason(StrEnum):
    """Why a record of the history was not imported as a message."""

    SERVICE = "service"
    """A service record: joins, pins, title changes, calls..."""
    EMPTY = "empty"
    """No text: a sticker, a photo without a caption, a poll..."""
    DELETED_ACCOUNT = "deleted account"
    """Written by an account that no longer exists (it can never consent or forget)."""
    HEARTH = "hearth"
    """Written by Hearth itself."""
    SEEN_LIVE = "seen live"
    """Already stored as Hearth saw it live, under the id the bot was given (a basic
    group's export numbers messages per account, so only the sender, moment and text match)."""
    COMMAND = "command"
    """A bot command (``/start``...): live ones are run, not kept as conversation."""
    OUT_OF_RANGE = "out of range"
    """Older than the period asked for."""
    UNREADABLE = "unreadable"
    """A record the reader could not make sense of."""


class ExportError(ValueError):
    """An export file that cannot be imported, with a message that says why."""


@dataclass(frozen=True, slots=True)
class HistoryBatch:
    """Consecutive messages of one chat's history, in the order they were posted."""

    messages: tuple[Message, ...]
    skipped: Mapping[SkipReason, int] = field(default_factory=dict)
    """Records of this stretch that were left out, counted by reason."""
    resume_after: str | None = None
    """The platform id of the last record this batch covers: a later run continues after
    it. ``None`` when the batch covers nothing new (a progress tick)."""
    done: float | None = None
    """The share of the whole source read so far (0 to 1), when the reader can tell."""


class HistoryReader(Protocol):
    """Reads one chat's history, oldest first, in batches."""

    @property
    def chat(self) -> Chat:
        """The chat whose history this reader yields."""
        ...

    def batches(self, *, resume_after: str | None = None) -> AsyncIterator[HistoryBatch]:
        """The history in batches, starting after the record ``resume_after`` when given."""
        ...


class ExportReader(HistoryReader, Protocol):
    """A reader of an export file, which it can tell apart from other files."""

    @property
    def source_key(self) -> str:
        """A fingerprint of the file, so that a run cut short is continued on the same file."""
        ...
