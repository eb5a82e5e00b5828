"""What memory stores and returns: one record per chat message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class MemoryRecord:
    """A message as kept in vector memory.

    ``message_id`` is Hearth's own message id (the SQL primary key) and is the
    point id, so storing the same message twice overwrites instead of duplicating.
    ``chat_id`` and ``member_id`` are Hearth's ids, used for filtering.
    """

    message_id: int
    chat_id: int
    member_id: int
    sent_at: datetime
    text: str
    vector: Sequence[float] | npt.NDArray[np.float32]
    permalink: str | None = None


@dataclass(frozen=True, slots=True)
class MemoryHit:
    """A search result: the stored message and its similarity score (higher is closer)."""

    message_id: int
    chat_id: int
    member_id: int
    sent_at: datetime
    text: str
    score: float
    permalink: str | None = None


@dataclass(frozen=True, slots=True)
class MemoryScope:
    """Which memories a search may see.

    ``member_ids`` names the members searched on behalf of. ``chat_ids`` of ``None``
    means every chat those members are in (only when the member allowed it);
    otherwise only the chats listed. Empty ``member_ids`` means every member of the
    listed chats (see :meth:`whole_chat`); it is refused without listed chats.
    """

    member_ids: tuple[int, ...]
    chat_ids: tuple[int, ...] | None

    def __post_init__(self) -> None:
        if not self.member_ids and self.chat_ids is None:
            raise ValueError("a memory scope needs at least one member, or its chats")
        if self.chat_ids is not None and not self.chat_ids:
            raise ValueError("chat_ids must be None (all chats) or non-empty")

    @classmethod
    def member_in_chat(cls, member_id: int, chat_id: int) -> MemoryScope:
        """One member's messages in one chat: the default twin scope."""
        return cls(member_ids=(member_id,), chat_ids=(chat_id,))

    @classmethod
    def whole_chat(cls, chat_id: int) -> MemoryScope:
        """Every member's messages in one chat: what Hearth itself answers from."""
        return cls(member_ids=(), chat_ids=(chat_id,))

    @property
    def every_member(self) -> bool:
        """Whether the scope holds the messages of every member of its chats."""
        return not self.member_ids

    def allows(self, member_id: int, chat_id: int) -> bool:
        """Whether a message of ``member_id`` in ``chat_id`` is inside the scope."""
        if self.member_ids and member_id not in self.member_ids:
            return False
        return self.chat_ids is None or chat_id in self.chat_ids


@dataclass(frozen=True, slots=True)
class PeerScores:
    """How well the other members' messages in a chat match a query: scores only, best first.

    Carries no text, no ids and no authors, so it can inform whether a twin
    answers without ever letting another member's words into the answer.
    ``dense`` are similarities on the embedder's scale, ``keywords`` BM25 scores.
    ``named``: for each name the query was asked about, whether some other member's
    message in the chat holds a word of it (the name is known to the chat).
    """

    dense: tuple[float, ...] = ()
    keywords: tuple[float, ...] = ()
    named: tuple[bool, ...] = ()
