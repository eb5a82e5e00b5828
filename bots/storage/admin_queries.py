"""Aggregate figures about one chat for its admins: twin activity, introductions made,
embedding progress and scheduled runs. Nothing here reads what a member wrote."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select

from bots.storage.base import StorageBase
from bots.storage.tables import (
    IntroGroupRow,
    MemberRow,
    MessageRow,
    TwinLimitHitRow,
    TwinReplyRow,
)
from jobs.run_lease import run_leases

_HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class TwinActivity:
    """What the chat's twins did since a moment: counts only."""

    answers: int
    """Answers posted in the chat."""
    drafts: int
    """Answers that waited for their owner's approval."""
    failed: int
    """Answers the platform did not take."""
    corrections: int
    """Answers their owner corrected (``/twin correct``)."""
    confirmed: int
    deleted: int
    abstentions: int
    """Answers saying the twin had nothing relevant to quote."""
    limit_hits: int
    """Answers held back by the rate limits."""


@dataclass(frozen=True, slots=True)
class EmbeddingProgress:
    """The chat's messages waiting for vector memory, and how many went in lately."""

    pending: int
    embedded_last_hour: int


@dataclass(frozen=True, slots=True)
class JobRuns:
    """One kind of scheduled job's runs in the chat since a moment."""

    kind: str
    finished: int
    failed: int
    unfinished: int
    last_claimed: datetime | None


@dataclass(frozen=True, slots=True)
class IntroPair:
    """Two members introduced to each other, and how often."""

    first: int
    second: int
    times: int


class AdminQueries(StorageBase):
    """Reads the figures of the admin dashboard; each is one small query."""

    async def twin_activity(self, chat_id: int, since: datetime) -> TwinActivity:
        """Counts of the chat's twin answers since ``since`` by status and review."""
        reply = TwinReplyRow
        stmt = select(
            func.count(case((reply.status == "sent", 1))),
            func.count(case((reply.status == "draft", 1))),
            func.count(case((reply.status == "failed", 1))),
            func.count(case((reply.review == "corrected", 1))),
            func.count(case((reply.review == "confirmed", 1))),
            func.count(case((reply.review == "deleted", 1))),
            func.count(case((reply.abstained.is_(True), 1))),
        ).where(reply.chat_id == chat_id, reply.created_at >= since)
        hits = (
            select(func.count())
            .select_from(TwinLimitHitRow)
            .where(TwinLimitHitRow.chat_id == chat_id, TwinLimitHitRow.hit_at >= since)
        )
        async with self._sessions() as session:
            row = (await session.execute(stmt)).one()
            limited = await session.scalar(hits)
        answers, drafts, failed, corrected, confirmed, deleted, abstained = (
            int(value or 0) for value in row
        )
        return TwinActivity(
            answers, drafts, failed, corrected, confirmed, deleted, abstained, int(limited or 0)
        )

    async def embedding_progress(self, chat_id: int, now: datetime) -> EmbeddingProgress:
        """The chat's messages not yet in vector memory, and those embedded in the hour
        before ``now`` (the embedding rate)."""
        hour_ago = now - _HOUR
        stmt = select(
            func.count(case((MessageRow.embedded_at.is_(None), 1))),
            func.count(case((MessageRow.embedded_at >= hour_ago, 1))),
        ).where(MessageRow.chat_id == chat_id, MessageRow.to_hearth.is_(False))
        async with self._sessions() as session:
            pending, recent = (await session.execute(stmt)).one()
        return EmbeddingProgress(int(pending or 0), int(recent or 0))

    async def job_runs(
        self, chat_id: int, kinds: tuple[str, ...], since: datetime
    ) -> list[JobRuns]:
        """Each kind's scheduled runs claimed in the chat since ``since`` (from the run
        leases, which every process writes)."""
        lease = run_leases.c
        stmt = (
            select(
                lease.kind,
                func.count(case((lease.finished_at.is_not(None), 1))),
                func.count(case((lease.failed_at.is_not(None), 1))),
                func.count(case(((lease.finished_at.is_(None)) & (lease.failed_at.is_(None)), 1))),
                func.max(lease.claimed_at),
            )
            .where(lease.chat_id == chat_id, lease.kind.in_(kinds), lease.claimed_at >= since)
            .group_by(lease.kind)
        )
        async with self._engine.connect() as conn:
            rows = {str(row[0]): row for row in await conn.execute(stmt)}
        found = []
        for kind in kinds:
            row = rows.get(kind)
            if row is None:
                found.append(JobRuns(kind, 0, 0, 0, None))
            else:
                found.append(JobRuns(kind, int(row[1]), int(row[2]), int(row[3]), row[4]))
        return found

    async def intro_pairs(self, chat_id: int, since: datetime) -> list[IntroPair]:
        """The pairs introduced in the chat since ``since`` (a group of three makes three
        pairs), the most frequent first."""
        stmt = select(IntroGroupRow.member_ids).where(
            IntroGroupRow.chat_id == chat_id, IntroGroupRow.round_at >= since
        )
        async with self._sessions() as session:
            groups = list(await session.scalars(stmt))
        counts: dict[tuple[int, int], int] = {}
        for members in groups:
            ids = sorted({int(m) for m in members})
            for index, first in enumerate(ids):
                for second in ids[index + 1 :]:
                    counts[(first, second)] = counts.get((first, second), 0) + 1
        pairs = [IntroPair(a, b, n) for (a, b), n in counts.items()]
        return sorted(pairs, key=lambda pair: (-pair.times, pair.first, pair.second))

    async def display_names(self, member_ids: list[int]) -> dict[int, str]:
        """The display names of these members (those still known)."""
        if not member_ids:
            return {}
        stmt = select(MemberRow.id, MemberRow.display_name).where(MemberRow.id.in_(member_ids))
        async with self._sessions() as session:
            return {int(row[0]): str(row[1]) for row in await session.execute(stmt)}
