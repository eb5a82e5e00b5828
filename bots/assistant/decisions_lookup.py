""" "What did we decide about X?": the digest's decision engine over the talk around X.

The chat is searched for the topic; around each of the best matching messages the talk of
a few hours is read back from storage, clustered into topics and given to
:func:`jobs.digest_decisions.find_decisions` (stated decisions, proposals others agreed
to, and what changed what). A decision counts when it, or the one it changed, carries a
key term of the topic, or when it is in the same conversation topic as a message that
does. Without a topic, the decisions of the last week are listed. Latest first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from bots.assistant.chat_search import ChatSearch, covers, is_chat_talk, subject_terms
from bots.digests import period_messages
from bots.message_vectors import message_vectors
from bots.storage.repository import Storage
from jobs.digest_decisions import DecisionRules, find_decisions
from jobs.digest_model import DigestDecision, DigestMessage, DigestPeriod
from jobs.topic_clustering import find_topics
from jobs.vector_math import unit_rows
from memory.embedder import Embedder
from memory.store import MemoryStore

BEFORE = timedelta(hours=3)
AFTER = timedelta(hours=12)
"""The talk read around a matching message: decisions follow proposals, often hours later."""
ANCHORS = 6
"""How many of the best matching messages the talk is read around."""
RECENT = timedelta(days=7)
"""Without a topic, decisions of this long before the question are listed."""
MAX_MESSAGES = 1500
"""At most this many messages go to the decision engine (the newest are kept)."""


@dataclass(frozen=True, slots=True)
class DecisionLookup:
    """Finds the decisions a chat made about a topic."""

    storage: Storage
    memory: MemoryStore
    embedder: Embedder
    search: ChatSearch

    async def find(
        self, chat_id: int, topic: str, question: str, now: datetime | None = None
    ) -> list[DigestDecision]:
        """Decisions about ``topic`` in the chat, the latest first (none when there are none)."""
        moment = now or datetime.now(UTC)
        terms = subject_terms(topic)
        if not terms:
            return await self._recent(chat_id, moment)
        found = await self.search.retrieve(chat_id, topic or question, 30, moment)
        anchors = [
            r.hit for r in found.hits if is_chat_talk(r.hit.text) and covers(terms, r.hit.text)
        ][:ANCHORS]
        if not anchors:
            return []
        windows = _merged([(a.sent_at - BEFORE, min(a.sent_at + AFTER, moment)) for a in anchors])
        messages: dict[int, DigestMessage] = {}
        for start, end in windows:
            for message in await period_messages(self.storage, chat_id, DigestPeriod(start, end)):
                messages[message.message_id] = message
        ordered = sorted(messages.values(), key=lambda m: (m.sent_at, m.message_id))[-MAX_MESSAGES:]
        anchor_ids = {a.message_id for a in anchors}
        decisions = await self._decisions(ordered, anchor_ids)
        about = [
            placed.decision
            for placed in decisions
            if placed.in_anchor_topic
            or covers(terms, placed.decision.ref.text)
            or (
                placed.decision.replaces is not None
                and covers(terms, placed.decision.replaces.text)
            )
        ]
        return sorted(about, key=lambda d: d.ref.sent_at, reverse=True)

    async def _recent(self, chat_id: int, now: datetime) -> list[DigestDecision]:
        messages = await period_messages(self.storage, chat_id, DigestPeriod(now - RECENT, now))
        found = await self._decisions(messages[-MAX_MESSAGES:], set())
        return sorted((d.decision for d in found), key=lambda d: d.ref.sent_at, reverse=True)

    async def _decisions(
        self, messages: Sequence[DigestMessage], anchor_ids: set[int]
    ) -> list[_Placed]:
        if not messages:
            return []
        known = await message_vectors(
            self.memory, self.embedder, [(m.message_id, m.text) for m in messages], max_embed=64
        )
        kept = [m for m in messages if m.message_id in known]
        if not kept:
            return []
        matrix = unit_rows(np.asarray([known[m.message_id] for m in kept], dtype=np.float32))
        return await asyncio.to_thread(_place, kept, matrix, anchor_ids)


@dataclass(frozen=True, slots=True)
class _Placed:
    decision: DigestDecision
    in_anchor_topic: bool
    """Whether the decision is in the same conversation topic as a matching message."""


def _place(
    messages: Sequence[DigestMessage], matrix: np.ndarray, anchor_ids: set[int]
) -> list[_Placed]:
    clusters = find_topics(matrix)
    found = find_decisions(
        messages, clusters.centred, clusters.threshold, clusters.labels, DecisionRules()
    )
    row_of = {m.message_id: i for i, m in enumerate(messages)}
    anchor_labels = {int(clusters.labels[row_of[i]]) for i in anchor_ids if i in row_of} - {-1}
    return [
        _Placed(d, int(clusters.labels[row_of[d.ref.message_id]]) in anchor_labels) for d in found
    ]


def _merged(windows: Sequence[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
