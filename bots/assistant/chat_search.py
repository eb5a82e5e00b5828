"""Searching one chat's messages (every member's) for a question, and judging the result.

Retrieval is the twins' hybrid search (meaning and keywords fused) over a whole-chat
scope; whether the chat answers at all is weighed by the twins' answerability models
(:mod:`twins.answerability`), and a quote must also carry at least half of the key terms of
the question's asking sentence.
Questions put to Hearth itself and twin answers are never evidence.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Sequence
from datetime import datetime

from jobs.question_cues import is_question, split_sentences
from jobs.text_cues import content_length, key_terms
from memory.embedder import Embedder
from memory.records import MemoryHit, MemoryScope, PeerScores
from memory.store import MemoryStore
from twins.answerability import judge
from twins.labels import looks_like_twin_message
from twins.relevance import Baselines, RelevanceGate
from twins.retrieval import HybridRetriever, RankedHit, Retrieval, RetrievalSettings

_TO_HEARTH = re.compile(r"(?<!\w)@hearth", re.IGNORECASE)

SEARCH_SETTINGS = RetrievalSettings(pool=200, strip_names=False)
"""Hybrid retrieval over a whole chat: a smaller pool than a twin's (a chat is larger)."""

_GENERIC = frozenset(
    {
        "what", "when", "where", "which", "who", "whom", "why", "how", "time", "day", "date",
        "place", "plan", "plans", "decide", "decided", "decision", "say", "said", "think",
        "know", "knows", "talk", "talked", "anyone", "someone", "people", "chat", "group",
        "good", "best", "here", "anybody", "somebody", "thinking", "actually", "really",
        "什么", "时候", "什么时候", "哪里", "在哪", "哪儿", "怎么", "为什么", "决定", "知道",
        "大家", "群里", "有人", "几点", "哪天",
        # How much, how often and when: they qualify a question, they name no subject.
        "many", "much", "often", "each", "every", "times", "usually", "today", "tomorrow",
        "yesterday", "tonight", "week", "weeks", "month", "months", "year", "years",
        "多少", "多久", "几次", "几个", "每个", "每天", "每周", "每月", "今天", "明天", "昨天",
        "这个月", "这周", "现在", "几场", "几天", "几位", "几人", "多少人", "那天", "当天",
        "那时候",
    }
)  # fmt: skip


def subject_terms(topic: str) -> frozenset[str]:
    """The key terms of a topic that name its subject (question words left out)."""
    return frozenset(term for term in key_terms(topic) if term not in _GENERIC)


def _stem(term: str) -> str:
    """A long English term without its ending ("composting" finds "compost")."""
    if term.isascii() and len(term) >= 6:
        return term[: max(4, len(term) - 3)]
    return term


_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_CN_NUMBERS = "一二三四五六七八九十"
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _time_forms() -> dict[str, re.Pattern[str]]:
    """Months and weekdays in both languages: "October" and "10月" name the same month."""
    forms: dict[str, re.Pattern[str]] = {}
    for number, month in enumerate(_MONTHS, start=1):
        chinese = _CN_NUMBERS[number - 1] if number <= 10 else "十" + _CN_NUMBERS[number - 11]
        pattern = re.compile(
            rf"\b(?:{month}|{month[:3]})\b|(?<!\d){number}月|(?<![一二三四五六七八九十]){chinese}月",
            re.IGNORECASE,
        )
        for key in (month, f"{number}月", f"{chinese}月"):
            forms[key] = pattern
    for number, day in enumerate(_WEEKDAYS, start=1):
        chinese = "日天" if number == 7 else _CN_NUMBERS[number - 1]
        pattern = re.compile(rf"\b{day}s?\b|(?:周|星期|礼拜)[{chinese}]", re.IGNORECASE)
        for key in (day, *(f"{lead}{c}" for lead in ("周", "星期", "礼拜") for c in chinese)):
            forms[key] = pattern
    return forms


_TIME_FORMS = _time_forms()


def _carries(term: str, lowered: str) -> bool:
    """Whether ``lowered`` carries ``term``: a month or weekday in either language."""
    form = _TIME_FORMS.get(term)
    if form is not None:
        return form.search(lowered) is not None
    return _stem(term) in lowered


_TIME_WORDS = re.compile(
    r"(?<!\d)1[0-2]月|(?<!\d)[1-9]月|十[一二]?月|[一二三四五六七八九]月|(?:周|星期|礼拜)[一二三四五六日天]|"
    r"\b(?:" + "|".join((*_MONTHS, *_WEEKDAYS)) + r")\b",
    re.IGNORECASE,
)


def time_terms(topic: str) -> frozenset[str]:
    """The months and weekdays a topic names ("10月分享会" is about October), which key
    terms leave out when written with digits."""
    return frozenset(
        found.lower() for found in _TIME_WORDS.findall(topic) if found.lower() in _TIME_FORMS
    )


def covers(terms: frozenset[str], text: str) -> bool:
    """Whether ``text`` carries one of ``terms`` (always, when there are none)."""
    if not terms:
        return True
    lowered = text.lower()
    return any(_carries(term, lowered) for term in terms)


def carried(terms: frozenset[str], text: str) -> frozenset[str]:
    """The ``terms`` that ``text`` carries; an English plural also by its singular ("keys"
    in "the spare key")."""
    lowered = text.lower()
    return frozenset(
        term
        for term in terms
        if _carries(term, lowered)
        or (term.isascii() and len(term) >= 4 and term.endswith("s") and term[:-1] in lowered)
    )


