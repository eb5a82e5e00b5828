"""Imported history in SQL: messages stored in bulk, once each, and the runs that import them.

Each batch is one transaction that stores its messages (a message already stored, live
or by an earlier run, is counted as a duplicate and left as it is) together with the
run's place in its source, so a run killed at any moment continues exactly where its
last batch ended. Only SQL is written here; the embedding worker puts the messages into
vector memory afterwards, live messages first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.history import SkipReason
from adapters.model import Chat, Member, Message
from bots.storage.base import StorageBase, storable
from bots.storage.tables import (
    ChatMemberRow,
    HistoryImportRow,
    MemberRow,
    MemberSettingsRow,
    MessageRow,
    utcnow,
)


@dataclass(frozen=True, slots=True)
class ImportRun:
    """A run importing one chat's history, as stored."""

    id: int
    chat_id: int
    source: str
    source_key: str
    status: str
    resume_after: str | None
    stored: int
    duplicates: int
    skipped: Mapping[str, int]
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None
    since: datetime | None = None
    requested_by: int | None = None
    note: str | None = None

    @property
    def skipped_total(self) -> int:
        """How many records were left out, all reasons together."""
        return sum(self.skipped.values())


@dataclass(frozen=True, slots=True)
class StoredBatch:
    """What one batch did: how many messages were new, and who wrote them."""

    stored: int
    duplicates: int
    new_texts: Mapping[int, list[str]] = field(default_factory=dict)
    """The texts of the new messages by member id (for personas of members whose twin is on)."""
    twin_members: frozenset[int] = frozenset()
    """Of the members with new messages, those whose twin is on in the chat."""


def _run(row: HistoryImportRow) -> ImportRun:
    return ImportRun(
        id=row.id,
        chat_id=row.chat_id,
        source=row.source,
        source_key=row.source_key,
        status=row.status,
        resume_after=row.resume_after,
        stored=row.stored,
        duplicates=row.duplicates,
        skipped=dict(row.skipped or {}),
        started_at=row.started_at,
        updated_at=row.updated_at,
        finished_at=row.finished_at,
        since=row.since,
        requested_by=row.requested_by,
        note=row.note,
    )


