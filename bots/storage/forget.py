"""``/forget`` in SQL: a member's messages, settings and every copy of their words in a chat."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bots.storage.database import truncate_sqlite_wal
from bots.storage.digest_features_store import forget_features
from bots.storage.profiles import ProfileQueries
from bots.storage.records import ForgetResult
from bots.storage.tables import (
    ChatMemberRow,
    MemberRow,
    MemberSettingsRow,
    MessageRow,
    ReactionRow,
    SkippedUpdateRow,
    TwinReplyRow,
)

log = logging.getLogger(__name__)

ERASED_BY_ASKER = "asker"
"""``twin_replies.erased``: the asker forgot the chat; question, answer and correction are gone."""
ERASED_SOURCES = "sources"
"""``twin_replies.erased``: the answer quoted messages its owner deleted; the answer is gone."""


def _undrafted() -> ColumnElement[str]:
    """The reply's status, with a draft (nothing left to approve) turned into ``discarded``."""
    return case((TwinReplyRow.status == "draft", "discarded"), else_=TwinReplyRow.status)


class ForgetQueries(ProfileQueries):
    """Deletes a member's data in one chat and erases their words wherever else SQL holds them."""

    async def forget_member(self, chat_id: int, member_id: int) -> ForgetResult:
        """Delete everything stored about a member in one chat.

        Removes their messages, settings, presence, what their twin said there,
        the reactions they gave there and those given to their messages and twin
        answers there, and the digests' record of featuring them (see
        :func:`bots.storage.digest_features_store.forget_features`), and the updates of
        theirs kept unread (``skipped_updates``, in any chat). Their questions to other
        members' twins in the chat are erased with the answers to them (the rows stay,
        marked, so the other members' logs still add up), and so are their twin's
        answers in other chats that quoted one of the deleted messages. The member row
        itself goes too once no chat refers to it.
        """
        async with self._sessions.begin() as session:
            accounts = await self._linked_accounts(session, member_id)
            message_ids = tuple(
                await session.scalars(
                    delete(MessageRow)
                    .where(MessageRow.chat_id == chat_id, MessageRow.member_id == member_id)
                    .returning(MessageRow.id)
                )
            )
            replies = await session.scalars(
                delete(TwinReplyRow)
                .where(TwinReplyRow.chat_id == chat_id, TwinReplyRow.member_id == member_id)
                .returning(TwinReplyRow.id)
            )
            reply_count = len(list(replies))
            questions = await self._erase_questions(session, chat_id, member_id)
            answers = await self._erase_quoting_answers(session, accounts, set(message_ids))
            await session.execute(
                delete(MemberSettingsRow).where(
                    MemberSettingsRow.chat_id == chat_id, MemberSettingsRow.member_id == member_id
                )
            )
            await session.execute(
                delete(ChatMemberRow).where(
                    ChatMemberRow.chat_id == chat_id, ChatMemberRow.member_id == member_id
                )
            )
            reactions = await session.scalars(
                delete(ReactionRow)
                .where(
                    ReactionRow.chat_id == chat_id,
                    or_(
                        ReactionRow.member_id == member_id,
                        ReactionRow.target_member_id == member_id,
                    ),
                )
                .returning(ReactionRow.id)
            )
            reaction_count = len(list(reactions))
            await forget_features(session, chat_id, member_id)
            await self._erase_skipped_updates(session, member_id)
            await self._drop_member_if_unused(session, member_id)
            return ForgetResult(
                messages=len(message_ids),
                twin_replies=reply_count,
                message_ids=message_ids,
                questions_erased=questions,
                answers_erased=answers,
                reactions=reaction_count,
            )

    async def shred_deleted(self) -> bool:
        """Make deleted rows unreadable in the database files; whether that is done.

        SQLite connections zero deleted content (``secure_delete``), but the
        write-ahead log still holds earlier copies of the pages: this folds it
        into the database and empties it. PostgreSQL keeps deleted rows in its
        files until vacuum reuses the space, outside Hearth's reach (see the
        README): nothing to do there.
        """
        if self._engine.dialect.name != "sqlite":
            return True
        done = await truncate_sqlite_wal(self._engine)
        if not done:
            log.warning("the SQLite write-ahead log stayed busy; deleted rows leave it later")
        return done

    @staticmethod
    async def _linked_accounts(session: AsyncSession, member_id: int) -> list[int]:
        """The member and the accounts linked to it (their twins quote each other)."""
        profile_id = await session.scalar(
            select(MemberRow.profile_id).where(MemberRow.id == member_id)
        )
        if profile_id is None:
            return [member_id]
        linked = await session.scalars(
            select(MemberRow.id).where(MemberRow.profile_id == profile_id)
        )
        return sorted({member_id, *linked})

    @staticmethod
    async def _erase_skipped_updates(session: AsyncSession, member_id: int) -> None:
        """Delete the updates of theirs that could not be handled and were kept as raw JSON."""
        account = (
            await session.execute(
                select(MemberRow.platform, MemberRow.platform_user_id).where(
                    MemberRow.id == member_id
                )
            )
        ).first()
        if account is None:
            return
        await session.execute(
            delete(SkippedUpdateRow).where(
                SkippedUpdateRow.platform == account.platform,
                SkippedUpdateRow.sender_platform_user_id == account.platform_user_id,
            )
        )

    @staticmethod
    async def _erase_questions(session: AsyncSession, chat_id: int, member_id: int) -> int:
        """Empty what the member asked other members' twins in the chat, and the answers."""
        erased = await session.scalars(
            update(TwinReplyRow)
            .where(TwinReplyRow.chat_id == chat_id, TwinReplyRow.asker_member_id == member_id)
            .values(
                question_text=None,
                text="",
                correction=None,
                asker_member_id=None,
                erased=ERASED_BY_ASKER,
                status=_undrafted(),
            )
            .returning(TwinReplyRow.id)
        )
        return len(list(erased))

    @staticmethod
    async def _erase_quoting_answers(
        session: AsyncSession, accounts: Sequence[int], deleted: Collection[int]
    ) -> int:
        """Empty the accounts' twin answers (in any chat) that quoted a deleted message."""
        if not deleted:
            return 0
        rows = await session.execute(
            select(TwinReplyRow.id, TwinReplyRow.source_message_ids).where(
                TwinReplyRow.member_id.in_(list(accounts)), TwinReplyRow.text != ""
            )
        )
        quoting = [
            reply_id
            for reply_id, sources in rows.all()
            if any(int(source) in deleted for source in sources or ())
        ]
        if not quoting:
            return 0
        await session.execute(
            update(TwinReplyRow)
            .where(TwinReplyRow.id.in_(quoting))
            .values(
                text="",
                erased=ERASED_SOURCES,
                status=_undrafted(),
            )
        )
        return len(quoting)

    async def _drop_member_if_unused(self, session: AsyncSession, member_id: int) -> None:
        """Delete the member row (and an unused profile) once nothing refers to it."""
        still_used = await session.scalar(
            select(func.count()).select_from(MessageRow).where(MessageRow.member_id == member_id)
        )
        still_member = await session.scalar(
            select(func.count())
            .select_from(ChatMemberRow)
            .where(ChatMemberRow.member_id == member_id)
        )
        still_reacting = await session.scalar(
            select(func.count()).select_from(ReactionRow).where(ReactionRow.member_id == member_id)
        )
        if still_used or still_member or still_reacting:
            return
        await session.execute(
            update(TwinReplyRow)
            .where(TwinReplyRow.asker_member_id == member_id)
            .values(asker_member_id=None)
        )
        await session.execute(
            delete(MemberSettingsRow).where(MemberSettingsRow.member_id == member_id)
        )
        remaining_replies = await session.scalar(
            select(func.count())
            .select_from(TwinReplyRow)
            .where(TwinReplyRow.member_id == member_id)
        )
        if remaining_replies:
            return
        profile_id = await session.scalar(
            select(MemberRow.profile_id).where(MemberRow.id == member_id)
        )
        await session.execute(delete(MemberRow).where(MemberRow.id == member_id))
        if profile_id is not None:
            await self._drop_unused_profile(session, profile_id)
