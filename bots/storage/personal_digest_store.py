"""Personal digests in SQL: each member's schedule, and what a digest reads about them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from adapters.model import Chat, ChatKind, Member, Platform
from bots.storage.base import StorageBase
from bots.storage.tables import ChatMemberRow, ChatRow, MemberRow, MessageRow, PersonalDigestRow


@dataclass(frozen=True, slots=True)
class MemberChat:
    """A group chat the member is in, with Hearth's id for it."""

    chat_id: int
    chat: Chat


@dataclass(frozen=True, slots=True)
class TextMessage:
    """A stored message's id and text."""

    message_id: int
    text: str


class PersonalDigestStore(StorageBase):
    """Reads and writes personal digest schedules; each call is one transaction."""

    async def schedule(self, member_id: int) -> str | None:
        """The member's stored schedule (JSON), or None."""
        async with self._sessions() as session:
            row = await session.get(PersonalDigestRow, member_id)
        return None if row is None else row.schedule

    async def set_schedule(self, member_id: int, schedule: str) -> None:
        """Store the member's schedule (JSON; an ``off`` schedule keeps their time zone)."""
        async with self._sessions.begin() as session:
            row = await self._row(
                session, PersonalDigestRow, member_id=member_id, schedule=schedule
            )
            row.schedule = schedule

    async def member(self, member_id: int) -> Member | None:
        """The member with this Hearth id, as the neutral model; None when unknown."""
        async with self._sessions() as session:
            row = await session.get(MemberRow, member_id)
        if row is None:
            return None
        return Member(
            Platform(row.platform), row.platform_user_id, row.display_name, row.username, row.is_bot
        )

    async def member_chats(self, member_id: int) -> list[MemberChat]:
        """The active group chats the member is in, where they posted last first."""
        stmt = (
            select(ChatRow, ChatMemberRow.last_message_at)
            .join(ChatMemberRow, ChatMemberRow.chat_id == ChatRow.id)
            .where(
                ChatMemberRow.member_id == member_id,
                ChatRow.kind == ChatKind.GROUP.value,
                ChatRow.active.is_(True),
                ChatMemberRow.present(),
            )
        )
        async with self._sessions() as session:
            rows = (await session.execute(stmt)).all()
        ordered = sorted(
            rows, key=lambda r: (r[1] is None, -(r[1].timestamp() if r[1] else 0), r[0].id)
        )
        return [
            MemberChat(
                row.id,
                Chat(Platform(row.platform), row.platform_chat_id, ChatKind(row.kind), row.title),
            )
            for row, _ in ordered
        ]

    async def member_messages(
        self, member_id: int, since: datetime, limit: int, chat_id: int | None = None
    ) -> list[TextMessage]:
        """The member's latest ``limit`` messages since ``since`` (in one chat), newest first.

        Messages said to Hearth itself are left out, as everywhere the members' talk is read.
        """
        stmt = select(MessageRow.id, MessageRow.text).where(
            MessageRow.member_id == member_id,
            MessageRow.sent_at >= since,
            MessageRow.to_hearth.is_(False),
        )
        if chat_id is not None:
            stmt = stmt.where(MessageRow.chat_id == chat_id)
        stmt = stmt.order_by(MessageRow.sent_at.desc(), MessageRow.id.desc()).limit(limit)
        async with self._sessions() as session:
            rows = (await session.execute(stmt)).all()
        return [TextMessage(int(i), str(t)) for i, t in rows]

    async def others_message_ids(
        self, chat_id: int, member_id: int, since: datetime, before: datetime, limit: int
    ) -> list[int]:
        """Ids of the chat's latest ``limit`` messages by people other than the member.

        Messages said to Hearth itself are left out.
        """
        stmt = (
            select(MessageRow.id)
            .join(MemberRow, MemberRow.id == MessageRow.member_id)
            .where(
                MessageRow.chat_id == chat_id,
                MessageRow.member_id != member_id,
                MessageRow.sent_at >= since,
                MessageRow.sent_at < before,
                MemberRow.is_bot.is_(False),
                MessageRow.to_hearth.is_(False),
            )
            .order_by(MessageRow.sent_at.desc(), MessageRow.id.desc())
            .limit(limit)
        )
        async with self._sessions() as session:
            return [int(i) for i in await session.scalars(stmt)]

    async def authors(self, message_ids: Sequence[int]) -> dict[int, int]:
        """Who wrote each of these messages (ids no longer stored are left out)."""
        if not message_ids:
            return {}
        stmt = select(MessageRow.id, MessageRow.member_id).where(
            MessageRow.id.in_(list(message_ids))
        )
        async with self._sessions() as session:
            rows = (await session.execute(stmt)).all()
        return {int(i): int(m) for i, m in rows}
