"""Plain records the repository returns, detached from any database session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A message as stored in SQL, with Hearth's own ids."""

    id: int
    chat_id: int
    member_id: int
    platform_message_id: str
    text: str
    sent_at: datetime
    permalink: str | None


@dataclass(frozen=True, slots=True)
class IngestResult:
    """Outcome of storing an incoming message: the stored row and whether it was new."""

    message: StoredMessage
    created: bool
    chat_id: int
    member_id: int


@dataclass(frozen=True, slots=True)
class Profile:
    """The person behind linked accounts: their twin switch, scope and accounts."""

    id: int | None
    twin_active: bool
    twin_scope: str
    member_ids: tuple[int, ...]
    platforms: tuple[str, ...]

    @property
    def all_chats(self) -> bool:
        """True when the twin may answer from every group chat the person is in."""
        return self.twin_scope == "all"


@dataclass(frozen=True, slots=True)
class KnownMember:
    """A member of a chat, as needed to decide whether their twin answers."""

    member_id: int
    display_name: str
    username: str | None
    is_bot: bool
    twin_enabled: bool
    last_message_at: datetime | None
    profile: Profile


class LinkOutcome(StrEnum):
    """How redeeming a link code ended."""

    LINKED = "linked"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    SAME_ACCOUNT = "same_account"


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """A chat's effective settings (defaults filled in)."""

    chat_id: int
    twins_enabled: bool
    twin_absence_minutes: float


@dataclass(frozen=True, slots=True)
class ForgetResult:
    """What ``/forget`` removed from SQL."""

    messages: int
    twin_replies: int
    message_ids: tuple[int, ...]
