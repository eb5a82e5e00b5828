"""Read-only questions asked around an import: is the chat known, which messages are stored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from adapters.model import Chat, Message
from bots.storage.base import StorageBase, storable
from bots.storage.tables import ChatRow, MemberRow, MessageRow

SAME_MOMENT = timedelta(seconds=1)
"""How far apart an exported and a live copy of one message may be dated."""


@dataclass(frozen=True, slots=True)
class KnownChat:
    """A chat as Hearth stored it."""

    id: int
    title: str | None
    platform_chat_id: str
    active: bool
    """Whether Hearth is in the chat (imported-only chats are not)."""


class ImportPreview(StorageBase):
    """Looks at what is stored without writing anything (``--dry-run``, summaries)."""

    async def chat(self, chat: Chat) -> KnownChat | None:
        """The stored chat with ``chat``'s platform id, if Hearth has one."""
        async with self._sessions() as session:
            row = await session.scalar(
                select(ChatRow).where(
                    ChatRow.platform == chat.platform.value,
                    ChatRow.platform_chat_id == chat.platform_chat_id,
                )
            )
        return None if row is None else _known(row)

    async def chats(self, ids: Sequence[int]) -> dict[int, KnownChat]:
        """The stored chats with these Hearth ids."""
        if not ids:
            return {}
        async with self._sessions() as session:
            rows = await session.scalars(select(ChatRow).where(ChatRow.id.in_(set(ids))))
            return {row.id: _known(row) for row in rows}

    async def stored_count(self, chat_id: int, platform_message_ids: Sequence[str]) -> int:
        """How many of these messages of the chat are stored already."""
        if not platform_message_ids:
            return 0
        async with self._sessions() as session:
            found = await session.scalar(
                select(func.count())
                .select_from(MessageRow)
                .where(
                    MessageRow.chat_id == chat_id,
                    MessageRow.platform_message_id.in_(set(platform_message_ids)),
                )
            )
        return int(found or 0)

    async def seen_live(self, chat_id: int, messages: Sequence[Message]) -> set[int]:
        """Which of ``messages`` (by place) were stored live under other ids: the same
        sender and text, dated within a second of each other."""
        if not messages:
            return set()
        earliest = min(m.sent_at for m in messages) - SAME_MOMENT
        latest = max(m.sent_at for m in messages) + SAME_MOMENT
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(MemberRow.platform_user_id, MessageRow.text, MessageRow.sent_at)
                    .join(MemberRow, MemberRow.id == MessageRow.member_id)
                    .where(
                        MessageRow.chat_id == chat_id,
                        MessageRow.imported.is_(False),
                        MessageRow.sent_at >= earliest,
                        MessageRow.sent_at <= latest,
                    )
                )
            ).all()
        live: dict[tuple[str, str], list[datetime]] = {}
        for user_id, text, sent_at in rows:
            live.setdefault((user_id, text), []).append(sent_at)
        found: set[int] = set()
        for place, message in enumerate(messages):
            moments = live.get((message.sender.platform_user_id, storable(message.text)), [])
            if any(abs(at - message.sent_at) <= SAME_MOMENT for at in moments):
                found.add(place)
        return found


def _known(row: ChatRow) -> KnownChat:
    return KnownChat(
        id=row.id, title=row.title, platform_chat_id=row.platform_chat_id, active=row.active
    )
