"""What the web pages read and write: sign-in links, a member's chats and their data export."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from bots.storage.base import StorageBase
from bots.storage.digest_features_store import exported_features
from bots.storage.one_time_tokens import find_token, prune_tokens, store_token
from bots.storage.tables import (
    ChatMemberRow,
    ChatRow,
    MemberRow,
    MemberSettingsRow,
    MessageRow,
    PersonaRow,
    ProfileRow,
    ReactionRow,
    TwinReplyRow,
    WebSignInRow,
)


class SignInOutcome(enum.Enum):
    """What became of a sign-in link that was opened."""

    SIGNED_IN = "signed_in"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Account:
    """One platform account of the signed-in person."""

    member_id: int
    platform: str
    platform_user_id: str
    display_name: str
    username: str | None


@dataclass(frozen=True, slots=True)
class MemberChat:
    """A group chat one of the person's accounts is in, with that account."""

    chat_id: int
    member_id: int
    platform: str
    platform_chat_id: str
    kind: str
    title: str | None
    twin_enabled: bool

    @property
    def name(self) -> str:
        """The chat's title, else its platform id."""
        return self.title or f"{self.platform} {self.platform_chat_id}"


class WebStore(StorageBase):
    """Sign-in links and the reads the member pages need."""

    async def create_sign_in(self, member_id: int, token_hash: str, expires_at: datetime) -> None:
        """Store a new sign-in link for the account, replacing its earlier unused ones."""
        async with self._sessions.begin() as session:
            await store_token(session, WebSignInRow, member_id, token_hash, expires_at)

    async def redeem_sign_in(
        self, token_hash: str, now: datetime
    ) -> tuple[SignInOutcome, int | None]:
        """Use a sign-in link once, before it expires; the account it signs in on success."""
        async with self._sessions.begin() as session:
            state, row = await find_token(session, WebSignInRow, token_hash, now)
            if row is None:
                return SignInOutcome[state.name], None
            row.used_at = now
            return SignInOutcome.SIGNED_IN, row.member_id

    async def prune_sign_ins(self, now: datetime) -> int:
        """Delete sign-in links that expired; how many went."""
        async with self._sessions.begin() as session:
            return await prune_tokens(session, WebSignInRow, now)

    async def accounts(self, member_ids: Sequence[int]) -> list[Account]:
        """The accounts, in id order (the ones that still exist)."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(MemberRow).where(MemberRow.id.in_(list(member_ids))).order_by(MemberRow.id)
            )
            return [
                Account(row.id, row.platform, row.platform_user_id, row.display_name, row.username)
                for row in rows
            ]

    async def member_chats(self, member_ids: Sequence[int]) -> list[MemberChat]:
        """The group chats these accounts are in now (left ones are not shown)."""
        stmt = (
            select(ChatRow, ChatMemberRow.member_id, MemberSettingsRow.twin_enabled)
            .join(ChatMemberRow, ChatMemberRow.chat_id == ChatRow.id)
            .outerjoin(
                MemberSettingsRow,
                (MemberSettingsRow.chat_id == ChatRow.id)
                & (MemberSettingsRow.member_id == ChatMemberRow.member_id),
            )
            .where(
                ChatMemberRow.member_id.in_(list(member_ids)),
                ChatMemberRow.present(),
                ChatRow.kind != "private",
            )
            .order_by(ChatRow.title, ChatRow.id)
        )
        async with self._sessions() as session:
            rows = (await session.execute(stmt)).all()
        return [
            MemberChat(
                chat.id,
                member_id,
                chat.platform,
                chat.platform_chat_id,
                chat.kind,
                chat.title,
                bool(enabled),
            )
            for chat, member_id, enabled in rows
        ]

    async def export(self, member_ids: Sequence[int]) -> dict[str, Any]:
        """Everything stored about these accounts, as plain JSON-ready data."""
        ids = list(member_ids)
        async with self._sessions() as session:
            members = list(await session.scalars(select(MemberRow).where(MemberRow.id.in_(ids))))
            profile_ids = {m.profile_id for m in members if m.profile_id is not None}
            profiles = list(
                await session.scalars(select(ProfileRow).where(ProfileRow.id.in_(profile_ids)))
            )
            chats = {
                row.id: row
                for row in await session.scalars(
                    select(ChatRow)
                    .join(ChatMemberRow, ChatMemberRow.chat_id == ChatRow.id)
                    .where(ChatMemberRow.member_id.in_(ids))
                )
            }
            presence = list(
                await session.scalars(select(ChatMemberRow).where(ChatMemberRow.member_id.in_(ids)))
            )
            settings = list(
                await session.scalars(
                    select(MemberSettingsRow).where(MemberSettingsRow.member_id.in_(ids))
                )
            )
            personas = list(
                await session.scalars(select(PersonaRow).where(PersonaRow.member_id.in_(ids)))
            )
            messages = list(
                await session.scalars(
                    select(MessageRow)
                    .where(MessageRow.member_id.in_(ids))
                    .order_by(MessageRow.chat_id, MessageRow.sent_at, MessageRow.id)
                )
            )
            replies = list(
                await session.scalars(
                    select(TwinReplyRow)
                    .where(TwinReplyRow.member_id.in_(ids))
                    .order_by(TwinReplyRow.id)
                )
            )
            given = list(
                await session.scalars(
                    select(ReactionRow)
                    .where(ReactionRow.member_id.in_(ids))
                    .order_by(ReactionRow.id)
                )
            )
            # Reactions others gave: totals only, never who gave them.
            received = (
                await session.execute(
                    select(
                        ReactionRow.chat_id,
                        ReactionRow.target_member_id,
                        ReactionRow.emoji,
                        func.count(),
                    )
                    .where(ReactionRow.target_member_id.in_(ids))
                    .group_by(ReactionRow.chat_id, ReactionRow.target_member_id, ReactionRow.emoji)
                    .order_by(ReactionRow.chat_id, ReactionRow.emoji)
                )
            ).all()
            featured = await exported_features(session, ids)

        def chat_ref(chat_id: int) -> dict[str, Any]:
            chat = chats.get(chat_id)
            if chat is None:
                return {"id": chat_id}
            return {"id": chat_id, "platform": chat.platform, "title": chat.title}

        return {
            "accounts": [
                {
                    "id": m.id,
                    "platform": m.platform,
                    "platform_user_id": m.platform_user_id,
                    "display_name": m.display_name,
                    "username": m.username,
                    "locale": m.locale,
                }
                for m in members
            ],
            "profile": [
                {
                    "twin_active": p.twin_active,
                    "twin_scope": p.twin_scope,
                    "twin_mode": p.twin_mode,
                    "twin_paused_until": _when(p.twin_paused_until),
                }
                for p in profiles
            ],
            "chats": [
                {
                    **chat_ref(row.chat_id),
                    "account": row.member_id,
                    "joined_at": _when(row.joined_at),
                    "left_at": _when(row.left_at),
                    "last_message_at": _when(row.last_message_at),
                }
                for row in presence
            ],
            "chat_settings": [
                {
                    "chat": chat_ref(row.chat_id),
                    "account": row.member_id,
                    "twin_enabled": row.twin_enabled,
                    "suggestable": row.suggestable,
                }
                for row in settings
            ],
            "personas": [
                {
                    "chat": chat_ref(row.chat_id),
                    "account": row.member_id,
                    "stats": row.stats,
                    "note": row.owner_note,
                }
                for row in personas
            ],
            "messages": [
                {
                    "chat": chat_ref(row.chat_id),
                    "account": row.member_id,
                    "text": row.text,
                    "sent_at": _when(row.sent_at),
                    "edited_at": _when(row.edited_at),
                    "imported": row.imported,
                    "permalink": row.permalink,
                }
                for row in messages
            ],
            "twin_answers": [
                {
                    "number": row.id,
                    "chat": chat_ref(row.chat_id),
                    "account": row.member_id,
                    "question": row.question_text,
                    "answer": row.text,
                    "status": row.status,
                    "review": row.review,
                    "correction": row.correction,
                    "created_at": _when(row.created_at),
                }
                for row in replies
            ],
            "reactions_given": [
                {
                    "chat": chat_ref(row.chat_id),
                    "account": row.member_id,
                    "message": row.platform_message_id,
                    "emoji": row.emoji,
                    "at": _when(row.created_at),
                }
                for row in given
            ],
            "reactions_received": [
                {"chat": chat_ref(chat_id), "account": account, "emoji": emoji, "count": count}
                for chat_id, account, emoji, count in received
            ],
            "digest_features": [
                {
                    "chat": chat_ref(row.chat_id),
                    "account": row.member_id,
                    "posted_at": _when(row.posted_at),
                    "kind": row.kind,
                    "title": row.title,
                    "permalink": row.permalink,
                }
                for row in featured
            ],
        }


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
