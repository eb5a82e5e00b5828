"""What twins said: stored replies, drafts, the owner's reviews and corrections."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import aliased

from bots.storage.base import StorageBase, storable
from bots.storage.records import TwinReplyView
from bots.storage.tables import ChatRow, MemberRow, TwinLimitHitRow, TwinReplyRow, utcnow


class TwinReplyQueries(StorageBase):
    """Records twin replies and the owner's verdicts on them."""

    async def record_twin_reply(
        self,
        *,
        chat_id: int,
        member_id: int,
        asker_member_id: int | None,
        question_platform_id: str,
        text: str,
        source_message_ids: Sequence[int],
        question_text: str | None = None,
        status: str = "pending",
        abstained: bool = False,
    ) -> int:
        """Store what a twin is about to say (or drafted for approval), before it is sent;
        ``abstained`` when it says it has nothing relevant to quote."""
        async with self._sessions.begin() as session:
            row = TwinReplyRow(
                chat_id=chat_id,
                member_id=member_id,
                asker_member_id=asker_member_id,
                question_platform_id=question_platform_id,
                question_text=storable(question_text) if question_text else None,
                text=storable(text),
                source_message_ids=list(source_message_ids),
                status=status,
                review="unreviewed",
                abstained=abstained,
                created_at=utcnow(),
            )
            session.add(row)
            await session.flush()
            return row.id

    async def record_twin_limit_hit(self, chat_id: int) -> None:
        """Count one twin answer held back by the rate limits in the chat."""
        async with self._sessions.begin() as session:
            session.add(TwinLimitHitRow(chat_id=chat_id, hit_at=utcnow()))

    async def prune_twin_limit_hits(self, before: datetime) -> int:
        """Drop the rate-limit hits counted before ``before``; how many went."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                delete(TwinLimitHitRow).where(TwinLimitHitRow.hit_at < before)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    async def mark_twin_reply(
        self, reply_id: int, *, status: str, platform_message_id: str | None = None
    ) -> None:
        """Record whether a twin reply was delivered."""
        values: dict[str, Any] = {"status": status}
        if status == "sent":
            values.update(sent_at=utcnow(), platform_message_id=platform_message_id)
        async with self._sessions.begin() as session:
            await session.execute(
                update(TwinReplyRow).where(TwinReplyRow.id == reply_id).values(**values)
            )

    async def twin_replies(self, member_id: int, chat_id: int | None = None) -> list[str]:
        """Texts of what a member's twin said, newest first."""
        stmt = select(TwinReplyRow.text).where(TwinReplyRow.member_id == member_id)
        if chat_id is not None:
            stmt = stmt.where(TwinReplyRow.chat_id == chat_id)
        async with self._sessions() as session:
            return list(await session.scalars(stmt.order_by(TwinReplyRow.id.desc())))

    def _reply_views(self) -> Any:
        asker = aliased(MemberRow)
        return (
            select(TwinReplyRow, ChatRow, asker.display_name)
            .join(ChatRow, ChatRow.id == TwinReplyRow.chat_id)
            .outerjoin(asker, asker.id == TwinReplyRow.asker_member_id)
        )

    @staticmethod
    def _view(row: TwinReplyRow, chat: ChatRow, asker_name: str | None) -> TwinReplyView:
        return TwinReplyView(
            id=row.id,
            chat_id=chat.id,
            chat_title=chat.title,
            chat_platform=chat.platform,
            chat_platform_id=chat.platform_chat_id,
            chat_kind=chat.kind,
            member_id=row.member_id,
            asker_name=asker_name,
            question_platform_id=row.question_platform_id,
            question_text=row.question_text,
            text=row.text,
            status=row.status,
            review=row.review,
            correction=row.correction,
            platform_message_id=row.platform_message_id,
            created_at=row.created_at,
            erased=row.erased,
        )

    async def twin_reply(self, reply_id: int) -> TwinReplyView | None:
        """One twin reply with its chat, or None."""
        async with self._sessions() as session:
            found = (
                await session.execute(self._reply_views().where(TwinReplyRow.id == reply_id))
            ).first()
        return None if found is None else self._view(*found)

    async def recent_twin_replies(
        self, member_ids: Sequence[int], limit: int = 10
    ) -> list[TwinReplyView]:
        """The newest twin replies of these accounts, newest first."""
        stmt = (
            self._reply_views()
            .where(TwinReplyRow.member_id.in_(member_ids))
            .order_by(TwinReplyRow.id.desc())
            .limit(limit)
        )
        async with self._sessions() as session:
            return [self._view(*found) for found in (await session.execute(stmt)).all()]

    async def replies_to_report(self, member_ids: Sequence[int]) -> list[TwinReplyView]:
        """Twin replies sent or drafted that the owner has not been told about yet."""
        stmt = (
            self._reply_views()
            .where(
                TwinReplyRow.member_id.in_(member_ids),
                TwinReplyRow.owner_notified_at.is_(None),
                TwinReplyRow.status.in_(("sent", "draft")),
            )
            .order_by(TwinReplyRow.id)
        )
        async with self._sessions() as session:
            return [self._view(*found) for found in (await session.execute(stmt)).all()]

    async def mark_owner_notified(self, reply_ids: Sequence[int], at: datetime) -> None:
        """Record that the owner was told about these replies."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(TwinReplyRow)
                .where(TwinReplyRow.id.in_(reply_ids))
                .values(owner_notified_at=at)
            )

    async def review_twin_reply(
        self, reply_id: int, *, review: str, correction: str | None = None
    ) -> None:
        """Record the owner's verdict on a reply: confirmed, corrected or deleted."""
        if review not in ("confirmed", "corrected", "deleted"):
            raise ValueError("review is confirmed, corrected or deleted")
        values: dict[str, Any] = {"review": review, "reviewed_at": utcnow()}
        if correction is not None:
            values["correction"] = storable(correction)
        async with self._sessions.begin() as session:
            await session.execute(
                update(TwinReplyRow).where(TwinReplyRow.id == reply_id).values(**values)
            )

    async def corrections(
        self, member_ids: Sequence[int], chat_id: int | None
    ) -> list[TwinReplyView]:
        """Replies the owner corrected (in one chat, or all), newest first."""
        stmt = self._reply_views().where(
            TwinReplyRow.member_id.in_(member_ids), TwinReplyRow.review == "corrected"
        )
        if chat_id is not None:
            stmt = stmt.where(TwinReplyRow.chat_id == chat_id)
        async with self._sessions() as session:
            rows = (await session.execute(stmt.order_by(TwinReplyRow.id.desc()))).all()
        return [self._view(*found) for found in rows]
