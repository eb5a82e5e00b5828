"""What did we decide about X? The digest's decision engine over the talk around X.

The chat is searched for the topic; around each of the best matching messages the talk of
a few hours is read back from storage and given, as one topic, to
:func:`jobs.digest_decisions.find_decisions` (stated decisions, proposals others agreed
to, and what changed what). A decision counts when it, or the one it changed, carries a
key term of the topic, or is clearly closer to the question in meaning than topic-free
chatter (which also finds decisions written in the other language), or was made in the
same conversation as a message on the topic. They are then weighed
(:mod:`bots.assistant.decision_ranking`): the one about the topic leads (the latest of its
chain), and only those weighed nearly as well are listed beside it. Without a topic, the
decisions of the last week are listed, latest first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import numpy as np

from bots.assistant.bilingual_terms import BilingualTerms
from bots.assistant.chat_search import (
    ChatSearch,
    is_chat_talk,
    subject_terms,
    time_terms,
)
from bots.assistant.decision_ranking import (
    MEANING_WEIGHT,
    TALK_WEIGHT,
    TermWeights,
    answers_for,
    in_other_script,
    ranked,
)
from bots.digests import period_messages
from bots.message_vectors import message_vectors
from bots.storage.repository import Storage
from jobs.decision_cues import is_decision, is_proposal, names_a_time
from jobs.digest_decisions import DecisionRules, find_decisions
from jobs.digest_model import DigestDecision, DigestMessage, DigestPeriod, MessageRef
from jobs.question_cues import is_question
from jobs.vector_math import FloatMatrix, centred_unit_rows, unit_rows
from memory.embedder import Embedder
from memory.records import MemoryHit, MemoryScope
from memory.store import FloatVector, MemoryStore
from memory.term_bridge import term_bridge

BEFORE = timedelta(hours=2)
AFTER = timedelta(days=3)
"""The talk read around a matching message: decisions follow proposals, often hours later."""
ANCHORS = 6
"""How many of the best matching messages the talk is read around."""
RECENT = timedelta(days=7)
"""Without a topic, decisions of this long before the question are listed."""
MAX_MESSAGES = 600
"""At most this many messages go to the decision engine (the newest are kept)."""
MIN_WINDOW_MESSAGES = 120
"""Each stretch of talk read around a match keeps at least this many of its first messages."""
CONVERSATION_GAP = timedelta(minutes=90)
"""A pause longer than this between two messages starts another conversation."""
NAMED_ANCHORS = 3
"""How many of a member's own messages on the topic the talk is also read around, when
the topic names the member."""
NAMED_CANDIDATES = 30
"""Of so many of their messages closest to the topic, those stating a decision count too."""
STATING_ANCHORS = 3
"""How many matches beyond the best ``ANCHORS`` that state a decision the talk is also read
around."""
OTHER_LANGUAGE_ANCHORS = 2
"""How many messages in the other language that carry the topic's terms (by the
dictionary) the talk is also read around, and as many of those stating a decision, when
most of the best matches carry none: meaning alone ranks them below chatter in the
question's own language."""
OTHER_LANGUAGE_CANDIDATES = 30
"""Of so many keyword matches of the topic's words in the other language, the best."""
NEARBY = 6
"""A decision sharing no terms with a proposal settles its author's last one of so many
messages before it in its conversation."""
SETTLING_TERMS = 2
"""A decision settled what an earlier message proposed or asked when it replies to it, or
shares at least this many of its subject terms."""
MARGIN = 0.03
"""A message without a key term of the topic is about it when its similarity to the
question beats the question's baseline of topic-free chatter by this much."""


