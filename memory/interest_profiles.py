"""Members' interest profiles in Qdrant: one vector per member and chat.

A profile is the mean direction of a member's recent messages in a chat (see
``jobs.intro_matcher.build_interest_profiles``). Profiles live in their own
memory store (a second Qdrant Edge shard, or a second collection on a server),
never beside the messages, so no message search can return one. Each profile
point carries the member's key words as its text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from memory.records import MemoryRecord, MemoryScope
from memory.store import FloatVector, MemoryStore, compact, purge_soon

_ID_LIMIT = 1 << 31


def profile_point_id(chat_id: int, member_id: int) -> int:
    """The point id of a member's profile in a chat (both ids must be below 2**31)."""
    if not (0 <= chat_id < _ID_LIMIT and 0 <= member_id < _ID_LIMIT):
        raise ValueError("profile ids need chat and member ids from 0 to 2**31 - 1")
    return (chat_id << 31) | member_id


@dataclass(frozen=True, slots=True)
class InterestProfile:
    """A member's interest vector in a chat, and the key words it stands for."""

    chat_id: int
    member_id: int
    vector: Sequence[float] | FloatVector
    keywords: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ProfileMatch:
    """A profile found near a vector (higher score is closer)."""

    member_id: int
    score: float
    keywords: str


class InterestProfileStore:
    """Stores and reads interest profiles through a dedicated :class:`MemoryStore`."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def open(self) -> None:
        """Open the underlying store."""
        await self._store.open()

    async def close(self) -> None:
        """Close the underlying store."""
        await self._store.close()

    async def upsert(self, profiles: Sequence[InterestProfile]) -> None:
        """Store profiles, replacing each member's previous one in that chat."""
        await self._store.upsert(
            [
                MemoryRecord(
                    message_id=profile_point_id(p.chat_id, p.member_id),
                    chat_id=p.chat_id,
                    member_id=p.member_id,
                    sent_at=p.updated_at,
                    text=p.keywords,
                    vector=p.vector,
                )
                for p in profiles
            ]
        )

    async def vectors(self, chat_id: int, member_ids: Sequence[int]) -> dict[int, FloatVector]:
        """The stored profile vectors of these members in the chat (missing ones left out)."""
        ids = {profile_point_id(chat_id, member): member for member in member_ids}
        found = await self._store.vectors(list(ids))
        return {ids[point]: vector for point, vector in found.items()}

    async def nearest(
        self, chat_id: int, vector: Sequence[float], member_ids: Sequence[int], limit: int
    ) -> list[ProfileMatch]:
        """Among these members' profiles in the chat, the ``limit`` closest to ``vector``."""
        if not member_ids:
            return []
        hits = await self._store.search(
            vector, MemoryScope(member_ids=tuple(member_ids), chat_ids=(chat_id,)), limit
        )
        return [ProfileMatch(hit.member_id, hit.score, hit.text) for hit in hits]

    async def delete_member(self, member_id: int, chat_id: int | None) -> None:
        """Remove the member's profile in one chat, or (``None``) in all chats."""
        await self._store.delete_member(member_id, chat_id)

    async def delete_chat(self, chat_id: int) -> None:
        """Remove every profile of a chat."""
        await self._store.delete_chat(chat_id)

    async def optimize(self) -> bool:
        """Compact the underlying store where it can be; whether anything changed."""
        return await compact(self._store)

    async def purge_soon(self) -> bool:
        """Have deleted profiles removed from the store's files soon, where it can; whether so."""
        return await purge_soon(self._store)

    async def count(self, chat_id: int | None = None) -> int:
        """How many profiles are stored (in one chat)."""
        return await self._store.count(chat_id=chat_id)
