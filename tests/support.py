"""Builders for neutral events and a sender that records replies, shared by tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from adapters.model import (
    Chat,
    ChatKind,
    Command,
    Member,
    Mention,
    Message,
    OutgoingReply,
    Platform,
    SentReply,
)

GROUP = Chat(Platform.TELEGRAM, "-1001", ChatKind.GROUP, "Test group")
OTHER_GROUP = Chat(Platform.TELEGRAM, "-1002", ChatKind.GROUP, "Other group")
_ids = itertools.count(1)


def member(name: str, *, bot: bool = False, platform: Platform = Platform.TELEGRAM) -> Member:
    """A member whose id, handle and name derive from ``name``."""
    return Member(platform, f"id-{name}", name.capitalize(), username=name.lower(), is_bot=bot)


def message(
    who: str | Member,
    text: str,
    *,
    chat: Chat = GROUP,
    minutes_ago: float = 0,
    mentions: tuple[str, ...] = (),
    message_id: str | None = None,
    edited: bool = False,
    reply_to: Member | None = None,
) -> Message:
    """A group message; ``mentions`` are handles mentioned with @."""
    sender = who if isinstance(who, Member) else member(who)
    at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return Message(
        chat=chat,
        sender=sender,
        platform_message_id=message_id or f"m{next(_ids)}",
        text=text,
        sent_at=at,
        mentions=tuple(Mention(username=m) for m in mentions),
        reply_to_member=reply_to,
        permalink=f"https://t.me/c/1/{next(_ids)}",
        edited_at=at if edited else None,
    )


def command(who: str, name: str, *args: str, chat: Chat = GROUP) -> Command:
    """A command from ``who``."""
    return Command(
        chat, member(who), name, tuple(args), f"c{next(_ids)}", datetime.now(UTC), f"/{name}"
    )


class RecordingSender:
    """A reply sender that keeps what it was asked to send."""

    def __init__(self, platform: Platform = Platform.TELEGRAM) -> None:
        self.platform = platform
        self.replies: list[OutgoingReply] = []
        self.deleted: list[str] = []
        self.edits: list[tuple[str, str]] = []
        """``(platform message id, new text)`` of every edit, in order."""

    async def send(self, reply: OutgoingReply) -> SentReply:
        self.replies.append(reply)
        return SentReply(f"sent-{len(self.replies)}", datetime.now(UTC))

    async def delete(self, chat: Chat, platform_message_id: str) -> bool:
        self.deleted.append(platform_message_id)
        return True

    async def edit(self, chat: Chat, platform_message_id: str, text: str) -> bool:
        self.edits.append((platform_message_id, text))
        return True

    def texts(self) -> list[str]:
        return [r.rendered() for r in self.replies]
