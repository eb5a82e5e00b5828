"""Read-only questions asked around an import: is the chat known, which messages are stored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from adapters.model import Chat
from bots.storage.base import StorageBase
from bots.storage.tables import ChatRow, MessageRow


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


def _known(row: ChatRow) -> KnownChat:
    return KnownChat(
        id=row.id, title=row.title, platform_chat_id=row.platform_chat_id, active=row.active
    )
