"""A topic's terms found in either language: 聚餐 in "the potluck", "film" in 胶片.

A Chinese term counts as carried by a text that uses an English word meaning it, and an
English term by a text that uses a Chinese word meaning it (:mod:`memory.term_bridge`).
Chinese words of one character count only as whole words of the text, as ``jieba``
segments it (书 in 剩下的书, not in 书咖).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from bots.assistant.chat_search import carried
from jobs.languages import HAN
from jobs.text_cues import chinese_words
from memory.term_bridge import TermBridge

_ENGLISH_WORD = re.compile(r"[a-z]{3,}")
MAX_CHINESE_WORDS = 6
"""An English term is searched for in Chinese only when the dictionary gives it at most
this many Chinese words (a word with dozens, like "water", would search everything)."""
_HAN_RUN = re.compile(f"{HAN.pattern}+")


@dataclass(frozen=True, slots=True)
class _Read:
    """What one text holds, for matching: its English meanings and Chinese words."""

    meanings: frozenset[str]
    words: frozenset[str]


@dataclass(frozen=True, slots=True)
class BilingualTerms:
    """A topic's terms, each also found by its words in the other language."""

    terms: frozenset[str]
    english: Mapping[str, frozenset[str]]
    """By Chinese term: the English words meaning it."""
    chinese: Mapping[str, frozenset[str]]
    """By English term: the Chinese words meaning it."""
    bridge: TermBridge
    _read: dict[str, _Read] = field(default_factory=dict)

    @classmethod
    def of(cls, terms: frozenset[str], bridge: TermBridge) -> BilingualTerms:
        """``terms`` with their words in the other language."""
        english = {t: bridge.english_of(t) for t in terms if HAN.search(t)}
        chinese = {t: bridge.chinese_of(t) for t in terms if t.isascii()}
        return cls(
            terms,
            {t: words for t, words in english.items() if words},
            {t: words for t, words in chinese.items() if words},
            bridge,
        )

    def carried(self, text: str) -> frozenset[str]:
        """The terms ``text`` carries, in the topic's language or the other."""
        found = carried(self.terms, text)
        rest = self.terms - found
        if not rest or not (self.english.keys() | self.chinese.keys()) & rest:
            return found
        lowered = text.lower()
        read = self._reading(lowered)
        more = {t for t in rest if not self.english.get(t, frozenset()).isdisjoint(read.meanings)}
        more |= {
            t
            for t in rest
            if any(
                (w in read.words) if len(w) == 1 else (w in lowered)
                for w in self.chinese.get(t, ())
            )
        }
        return found | more

    def other_language_words(self) -> frozenset[str]:
        """The words to search the other language for: the English words of each Chinese
        term (聚餐: "dinner", "meal", "potluck"), and the Chinese words of each English term
        that has only a few."""
        words = {w for t in self.english for w in self.bridge.english_words_of(t)}
        words |= {
            w for found in self.chinese.values() if len(found) <= MAX_CHINESE_WORDS for w in found
        }
        return frozenset(words)

    def covers(self, text: str) -> bool:
        """Whether ``text`` carries one of the terms (always, when there are none)."""
        return not self.terms or bool(self.carried(text))

    def _reading(self, lowered: str) -> _Read:
        read = self._read.get(lowered)
        if read is None:
            latin = HAN.sub(" ", lowered)
            meanings = frozenset(
                m for w in _ENGLISH_WORD.findall(latin) for m in self.bridge.meanings(w)
            )
            words = frozenset(w for run in _HAN_RUN.findall(lowered) for w in chinese_words(run))
            read = self._read[lowered] = _Read(meanings, words)
        return read
