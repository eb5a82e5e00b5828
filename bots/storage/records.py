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
    to_hearth: bool = False
    """Said to Hearth itself: kept apart from the members' talk (never in memory)."""


@dataclass(frozen=True, slots=True)
class IngestResult:
    """Outcome of storing an incoming message: the stored row and whether it was new."""

    message: StoredMessage
    created: bool
    chat_id: int
    member_id: int
    twin_on: bool | None = None
    """Whether the sender's twin is on in the chat (None: not looked up)."""
    twin_news: bool | None = None
    """Whether twin replies wait to be reported to the sender (None: not looked up)."""


@dataclass(frozen=True, slots=True)
class Profile:
    """The person behind linked accounts: their twin switch, scope and accounts."""

    id: int | None
    twin_active: bool
    twin_scope: str
    member_ids: tuple[int, ...]
    platforms: tuple[str, ...]
    twin_mode: str = "auto"
    twin_paused_until: datetime | None = None

    def paused(self, now: datetime) -> bool:
        """Whether the owner paused the twin until after ``now``."""
        return self.twin_paused_until is not None and self.twin_paused_until > now

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
    assistant_enabled: bool = True
    language: str = "auto"
    """``auto``, ``en`` or ``zh``: see ``bots.reply_languages``."""


@dataclass(frozen=True, slots=True)
class ForgetResult:
    """What ``/forget`` removed from SQL.

    ``questions_erased``: the member's questions to other members' twins in the chat,
    emptied together with the answers to them; ``answers_erased``: the member's twin
    answers in other chats that quoted a deleted message, emptied; ``reactions``: the
    reactions the member gave in the chat and those others gave to their messages and
    twin answers there, deleted.
    """

    messages: int
    twin_replies: int
    message_ids: tuple[int, ...]
    questions_erased: int = 0
    answers_erased: int = 0
    reactions: int = 0


@dataclass(frozen=True, slots=True)
class TwinReplyView:
    """One thing a twin said or drafted, with where and to whom, for its owner."""

    id: int
    chat_id: int
    chat_title: str | None
    chat_platform: str
    chat_platform_id: str
    chat_kind: str
    member_id: int
    asker_name: str | None
    question_platform_id: str
    question_text: str | None
    text: str
    status: str
    review: str
    correction: str | None
    platform_message_id: str | None
    created_at: datetime
    erased: str | None = None
    """Why a ``/forget`` emptied this reply's texts: ``asker`` or ``sources`` (see the table)."""


@dataclass(frozen=True, slots=True)
class PeriodMessage:
    """A person's message within a period, as digests need it."""

    id: int
    member_id: int
    member_name: str
    text: str
    sent_at: datetime
    permalink: str | None
    reply_to_id: int | None