class HistoryImportStore(StorageBase):
    """Stores imported messages in bulk and keeps each import run's place."""

    async def chat_id(self, chat: Chat) -> int:
        """Hearth's id for ``chat``, creating the row (as not yet joined) on first sight."""
        async with self._sessions.begin() as session:
            return await self._upsert_chat(session, chat, live=False)

    async def start_run(
        self,
        chat_id: int,
        *,
        platform: str,
        source: str,
        source_key: str,
        since: datetime | None = None,
        requested_by: int | None = None,
    ) -> tuple[ImportRun, bool]:
        """The run to continue for this source, or a new one; True when it continues one.

        A run of the same chat, source and key that did not finish (it was stopped, killed
        or failed) is continued from its last batch, and is running again; a finished or
        cancelled one is not continued: a new run starts (and stores only what is new).
        """
        async with self._sessions.begin() as session:
            row = await session.scalar(
                select(HistoryImportRow)
                .where(
                    HistoryImportRow.chat_id == chat_id,
                    HistoryImportRow.source == source,
                    HistoryImportRow.source_key == source_key[:128],
                    HistoryImportRow.status.in_(("running", "failed")),
                )
                .order_by(HistoryImportRow.id.desc())
                .limit(1)
            )
            if row is not None:
                row.status, row.note, row.finished_at = "running", None, None
                await session.flush()
                return _run(row), True
            now = utcnow()
            row = HistoryImportRow(
                platform=platform,
                chat_id=chat_id,
                source=source,
                source_key=source_key[:128],
                status="running",
                since=since,
                requested_by=requested_by,
                skipped={},
                stored=0,
                duplicates=0,
                started_at=now,
                updated_at=now,
            )
            session.add(row)
            await session.flush()
            return _run(row), False

    async def store_batch(
        self,
        run_id: int,
        chat_id: int,
        messages: Sequence[Message],
        *,
        skipped: Mapping[SkipReason, int] | None = None,
        resume_after: str | None = None,
    ) -> StoredBatch:
        """Store ``messages`` of the run's chat once each and move the run's place, together.

        Members are matched by their platform ids, the same ones the live adapters use, so
        imported and live messages are one member's memory. Nothing here turns a twin on.
        """
        async with self._sessions.begin() as session:
            member_ids = await self._member_ids(session, [m.sender for m in messages])
            rows = [
                {
                    "chat_id": chat_id,
                    "member_id": member_ids[_member_key(m.sender)],
                    "platform_message_id": m.platform_message_id,
                    "text": storable(m.text),
                    "sent_at": m.sent_at,
                    "edited_at": m.edited_at,
                    "reply_to_platform_id": m.reply_to_message_id,
                    "permalink": m.permalink,
                    "to_hearth": m.addressed_to_hearth,
                    "imported": True,
                    "created_at": utcnow(),
                }
                for m in _first_of_each(messages)
            ]
            new: list[tuple[int, str, bool]] = []
            if rows:
                stmt = (
                    self._insert(MessageRow)
                    .on_conflict_do_nothing(
                        index_elements=[MessageRow.chat_id, MessageRow.platform_message_id]
                    )
                    .returning(MessageRow.member_id, MessageRow.text, MessageRow.to_hearth)
                )
                # Many parameter sets for one cached statement (sent as multi-row
                # INSERTs): no statement is compiled per batch on the event loop.
                conn = await session.connection()
                result = await conn.execute(stmt, rows)
                new = [(int(r[0]), str(r[1]), bool(r[2])) for r in result]
                await self._touch_presence(session, chat_id, member_ids, messages)
            duplicates = len(messages) - len(new)
            texts: dict[int, list[str]] = {}
            for member_id, text, to_hearth in new:
                if not to_hearth:
                    texts.setdefault(member_id, []).append(text)
            twins = await self._twin_members(session, chat_id, texts)
            await self._advance(
                session,
                run_id,
                stored=len(new),
                duplicates=duplicates,
                skipped=skipped or {},
                resume_after=resume_after,
            )
        return StoredBatch(len(new), duplicates, texts, twins)

    async def finish_run(self, run_id: int, status: str, note: str | None = None) -> ImportRun:
        """Mark the run ``done``, ``failed`` or ``cancelled`` (with a note saying why)."""
        async with self._sessions.begin() as session:
            row = await session.get(HistoryImportRow, run_id, with_for_update=True)
            if row is None:
                raise LookupError(f"no import run {run_id}")
            row.status = status
            row.note = note
            row.finished_at = utcnow()
            await session.flush()
            return _run(row)

    async def run(self, run_id: int) -> ImportRun | None:
        """The run with this id, if it exists."""
        async with self._sessions() as session:
            row = await session.get(HistoryImportRow, run_id)
            return None if row is None else _run(row)

    async def runs(
        self, *, chat_id: int | None = None, source: str | None = None, unfinished: bool = False
    ) -> list[ImportRun]:
        """Import runs, newest first, of one chat and/or source; only running ones if asked."""
        query = select(HistoryImportRow).order_by(HistoryImportRow.id.desc())
        if chat_id is not None:
            query = query.where(HistoryImportRow.chat_id == chat_id)
        if source is not None:
            query = query.where(HistoryImportRow.source == source)
        if unfinished:
            query = query.where(HistoryImportRow.status == "running")
        async with self._sessions() as session:
            return [_run(row) for row in await session.scalars(query)]

    async def imported_members(self, chat_ids: Sequence[int], *, since: datetime | None) -> int:
        """How many members wrote the imported messages of these chats (sent since ``since``)."""
        query = select(func.count(func.distinct(MessageRow.member_id))).where(
            MessageRow.chat_id.in_(list(chat_ids)), MessageRow.imported.is_(True)
        )
        if since is not None:
            query = query.where(MessageRow.sent_at >= since)
        async with self._sessions() as session:
            return int(await session.scalar(query) or 0)

    async def _member_ids(
        self, session: AsyncSession, members: Sequence[Member]
    ) -> dict[tuple[str, str], int]:
        """Ids for ``members``, adding the ones never seen; a known member keeps their
        name and username as the live adapter last saw them (an export may be older)."""
        wanted = {_member_key(m): m for m in members}
        if not wanted:
            return {}
        rows = [
            {
                "platform": m.platform.value,
                "platform_user_id": m.platform_user_id,
                "display_name": storable(m.display_name)[:256],
                "username": m.username.lower()[:64] if m.username else None,
                "is_bot": m.is_bot,
                "created_at": utcnow(),
                "updated_at": utcnow(),
            }
            for m in wanted.values()
        ]
        await session.execute(
            self._insert(MemberRow)
            .values(rows)
            .on_conflict_do_nothing(index_elements=[MemberRow.platform, MemberRow.platform_user_id])
        )
        found: dict[tuple[str, str], int] = {}
        platforms = {key[0] for key in wanted}
        for platform in platforms:
            user_ids = [key[1] for key in wanted if key[0] == platform]
            result = await session.execute(
                select(MemberRow.platform_user_id, MemberRow.id).where(
                    MemberRow.platform == platform, MemberRow.platform_user_id.in_(user_ids)
                )
            )
            for user_id, member_id in result:
                found[(platform, str(user_id))] = int(member_id)
        return found

    async def _touch_presence(
        self,
        session: AsyncSession,
        chat_id: int,
        member_ids: Mapping[tuple[str, str], int],
        messages: Sequence[Message],
    ) -> None:
        """Record each writer as seen in the chat, with the time of their latest message."""
        latest: dict[int, datetime] = {}
        for m in messages:
            member_id = member_ids[_member_key(m.sender)]
            if member_id not in latest or m.sent_at > latest[member_id]:
                latest[member_id] = m.sent_at
        existing = {
            row.member_id: row
            for row in await session.scalars(
                select(ChatMemberRow).where(
                    ChatMemberRow.chat_id == chat_id, ChatMemberRow.member_id.in_(list(latest))
                )
            )
        }
        for member_id, at in latest.items():
            row = existing.get(member_id)
            if row is None:
                session.add(ChatMemberRow(chat_id=chat_id, member_id=member_id, last_message_at=at))
            elif row.last_message_at is None or at > row.last_message_at:
                row.last_message_at = at

    @staticmethod
    async def _twin_members(
        session: AsyncSession, chat_id: int, texts: Mapping[int, list[str]]
    ) -> frozenset[int]:
        if not texts:
            return frozenset()
        result = await session.scalars(
            select(MemberSettingsRow.member_id).where(
                MemberSettingsRow.chat_id == chat_id,
                MemberSettingsRow.member_id.in_(list(texts)),
                MemberSettingsRow.twin_enabled.is_(True),
            )
        )
        return frozenset(int(m) for m in result)

    @staticmethod
    async def _advance(
        session: AsyncSession,
        run_id: int,
        *,
        stored: int,
        duplicates: int,
        skipped: Mapping[SkipReason, int],
        resume_after: str | None,
    ) -> None:
        row = await session.get(HistoryImportRow, run_id, with_for_update=True)
        if row is None:
            raise LookupError(f"no import run {run_id}")
        counts = Counter(row.skipped or {})
        for reason, count in skipped.items():
            counts[str(reason)] += count
        values: dict[str, object] = {
            "stored": row.stored + stored,
            "duplicates": row.duplicates + duplicates,
            "skipped": dict(counts),
            "updated_at": utcnow(),
        }
        if resume_after is not None:
            values["resume_after"] = resume_after
        await session.execute(
            update(HistoryImportRow).where(HistoryImportRow.id == run_id).values(**values)
        )


def _member_key(member: Member) -> tuple[str, str]:
    return (member.platform.value, member.platform_user_id)


def _first_of_each(messages: Sequence[Message]) -> list[Message]:
    """``messages`` without repeats of a platform id (the first one is kept)."""
    seen: set[str] = set()
    kept = []
    for m in messages:
        if m.platform_message_id not in seen:
            seen.add(m.platform_message_id)
            kept.append(m)
    return kept
