"""The repository: every SQL read and write the application makes, as async methods."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from adapters.model import Chat, Member, Message, Platform
from bots.storage.records import (
    ChatSettings,
    ForgetResult,
    IngestResult,
    KnownMember,
    LinkOutcome,
    PeriodMessage,
    Profile,
    StoredMessage,
    TwinReplyView,
)
from bots.storage.tables import (
    ChatMemberRow,
    ChatRow,
    ChatSettingsRow,
    LinkCodeRow,
    MemberRow,
    MemberSettingsRow,
    MessageRow,
    ProfileRow,
    TwinReplyRow,
    utcnow,
)


def storable(text: str) -> str:
    """Text as both SQLite and PostgreSQL can keep it (PostgreSQL rejects NUL characters)."""
    return text.replace("\x00", "\ufffd")


def _stored(row: MessageRow) -> StoredMessage:
    return StoredMessage(
        id=row.id,
        chat_id=row.chat_id,
        member_id=row.member_id,
        platform_message_id=row.platform_message_id,
        text=row.text,
        sent_at=row.sent_at,
        permalink=row.permalink,
    )


class Storage:
    """Async access to chats, members, messages and settings.

    Each public method runs in its own transaction, so a failure never leaves
    half-written rows behind.
    """

    def __init__(self, engine: AsyncEngine, *, default_absence_minutes: float = 10.0) -> None:
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._default_absence_minutes = default_absence_minutes

    @property
    def engine(self) -> AsyncEngine:
        """The engine this repository writes through."""
        return self._engine

    async def close(self) -> None:
        """Release all database connections."""
        await self._engine.dispose()

    def _insert(self, session: AsyncSession, table: Any) -> Any:
        if self._engine.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    async def _upsert_chat(self, session: AsyncSession, chat: Chat) -> int:
        stmt = self._insert(session, ChatRow).values(
            platform=chat.platform.value,
            platform_chat_id=chat.platform_chat_id,
            kind=chat.kind.value,
            title=storable(chat.title)[:256] if chat.title else None,
            active=True,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[ChatRow.platform, ChatRow.platform_chat_id],
            set_={"title": func.coalesce(stmt.excluded.title, ChatRow.title)},
        ).returning(ChatRow.id)
        return int((await session.execute(stmt)).scalar_one())

    async def _upsert_member(self, session: AsyncSession, member: Member) -> int:
        username = member.username.lower() if member.username else None
        stmt = self._insert(session, MemberRow).values(
            platform=member.platform.value,
            platform_user_id=member.platform_user_id,
            display_name=storable(member.display_name)[:256],
            username=username,
            is_bot=member.is_bot,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[MemberRow.platform, MemberRow.platform_user_id],
            set_={
                "display_name": stmt.excluded.display_name,
                "username": func.coalesce(stmt.excluded.username, MemberRow.username),
                "is_bot": stmt.excluded.is_bot,
            },
        ).returning(MemberRow.id)
        return int((await session.execute(stmt)).scalar_one())

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
        row = await session.get(ChatMemberRow, (chat_id, member_id))
        if row is None:
            row = ChatMemberRow(chat_id=chat_id, member_id=member_id)
            session.add(row)
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

    async def ingest_message(self, message: Message) -> IngestResult:
        """Store a group message once; a re-delivered message returns the stored row."""
        async with self._sessions.begin() as session:
            chat_id = await self._upsert_chat(session, message.chat)
            member_id = await self._upsert_member(session, message.sender)
            await self._touch_chat_member(
                session, chat_id, member_id, last_message_at=message.sent_at
            )
            stmt = (
                self._insert(session, MessageRow)
                .values(
                    chat_id=chat_id,
                    member_id=member_id,
                    platform_message_id=message.platform_message_id,
                    text=storable(message.text),
                    sent_at=message.sent_at,
                    edited_at=message.edited_at,
                    reply_to_platform_id=message.reply_to_message_id,
                    permalink=message.permalink,
                    created_at=utcnow(),
                )
                .on_conflict_do_nothing(
                    index_elements=[MessageRow.chat_id, MessageRow.platform_message_id]
                )
                .returning(MessageRow.id)
            )
            new_id = (await session.execute(stmt)).scalar_one_or_none()
            row = await session.scalar(
                select(MessageRow).where(
                    MessageRow.chat_id == chat_id,
                    MessageRow.platform_message_id == message.platform_message_id,
                )
            )
            assert row is not None
            return IngestResult(_stored(row), new_id is not None, chat_id, member_id)

    async def apply_edit(self, message: Message) -> IngestResult:
        """Replace a stored message's text after an edit and queue it for re-embedding.

        An edit of a message Hearth never saw is stored as a new message.
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
                if row.text != storable(message.text):
                    row.text = storable(message.text)
                    row.embedded_at = None
                row.edited_at = message.edited_at or utcnow()
                await session.flush()
                return IngestResult(_stored(row), False, chat_id, row.member_id)
        return await self.ingest_message(message)

    async def delete_message(self, chat: Chat, platform_message_id: str) -> int | None:
        """Delete a stored message; returns its id, or None if it was never stored."""
        async with self._sessions.begin() as session:
            chat_id = await self._upsert_chat(session, chat)
            return await session.scalar(
                delete(MessageRow)
                .where(
                    MessageRow.chat_id == chat_id,
                    MessageRow.platform_message_id == platform_message_id,
                )
                .returning(MessageRow.id)
            )

    async def pending_messages(self, limit: int, after_id: int = 0) -> list[StoredMessage]:
        """Messages not yet in vector memory, oldest first, with ids above ``after_id``."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(MessageRow)
                .where(MessageRow.embedded_at.is_(None), MessageRow.id > after_id)
                .order_by(MessageRow.id)
                .limit(limit)
            )
            return [_stored(row) for row in rows]

    async def mark_embedded(self, messages: Sequence[StoredMessage], at: datetime) -> None:
        """Record that ``messages`` are in memory, unless their text changed meanwhile."""
        if not messages:
            return
        stmt = (
            update(MessageRow)
            .where(MessageRow.id == bindparam("mid"), MessageRow.text == bindparam("mtext"))
            .values(embedded_at=at)
        )
        async with self._sessions.begin() as session:
            conn = await session.connection()
            await conn.execute(stmt, [{"mid": m.id, "mtext": m.text} for m in messages])

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

    async def _profile_of(self, session: AsyncSession, member: MemberRow) -> Profile:
        if member.profile_id is None:
            return Profile(None, True, "chat", (member.id,), (member.platform,))
        row = await session.get(ProfileRow, member.profile_id)
        assert row is not None
        linked = (
            await session.execute(
                select(MemberRow.id, MemberRow.platform)
                .where(MemberRow.profile_id == row.id)
                .order_by(MemberRow.id)
            )
        ).all()
        return Profile(
            row.id,
            row.twin_active,
            row.twin_scope,
            tuple(m for m, _ in linked),
            tuple(p for _, p in linked),
            row.twin_mode,
            row.twin_paused_until,
        )

    async def _ensure_profile(self, session: AsyncSession, member: MemberRow) -> ProfileRow:
        if member.profile_id is not None:
            row = await session.get(ProfileRow, member.profile_id)
            assert row is not None
            return row
        row = ProfileRow(twin_active=True, twin_scope="chat")
        session.add(row)
        await session.flush()
        member.profile_id = row.id
        return row

    async def _drop_unused_profile(self, session: AsyncSession, profile_id: int) -> None:
        users = await session.scalar(
            select(func.count()).select_from(MemberRow).where(MemberRow.profile_id == profile_id)
        )
        if not users:
            await session.execute(delete(ProfileRow).where(ProfileRow.id == profile_id))

    async def profile(self, member_id: int) -> Profile:
        """The profile of a member (a profile of one account if never linked)."""
        async with self._sessions() as session:
            member = await session.get(MemberRow, member_id)
            if member is None:
                raise LookupError(f"no member {member_id}")
            return await self._profile_of(session, member)

    async def update_profile(
        self,
        member_id: int,
        *,
        twin_active: bool | None = None,
        twin_scope: str | None = None,
        twin_mode: str | None = None,
        pause_until: datetime | None = None,
        resume: bool = False,
    ) -> Profile:
        """Change twin settings for the member and every account linked to it.

        ``pause_until`` pauses the twin until then; ``resume`` lifts a pause.
        """
        if twin_scope is not None and twin_scope not in ("chat", "all"):
            raise ValueError("twin scope is 'chat' or 'all'")
        if twin_mode is not None and twin_mode not in ("auto", "draft"):
            raise ValueError("twin mode is 'auto' or 'draft'")
        async with self._sessions.begin() as session:
            member = await session.get(MemberRow, member_id)
            if member is None:
                raise LookupError(f"no member {member_id}")
            row = await self._ensure_profile(session, member)
            if twin_active is not None:
                row.twin_active = twin_active
            if twin_scope is not None:
                row.twin_scope = twin_scope
            if twin_mode is not None:
                row.twin_mode = twin_mode
            if pause_until is not None:
                row.twin_paused_until = pause_until
            if resume:
                row.twin_paused_until = None
            await session.flush()
            return await self._profile_of(session, member)

    async def create_link_code(self, member_id: int, code_hash: str, expires_at: datetime) -> None:
        """Store a new link code for the member, replacing any earlier unused one."""
        async with self._sessions.begin() as session:
            await session.execute(
                delete(LinkCodeRow).where(
                    LinkCodeRow.member_id == member_id, LinkCodeRow.used_at.is_(None)
                )
            )
            session.add(
                LinkCodeRow(
                    code_hash=code_hash,
                    member_id=member_id,
                    expires_at=expires_at,
                    created_at=utcnow(),
                )
            )

    async def redeem_link_code(
        self, code_hash: str, member_id: int, now: datetime
    ) -> tuple[LinkOutcome, Profile | None]:
        """Link ``member_id`` to the code's requester, once, before the code expires.

        The redeeming account joins the requester's profile, bringing any accounts
        it was already linked to; the requester's settings win.
        """
        async with self._sessions.begin() as session:
            stmt = select(LinkCodeRow).where(LinkCodeRow.code_hash == code_hash)
            if self._engine.dialect.name == "postgresql":
                stmt = stmt.with_for_update()
            code = await session.scalar(stmt)
            if code is None:
                return LinkOutcome.UNKNOWN, None
            if code.used_at is not None:
                return LinkOutcome.USED, None
            if code.expires_at <= now:
                return LinkOutcome.EXPIRED, None
            if code.member_id == member_id:
                return LinkOutcome.SAME_ACCOUNT, None
            code.used_at = now
            requester = await session.get(MemberRow, code.member_id)
            joiner = await session.get(MemberRow, member_id)
            assert requester is not None and joiner is not None
            target = await self._ensure_profile(session, requester)
            old_profile = joiner.profile_id
            if old_profile is not None and old_profile != target.id:
                await session.execute(
                    update(MemberRow)
                    .where(MemberRow.profile_id == old_profile)
                    .values(profile_id=target.id)
                )
                await session.execute(delete(ProfileRow).where(ProfileRow.id == old_profile))
            joiner.profile_id = target.id
            await session.flush()
            await session.refresh(requester)
            return LinkOutcome.LINKED, await self._profile_of(session, requester)

    async def unlink(self, member_id: int) -> Profile:
        """Detach the member from its linked accounts; it keeps a copy of the settings."""
        async with self._sessions.begin() as session:
            member = await session.get(MemberRow, member_id)
            if member is None:
                raise LookupError(f"no member {member_id}")
            current = await self._ensure_profile(session, member)
            fresh = ProfileRow(
                twin_active=current.twin_active, twin_scope="chat", twin_mode=current.twin_mode
            )
            session.add(fresh)
            await session.flush()
            member.profile_id = fresh.id
            await session.flush()
            return await self._profile_of(session, member)

    async def set_twin_enabled(self, chat_id: int, member_id: int, enabled: bool) -> None:
        """Record a member's consent for their twin in one chat."""
        async with self._sessions.begin() as session:
            row = await session.get(MemberSettingsRow, (member_id, chat_id))
            if row is None:
                session.add(
                    MemberSettingsRow(member_id=member_id, chat_id=chat_id, twin_enabled=enabled)
                )
            else:
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
        )

    async def update_chat_settings(
        self,
        chat_id: int,
        *,
        twins_enabled: bool | None = None,
        twin_absence_minutes: float | None = None,
    ) -> ChatSettings:
        """Change a chat's settings; fields left as None keep their value."""
        async with self._sessions.begin() as session:
            row = await session.get(ChatSettingsRow, chat_id)
            if row is None:
                row = ChatSettingsRow(chat_id=chat_id, twins_enabled=True)
                session.add(row)
            if twins_enabled is not None:
                row.twins_enabled = twins_enabled
            if twin_absence_minutes is not None:
                row.twin_absence_minutes = twin_absence_minutes
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

    async def forget_member(self, chat_id: int, member_id: int) -> ForgetResult:
        """Delete everything stored about a member in one chat.

        Removes their messages, settings, presence and what their twin said
        there. The member row itself goes too once no chat refers to it.
        """
        async with self._sessions.begin() as session:
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
            still_used = await session.scalar(
                select(func.count())
                .select_from(MessageRow)
                .where(MessageRow.member_id == member_id)
            )
            still_member = await session.scalar(
                select(func.count())
                .select_from(ChatMemberRow)
                .where(ChatMemberRow.member_id == member_id)
            )
            if not still_used and not still_member:
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
                if not remaining_replies:
                    profile_id = await session.scalar(
                        select(MemberRow.profile_id).where(MemberRow.id == member_id)
                    )
                    await session.execute(delete(MemberRow).where(MemberRow.id == member_id))
                    if profile_id is not None:
                        await self._drop_unused_profile(session, profile_id)
            return ForgetResult(
                messages=len(message_ids), twin_replies=reply_count, message_ids=message_ids
            )

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
    ) -> int:
        """Store what a twin is about to say (or drafted for approval), before it is sent."""
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
                created_at=utcnow(),
            )
            session.add(row)
            await session.flush()
            return row.id

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
        """The member's newest stored message texts in a chat, oldest first."""
        async with self._sessions() as session:
            texts = await session.scalars(
                select(MessageRow.text)
                .where(MessageRow.chat_id == chat_id, MessageRow.member_id == member_id)
                .order_by(MessageRow.id.desc())
                .limit(limit)
            )
            return list(reversed(list(texts)))

    async def period_messages(
        self, chat_id: int, start: datetime, end: datetime, limit: int = 20_000
    ) -> list[PeriodMessage]:
        """People's messages in a chat within ``[start, end)``, oldest first."""
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
            )
            .order_by(MessageRow.sent_at, MessageRow.id)
            .limit(limit)
        )
        async with self._sessions() as session:
            rows = (await session.execute(stmt)).all()
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
