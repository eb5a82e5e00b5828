"""What did I miss? A short personal catch-up since the asker's last message here.

Built with the digest engines: the personal digest's mentions of the asker and replies to
them (:func:`jobs.personal_digest.build_personal_digest`), the decisions of the newest
messages (:func:`jobs.digest_decisions.find_decisions`) and the main topics of the newest
few (:func:`jobs.digest_builder.build_digest`). Only this chat is read, and
at most a week back.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from bots.assistant.answer import AssistantAnswer
from bots.assistant.answer_render import (
    Quote,
    day_label,
    excerpt,
    from_people,
    quote_line,
    with_link,
    writing_in,
)
from bots.assistant.chat_search import is_chat_talk
from bots.assistant.decisions_lookup import decisions_in
from bots.assistant.intents import Intent
from bots.digests import period_messages
from bots.message_vectors import message_vectors
from bots.storage.personal_digest_store import PersonalDigestStore
from bots.storage.repository import Storage
from jobs.digest_builder import DigestOptions, build_digest
from jobs.digest_model import DigestDecision, DigestMessage, DigestPeriod, MessageRef, Topic
from jobs.personal_digest import ChatActivity, build_personal_digest
from jobs.vector_math import unit_rows
from locales import format_time, tr, trn
from memory.embedder import Embedder
from memory.language_centres import language_centres
from memory.store import MemoryStore

FIRST_TIME = timedelta(days=1)
"""A member who never posted here gets the last day."""
LONGEST = timedelta(days=7)
"""A catch-up reaches back at most this far."""
MAX_MESSAGES = 1500
"""At most the newest this many messages are read."""
FOR_YOU, DECIDED, TOPICS = 3, 2, 3
"""Lines shown per section."""
DECISION_MESSAGES = 400
"""Decisions are looked for among the newest this many messages."""
TOPIC_MESSAGES = 120
"""Main topics are found among the newest this many (topic clustering is the costly part)."""


@dataclass(frozen=True, slots=True)
class CatchUp:
    """Builds the catch-up of one member in one chat."""

    storage: Storage
    memory: MemoryStore
    embedder: Embedder
    authors: PersonalDigestStore

    async def answer(
        self,
        chat_id: int,
        asker_id: int,
        *,
        now: datetime,
    ) -> AssistantAnswer:
        """The catch-up since the asker's last message before ``now``, in the current
        reply language."""
        last = await self.storage.last_message_before(chat_id, asker_id, now)
        start = max(last, now - LONGEST) if last is not None else now - FIRST_TIME
        period = DigestPeriod(start, now)
        messages = await period_messages(
            self.storage, chat_id, period, limit=MAX_MESSAGES, newest=True
        )
        messages = [m for m in messages if is_chat_talk(m.text)]
        others = [m for m in messages if m.member_id != asker_id]
        if not others:
            nothing = tr("Nothing new here since your last message.")
            return AssistantAnswer(Intent.CATCH_UP, nothing, True)
        people = len({m.member_id for m in others})
        written_by = from_people(people)
        if last is not None:
            since = tr("{day} {time} UTC", day=day_label(start, now), time=format_time(start))
            head = trn(
                "Since your last message ({since}): {count} message {people}.",
                "Since your last message ({since}): {count} messages {people}.",
                len(others),
                since=since,
                people=written_by,
            )
        else:
            head = trn(
                "In the last day: {count} message {people}.",
                "In the last day: {count} messages {people}.",
                len(others),
                people=written_by,
            )
        lines = [head]
        shown: list[int] = []
        for_you = await self._for_you(chat_id, asker_id, messages, period)
        if for_you:
            lines.append(tr("For you:"))
            for ref in for_you[:FOR_YOU]:
                lines.append("• " + quote_line(Quote.of_ref(ref), now=now))
                shown.append(ref.message_id)
        decisions, topics = await self._digest(messages, period)
        # Nobody missed what they said themselves.
        decided = [
            d.ref
            for d in decisions
            if d.ref.message_id not in shown and d.ref.member_id != asker_id
        ][-DECIDED:]
        if decided:
            lines.append(tr("Decided:"))
            for ref in reversed(decided):
                lines.append("• " + quote_line(Quote.of_ref(ref), now=now))
                shown.append(ref.message_id)
        if topics:
            lines.append(tr("Talked about:"))
            for topic in topics[:TOPICS]:
                link = topic.key_messages[0].permalink if topic.key_messages else None
                lines.append("• " + with_link(excerpt(topic.title, 160), link))
                if topic.key_messages:
                    shown.append(topic.key_messages[0].message_id)
        elif not decided:
            # Too little for topics: the latest few messages themselves.
            latest = [m for m in others if m.message_id not in shown][-TOPICS:]
            if latest:
                lines.append(tr("Latest messages:"))
                for m in latest:
                    lines.append("• " + quote_line(Quote.of_ref(m.ref()), now=now))
                    shown.append(m.message_id)
        return AssistantAnswer(Intent.CATCH_UP, "\n".join(lines), True, tuple(shown))

    async def _for_you(
        self,
        chat_id: int,
        asker_id: int,
        messages: list[DigestMessage],
        period: DigestPeriod,
    ) -> list[MessageRef]:
        inside = {m.message_id for m in messages}
        earlier = {m.reply_to_message_id for m in messages} - inside - {None}
        authors = await self.authors.authors(sorted(i for i in earlier if i is not None))
        asker = await self.authors.member(asker_id)
        activity = ChatActivity(chat_id, "", messages, authors=authors)  # no title shown
        digest = build_personal_digest(
            asker_id, asker.username if asker else None, [activity], period
        )
        items = sorted((*digest.mentions, *digest.replies), key=lambda i: i.message.sent_at)
        return [item.message for item in reversed(items)]

    async def _digest(
        self, messages: list[DigestMessage], period: DigestPeriod
    ) -> tuple[list[DigestDecision], tuple[Topic, ...]]:
        """The decisions among the newest messages, and the main topics of the newest few."""
        recent = messages[-DECISION_MESSAGES:]
        known = await message_vectors(
            self.memory, self.embedder, [(m.message_id, m.text) for m in recent], max_embed=64
        )
        kept = [m for m in recent if m.message_id in known]
        if not kept:
            return [], ()
        matrix = unit_rows(np.asarray([known[m.message_id] for m in kept], dtype=np.float32))
        options = DigestOptions(
            language=writing_in(),
            max_topics=TOPICS,
            max_decisions=0,
            language_centres=await language_centres(self.embedder),
        )

        def build() -> tuple[list[DigestDecision], tuple[Topic, ...]]:
            decided = decisions_in(kept, matrix)
            newest = slice(-TOPIC_MESSAGES, None)
            digest = build_digest(kept[newest], matrix[newest], period, options=options)
            return decided, digest.topics

        return await asyncio.to_thread(build)
