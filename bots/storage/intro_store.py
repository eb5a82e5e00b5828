"""Introductions in SQL: who takes part, whom they avoid, past rounds and chat settings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import aliased

from adapters.model import Member, Platform
from bots.storage.base import StorageBase
from bots.storage.tables import (
    ChatMemberRow,
    ChatSettingsRow,
    IntroAvoidRow,
    IntroGroupRow,
    IntroMemberRow,
    MemberRow,
    MessageRow,
)
from jobs.message_terms import MessageTerms, decode

DELIVERIES = ("group", "dm")
MAX_AVOIDED = 200
ID_CHUNK = 5000
"""Member ids per ``IN (...)`` list: well within SQLite's and PostgreSQL's parameter limits."""
"""A member's "don't pair me with" list holds at most this many people."""


@dataclass(frozen=True, slots=True)
class IntroParticipant:
    """An opted-in member who takes part in this round."""

    member_id: int
    member: Member


@dataclass(frozen=True, slots=True)
class IntroMessage:
    """One of a participant's recent messages, a candidate to quote."""

    message_id: int
    member_id: int
    text: str
    permalink: str | None
    sent_at: datetime | None = None
    terms: MessageTerms | None = None
    """Its interest terms, when the embedding worker stored them (:mod:`jobs.message_terms`)."""


@dataclass(frozen=True, slots=True)
class IntroState:
    """A member's introductions choice in one chat."""

    opted_in: bool
    snoozed_until: datetime | None


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    """``ids`` in lists of at most ``ID_CHUNK``."""
    size = ID_CHUNK
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def _member(row: MemberRow) -> Member:
    return Member(
        Platform(row.platform), row.platform_user_id, row.display_name, row.username, row.is_bot
    )


