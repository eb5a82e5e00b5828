"""SQL aggregates for a member's growth and history: counts by chat and by week.

Every query takes the person's account ids and reads only rows those accounts wrote,
twin answers of theirs and introductions they were part of. Weeks start on Monday
(UTC) and are numbered from the Monday before 1 January 1970: see :func:`week_number`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Integer, case, cast, exists, func, select
from sqlalchemy.orm import aliased

from bots.storage.base import StorageBase
from bots.storage.tables import IntroGroupRow, MemberRow, MessageRow, TwinReplyRow

_EPOCH = date(1970, 1, 1)
_MONDAY_SHIFT = 3
"""1 January 1970 was a Thursday: three days after the Monday that starts week 0."""


def week_number(moment: datetime | date) -> int:
    """The Monday-based UTC week ``moment`` falls in, as the SQL queries number it."""
    day = moment.astimezone(UTC).date() if isinstance(moment, datetime) else moment
    return ((day - _EPOCH).days + _MONDAY_SHIFT) // 7


def week_start(number: int) -> date:
    """The Monday that starts week ``number``."""
    return _EPOCH + timedelta(days=number * 7 - _MONDAY_SHIFT)


@dataclass(frozen=True, slots=True)
class WeekCount:
    """A person's messages in one chat in one week: how many, and the first one's time."""

    chat_id: int
    week: int
    messages: int
    first_at: datetime


@dataclass(frozen=True, slots=True)
class TwinAnswerTotals:
    """What a person's twin said in one chat: answers sent and how many they confirmed."""

    chat_id: int
    sent: int
    confirmed: int


@dataclass(frozen=True, slots=True)
class ReplyToOther:
    """A person's message that replied to another member's message.

    ``parent_text`` is only for telling whether the other message asked something; it
    is never shown.
    """

    chat_id: int
    message_id: int
    parent_id: int
    sent_at: datetime
    text: str
    permalink: str | None
    parent_text: str


@dataclass(frozen=True, slots=True)
class TwinAnswerEvent:
    """One answer a person's twin sent, with a link to the question where one is known."""

    reply_id: int
    chat_id: int
    at: datetime
    review: str
    question_link: str | None


@dataclass(frozen=True, slots=True)
class IntroductionEvent:
    """One introduction a person was part of, with the others' display names."""

    group_id: int
    chat_id: int
    at: datetime
    others: tuple[str, ...]


