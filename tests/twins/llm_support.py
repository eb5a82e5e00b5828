"""Shared pieces for the LLM-twin tests: a memory backend, questions and fake chat models."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from memory.hash_embedder import HashEmbedder
from memory.records import MemoryHit, MemoryRecord, MemoryScope
from twins.answer import TwinQuestion, TwinSource
from twins.retrieval_twin import RetrievalTwin

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
BOB = 1
ALICE = 2
CHAT = 10
OTHER_CHAT = 99


class ListMemory:
    """A memory backend that returns its hits in order and ignores the scope, as a buggy one
    would: the twin must filter by scope itself."""

    def __init__(self, hits: Sequence[MemoryHit]) -> None:
        self.hits = list(hits)

    async def search(
        self, vector: Sequence[float], scope: MemoryScope, limit: int
    ) -> list[MemoryHit]:
        return self.hits[:limit]

    async def search_keywords(self, text: str, scope: MemoryScope, limit: int) -> list[MemoryHit]:
        return []

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def upsert(self, records: Sequence[MemoryRecord]) -> None: ...
    async def delete_messages(self, message_ids: Sequence[int]) -> None: ...
    async def delete_member(self, member_id: int, chat_id: int | None) -> None: ...
    async def delete_chat(self, chat_id: int) -> None: ...
    async def count(self, member_id: int | None = None, chat_id: int | None = None) -> int:
        return len(self.hits)


def hit(
    message_id: int,
    text: str,
    *,
    member_id: int = BOB,
    chat_id: int = CHAT,
    score: float = 1.0,
    days_ago: int = 1,
) -> MemoryHit:
    """A stored message of ``member_id`` in ``chat_id`` (Bob in the test chat by default)."""
    return MemoryHit(
        message_id,
        chat_id,
        member_id,
        NOW - timedelta(days=days_ago),
        text,
        score,
        f"https://t.me/c/1/{message_id}",
    )


def source(message_id: int, text: str, *, days_ago: int = 1, score: float = 1.0) -> TwinSource:
    """A source as retrieval hands it to the prompt builder."""
    return TwinSource(
        message_id, text, NOW - timedelta(days=days_ago), f"https://t.me/c/1/{message_id}", score
    )


def question(text: str, *, name: str = "Bob") -> TwinQuestion:
    """A question to Bob's twin in the test chat."""
    return TwinQuestion(
        member_id=BOB,
        member_name=name,
        question=text,
        asked_at=NOW,
        scope=MemoryScope.member_in_chat(BOB, CHAT),
        last_seen_at=NOW - timedelta(hours=3),
    )


def retrieval(hits: Sequence[MemoryHit], *, max_quotes: int = 3) -> RetrievalTwin:
    """A retrieval twin over ``hits`` that treats every in-scope hit as relevant."""
    return RetrievalTwin(
        HashEmbedder(64),
        ListMemory(hits),
        max_quotes=max_quotes,
        min_confidence=1e-9,
        min_quote_confidence=1e-9,
    )


class ScriptedChatModel(BaseChatModel):
    """Answers with ``replies`` in turn (the last one repeats), after ``delay`` seconds,
    or raises ``error``; keeps every prompt it was given."""

    replies: list[str] = Field(default_factory=lambda: ["[1]"])
    delay: float = 0.0
    error: Exception | None = None
    prompts: list[list[BaseMessage]] = Field(default_factory=list)
    model_name: str = "scripted-model"

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _reply(self, messages: list[BaseMessage]) -> ChatResult:
        self.prompts.append(list(messages))
        if self.error is not None:
            raise self.error
        text = self.replies[min(len(self.prompts), len(self.replies)) - 1]
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._reply(messages)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.delay:
            await asyncio.sleep(self.delay)
        return self._reply(messages)
