"""Which members each posted chat digest featured, in SQL: recorded, read back, forgotten."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bots.storage.base import StorageBase, storable
from bots.storage.tables import DigestFeatureRow
from jobs.digest_features import DigestFeature

PERMALINK_CHARS = 512


@dataclass(frozen=True, slots=True)
class FeaturedIn:
    """One way a posted digest featured a member (``kind``: a ``FeatureKind`` value)."""

    chat_id: int
    member_id: int
    posted_at: datetime
    kind: str
    title: str | None
    permalink: str | None


class DigestFeatureStore(StorageBase):
    """Records and reads digest features; each call is one transaction."""

    async def record(
        self, chat_id: int, posted_at: datetime, features: Sequence[DigestFeature]
    ) -> int:
        """Store that the digest posted in ``chat_id`` at ``posted_at`` featured these; how many."""
        if not features:
            return 0
        async with self._sessions.begin() as session:
            session.add_all(
                DigestFeatureRow(
                    chat_id=chat_id,
                    member_id=feature.member_id,
                    posted_at=posted_at,
                    kind=feature.kind.value,
                    title=storable(feature.title) if feature.title is not None else None,
                    permalink=_permalink(feature.permalink),
                )
                for feature in features
            )
        return len(features)

    async def featured(self, member_ids: Sequence[int], limit: int) -> list[FeaturedIn]:
        """The newest ``limit`` features of these accounts, newest first."""
        if not member_ids:
            return []
        stmt = (
            select(DigestFeatureRow)
            .where(DigestFeatureRow.member_id.in_(list(member_ids)))
            .order_by(DigestFeatureRow.posted_at.desc(), DigestFeatureRow.id)
            .limit(limit)
        )
        async with self._sessions() as session:
            return [_featured(row) for row in await session.scalars(stmt)]

    async def in_chat(self, chat_id: int) -> list[FeaturedIn]:
        """Every feature recorded in the chat, oldest first."""
        stmt = (
            select(DigestFeatureRow)
            .where(DigestFeatureRow.chat_id == chat_id)
            .order_by(DigestFeatureRow.posted_at, DigestFeatureRow.id)
        )
        async with self._sessions() as session:
            return [_featured(row) for row in await session.scalars(stmt)]


async def exported_features(session: AsyncSession, member_ids: Sequence[int]) -> list[FeaturedIn]:
    """Every feature of these accounts, oldest first, for the member's data export."""
    stmt = (
        select(DigestFeatureRow)
        .where(DigestFeatureRow.member_id.in_(list(member_ids)))
        .order_by(DigestFeatureRow.posted_at, DigestFeatureRow.id)
    )
    return [_featured(row) for row in await session.scalars(stmt)]


async def forget_features(session: AsyncSession, chat_id: int, member_id: int) -> int:
    """Delete the member's features in the chat (part of ``/forget``); how many went.

    A title the member's row shares with other members' rows of the same digest (a topic's
    title quotes or sums up everyone's words, the member's too) is erased from those rows
    as well, with its link; the rows stay, so the others still see they were featured.
    """
    own = aliased(DigestFeatureRow)
    shared: Any = exists().where(
        own.chat_id == chat_id,
        own.member_id == member_id,
        own.posted_at == DigestFeatureRow.posted_at,
        own.title == DigestFeatureRow.title,
    )
    await session.execute(
        update(DigestFeatureRow)
        .where(
            DigestFeatureRow.chat_id == chat_id,
            DigestFeatureRow.member_id != member_id,
            DigestFeatureRow.title.is_not(None),
            shared,
        )
        .values(title=None, permalink=None)
        .execution_options(synchronize_session=False)
    )
    deleted = await session.scalars(
        delete(DigestFeatureRow)
        .where(DigestFeatureRow.chat_id == chat_id, DigestFeatureRow.member_id == member_id)
        .returning(DigestFeatureRow.id)
    )
    return len(list(deleted))


def _featured(row: DigestFeatureRow) -> FeaturedIn:
    return FeaturedIn(row.chat_id, row.member_id, row.posted_at, row.kind, row.title, row.permalink)


def _permalink(link: str | None) -> str | None:
    return link if link is not None and len(link) <= PERMALINK_CHARS else None
