"""The platform-neutral model that every adapter translates to and from.

Everything above ``adapters/`` speaks only these types: a chat, a member, a
message (with mentions, reply-to and edits), a command, membership and bot
status changes, reactions on messages, and the outgoing reply (with optional command
buttons).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum


def utc(moment: datetime | None) -> datetime:
    """``moment`` as a timezone-aware UTC datetime (now when ``None``)."""
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class Platform(StrEnum):
    """A chat platform Hearth can join."""

    TELEGRAM = "telegram"
    DISCORD = "discord"
    PLAYGROUND = "playground"


class ChatKind(StrEnum):
    """What kind of conversation a chat is."""

    GROUP = "group"
    PRIVATE = "private"
    CHANNEL = "channel"


@dataclass(frozen=True, slots=True)
class Chat:
    """A conversation on a platform: a group, a server channel or a private chat."""

    platform: Platform
    platform_chat_id: str
    kind: ChatKind
    title: str | None = None

    @property
    def is_group(self) -> bool:
        """True for group conversations, where memory is kept."""
        return self.kind is ChatKind.GROUP


@dataclass(frozen=True, slots=True)
class Member:
    """A person (or bot) on a platform."""

    platform: Platform
    platform_user_id: str
    display_name: str
    username: str | None = None
    is_bot: bool = False
    locale: str | None = field(default=None, compare=False)
    """The language the member's app is set to, where the platform tells (Telegram
    ``language_code``, Discord ``locale`` of an interaction); not part of who they are."""


@dataclass(frozen=True, slots=True)
class Mention:
    """A mention of a member inside a message.

    Platforms either name the member by handle (``@alice``) or point at them
    directly (Telegram text mentions, Discord user mentions); ``member`` is set
    when the platform resolved it, ``username`` when only a handle is known.
    """

    username: str | None = None
    member: Member | None = None

    def __post_init__(self) -> None:
        if self.username is None and self.member is None:
            raise ValueError("a mention needs a username or a member")


@dataclass(frozen=True, slots=True)
class Message:
    """A text message (or media caption) posted in a chat."""

    chat: Chat
    sender: Member
    platform_message_id: str
    text: str
    sent_at: datetime
    mentions: tuple[Mention, ...] = ()
    reply_to_message_id: str | None = None
    reply_to_member: Member | None = None
    permalink: str | None = None
    edited_at: datetime | None = None
    recovered: bool = False
    """Fetched from the chat's history after Hearth was disconnected, instead of being
    delivered live; such a message may be hours old when it arrives."""
    addressed_to_hearth: bool = False
    """Said to Hearth itself: it @-mentions the bot, replies to one of the bot's messages,
    or was sent in a private chat with the bot. Adapters set it and leave the bot's own
    mention out of ``mentions``. Mentions of other members, bots among them, do not count.

    The same text rule holds on every platform (``adapters.addressing``): a mention of
    Hearth at the very start or end of ``text`` is taken out, with the whitespace around
    it and a comma or colon right after a leading one (``@Hearth, what did I miss?`` reads
    ``what did I miss?``; ``周五聚餐定了吗 @Hearth`` reads ``周五聚餐定了吗``); one inside a
    sentence stays as ``@Name`` (Telegram and the playground: as typed; Discord: the bot's
    display name). A message that is only the mention keeps it."""


@dataclass(frozen=True, slots=True)
class Command:
    """A slash command addressed to Hearth, such as ``/twin on``."""

    chat: Chat
    sender: Member
    name: str
    args: tuple[str, ...]
    platform_message_id: str
    sent_at: datetime
    raw_text: str = ""
    sender_is_admin: bool | None = None
    """Whether the sender may change the chat's settings, as the platform reports it
    (Telegram: creator or administrator; Discord: Manage Server). ``None`` when the
    adapter did not check."""


class MembershipChange(StrEnum):
    """How a member's presence in a chat changed."""

    JOINED = "joined"
    LEFT = "left"


@dataclass(frozen=True, slots=True)
class MembershipEvent:
    """A member joined or left a chat."""

    chat: Chat
    member: Member
    change: MembershipChange
    at: datetime


@dataclass(frozen=True, slots=True)
class BotStatusEvent:
    """Hearth itself was added to a chat or removed from it."""

    chat: Chat
    added: bool
    at: datetime
    by: Member | None = None


@dataclass(frozen=True, slots=True)
class MessageDeleted:
    """A message was deleted on the platform (where the platform reports it)."""

    chat: Chat
    platform_message_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ReactionEvent:
    """A member put an emoji reaction on a message, or took one back.

    ``emoji`` is the emoji itself (``👍``) or, for a platform's custom emoji, ``custom:``
    and its id. On a removal only ``member.platform_user_id`` is certain: some platforms
    report nothing else about who took the reaction back.
    """

    chat: Chat
    member: Member
    platform_message_id: str
    emoji: str
    added: bool
    at: datetime


Event = Message | Command | MembershipEvent | BotStatusEvent | MessageDeleted | ReactionEvent
"""Everything an adapter can hand to the application."""


@dataclass(frozen=True, slots=True)
class UnreadableUpdate:
    """A platform update that could not be turned into events, kept for inspection.

    ``raw`` is the update as received (JSON text, invalid Unicode replaced);
    ``sender_platform_user_id`` is filled in when it could still be read, so that a
    member's ``/forget`` also removes the updates of theirs that were kept this way.
    """

    platform: Platform
    platform_update_id: str
    raw: str
    error: str
    received_at: datetime
    sender_platform_user_id: str | None = None


@dataclass(frozen=True, slots=True)
class Button:
    """A button under a reply that sends ``command`` (full text, e.g. ``/settings twins off``).

    Pressing it is handled like the presser typing the command in the chat of the reply.
    """

    label: str
    command: str

    def __post_init__(self) -> None:
        if not self.label.strip():
            raise ValueError("a button needs a label")
        if not self.command.startswith("/") or len(self.command) < 2:
            raise ValueError(f"a button's command must be a /command, not {self.command!r}")


ButtonRows = tuple[tuple[Button, ...], ...]
"""Buttons in rows, top to bottom."""


@dataclass(frozen=True, slots=True)
class OutgoingReply:
    """A reply Hearth sends to a chat.

    ``label`` is shown before the text on every platform (twin answers carry
    one). ``reply_to_message_id`` threads the reply under the message it answers.
    ``private`` asks the adapter to show it only to ``recipient`` where the
    platform can (ephemeral replies, direct messages). ``buttons`` are shown under the
    reply where the platform has buttons; elsewhere they are left out.
    """

    chat: Chat
    text: str
    reply_to_message_id: str | None = None
    label: str | None = None
    private: bool = False
    recipient: Member | None = None
    buttons: ButtonRows = ()
    note_if_undeliverable: bool = True
    """When a private reply cannot reach the recipient (DMs closed), leave a short note in
    the chat asking them to open a chat with Hearth; ``False`` raises ``DeliveryError``
    instead (for scheduled messages, where a note every day would be noise)."""
    idempotency_key: str | None = None
    """Sent again with the same key within a few minutes, the reply is posted once, where the
    platform can tell (Discord's enforced message nonce; Telegram cannot). Up to 20
    characters; scheduled posts set it so that a resumed run does not post a part twice."""

    def rendered(self) -> str:
        """The full text as shown in the chat: the label line, then the body."""
        return f"{self.label}\n{self.text}" if self.label else self.text


@dataclass(frozen=True, slots=True)
class SentReply:
    """What the platform answered after sending a reply."""

    platform_message_id: str | None
    sent_at: datetime
