"""Search my own memory: the signed-in person's messages in one chat, as their twin finds them.

Uses the twin's hybrid retrieval (:class:`twins.retrieval.HybridRetriever`) with a scope
of the person's own accounts in the chat chosen, so another member's message can never
be a result; hits outside that scope are dropped again here. Messages that share a word
with the query are shown, best first; when none does, the closest in meaning are.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bots.storage.web_store import MemberChat
from locales import tr
from memory.embedder import Embedder, EmbeddingError
from memory.records import MemoryScope
from memory.store import MemoryStore, MemoryStoreError
from twins.retrieval import HybridRetriever

log = logging.getLogger(__name__)

MAX_RESULTS = 10
MAX_QUERY_CHARS = 200


@dataclass(frozen=True, slots=True)
class Found:
    """One of the person's messages that matched."""

    sent_at: datetime
    text: str
    link: str | None


@dataclass(frozen=True, slots=True)
class SearchResult:
    """What the search form shows: the request echoed, results, or why there are none."""

    chat_id: int | None
    query: str
    results: list[Found] = field(default_factory=list)
    error: str | None = None
    searched: bool = False
    by_meaning: bool = False
    """No message shares a word with the query: the results are the closest in meaning."""


class MemorySearch:
    """Searches the signed-in person's own messages in one of their chats."""

    def __init__(self, embedder: Embedder, memory: MemoryStore) -> None:
        self._retriever = HybridRetriever(embedder, memory)

    async def search(
        self,
        chats: Sequence[MemberChat],
        chat: str,
        query: str,
        *,
        names: Sequence[str] = (),
    ) -> SearchResult:
        """Up to ``MAX_RESULTS`` of the person's messages in ``chat`` (a chat id from the
        form) for ``query``; a chat they are not in, or a bad query, gets a message."""
        query = query.strip()
        chat_id = int(chat) if chat.strip().isdigit() else None
        accounts = tuple(sorted({c.member_id for c in chats if c.chat_id == chat_id}))
        if chat_id is None or not accounts:
            return SearchResult(
                chat_id, query, error=tr("That chat is not one of yours: pick one of your chats.")
            )
        if not query:
            return SearchResult(chat_id, query, error=tr("Type what to search for."))
        if len(query) > MAX_QUERY_CHARS:
            return SearchResult(
                chat_id,
                query,
                error=tr(
                    "Please keep your search under {count} characters.", count=MAX_QUERY_CHARS
                ),
            )
        scope = MemoryScope(member_ids=accounts, chat_ids=(chat_id,))
        try:
            found = await self._retriever.retrieve(query, scope, MAX_RESULTS, names=names)
        except (MemoryStoreError, EmbeddingError):
            log.exception("own-message search failed")
            return SearchResult(
                chat_id, query, error=tr("Search is not available right now. Try again later.")
            )
        own = [
            ranked
            for ranked in found.hits
            if ranked.hit.member_id in accounts and ranked.hit.chat_id == chat_id
        ]
        worded = [ranked for ranked in own if ranked.keyword_score > 0]
        results = [
            Found(ranked.hit.sent_at, ranked.hit.text, ranked.hit.permalink)
            for ranked in (worded or own)[:MAX_RESULTS]
        ]
        return SearchResult(chat_id, query, results, searched=True, by_meaning=not worded)