class GrowthQueries(StorageBase):
    """Read-only aggregates for the member page; each call is one transaction."""

    def _week(self, column: Any) -> Any:
        """SQL for :func:`week_number` of a timestamp column, on this database."""
        if self._engine.dialect.name == "postgresql":
            days = func.extract("epoch", column) / 86400
            return cast(func.floor((days + _MONDAY_SHIFT) / 7), Integer)
        days = func.julianday(column) - 2440587.5  # the Julian day of 1970-01-01
        return cast((days + _MONDAY_SHIFT) / 7.0, Integer)  # truncates: positive values

    def _own_messages(
        self, member_ids: Sequence[int], chat_ids: Sequence[int] | None = None
    ) -> Any:
        """The person's messages to the group (not to Hearth) with their week, as a subquery."""
        stmt = select(
            MessageRow.chat_id.label("chat_id"),
            MessageRow.sent_at.label("sent_at"),
            self._week(MessageRow.sent_at).label("week"),
        ).where(MessageRow.member_id.in_(list(member_ids)), MessageRow.to_hearth.is_(False))
        if chat_ids is not None:
            stmt = stmt.where(MessageRow.chat_id.in_(list(chat_ids)))
        return stmt.subquery()

    async def week_counts(
        self, member_ids: Sequence[int], chat_ids: Sequence[int] | None = None
    ) -> list[WeekCount]:
        """The person's messages grouped by chat and week (only ``chat_ids``, when given),
        by chat then week: one row per week with messages, so a few hundred at most."""
        if not member_ids or (chat_ids is not None and not chat_ids):
            return []
        own = self._own_messages(member_ids, chat_ids)
        stmt = (
            select(own.c.chat_id, own.c.week, func.count(), func.min(own.c.sent_at))
            .group_by(own.c.chat_id, own.c.week)
            .order_by(own.c.chat_id, own.c.week)
        )
        async with self._sessions() as session:
            rows = (await session.execute(stmt)).all()
        return [
            WeekCount(int(chat), int(week), int(count), _at(first))
            for chat, week, count, first in rows
        ]

    async def replies_to_others(
        self, member_ids: Sequence[int], limit: int | None = None
    ) -> list[ReplyToOther]:
        """The person's replies to other (human) members' messages, newest first."""
        if not member_ids:
            return []
        ids = list(member_ids)
        parent = aliased(MessageRow)
        stmt = (
            select(
                MessageRow.chat_id,
                MessageRow.id,
                parent.id,
                MessageRow.sent_at,
                MessageRow.text,
                MessageRow.permalink,
                parent.text,
            )
            .join(
                parent,
                (parent.chat_id == MessageRow.chat_id)
                & (parent.platform_message_id == MessageRow.reply_to_platform_id),
            )
            .join(MemberRow, MemberRow.id == parent.member_id)
            .where(
                MessageRow.member_id.in_(ids),
                MessageRow.to_hearth.is_(False),
                parent.member_id.not_in(ids),
                parent.to_hearth.is_(False),
                MemberRow.is_bot.is_(False),
            )
            .order_by(MessageRow.sent_at.desc(), MessageRow.id.desc())
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        async with self._sessions() as session:
            rows = (await session.execute(stmt)).all()
        return [
            ReplyToOther(int(chat), int(mid), int(pid), _at(sent), text, link, parent_text)
            for chat, mid, pid, sent, text, link, parent_text in rows
        ]

    async def twin_answer_totals(self, member_ids: Sequence[int]) -> list[TwinAnswerTotals]:
        """Per chat: the answers the person's twins sent, and how many they confirmed."""
        if not member_ids:
            return []
        confirmed = func.sum(case((TwinReplyRow.review == "confirmed", 1), else_=0))
        stmt = (
            select(TwinReplyRow.chat_id, func.count(), confirmed)
            .where(TwinReplyRow.member_id.in_(list(member_ids)), TwinReplyRow.status == "sent")
            .group_by(TwinReplyRow.chat_id)
            .order_by(TwinReplyRow.chat_id)
        )
        async with self._sessions() as session:
            rows = (await session.execute(stmt)).all()
        return [TwinAnswerTotals(int(c), int(n), int(k or 0)) for c, n, k in rows]

    async def twin_answers(self, member_ids: Sequence[int], limit: int) -> list[TwinAnswerEvent]:
        """The newest answers the person's twins sent, with the question's link if stored."""
        if not member_ids:
            return []
        question = aliased(MessageRow)
        stmt = (
            select(
                TwinReplyRow.id,
                TwinReplyRow.chat_id,
                func.coalesce(TwinReplyRow.sent_at, TwinReplyRow.created_at),
                TwinReplyRow.review,
                question.permalink,
            )
            .outerjoin(
                question,
                (question.chat_id == TwinReplyRow.chat_id)
                & (question.platform_message_id == TwinReplyRow.question_platform_id),
            )
            .where(TwinReplyRow.member_id.in_(list(member_ids)), TwinReplyRow.status == "sent")
            .order_by(TwinReplyRow.created_at.desc(), TwinReplyRow.id.desc())
            .limit(limit)
        )
        async with self._sessions() as session:
            rows = (await session.execute(stmt)).all()
        return [
            TwinAnswerEvent(int(rid), int(chat), _at(at), review, link)
            for rid, chat, at, review, link in rows
        ]

    def _includes_any(self, member_ids: Sequence[int]) -> Any:
        """SQL: the introduction's member list holds one of ``member_ids``."""
        if self._engine.dialect.name == "postgresql":
            elements = func.json_array_elements_text(IntroGroupRow.member_ids).table_valued("value")
        else:
            elements = func.json_each(IntroGroupRow.member_ids).table_valued("value")
        value = cast(elements.c.value, BigInteger)
        return exists(select(1).select_from(elements).where(value.in_(list(member_ids))))

    async def introduction_counts(self, member_ids: Sequence[int]) -> dict[int, int]:
        """Per chat id: how many introductions the person was part of."""
        if not member_ids:
            return {}
        stmt = (
            select(IntroGroupRow.chat_id, func.count())
            .where(self._includes_any(member_ids))
            .group_by(IntroGroupRow.chat_id)
        )
        async with self._sessions() as session:
            rows = (await session.execute(stmt)).all()
        return {int(chat): int(count) for chat, count in rows}

    async def introductions(self, member_ids: Sequence[int], limit: int) -> list[IntroductionEvent]:
        """The newest introductions the person was part of, with the others' names."""
        if not member_ids:
            return []
        stmt = (
            select(IntroGroupRow)
            .where(self._includes_any(member_ids))
            .order_by(IntroGroupRow.round_at.desc(), IntroGroupRow.id.desc())
            .limit(limit)
        )
        own = set(member_ids)
        async with self._sessions() as session:
            groups = list((await session.scalars(stmt)).all())
            others = {int(m) for g in groups for m in g.member_ids if int(m) not in own}
            names: dict[int, str] = {}
            if others:
                found = await session.execute(
                    select(MemberRow.id, MemberRow.display_name).where(
                        MemberRow.id.in_(sorted(others))
                    )
                )
                names = {int(mid): name for mid, name in found.all()}
        return [
            IntroductionEvent(
                group.id,
                group.chat_id,
                _at(group.round_at),
                tuple(names[int(m)] for m in group.member_ids if int(m) in names),
            )
            for group in groups
        ]


def _at(moment: datetime) -> datetime:
    """Aggregates bypass the column type on SQLite: read back text or naive values as UTC."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
