"""What the assistant reads: members of a chat, who may be suggested, replies, a member's chats."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from bots.storage.base import StorageBase
from bots.storage.tables import (
    ChatMemberRow,
    ChatRow,
    MemberRow,
    MemberSettingsRow,
    MessageRow,
)


@dataclass(frozen=True, slots=True)
class ChatPerson:
    """A member of a chat as the assistant names them."""

    member_id: int
    display_name: str
    username: str | None
    is_bot: bool
    suggestable: bool
    platform: str
    platform_user_id: str


@dataclass(frozen=True, slots=True)
class MemberChat:
    """A group chat a member is in, with its title and the member's account there."""

    chat_id: int
    title: str | None
    member_id: int


class AssistantQueries(StorageBase):
    """Reads and switches for the assistant (see ``bots.assistant``)."""

    async def set_suggestable(self, chat_id: int, member_id: int, suggestable: bool) -> None:
        """Whether the member may be named when someone asks who here knows about a topic."""
        async with self._sessions.begin() as session:
            row = await self._row(
                session,
                MemberSettingsRow,
                member_id=member_id,
                chat_id=chat_id,
                twin_enabled=False,
                suggestable=suggestable,
            )
            row.suggestable = suggestable

    async def chat_people(self, chat_id: int) -> dict[int, ChatPerson]:
        """Everyone who posted in or joined the chat, by member id."""
        stmt = (
            select(MemberRow, MemberSettingsRow.suggestable)
            .join(ChatMemberRow, ChatMemberRow.member_id == MemberRow.id)
            .outerjoin(
                MemberSettingsRow,
                (MemberSettingsRow.member_id == MemberRow.id)
                & (MemberSettingsRow.chat_id == chat_id),
            )
            .where(ChatMemberRow.chat_id == chat_id)
        )
        async with self._sessions() as session:
            rows = (await session.execute(stmt)).all()
        return {
            member.id: ChatPerson(
                member_id=member.id,
                display_name=member.display_name,
                username=member.username,
                is_bot=member.is_bot,
                suggestable=suggestable is not False,
                platform=member.platform,
                platform_user_id=member.platform_user_id,
            )
            for member, suggestable in rows
        }

    async def replies_to(
        self, chat_id: int, message_ids: Sequence[int]
    ) -> list[tuple[int, int, str]]:
        """Replies in the chat to the given messages: (replied-to id, replier id, reply text).

        A reply said to Hearth itself is not an answer to the member, so it is left out.
        """
        if not message_ids:
            return []
        original = aliased(MessageRow)
        stmt = (
            select(original.id, MessageRow.member_id, MessageRow.text)
            .join(
                original,
                (original.chat_id == MessageRow.chat_id)
                & (original.platform_message_id == MessageRow.reply_to_platform_id),
            )
            .where(
                MessageRow.chat_id == chat_id,
                original.id.in_(sorted(set(message_ids))),
                MessageRow.to_hearth.is_(False),
            )
        )
        async with self._sessions() as session:
            rows = (await session.execute(stmt)).all()
        return [(int(a), int(b), str(c)) for a, b, c in rows]

    async def last_message_before(
        self, chat_id: int, member_id: int, before: datetime
    ) -> datetime | None:
        """When the member last posted in the chat before ``before`` (``None``: never)."""
        stmt = select(func.max(MessageRow.sent_at)).where(
            MessageRow.chat_id == chat_id,
            MessageRow.member_id == member_id,
            MessageRow.sent_at < before,
        )
        async with self._sessions() as session:
            found: datetime | None = await session.scalar(stmt)
        return found

    async def member_group_chats(self, member_ids: Sequence[int]) -> list[MemberChat]:
        """The active group chats where any of these accounts is a member, newest activity first."""
        if not member_ids:
            return []
        stmt = (
            select(
                ChatRow.id,
                ChatRow.title,
                func.max(ChatMemberRow.last_message_at),
                func.max(ChatMemberRow.member_id),
            )
            .join(ChatMemberRow, ChatMemberRow.chat_id == ChatRow.id)
            .where(
                ChatMemberRow.member_id.in_(sorted(set(member_ids))),
                ChatRow.kind == "group",
                ChatRow.active.is_(True),
                ChatMemberRow.present(),
            )
            .group_by(ChatRow.id, ChatRow.title)
        )
        async with self._sessions() as session:
            rows = list((await session.execute(stmt)).all())
        rows.sort(key=lambda row: -(row[2].timestamp() if row[2] is not None else 0.0))
        return [MemberChat(int(chat_id), title, int(member)) for chat_id, title, _, member in rows]
