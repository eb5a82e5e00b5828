"""What tells the language Hearth writes in: a chat's setting and recent messages, a
member's app language and own messages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from adapters.model import Chat, Member
from bots.storage.base import StorageBase
from bots.storage.tables import ChatRow, ChatSettingsRow, MemberRow, MessageRow


@dataclass(frozen=True, slots=True)
class LanguageClues:
    """A chat's language setting (``auto`` when unset) and its newest message texts."""

    chat_id: int | None
    setting: str
    texts: tuple[str, ...]


class LanguageQueries(StorageBase):
    """Read-only lookups for ``bots.reply_languages``."""

    async def chat_language_clues(self, chat: Chat, sample: int) -> LanguageClues:
        """The chat's setting and up to ``sample`` of its newest texts (none for a new chat)."""
        async with self._sessions() as session:
            found = (
                await session.execute(
                    select(ChatRow.id, ChatSettingsRow.language)
                    .outerjoin(ChatSettingsRow, ChatSettingsRow.chat_id == ChatRow.id)
                    .where(
                        ChatRow.platform == chat.platform.value,
                        ChatRow.platform_chat_id == chat.platform_chat_id,
                    )
                )
            ).first()
            if found is None:
                return LanguageClues(None, "auto", ())
            chat_id, setting = found
            texts = await session.scalars(
                select(MessageRow.text)
                .where(MessageRow.chat_id == chat_id, MessageRow.to_hearth.is_(False))
                .order_by(MessageRow.id.desc())
                .limit(sample)
            )
            return LanguageClues(int(chat_id), setting or "auto", tuple(texts))

    async def member_language_clues(
        self, member: int | Member, sample: int
    ) -> tuple[str | None, tuple[str, ...]]:
        """The member's (by id or platform account) last reported app language and up to
        ``sample`` of their newest texts in any group; nothing for an unknown member."""
        where = (
            MemberRow.id == member
            if isinstance(member, int)
            else (MemberRow.platform == member.platform.value)
            & (MemberRow.platform_user_id == member.platform_user_id)
        )
        async with self._sessions() as session:
            found = (
                await session.execute(select(MemberRow.id, MemberRow.locale).where(where))
            ).first()
            if found is None:
                return None, ()
            member_id, locale = found
            texts = await session.scalars(
                select(MessageRow.text)
                .where(MessageRow.member_id == member_id, MessageRow.to_hearth.is_(False))
                .order_by(MessageRow.id.desc())
                .limit(sample)
            )
            return locale, tuple(texts)
