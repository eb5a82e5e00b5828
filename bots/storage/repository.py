"""The repository: every SQL read and write the application makes, as async methods."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import aliased

from adapters.model import Chat, ChatKind, Member, Message, Platform
from bots.storage.assistant_queries import AssistantQueries
from bots.storage.base import storable
from bots.storage.catch_up import CatchUpQueries
from bots.storage.embedding_claims import EmbeddingClaims
from bots.storage.forget import ForgetQueries
from bots.storage.health_queries import HealthQueries
from bots.storage.language_queries import LanguageQueries
from bots.storage.message_ingest import STORED_COLUMNS, MessageIngest, stored_message
from bots.storage.reaction_store import ReactionQueries
from bots.storage.records import (
    ChatSettings,
    IngestResult,
    KnownMember,
    PeriodMessage,
    StoredMessage,
)
from bots.storage.reputation_queries import ReputationQueries
from bots.storage.tables import (
    ChatMemberRow,
    ChatRow,
    ChatSettingsRow,
    MemberRow,
    MemberSettingsRow,
    MessageRow,
    ReactionRow,
    utcnow,
)
from bots.storage.twin_replies import TwinReplyQueries
from jobs.message_terms import TERMS_VERSION, MessageTerms, encode

PERIOD_MESSAGES_LIMIT = 20_000
"""At most this many messages of a period are read back at once."""


class Storage(
    ForgetQueries,
    TwinReplyQueries,
    CatchUpQueries,
    HealthQueries,
    AssistantQueries,
    LanguageQueries,
    EmbeddingClaims,
    ReactionQueries,
    ReputationQueries,
    MessageIngest,
):
    """Async access to chats, members, messages and settings.

    Each public method runs in its own transaction, so a failure never leaves
    half-written rows behind.
    """

    def __init__(self, engine: AsyncEngine, *, default_absence_minutes: float = 10.0) -> None:
        super().__init__(engine)
        self._default_absence_minutes = default_absence_minutes

    async def _touch_chat_member(
        self,
        session: AsyncSession,
        chat_id: int,
        member_id: int,
        *,
        last_message_at: datetime | None = None,
        joined_at: datetime | None = None,
        left_at: datetime | None = None,
    ) -> None:
        row = await self._row(session, ChatMemberRow, chat_id=chat_id, member_id=member_id)
        if last_message_at is not None and (
            row.last_message_at is None or last_message_at > row.last_message_at
        ):
            row.last_message_at = last_message_at
        if joined_at is not None:
            row.joined_at, row.left_at = joined_at, None
        if left_at is not None:
            row.left_at = left_at

    async def ensure_chat(self, chat: Chat) -> int:
        """Hearth's id for ``chat``, creating the row on first sight."""
        async with self._sessions.begin() as session:
            return await self._upsert_chat(session, chat)

    async def ensure_member(self, member: Member) -> int:
        """Hearth's id for ``member``, creating or refreshing the row."""
        async with self._sessions.begin() as session:
            return await self._upsert_member(session, member)

    async def apply_edit(self, message: Message) -> IngestResult:
        """Replace a stored message's text after an edit and queue it for re-embedding.

        An edit that starts or stops addressing Hearth moves the message out of or
        back into the members' talk. An edit of a message Hearth never saw is stored
        as a new message.
        """
        async with self._sessions.begin() as session:
            chat_id = await self._upsert_chat(session, message.chat)
            row = await session.scalar(
                select(MessageRow).where(
                    MessageRow.chat_id == chat_id,
                    MessageRow.platform_message_id == message.platform_message_id,
                )
            )
            if row is not None:
                if (
                    row.text != storable(message.text)
                    or row.to_hearth != message.addressed_to_hearth
                ):
                    # Re-embedded, or taken out of memory when it now addresses Hearth.
                    row.text = storable(message.text)
                    row.to_hearth = message.addressed_to_hearth
                    row.embedded_at = None
                    row.terms_version = None  # found again with the new text
                row.edited_at = message.edited_at or utcnow()
                await session.flush()
                return IngestResult(stored_message(row), False, chat_id, row.member_id)
        return await self.ingest_message(message)

    async def delete_message(self, chat: Chat, platform_message_id: str) -> int | None:
        """Delete a stored message and the reactions on it; returns its id, or None if it
        was never stored."""
        async with self._sessions.begin() as session:
            chat_id = await self._upsert_chat(session, chat)
            await session.execute(
                delete(ReactionRow).where(
                    ReactionRow.chat_id == chat_id,
                    ReactionRow.platform_message_id == platform_message_id,
                )
            )
            return await session.scalar(
                delete(MessageRow)
                .where(
                    MessageRow.chat_id == chat_id,
                    MessageRow.platform_message_id == platform_message_id,
                )
                .returning(MessageRow.id)
            )

    async def pending_messages(
        self,
        limit: int,
        *,
        imported_limit: int | None = None,
        exclude: Sequence[int] = (),
        live_only: bool = False,
    ) -> list[StoredMessage]:
        """Messages not yet in vector memory, oldest first: live ones before imported ones.

        Up to ``limit`` live messages; only when none is pending (and not ``live_only``),
        up to ``imported_limit`` (default ``limit``) imported ones. A large import
        therefore never holds up what members say meanwhile. ``exclude`` leaves out
        messages already being embedded. One indexed read of plain columns.
        """
        stmt = (
            select(*STORED_COLUMNS, MessageRow.imported)
            .where(MessageRow.embedded_at.is_(None))
            .order_by(MessageRow.imported, MessageRow.id)
            .limit(limit if live_only else max(limit, imported_limit or limit))
        )
        if live_only:
            stmt = stmt.where(MessageRow.imported.is_(False))
        if exclude:
            stmt = stmt.where(MessageRow.id.not_in(exclude))
        async with self.engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        if not rows:
            return []
        if rows[0].imported:
            rows = rows[: imported_limit or limit]
        else:
            rows = [row for row in rows[:limit] if not row.imported]
        return [StoredMessage(*row[:-1]) for row in rows]

    async def mark_embedded(
        self,
        messages: Sequence[StoredMessage],
        at: datetime,
        terms: Mapping[int, MessageTerms] | None = None,
    ) -> set[int]:
        """Record that ``messages`` are in memory (or kept out of it, if said to Hearth),
        with the interest terms found beside their vectors (``terms``, by message id; see
        :mod:`jobs.message_terms`).

        A message whose text or addressing changed meanwhile stays pending. Returns the
        ids of ``messages`` still stored, read in the same transaction: the others were
        deleted or forgotten meanwhile. Any worker's claim on them ends (a message
        changed meanwhile is free again at once).
        """
        if not messages:
            return set()
        stmt = (
            update(MessageRow)
            .where(
                MessageRow.id == bindparam("mid"),
                MessageRow.text == bindparam("mtext"),
                MessageRow.to_hearth == bindparam("mhearth"),
            )
            .values(
                embedded_at=at,
                interest_terms=bindparam("mterms"),
                interest_weight=bindparam("mweight"),
                terms_version=bindparam("mversion"),
            )
        )
        found_terms = terms or {}
        ids = [m.id for m in messages]
        async with self.engine.begin() as conn:
            found = await conn.scalars(select(MessageRow.id).where(MessageRow.id.in_(ids)))
            still = set(found)
            params = [
                {
                    "mid": m.id,
                    "mtext": m.text,
                    "mhearth": m.to_hearth,
                    **_terms_values(found_terms.get(m.id)),
                }
                for m in messages
                if m.id in still
            ]
            if params:
                await conn.execute(stmt, params)
                await conn.execute(
                    update(MessageRow)
                    .where(MessageRow.id.in_(still), MessageRow.embedding_claimed_by.is_not(None))
                    .values(embedding_claimed_until=None, embedding_claimed_by=None)
                )
        return still

    async def existing_message_ids(self, ids: Sequence[int]) -> set[int]:
        """Which of ``ids`` are still stored (the rest were deleted or forgotten)."""
        if not ids:
            return set()
        async with self._sessions() as session:
            found = await session.scalars(select(MessageRow.id).where(MessageRow.id.in_(ids)))
            return set(found)

    async def count_messages(
        self, *, chat_id: int | None = None, member_id: int | None = None
    ) -> int:
        """How many messages are stored, optionally for one chat and/or member."""
        stmt = select(func.count()).select_from(MessageRow)
        if chat_id is not None:
            stmt = stmt.where(MessageRow.chat_id == chat_id)
        if member_id is not None:
            stmt = stmt.where(MessageRow.member_id == member_id)
        async with self._sessions() as session:
            return int(await session.scalar(stmt) or 0)

    async def find_chat_member(
        self,
        chat_id: int,
        platform: Platform,
        *,
        username: str | None = None,
        platform_user_id: str | None = None,
    ) -> KnownMember | None:
        """Look a member up by handle or platform id, with their twin state in ``chat_id``."""
        if username is None and platform_user_id is None:
            raise ValueError("give a username or a platform user id")
        stmt = (
            select(MemberRow, ChatMemberRow.last_message_at, MemberSettingsRow.twin_enabled)
            .outerjoin(
                ChatMemberRow,
                (ChatMemberRow.member_id == MemberRow.id) & (ChatMemberRow.chat_id == chat_id),
            )
            .outerjoin(
                MemberSettingsRow,
                (MemberSettingsRow.member_id == MemberRow.id)
                & (MemberSettingsRow.chat_id == chat_id),
            )
            .where(MemberRow.platform == platform.value)
        )
        if platform_user_id is not None:
            stmt = stmt.where(MemberRow.platform_user_id == platform_user_id)
        else:
            assert username is not None
            stmt = stmt.where(MemberRow.username == username.lower().lstrip("@"))
        async with self._sessions() as session:
            found = (await session.execute(stmt.limit(1))).first()
            if found is None:
                return None
            member, last_message_at, twin_enabled = found
            profile = await self._profile_of(session, member)
        return KnownMember(
            member_id=member.id,
            display_name=member.display_name,
            username=member.username,
            is_bot=member.is_bot,
            twin_enabled=bool(twin_enabled),
            last_message_at=last_message_at,
            profile=profile,
        )

    async def set_twin_enabled(self, chat_id: int, member_id: int, enabled: bool) -> None:
        """Record a member's consent for their twin in one chat."""
        async with self._sessions.begin() as session:
            row = await self._row(
                session,
                MemberSettingsRow,
                member_id=member_id,
                chat_id=chat_id,
                twin_enabled=enabled,
            )
            row.twin_enabled = enabled

    async def disable_twin_everywhere(self, member_ids: Sequence[int]) -> int:
        """Withdraw twin consent in every chat for these accounts; returns how many chats."""
        async with self._sessions.begin() as session:
            changed = await session.scalars(
                update(MemberSettingsRow)
                .where(
                    MemberSettingsRow.member_id.in_(member_ids),
                    MemberSettingsRow.twin_enabled.is_(True),
                )
                .values(twin_enabled=False)
                .returning(MemberSettingsRow.chat_id)
            )
            return len(list(changed))

    async def twin_enabled(self, chat_id: int, member_id: int) -> bool:
        """Whether the member opted in to a twin in this chat."""
        async with self._sessions() as session:
            row = await session.get(MemberSettingsRow, (member_id, chat_id))
            return bool(row and row.twin_enabled)

    async def chat_settings(self, chat_id: int) -> ChatSettings:
        """The chat's settings with defaults filled in."""
        async with self._sessions() as session:
            row = await session.get(ChatSettingsRow, chat_id)
        absence = self._default_absence_minutes
        if row is not None and row.twin_absence_minutes is not None:
            absence = row.twin_absence_minutes
        return ChatSettings(
            chat_id=chat_id,
            twins_enabled=True if row is None else row.twins_enabled,
            twin_absence_minutes=absence,
            assistant_enabled=True if row is None else row.assistant_enabled is not False,
            language="auto" if row is None or not row.language else row.language,
        )

    async def update_chat_settings(
        self,
        chat_id: int,
        *,
        twins_enabled: bool | None = None,
        twin_absence_minutes: float | None = None,
        assistant_enabled: bool | None = None,
        language: str | None = None,
    ) -> ChatSettings:
        """Change a chat's settings; fields left as None keep their value."""
        async with self._sessions.begin() as session:
            row = await self._chat_settings_row(session, chat_id)
            if twins_enabled is not None:
                row.twins_enabled = twins_enabled
            if twin_absence_minutes is not None:
                row.twin_absence_minutes = twin_absence_minutes
            if assistant_enabled is not None:
                row.assistant_enabled = assistant_enabled
            if language is not None:
                row.language = language
        return await self.chat_settings(chat_id)

    async def set_chat_active(self, chat: Chat, active: bool) -> int:
        """Mark whether Hearth is currently in the chat."""
        async with self._sessions.begin() as session:
            chat_id = await self._upsert_chat(session, chat)
            await session.execute(
                update(ChatRow).where(ChatRow.id == chat_id).values(active=active)
            )
            return chat_id

    async def record_membership(
        self, chat: Chat, member: Member, *, joined: bool, at: datetime
    ) -> None:
        """Record a member joining or leaving a chat."""
        async with self._sessions.begin() as session:
            chat_id = await self._upsert_chat(session, chat)
            member_id = await self._upsert_member(session, member)
            if joined:
                await self._touch_chat_member(session, chat_id, member_id, joined_at=at)
            else:
                await self._touch_chat_member(session, chat_id, member_id, left_at=at)

    async def member_name(self, member_id: int) -> str:
        """A member's display name."""
        async with self._sessions() as session:
            name = await session.scalar(
                select(MemberRow.display_name).where(MemberRow.id == member_id)
            )
        if name is None:
            raise LookupError(f"no member {member_id}")
        return name

    async def member_texts(self, chat_id: int, member_id: int, limit: int = 2000) -> list[str]:
        """The member's newest stored message texts in a chat, oldest first.

        Messages said to Hearth itself are left out: a persona learns from the member's talk.
        """
        async with self._sessions() as session:
            texts = await session.scalars(
                select(MessageRow.text)
                .where(
                    MessageRow.chat_id == chat_id,
                    MessageRow.member_id == member_id,
                    MessageRow.to_hearth.is_(False),
                )
                .order_by(MessageRow.id.desc())
                .limit(limit)
            )
            return list(reversed(list(texts)))

    async def period_messages(
        self,
        chat_id: int,
        start: datetime,
        end: datetime,
        limit: int = PERIOD_MESSAGES_LIMIT,
        *,
        newest: bool = False,
    ) -> list[PeriodMessage]:
        """People's messages in a chat within ``[start, end)``, oldest first.

        At most ``limit`` of them: the first ones of the period, or with ``newest`` the
        last ones. Messages said to Hearth itself are left out: they are questions to
        the bot, not to the group.
        """
        original = aliased(MessageRow)
        stmt = (
            select(MessageRow, MemberRow.display_name, original.id)
            .join(MemberRow, MemberRow.id == MessageRow.member_id)
            .outerjoin(
                original,
                (original.chat_id == MessageRow.chat_id)
                & (original.platform_message_id == MessageRow.reply_to_platform_id),
            )
            .where(
                MessageRow.chat_id == chat_id,
                MessageRow.sent_at >= start,
                MessageRow.sent_at < end,
                MemberRow.is_bot.is_(False),
                MessageRow.to_hearth.is_(False),
            )
            .order_by(
                *(
                    (MessageRow.sent_at.desc(), MessageRow.id.desc())
                    if newest
                    else (MessageRow.sent_at, MessageRow.id)
                )
            )
            .limit(limit)
        )
        async with self._sessions() as session:
            rows = list((await session.execute(stmt)).all())
        if newest:
            rows.reverse()
        return [
            PeriodMessage(
                id=row.id,
                member_id=row.member_id,
                member_name=name,
                text=row.text,
                sent_at=row.sent_at,
                permalink=row.permalink,
                reply_to_id=reply_to,
            )
            for row, name, reply_to in rows
        ]

    async def joined_between(self, chat_id: int, start: datetime, end: datetime) -> dict[int, str]:
        """Members who joined the chat within ``[start, end)``, by id, with their names."""
        stmt = (
            select(MemberRow.id, MemberRow.display_name)
            .join(ChatMemberRow, ChatMemberRow.member_id == MemberRow.id)
            .where(
                ChatMemberRow.chat_id == chat_id,
                ChatMemberRow.joined_at >= start,
                ChatMemberRow.joined_at < end,
            )
        )
        async with self._sessions() as session:
            rows = (await session.execute(stmt)).all()
        return {int(member_id): str(name) for member_id, name in rows}

    async def members_seen_before(
        self, chat_id: int, member_ids: Sequence[int], before: datetime
    ) -> set[int]:
        """Which of ``member_ids`` posted in the chat before ``before``."""
        if not member_ids:
            return set()
        stmt = (
            select(MessageRow.member_id)
            .where(
                MessageRow.chat_id == chat_id,
                MessageRow.member_id.in_(sorted(set(member_ids))),
                MessageRow.sent_at < before,
            )
            .distinct()
        )
        async with self._sessions() as session:
            rows = (await session.execute(stmt)).scalars().all()
        return {int(member_id) for member_id in rows}

    async def digest_schedule(self, chat_id: int) -> str | None:
        """The chat's stored digest schedule (JSON), or None."""
        async with self._sessions() as session:
            row = await session.get(ChatSettingsRow, chat_id)
        return None if row is None else row.digest_schedule

    async def set_digest_schedule(self, chat_id: int, schedule: str | None) -> None:
        """Store the chat's digest schedule (JSON), or clear it."""
        async with self._sessions.begin() as session:
            row = await self._chat_settings_row(session, chat_id)
            row.digest_schedule = schedule

    async def chat(self, chat_id: int) -> Chat | None:
        """The chat with this Hearth id, as the neutral model."""
        async with self._sessions() as session:
            row = await session.get(ChatRow, chat_id)
        if row is None:
            return None
        return Chat(Platform(row.platform), row.platform_chat_id, ChatKind(row.kind), row.title)

    async def digest_quiet_line(self, chat_id: int) -> bool:
        """Whether a quiet scheduled digest posts one line in this chat (else nothing)."""
        async with self._sessions() as session:
            row = await session.get(ChatSettingsRow, chat_id)
        return bool(row and row.digest_quiet_line)

    async def set_digest_quiet_line(self, chat_id: int, post_line: bool) -> None:
        """Choose what a quiet scheduled digest does: one line, or nothing."""
        async with self._sessions.begin() as session:
            row = await self._chat_settings_row(session, chat_id)
            row.digest_quiet_line = post_line


def _terms_values(found: MessageTerms | None) -> dict[str, object]:
    """The bound values that store ``found`` with its message (all empty for none)."""
    if found is None:
        return {"mterms": None, "mweight": None, "mversion": None}
    stored, weight = encode(found)
    return {"mterms": stored, "mweight": weight, "mversion": TERMS_VERSION}
