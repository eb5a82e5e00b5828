"""Personas in SQL: running counts per member and chat, and the member's own note."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import delete, select

from bots.storage.base import StorageBase
from bots.storage.tables import PersonaRow, utcnow
from twins.persona import PersonaStats

MAX_NOTE_CHARS = 500


class PersonaStore(StorageBase):
    """Reads and updates member personas; each call is one transaction."""

    async def add_messages(self, member_id: int, chat_id: int, texts: list[str]) -> PersonaStats:
        """Count more of the member's messages into their persona in this chat."""
        async with self._sessions.begin() as session:
            row = await self._row(
                session, PersonaRow, lock=True, member_id=member_id, chat_id=chat_id, stats={}
            )
            stats = PersonaStats.from_json(row.stats)
            for text in texts:
                stats.add(text)
            row.stats = stats.to_json()
            row.updated_at = utcnow()
            return stats

    async def get(self, member_id: int, chat_id: int) -> tuple[PersonaStats, str | None, bool]:
        """The member's counts, note, and whether a persona exists at all."""
        async with self._sessions() as session:
            row = await session.get(PersonaRow, (member_id, chat_id))
        if row is None:
            return PersonaStats(), None, False
        return PersonaStats.from_json(row.stats), row.owner_note, True

    async def set_note(self, member_id: int, chat_id: int, note: str | None) -> None:
        """Set (or with ``None`` clear) the member's own description of themselves."""
        if note is not None and len(note) > MAX_NOTE_CHARS:
            raise ValueError(f"a persona note has at most {MAX_NOTE_CHARS} characters")
        async with self._sessions.begin() as session:
            row = await self._row(
                session, PersonaRow, member_id=member_id, chat_id=chat_id, stats={}
            )
            row.owner_note = note

    async def term_spread(self, chat_id: int) -> Counter[str]:
        """How many members of the chat use each term (to tell interests from chatter)."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(PersonaRow.stats).where(PersonaRow.chat_id == chat_id)
            )
            spread: Counter[str] = Counter()
            for stats in rows:
                spread.update((stats or {}).get("terms", {}).keys())
        return spread

    async def forget(self, member_id: int, chat_id: int) -> None:
        """Delete the member's persona in this chat."""
        async with self._sessions.begin() as session:
            await session.execute(
                delete(PersonaRow).where(
                    PersonaRow.member_id == member_id, PersonaRow.chat_id == chat_id
                )
            )