def covers_most(terms: frozenset[str], text: str, share: float = 0.5) -> bool:
    """Whether ``text`` carries at least ``share`` of ``terms`` (and one at least)."""
    if not terms:
        return True
    lowered = text.lower()
    found = sum(1 for term in terms if _carries(term, lowered))
    return found >= 1 and found >= share * len(terms)


def first_sentence(text: str) -> str:
    """The asking part of a question: up to its first question mark or full stop.

    "anyone good with sourdough? my starter is sluggish" asks about sourdough; what follows
    is the asker's own situation, not the subject.
    """
    parts = re.split(r"(?<=[?？!！。])\s*|(?<=\.)\s+", text.strip(), maxsplit=1)
    return parts[0].strip() if parts and parts[0].strip() else text.strip()


def is_chat_talk(text: str) -> bool:
    """Whether a message is members talking: not a question to Hearth, not a twin's answer."""
    return not (_TO_HEARTH.search(text) or looks_like_twin_message(text))


_CLAUSE = re.compile(r"[，,；;]\s*")
MIN_STATED = 3
"""A message states something when its parts that do not ask say at least this much."""


def stated_part(text: str) -> str:
    """What a message states: its sentences, and clauses of its questions, that do not ask
    ("I play on Tuesdays, anyone want to join?" states "I play on Tuesdays")."""
    kept: list[str] = []
    for sentence in split_sentences(text):
        if not is_question(sentence):
            kept.append(sentence)
            continue
        kept.extend(c for c in _CLAUSE.split(sentence) if c.strip() and not is_question(c))
    return " ".join(kept)


_NEGATED = re.compile(
    r"(?i)\b(?:no|not|never|hardly|isn't|aren't|wasn't|don't|doesn't|didn't|can't|cannot|won't)"
    r"\s+(?:(?:a|an|the|any|really|much|very|big|good|great|of|into|about|like|know|"
    r"play|do|use|own|have|enjoy|care|been|tried|to|go|went|idea|clue|experience|with)\s+)*[\w'-]+"
    r"|(?:不会|不懂|不太懂|不熟|不了解|不喜欢|没玩过|没用过|没去过|没学过|没试过|从来没|从没)"
    r"[\u4e00-\u9fff]{1,4}"
)


def without_negated(text: str) -> str:
    """``text`` without what it denies ("I'm no photographer", "我不会滑雪"): naming a
    subject only to say one does not do it is no sign of knowing it."""
    return _NEGATED.sub(" ", text)


def is_evidence(text: str) -> bool:
    """Whether a message can back an answer: members' talk that states something, not only
    asks."""
    return is_chat_talk(text) and content_length(stated_part(text)) >= MIN_STATED


class ChatSearch:
    """Finds and weighs the messages of one chat that bear on a question."""

    def __init__(
        self,
        embedder: Embedder,
        memory: MemoryStore,
        settings: RetrievalSettings = SEARCH_SETTINGS,
    ) -> None:
        self._retriever = HybridRetriever(embedder, memory, settings)
        self._gate = RelevanceGate(embedder, 0.0)

    async def retrieve(
        self,
        chat_id: int,
        query: str,
        limit: int,
        now: datetime | None = None,
        *,
        member_id: int | None = None,
    ) -> Retrieval:
        """The ``limit`` best messages of the chat for ``query``, best first (not judged);
        with ``member_id``, only that member's messages."""
        scope = (
            MemoryScope.whole_chat(chat_id)
            if member_id is None
            else MemoryScope.member_in_chat(member_id, chat_id)
        )
        return await self._retriever.retrieve(query, scope, limit, now=now)

    async def baselines(self, found: Retrieval) -> Baselines:
        """How close the query is to topic-free chatter, per script."""
        return await self._gate.baselines(found.vector)

    async def answers(
        self,
        chat_id: int,
        question: str,
        topic: str,
        *,
        limit: int = 3,
        now: datetime | None = None,
        candidates: int = 20,
    ) -> list[MemoryHit]:
        """The chat's messages that answer ``question`` (at most ``limit``), or none.

        ``topic`` is the subject in the question; a quote must carry one of its key terms.
        """
        if not question.strip():
            return []
        found = await self.retrieve(chat_id, question, candidates, now)
        hits = ranked_evidence(found)
        if not hits or found.best_similarity is None:
            return []
        found = dataclasses.replace(found, hits=hits)
        baselines = await self.baselines(found)
        judgement = await asyncio.to_thread(judge, found, baselines, PeerScores())
        terms = subject_terms(first_sentence(topic or question))
        chosen = [
            r.hit for r in judgement.chosen(found.hits, limit) if covers_most(terms, r.hit.text)
        ]
        return latest_first(chosen)


def latest_first(hits: Sequence[MemoryHit]) -> list[MemoryHit]:
    """``hits`` newest first (what was said last may have replaced what came before)."""
    return sorted(hits, key=lambda hit: hit.sent_at, reverse=True)


def ranked_evidence(found: Retrieval) -> list[RankedHit]:
    """The retrieved messages that can back an answer, in rank order."""
    return [r for r in found.hits if is_evidence(r.hit.text)]
