"""Resume points for adapters that fetch what their chats said while Hearth was away."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, select, update

from adapters.model import Chat, ChatKind, Platform
from adapters.ports import ResumePoint
from bots.storage.base import StorageBase
from bots.storage.tables import ChatRow, MessageRow


class CatchUpQueries(StorageBase):
    """The newest stored message of each chat, and the resume point kept while catching up.

    Implements ``adapters.ports.StoredHistory``.
    """

    async def begin_catch_up(self, platform: Platform, *, since: datetime) -> list[ResumePoint]:
        """Resume points for the active group chats of ``platform`` with a message stored
        since ``since``; each is kept until ``catch_up_done`` (see ``StoredHistory``).

        Two index lookups per chat (``messages`` by chat and time). Points left over from
        chats that fell outside the window are dropped.
        """
        newest = (
            select(MessageRow.platform_message_id)
            .where(MessageRow.chat_id == ChatRow.id)
            .order_by(MessageRow.sent_at.desc(), MessageRow.id.desc())
            .limit(1)
            .correlate(ChatRow)
            .scalar_subquery()
        )
        newest_at = (
            select(func.max(MessageRow.sent_at))
            .where(MessageRow.chat_id == ChatRow.id)
            .correlate(ChatRow)
            .scalar_subquery()
        )
        chats = (
            select(
                ChatRow.id,
                ChatRow.platform_chat_id,
                ChatRow.title,
                ChatRow.catch_up_after,
                newest.label("newest_id"),
                newest_at.label("newest_at"),
            )
            .where(
                ChatRow.platform == platform.value,
                ChatRow.kind == ChatKind.GROUP.value,
                ChatRow.active.is_(True),
            )
            .subquery()
        )
        stmt = select(chats).where(chats.c.newest_at >= since).order_by(chats.c.newest_at.desc())
        async with self._sessions.begin() as session:
            rows = (await session.execute(stmt)).all()
            conn = await session.connection()
            await conn.execute(
                update(ChatRow)
                .where(
                    ChatRow.platform == platform.value,
                    ChatRow.catch_up_after.is_not(None),
                    ChatRow.id.not_in([row.id for row in rows]),
                )
                .values(catch_up_after=None)
            )
            fresh = [
                {"chat": row.id, "after": row.newest_id}
                for row in rows
                if row.catch_up_after is None
            ]
            if fresh:
                await conn.execute(
                    update(ChatRow)
                    .where(ChatRow.id == bindparam("chat"), ChatRow.catch_up_after.is_(None))
                    .values(catch_up_after=bindparam("after")),
                    fresh,
                )
        return [
            ResumePoint(
                chat=Chat(platform, row.platform_chat_id, ChatKind.GROUP, row.title),
                after_message_id=row.catch_up_after or row.newest_id,
                last_stored_at=row.newest_at,
            )
            for row in rows
        ]

    async def catch_up_done(self, chat: Chat) -> None:
        """Drop the chat's resume point: the next catch-up starts after its newest message."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(ChatRow)
                .where(
                    ChatRow.platform == chat.platform.value,
                    ChatRow.platform_chat_id == chat.platform_chat_id,
                )
                .values(catch_up_after=None)
            )

    async def catch_up_points(self, platform: Platform) -> Sequence[tuple[str, str]]:
        """The chats of ``platform`` still catching up, with their resume points (for tests
        and diagnostics)."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(ChatRow.platform_chat_id, ChatRow.catch_up_after).where(
                    ChatRow.platform == platform.value, ChatRow.catch_up_after.is_not(None)
                )
            )
            return [(str(chat_id), str(after)) for chat_id, after in rows]
