"""Reactions in SQL: one row per (chat, message, reacting member, emoji), credited to a member."""

from __future__ import annotations

import enum

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.model import Member, ReactionEvent
from bots.storage.base import StorageBase, storable
from bots.storage.tables import ChatRow, MemberRow, MessageRow, ReactionRow, TwinReplyRow, utcnow

MAX_EMOJI_CHARS = 64


class ReactionOutcome(enum.Enum):
    """What became of a reaction event."""

    STORED = "stored"
    """A new reaction was kept (or the same one was already there)."""
    REMOVED = "removed"
    """A reaction was taken back and its row deleted."""
    OWN = "own"
    """The author reacted to their own message (or their own twin's answer): not kept."""
    UNKNOWN_MESSAGE = "unknown_message"
    """The message is not one Hearth stored (nor a twin's answer): nobody to credit."""
    IGNORED = "ignored"
    """A bot's reaction, a private chat, or a removal of something never kept."""


class ReactionQueries(StorageBase):
    """Stores reactions and takes them back."""

    async def record_reaction(self, event: ReactionEvent) -> ReactionOutcome:
        """Keep an added reaction, or delete a removed one (see :class:`ReactionOutcome`)."""
        if not event.chat.is_group or event.member.is_bot:
            return ReactionOutcome.IGNORED
        if not event.added:
            return await self._remove_reaction(event)
        emoji = storable(event.emoji)[:MAX_EMOJI_CHARS]
        async with self._sessions.begin() as session:
            chat_id = await self._upsert_chat(session, event.chat)
            target = await self._reaction_target(session, chat_id, event.platform_message_id)
            if target is None:
                return ReactionOutcome.UNKNOWN_MESSAGE
            giver = await self._member_id(session, event.member)
            if giver == target:
                return ReactionOutcome.OWN
            if giver is None:
                giver = await self._add_reacting_member(session, event.member)
            await session.execute(
                self._insert(ReactionRow)
                .values(
                    chat_id=chat_id,
                    platform_message_id=event.platform_message_id,
                    member_id=giver,
                    target_member_id=target,
                    emoji=emoji,
                    created_at=utcnow(),
                )
                .on_conflict_do_nothing(
                    index_elements=[
                        ReactionRow.chat_id,
                        ReactionRow.platform_message_id,
                        ReactionRow.member_id,
                        ReactionRow.emoji,
                    ]
                )
            )
            return ReactionOutcome.STORED

    async def reactions_on(self, chat_id: int, platform_message_id: str) -> list[tuple[int, str]]:
        """The (reacting member id, emoji) pairs kept on one message, in the order kept."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(ReactionRow.member_id, ReactionRow.emoji)
                .where(
                    ReactionRow.chat_id == chat_id,
                    ReactionRow.platform_message_id == platform_message_id,
                )
                .order_by(ReactionRow.id)
            )
            return [(int(member), str(emoji)) for member, emoji in rows.all()]

    async def _remove_reaction(self, event: ReactionEvent) -> ReactionOutcome:
        emoji = storable(event.emoji)[:MAX_EMOJI_CHARS]
        async with self._sessions.begin() as session:
            chat_id = await session.scalar(
                select(ChatRow.id).where(
                    ChatRow.platform == event.chat.platform.value,
                    ChatRow.platform_chat_id == event.chat.platform_chat_id,
                )
            )
            giver = await self._member_id(session, event.member)
            if chat_id is None or giver is None:
                return ReactionOutcome.IGNORED
            removed = await session.scalars(
                delete(ReactionRow)
                .where(
                    ReactionRow.chat_id == chat_id,
                    ReactionRow.platform_message_id == event.platform_message_id,
                    ReactionRow.member_id == giver,
                    ReactionRow.emoji == emoji,
                )
                .returning(ReactionRow.id)
            )
            return ReactionOutcome.REMOVED if list(removed) else ReactionOutcome.IGNORED

    @staticmethod
    async def _reaction_target(
        session: AsyncSession, chat_id: int, platform_message_id: str
    ) -> int | None:
        """Whom a reaction on the message recognises: its author, or its twin's owner."""
        author = await session.scalar(
            select(MessageRow.member_id).where(
                MessageRow.chat_id == chat_id,
                MessageRow.platform_message_id == platform_message_id,
            )
        )
        if author is not None:
            return int(author)
        owner = await session.scalar(
            select(TwinReplyRow.member_id)
            .where(
                TwinReplyRow.chat_id == chat_id,
                TwinReplyRow.platform_message_id == platform_message_id,
            )
            .limit(1)
        )
        return int(owner) if owner is not None else None

    @staticmethod
    async def _member_id(session: AsyncSession, member: Member) -> int | None:
        found = await session.scalar(
            select(MemberRow.id).where(
                MemberRow.platform == member.platform.value,
                MemberRow.platform_user_id == member.platform_user_id,
            )
        )
        return int(found) if found is not None else None

    async def _add_reacting_member(self, session: AsyncSession, member: Member) -> int:
        """A row for a member Hearth first sees reacting (they never posted yet)."""
        stmt = (
            self._insert(MemberRow)
            .values(
                platform=member.platform.value,
                platform_user_id=member.platform_user_id,
                display_name=storable(member.display_name)[:256],
                username=member.username.lower() if member.username else None,
                is_bot=member.is_bot,
                created_at=utcnow(),
                updated_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=[MemberRow.platform, MemberRow.platform_user_id])
        )
        await session.execute(stmt)
        found = await self._member_id(session, member)
        assert found is not None
        return found
