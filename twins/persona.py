"""A member's persona, learned from their own messages in a chat: interests, tone, languages.

Kept as running counts so it updates message by message; the readable summary and
the text given to a language model are derived from the counts on demand.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import jieba

jieba.setLogLevel(logging.WARNING)

_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]{2,}")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")
_URL = re.compile(r"https?://\S+")
MAX_TERMS = 400
"""Running term counts are trimmed to the most frequent terms past this many."""

STOPWORDS = frozenset(
    """
    the and for are but not you your yours with this that these those have has had was were
    will would can could should just like about what when where which who whom why how all any
    some more most much many very too also than then them they their there here from into onto
    over under out off its it's i'm im i've i'll i'd you're we're they're don't didn't doesn't
    isn't aren't wasn't can't won't let's yes yeah okay ok sure thanks thank please really
    maybe still even only well good great nice one two get got going gonna want know think
    make made see say said tell told come came go went time day today tomorrow yesterday
    our ours his her hers him she he we us me my mine did does doing done been being
    because so if or as at by on in of to up down is am be do no an a
    always never ever anything something everything nothing instead again back
    lot lots bit thing things stuff way week weekend people guys hey
    """.split()
)
HAN_STOPWORDS = frozenset(
    "我们 你们 他们 她们 我的 你的 自己 什么 怎么 这个 那个 一个 没有 就是 还是 可以 "
    "因为 所以 但是 如果 已经 现在 今天 明天 昨天 时候 一下 一起 大家 知道 觉得 有人 "
    "的话 然后 这样 那样".split()
)


def terms(text: str) -> list[str]:
    """Content words of ``text``: lower-cased Latin words and Chinese words (jieba)."""
    text = _URL.sub(" ", text)
    found = [w.lower().strip("'-") for w in _LATIN_WORD.findall(text)]
    found = [w for w in found if w not in STOPWORDS and len(w) > 2]
    for run in _HAN_RUN.findall(text):
        found += [w for w in jieba.lcut(run) if len(w) > 1 and w not in HAN_STOPWORDS]
    return found


@dataclass
class PersonaStats:
    """Running counts over a member's messages in one chat."""

    messages: int = 0
    chars: int = 0
    emoji: int = 0
    questions: int = 0
    exclamations: int = 0
    han_chars: int = 0
    latin_chars: int = 0
    term_counts: Counter[str] = field(default_factory=Counter)

    def add(self, text: str) -> None:
        """Count one more message."""
        self.messages += 1
        self.chars += len(text)
        self.emoji += len(_EMOJI.findall(text))
        self.questions += int("?" in text or "？" in text)
        self.exclamations += int("!" in text or "！" in text)
        self.han_chars += sum(len(run) for run in _HAN_RUN.findall(text))
        self.latin_chars += sum(ch.isascii() and ch.isalpha() for ch in text)
        self.term_counts.update(set(terms(text)))
        if len(self.term_counts) > 2 * MAX_TERMS:
            self.term_counts = Counter(dict(self.term_counts.most_common(MAX_TERMS)))

    def to_json(self) -> dict[str, Any]:
        """The counts as JSON-ready data."""
        return {
            "messages": self.messages,
            "chars": self.chars,
            "emoji": self.emoji,
            "questions": self.questions,
            "exclamations": self.exclamations,
            "han_chars": self.han_chars,
            "latin_chars": self.latin_chars,
            "terms": dict(self.term_counts.most_common(MAX_TERMS)),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> PersonaStats:
        """Counts from stored JSON (empty when there is none)."""
        if not data:
            return cls()
        return cls(
            messages=int(data.get("messages", 0)),
            chars=int(data.get("chars", 0)),
            emoji=int(data.get("emoji", 0)),
            questions=int(data.get("questions", 0)),
            exclamations=int(data.get("exclamations", 0)),
            han_chars=int(data.get("han_chars", 0)),
            latin_chars=int(data.get("latin_chars", 0)),
            term_counts=Counter({str(k): int(v) for k, v in data.get("terms", {}).items()}),
        )


@dataclass(frozen=True, slots=True)
class PersonaSummary:
    """What the persona says about the member, in words."""

    interests: tuple[str, ...]
    tone: str
    languages: tuple[str, ...]
    owner_note: str | None
    messages: int

    def prompt_text(self) -> str:
        """The persona as given to a language model (the owner's note first)."""
        parts = []
        if self.owner_note:
            parts.append(f"In their own words: {self.owner_note}")
        if self.interests:
            parts.append(f"Talks about: {', '.join(self.interests)}")
        parts.append(f"Tone: {self.tone}")
        if self.languages:
            parts.append(f"Writes in: {', '.join(self.languages)}")
        return "\n".join(parts)


def summarise(
    stats: PersonaStats, owner_note: str | None = None, chat_terms: Counter[str] | None = None
) -> PersonaSummary:
    """Turn counts into interests, tone and languages.

    Interests are the member's most frequent terms, weighted down when the whole
    chat uses them a lot (``chat_terms``: how many members use each term).
    """
    weights: dict[str, float] = {}
    for term, count in stats.term_counts.items():
        if count < 2 and stats.messages >= 10:
            continue
        common = (chat_terms or Counter())[term]
        weights[term] = count / math.log(2 + common)
    # Ties (common with few messages) go to longer, usually more specific, words.
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))
    interests = tuple(term for term, _ in ranked[:8])
    return PersonaSummary(
        interests=interests,
        tone=_tone(stats),
        languages=_languages(stats),
        owner_note=owner_note,
        messages=stats.messages,
    )


def _tone(stats: PersonaStats) -> str:
    if not stats.messages:
        return "not enough messages yet"
    average = stats.chars / stats.messages
    words = [
        "short messages"
        if average < 60
        else "detailed messages"
        if average > 200
        else "medium-length messages"
    ]
    if stats.emoji / stats.messages > 0.3:
        words.append("uses emoji often")
    if stats.exclamations / stats.messages > 0.3:
        words.append("enthusiastic")
    if stats.questions / stats.messages > 0.4:
        words.append("asks many questions")
    return ", ".join(words)


HAN_WEIGHT = 4
"""One Chinese character carries about as much as four Latin letters (a short word)."""


def _languages(stats: PersonaStats) -> tuple[str, ...]:
    han = stats.han_chars * HAN_WEIGHT
    total = han + stats.latin_chars
    if not total:
        return ()
    found = []
    if han / total >= 0.1:
        found.append("Chinese")
    if stats.latin_chars / total >= 0.1:
        found.append("English")
    return tuple(found)
