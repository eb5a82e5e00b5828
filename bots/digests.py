"""Digests of what happened in a chat, built from stored messages and their vectors."""

from __future__ import annotations

from datetime import datetime, timedelta

from bots.storage.repository import Storage
from jobs.digest_builder import compose_digest
from jobs.digest_model import DigestMessage, DigestPeriod
from jobs.digest_render import DISCORD_MAX_CHARS, render_digest
from memory.embedder import Embedder
from memory.store import MemoryStore

DEFAULT_PERIOD = timedelta(hours=24)
MAX_CHARS = DISCORD_MAX_CHARS
"""Every part fits the smallest platform limit, so a digest reads the same everywhere."""


class ChatDigests:
    """Builds a chat's digest for a period; vectors come from memory, not re-embedding."""

    def __init__(self, storage: Storage, memory: MemoryStore, embedder: Embedder) -> None:
        self._storage = storage
        self._memory = memory
        self._embedder = embedder

    async def render(
        self,
        chat_id: int,
        end: datetime,
        length: timedelta = DEFAULT_PERIOD,
        chat_title: str | None = None,
        quiet_line: bool = True,
    ) -> list[str]:
        """The digest of ``[end - length, end)`` as chat messages.

        A quiet period gives one line, or no message at all with ``quiet_line=False``.
        """
        period = DigestPeriod(end - length, end)
        stored = await self._storage.period_messages(chat_id, period.start, period.end)
        messages = [
            DigestMessage(
                message_id=m.id,
                member_id=m.member_id,
                member_name=m.member_name,
                text=m.text,
                sent_at=m.sent_at,
                permalink=m.permalink,
                reply_to_message_id=m.reply_to_id,
            )
            for m in stored
        ]
        known = await self._memory.vectors([m.message_id for m in messages])
        missing = [m for m in messages if m.message_id not in known]
        if missing:  # not embedded yet (just posted): embed those few now
            fresh = await self._embedder.embed_passages([m.text for m in missing])
            known.update({m.message_id: v for m, v in zip(missing, fresh, strict=True)})
        vectors = [known[m.message_id] for m in messages] if messages else None
        joined = await self._storage.joined_between(chat_id, period.start, period.end)
        digest = await compose_digest(
            messages, period, vectors=vectors, chat_title=chat_title, joined=joined
        )
        return render_digest(digest, max_chars=MAX_CHARS, quiet_line=quiet_line)