@dataclass(frozen=True, slots=True)
class DecisionLookup:
    """Finds the decisions a chat made about a topic."""

    storage: Storage
    memory: MemoryStore
    embedder: Embedder
    search: ChatSearch

    async def find(
        self,
        chat_id: int,
        topic: str,
        now: datetime | None = None,
        names: Mapping[int, str] | None = None,
    ) -> list[DigestDecision]:
        """Decisions about ``topic`` in the chat, the latest first (none when there are none).

        ``names`` (display names by member id) lets a topic name a member: "which flat did
        Zhou end up renting" is about what Zhou said, whether or not it names Zhou.
        """
        moment = now or datetime.now(UTC)
        authors = names or {}

        def signed(text: str, member_id: int) -> str:
            return f"{authors.get(member_id, '')}: {text}"

        terms = subject_terms(topic)
        if not terms:
            return await self._recent(chat_id, moment)
        found = await self.search.retrieve(chat_id, topic, 30, moment)
        if not found.hits:
            return []
        baselines = await self.search.baselines(found)
        query = np.asarray(found.vector, dtype=np.float32)
        bridge = await asyncio.to_thread(term_bridge)
        either = BilingualTerms.of(terms, bridge)

        def lead(text: str, vector: FloatVector | None) -> float:
            """How much closer to the question ``text`` is than topic-free chatter."""
            if vector is None:
                return 0.0
            return float(np.dot(np.asarray(vector, dtype=np.float32), query)) - baselines.of(text)

        def about(text: str, vector: FloatVector | None) -> bool:
            return either.covers(text) or (vector is not None and lead(text, vector) >= MARGIN)

        matching = [
            r.hit
            for r in found.hits
            if is_chat_talk(r.hit.text)
            and (
                either.covers(signed(r.hit.text, r.hit.member_id))
                or (r.similarity is not None and r.similarity - baselines.of(r.hit.text) >= MARGIN)
            )
        ]
        # The best matches, and the matches further down that state a decision carrying
        # at least half of the topic's terms (the talk around the best ones may end
        # before it).
        anchors = matching[:ANCHORS]
        anchors += [
            hit
            for hit in matching[ANCHORS:]
            if 2 * len(either.carried(signed(hit.text, hit.member_id))) >= len(terms)
            and is_decision(hit.text)
        ][:STATING_ANCHORS]
        # When most of the best matches carry no term of the topic in either language,
        # the talk on it may be in the other language: its words are searched for there.
        carrying = sum(either.covers(signed(a.text, a.member_id)) for a in anchors)
        if 2 * carrying < len(anchors):
            anchors += await self._other_language_anchors(
                chat_id, either, moment, {a.message_id for a in anchors}
            )
        anchors += await self._named_anchors(chat_id, terms, authors, moment)
        if not anchors:
            return []
        windows = _merged([(a.sent_at - BEFORE, min(a.sent_at + AFTER, moment)) for a in anchors])
        ordered = await self._read(chat_id, windows)
        decisions, vectors = await self._decisions(ordered)
        decisions += await self._apart(ordered, windows, decisions, vectors)
        talk = conversations(ordered)
        # A conversation is about the topic when anyone in it names it.
        on_topic_talk = {
            talk[m.message_id]
            for m in ordered
            if is_chat_talk(m.text) and either.covers(signed(m.text, m.member_id))
        }

        # What each decision settled (the message it replies to, or an earlier proposal
        # or question on its subject): "Rota update: … two a day" is about watering
        # because the proposal it settled was.
        settles = {d.ref.message_id: antecedent(d.ref, ordered) for d in decisions}

        def behind(d: DigestDecision) -> list[MessageRef]:
            """The decision itself, the one it changed and what it settled."""
            earlier = settles.get(d.ref.message_id)
            found = [d.ref] if d.replaces is None else [d.ref, d.replaces]
            return found if earlier is None else [*found, earlier.ref()]

        def direct(d: DigestDecision) -> bool:
            return any(
                about(signed(r.text, r.member_id), vectors.get(r.message_id)) for r in behind(d)
            )

        kept = [d for d in decisions if direct(d)]
        # Decisions made in a conversation on the topic (written in the other language, or
        # without its words) count too; the weighing below says whether they are listed.
        kept += [
            d for d in decisions if not direct(d) and talk.get(d.ref.message_id) in on_topic_talk
        ]
        # Each decision weighed by the topic's terms it and its conversation carry (rare
        # terms count most) and by its closeness to the question in meaning.
        all_terms = BilingualTerms.of(terms | time_terms(topic), bridge)
        found_in = {m.message_id: all_terms.carried(signed(m.text, m.member_id)) for m in ordered}
        weights = TermWeights.of(all_terms.terms, list(found_in.values()))
        said_in: dict[int, set[str]] = {}
        for m in ordered:
            said_in.setdefault(talk[m.message_id], set()).update(found_in[m.message_id])

        def weight(d: DigestDecision) -> float:
            own = frozenset().union(
                *(all_terms.carried(signed(r.text, r.member_id)) for r in behind(d))
            )
            near = max(0.0, lead(d.ref.text, vectors.get(d.ref.message_id)))
            # Its conversation, and that of what it settled.
            around = weights.share(
                set().union(*(said_in.get(talk.get(r.message_id, -1), set()) for r in behind(d)))
            )
            share = weights.share(own)
            if in_other_script(terms, d.ref.text) and near > 0:
                # Its conversation stands in for the words it cannot carry, when it is at
                # least somewhat closer to the question than topic-free chatter.
                share = max(share, around)
            return share + TALK_WEIGHT * around + MEANING_WEIGHT * near

        return ranked(kept, weight, answers_for(topic))

    async def _read(
        self, chat_id: int, windows: Sequence[tuple[datetime, datetime]]
    ) -> list[DigestMessage]:
        """The talk of ``windows``, in time order, at most ``MAX_MESSAGES`` (the newest).

        Each stretch is read forward from its start (decisions follow what they settle),
        within a share of the budget, so a busy chat cannot crowd out older talk.
        """
        messages: dict[int, DigestMessage] = {}
        share = max(MIN_WINDOW_MESSAGES, MAX_MESSAGES // max(1, len(windows)))
        for start, end in windows:
            for message in await period_messages(
                self.storage, chat_id, DigestPeriod(start, end), limit=share
            ):
                messages[message.message_id] = message
        return sorted(messages.values(), key=lambda m: (m.sent_at, m.message_id))[-MAX_MESSAGES:]

    async def settled(self, chat_id: int, asked: MemoryHit, now: datetime) -> DigestDecision | None:
        """The decision that later settled what ``asked`` proposed or asked the chat
        ("two people a day instead of one? Thoughts?" settled the next day by "Rota
        update: … two a day"), or ``None``: the latest decision in the talk of up to
        ``AFTER`` after it whose :func:`antecedent` it is."""
        end = min(asked.sent_at + AFTER, now)
        if end <= asked.sent_at:
            return None
        messages = await period_messages(
            self.storage, chat_id, DigestPeriod(asked.sent_at, end), limit=MIN_WINDOW_MESSAGES
        )
        decisions, _ = await self._decisions(messages)
        settling = [
            d
            for d in decisions
            if d.ref.sent_at > asked.sent_at
            and (earlier := antecedent(d.ref, messages, nearby=False)) is not None
            and earlier.message_id == asked.message_id
        ]
        return max(settling, key=lambda d: d.ref.sent_at, default=None)

    async def _apart(
        self,
        ordered: Sequence[DigestMessage],
        windows: Sequence[tuple[datetime, datetime]],
        found: Sequence[DigestDecision],
        vectors: dict[int, FloatVector],
    ) -> list[DigestDecision]:
        """Decisions of each window read on its own that reading them all together lost
        (the engine takes a decision for a second to the one before it when the two are
        alike, and windows days apart end up side by side)."""
        if len(windows) < 2:
            return []
        seen = {d.ref.message_id for d in found}
        seen |= {d.replaces.message_id for d in found if d.replaces is not None}
        extra: list[DigestDecision] = []
        for start, end in windows:
            part = [m for m in ordered if start <= m.sent_at <= end and m.message_id in vectors]
            if not part:
                continue
            matrix = unit_rows(np.asarray([vectors[m.message_id] for m in part], dtype=np.float32))
            for decision in await asyncio.to_thread(decisions_in, part, matrix):
                if decision.ref.message_id not in seen:
                    seen.add(decision.ref.message_id)
                    extra.append(decision)
        return extra

    async def _other_language_anchors(
        self, chat_id: int, either: BilingualTerms, now: datetime, seen: set[int]
    ) -> list[MemoryHit]:
        """Keyword matches of the topic's words in the other language ("potluck" for 聚餐),
        written in that language and carrying a term of the topic: the best few, and the
        latest few of those that state a decision (short chatter ranks first by keywords)."""
        words = either.other_language_words()
        if not words:
            return []
        found = await self.memory.search_keywords(
            " ".join(sorted(words)), MemoryScope.whole_chat(chat_id), OTHER_LANGUAGE_CANDIDATES
        )
        talk = [
            hit
            for hit in found
            if hit.message_id not in seen
            and hit.sent_at <= now
            and is_chat_talk(hit.text)
            and in_other_script(either.terms, hit.text)
            and either.covers(hit.text)
        ]
        stating = sorted(
            (hit for hit in talk if is_decision(hit.text)), key=lambda h: h.sent_at, reverse=True
        )[:OTHER_LANGUAGE_ANCHORS]
        rest = [hit for hit in talk if hit not in stating][:OTHER_LANGUAGE_ANCHORS]
        return stating + rest

    async def _named_anchors(
        self, chat_id: int, terms: frozenset[str], names: Mapping[int, str], now: datetime
    ) -> list[MemoryHit]:
        """The best messages on the rest of the topic of each member the topic names, and
        those among their closest that state a decision (found in either language)."""
        named = [m for m, name in names.items() if _names(terms, name)]
        rest = " ".join(
            sorted(t for t in terms if not any(_names(frozenset({t}), names[m]) for m in named))
        )
        if not rest or len(named) > 2:
            return []
        found: list[MemoryHit] = []
        for member_id in named:
            hits = await self.search.retrieve(
                chat_id, rest, NAMED_CANDIDATES, now, member_id=member_id
            )
            talk = [r.hit for r in hits.hits if is_chat_talk(r.hit.text)]
            found += talk[:NAMED_ANCHORS]
            found += [hit for hit in talk[NAMED_ANCHORS:] if is_decision(hit.text)]
        return found

    async def _recent(self, chat_id: int, now: datetime) -> list[DigestDecision]:
        messages = await period_messages(
            self.storage, chat_id, DigestPeriod(now - RECENT, now), limit=MAX_MESSAGES, newest=True
        )
        found, _ = await self._decisions(messages)
        return sorted(found, key=lambda d: d.ref.sent_at, reverse=True)

    async def _decisions(
        self, messages: Sequence[DigestMessage]
    ) -> tuple[list[DigestDecision], dict[int, FloatVector]]:
        """The decisions among ``messages`` (in time order), and the messages' vectors."""
        if not messages:
            return [], {}
        known = await message_vectors(
            self.memory, self.embedder, [(m.message_id, m.text) for m in messages], max_embed=64
        )
        kept = [m for m in messages if m.message_id in known]
        if not kept:
            return [], known
        matrix = unit_rows(np.asarray([known[m.message_id] for m in kept], dtype=np.float32))
        return await asyncio.to_thread(decisions_in, kept, matrix), known


def decisions_in(messages: Sequence[DigestMessage], matrix: FloatMatrix) -> list[DigestDecision]:
    """The decisions among ``messages`` (in time order; ``matrix`` holds their unit vectors).

    The digest's decision engine, with each stretch of talk (no pause longer than
    ``CONVERSATION_GAP``) taken as one topic: clustering costs more than the rest together.
    """
    centred = centred_unit_rows(matrix) if len(matrix) > 1 else matrix
    talk = conversations(messages)
    labels = np.asarray([talk[m.message_id] for m in messages], dtype=np.int64)
    return find_decisions(messages, centred, labels, DecisionRules())


def antecedent(
    decision: MessageRef, messages: Sequence[DigestMessage], *, nearby: bool = True
) -> DigestMessage | None:
    """What ``decision`` settled, among ``messages`` (in time order), or ``None``.

    The message it replies to; else, of the messages that asked or proposed something in
    the ``AFTER`` before it, the one sharing most of its subject terms (at least
    ``SETTLING_TERMS``; the latest of those sharing as many); else, with ``nearby``, the
    last one its author asked or proposed among the ``NEARBY`` messages before it in its
    conversation ("What if I do a storytime?" … "Let's go with two short sessions then";
    a decision on one's own affairs amid others' plans settles none of them).
    """
    row = next((i for i, m in enumerate(messages) if m.message_id == decision.message_id), None)
    own = None if row is None else messages[row]
    if own is not None and own.reply_to_message_id is not None:
        replied = next((m for m in messages if m.message_id == own.reply_to_message_id), None)
        if replied is not None:
            return replied
    terms = _settled_terms(decision.text)
    best: tuple[int, datetime] | None = None
    found: DigestMessage | None = None
    for message in messages:
        if not decision.sent_at - AFTER <= message.sent_at < decision.sent_at:
            continue
        if message.message_id == decision.message_id or not _asks(message.text):
            continue
        shared = len(terms & _settled_terms(message.text))
        if shared >= SETTLING_TERMS and (best is None or (shared, message.sent_at) >= best):
            best, found = (shared, message.sent_at), message
    if found is not None or not nearby or row is None:
        return found
    for back in range(row - 1, max(-1, row - 1 - NEARBY), -1):
        if messages[back + 1].sent_at - messages[back].sent_at > CONVERSATION_GAP:
            break
        if messages[back].member_id == decision.member_id and _asks(messages[back].text):
            return messages[back]
    return None


@lru_cache(maxsize=4096)
def _asks(text: str) -> bool:
    """Whether a message asks the chat something or proposes something."""
    return is_question(text) or is_proposal(text)


@lru_cache(maxsize=4096)
def _settled_terms(text: str) -> frozenset[str]:
    """What a message is about, to tell the decision that settled it: its subject terms
    without days, months and times (every plan of a week names those)."""
    return frozenset(t for t in subject_terms(text) if not names_a_time(t) and not time_terms(t))


def _names(terms: frozenset[str], name: str) -> bool:
    """Whether one of ``terms`` is ``name``, or its first word (a member named in a topic)."""
    full = name.casefold().strip()
    return bool(full) and any(t == full or t == full.split()[0] for t in terms)


def conversations(messages: Sequence[DigestMessage]) -> dict[int, int]:
    """Each message's conversation (numbered from 0), by message id: messages in time
    order, a new conversation after each pause longer than ``CONVERSATION_GAP``."""
    talk: dict[int, int] = {}
    number = 0
    for row, message in enumerate(messages):
        if row and message.sent_at - messages[row - 1].sent_at > CONVERSATION_GAP:
            number += 1
        talk[message.message_id] = number
    return talk


def _merged(windows: Sequence[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