class IntroStore(StorageBase):
    """Reads and writes everything introductions keep; each call is one transaction."""

    async def cadence(self, chat_id: int) -> str | None:
        """The chat's stored introduction cadence (JSON), or None."""
        async with self._sessions() as session:
            row = await session.get(ChatSettingsRow, chat_id)
        return None if row is None else row.intro_cadence

    async def set_cadence(self, chat_id: int, cadence: str | None) -> None:
        """Store the chat's introduction cadence (JSON), or clear it."""
        async with self._sessions.begin() as session:
            row = await self._chat_settings_row(session, chat_id)
            row.intro_cadence = cadence

    async def delivery(self, chat_id: int) -> str:
        """Where the chat's introductions go: ``group`` or ``dm``."""
        async with self._sessions() as session:
            row = await session.get(ChatSettingsRow, chat_id)
        return row.intro_delivery if row is not None and row.intro_delivery else "group"

    async def set_delivery(self, chat_id: int, delivery: str) -> None:
        """Post introductions in the group (``group``) or send them to each member (``dm``)."""
        if delivery not in DELIVERIES:
            raise ValueError(f"delivery is one of {', '.join(DELIVERIES)}")
        async with self._sessions.begin() as session:
            row = await self._chat_settings_row(session, chat_id)
            row.intro_delivery = delivery

    async def state(self, chat_id: int, member_id: int) -> IntroState:
        """Whether the member takes part in this chat's introductions, and any snooze."""
        async with self._sessions() as session:
            row = await session.get(IntroMemberRow, (chat_id, member_id))
        if row is None:
            return IntroState(opted_in=False, snoozed_until=None)
        return IntroState(opted_in=row.opted_in, snoozed_until=row.snoozed_until)

    async def set_opted_in(self, chat_id: int, member_id: int, opted_in: bool) -> None:
        """Opt the member in to (or out of) this chat's introductions."""
        async with self._sessions.begin() as session:
            row = await self._row(session, IntroMemberRow, chat_id=chat_id, member_id=member_id)
            row.opted_in = opted_in
            if not opted_in:
                row.snoozed_until = None

    async def snooze(self, member_id: int, until: datetime | None) -> int:
        """Snooze (``None``: wake) the member in every chat they opted in; how many chats."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(IntroMemberRow)
                .where(IntroMemberRow.member_id == member_id, IntroMemberRow.opted_in.is_(True))
                .values(snoozed_until=until)
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def forget(self, chat_id: int, member_id: int) -> None:
        """Remove the member's introductions choice and history in this chat.

        Past introductions keep the other members (so pairs still do not repeat
        at once); a group left with fewer than two members goes.
        """
        async with self._sessions.begin() as session:
            await session.execute(
                delete(IntroMemberRow).where(
                    IntroMemberRow.chat_id == chat_id, IntroMemberRow.member_id == member_id
                )
            )
            groups = (
                await session.scalars(select(IntroGroupRow).where(IntroGroupRow.chat_id == chat_id))
            ).all()
            for group in groups:
                if member_id not in group.member_ids:
                    continue
                others = [m for m in group.member_ids if m != member_id]
                if len(others) < 2:
                    await session.delete(group)
                else:
                    group.member_ids = others

    async def participants(self, chat_id: int, now: datetime) -> list[IntroParticipant]:
        """Opted-in, awake, human members still in the chat, by member id."""
        stmt = (
            select(MemberRow)
            .join(IntroMemberRow, IntroMemberRow.member_id == MemberRow.id)
            .join(
                ChatMemberRow,
                (ChatMemberRow.member_id == MemberRow.id) & (ChatMemberRow.chat_id == chat_id),
            )
            .where(
                IntroMemberRow.chat_id == chat_id,
                IntroMemberRow.opted_in.is_(True),
                or_(IntroMemberRow.snoozed_until.is_(None), IntroMemberRow.snoozed_until <= now),
                MemberRow.is_bot.is_(False),
                ChatMemberRow.present(),
            )
            .order_by(MemberRow.id)
        )
        async with self._sessions() as session:
            rows = (await session.scalars(stmt)).all()
        return [IntroParticipant(row.id, _member(row)) for row in rows]

    async def recent_messages(
        self, chat_id: int, member_ids: Sequence[int], since: datetime, per_member: int
    ) -> list[IntroMessage]:
        """Each member's latest ``per_member`` messages in the chat since ``since``.

        By member, then message id. Messages said to Hearth itself are left out: they
        are not the member's talk. Read ``ID_CHUNK`` members at a time, so a chat
        of any size stays within the database's limit on query parameters.
        """
        found: list[IntroMessage] = []
        for chunk in _chunks(sorted(set(member_ids))):
            found.extend(await self._recent_messages(chat_id, chunk, since, per_member))
        return found

    async def _recent_messages(
        self, chat_id: int, member_ids: Sequence[int], since: datetime, per_member: int
    ) -> list[IntroMessage]:
        rank = (
            func.row_number()
            .over(partition_by=MessageRow.member_id, order_by=MessageRow.sent_at.desc())
            .label("rank")
        )
        inner = (
            select(
                MessageRow.id,
                MessageRow.member_id,
                MessageRow.text,
                MessageRow.permalink,
                MessageRow.sent_at,
                MessageRow.interest_terms,
                MessageRow.interest_weight,
                MessageRow.terms_version,
                rank,
            )
            .where(
                MessageRow.chat_id == chat_id,
                MessageRow.member_id.in_(list(member_ids)),
                MessageRow.sent_at >= since,
                MessageRow.to_hearth.is_(False),
            )
            .subquery()
        )
        stmt = (
            select(
                inner.c.id,
                inner.c.member_id,
                inner.c.text,
                inner.c.permalink,
                inner.c.sent_at,
                inner.c.interest_terms,
                inner.c.interest_weight,
                inner.c.terms_version,
            )
            .where(inner.c.rank <= per_member)
            .order_by(inner.c.member_id, inner.c.id)
        )
        async with self._sessions() as session:
            rows = (await session.execute(stmt)).all()
        return [
            IntroMessage(int(i), int(m), str(t), p, at, decode(terms, weight, version))
            for i, m, t, p, at, terms, weight, version in rows
        ]

    async def reply_counts(
        self, chat_id: int, member_ids: Sequence[int], since: datetime
    ) -> dict[tuple[int, int], int]:
        """How often each pair of these members replied to each other since ``since``.

        Read by ``ID_CHUNK`` repliers at a time; whom they answered is checked here.
        """
        if len(member_ids) < 2:
            return {}
        chosen = set(member_ids)
        target = aliased(MessageRow)
        counts: dict[tuple[int, int], int] = {}
        for chunk in _chunks(sorted(chosen)):
            stmt = (
                select(MessageRow.member_id, target.member_id, func.count())
                .join(
                    target,
                    (target.chat_id == MessageRow.chat_id)
                    & (target.platform_message_id == MessageRow.reply_to_platform_id),
                )
                .where(
                    MessageRow.chat_id == chat_id,
                    MessageRow.sent_at >= since,
                    MessageRow.member_id.in_(chunk),
                    MessageRow.member_id != target.member_id,
                    MessageRow.to_hearth.is_(False),
                )
                .group_by(MessageRow.member_id, target.member_id)
            )
            async with self._sessions() as session:
                rows = (await session.execute(stmt)).all()
            for a, b, count in rows:
                if b not in chosen:
                    continue
                pair = (min(a, b), max(a, b))
                counts[pair] = counts.get(pair, 0) + int(count)
        return counts

    async def avoided(self, member_ids: Sequence[int]) -> dict[int, set[int]]:
        """Each of these members' avoid lists (only entries naming someone else given)."""
        chosen = set(member_ids)
        found: dict[int, set[int]] = {}
        for chunk in _chunks(sorted(chosen)):
            stmt = select(IntroAvoidRow.member_id, IntroAvoidRow.avoided_member_id).where(
                IntroAvoidRow.member_id.in_(chunk)
            )
            async with self._sessions() as session:
                rows = (await session.execute(stmt)).all()
            for member, other in rows:
                if other in chosen:
                    found.setdefault(int(member), set()).add(int(other))
        return found

    async def avoid(self, member_id: int, other_id: int) -> bool:
        """Add ``other_id`` to the member's avoid list; False when the list is full."""
        async with self._sessions.begin() as session:
            if await session.get(IntroAvoidRow, (member_id, other_id)) is not None:
                return True
            size = await session.scalar(
                select(func.count())
                .select_from(IntroAvoidRow)
                .where(IntroAvoidRow.member_id == member_id)
            )
            if (size or 0) >= MAX_AVOIDED:
                return False
            session.add(IntroAvoidRow(member_id=member_id, avoided_member_id=other_id))
        return True

    async def allow(self, member_id: int, other_id: int) -> bool:
        """Take ``other_id`` off the member's avoid list; whether it was on it."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                delete(IntroAvoidRow).where(
                    IntroAvoidRow.member_id == member_id,
                    IntroAvoidRow.avoided_member_id == other_id,
                )
            )
        return bool(getattr(result, "rowcount", 0))

    async def avoid_list(self, member_id: int) -> list[str]:
        """The names on the member's avoid list, for showing to them privately."""
        stmt = (
            select(MemberRow.display_name, MemberRow.username)
            .join(IntroAvoidRow, IntroAvoidRow.avoided_member_id == MemberRow.id)
            .where(IntroAvoidRow.member_id == member_id)
            .order_by(MemberRow.display_name)
        )
        async with self._sessions() as session:
            rows = (await session.execute(stmt)).all()
        return [f"{name} (@{username})" if username else str(name) for name, username in rows]

    async def past_rounds(self, chat_id: int, rounds: int) -> list[list[list[int]]]:
        """The chat's latest ``rounds`` rounds, oldest first, each a list of groups."""
        if rounds < 1:
            return []
        async with self._sessions() as session:
            times = list(
                await session.scalars(
                    select(IntroGroupRow.round_at)
                    .where(IntroGroupRow.chat_id == chat_id)
                    .group_by(IntroGroupRow.round_at)
                    .order_by(IntroGroupRow.round_at.desc())
                    .limit(rounds)
                )
            )
            if not times:
                return []
            rows = (
                await session.execute(
                    select(IntroGroupRow.round_at, IntroGroupRow.member_ids).where(
                        IntroGroupRow.chat_id == chat_id, IntroGroupRow.round_at.in_(times)
                    )
                )
            ).all()
        by_round: dict[datetime, list[list[int]]] = {moment: [] for moment in sorted(times)}
        for moment, members in rows:
            by_round.setdefault(moment, []).append([int(m) for m in members])
        return list(by_round.values())

    async def record_round(
        self, chat_id: int, at: datetime, groups: Mapping[tuple[int, ...], float]
    ) -> None:
        """Keep a round's groups (member ids and similarity) so pairs do not repeat."""
        if not groups:
            return
        async with self._sessions.begin() as session:
            session.add_all(
                IntroGroupRow(
                    chat_id=chat_id, round_at=at, member_ids=list(members), similarity=similarity
                )
                for members, similarity in groups.items()
            )

    async def prune_rounds(self, before: datetime) -> int:
        """Forget introductions made before ``before``; how many went."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                delete(IntroGroupRow).where(IntroGroupRow.round_at < before)
            )
        return int(getattr(result, "rowcount", 0) or 0)
