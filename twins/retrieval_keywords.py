"""Where keyword search cannot judge messages: other scripts, wordless messages, common words.

BM25 matches words, so three things common in group chats defeat it:

* a message written in another script than the question (a Chinese question
  about an English message, or the reverse) shares no word with it, whatever
  it says: :func:`script_of` tells the two apart;
* a message with no word of its own ("👍", "+1", "哈哈哈", "收到") matches
  nothing, and its embedding is close to every question for the same reason:
  :func:`is_wordless` finds them;
* a word the member writes in many of their messages (their club, their
  hobby, the friend they talk to) matches too many of them to tell them apart:
  :func:`specific_keywords` leaves such words out of the keyword search.

Words are the keyword encoder's own (:mod:`memory.keywords`): stop words do
not count, and Chinese is segmented with ``jieba``.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections.abc import Sequence
from enum import Enum

import jieba

from memory.keywords import keyword_encoder
from twins.scripts import CJK, is_cjk
from twins.text_cache import TextCache

jieba.setLogLevel(logging.WARNING)

_CJK_CHARS = CJK.pattern.strip("[]")
SPACED_LETTER = rf"[^\W\d_{_CJK_CHARS}]"
"""A letter of a script that spaces its words (Latin, Cyrillic, Greek...); CJK is a boundary."""
_SPACED_WORD = re.compile(rf"{SPACED_LETTER}+")
_WORD_CHAR = re.compile(rf"[^\W_{_CJK_CHARS}]")
_RUNS = re.compile(rf"[{_CJK_CHARS}]+|[^\W_{_CJK_CHARS}]+")
_WORDLESS_LENGTH = 64
"""Texts longer than this are taken to hold a word (stop words and emoji alone rarely run on)."""
_MIN_COMMON = 2
"""A word found in this many messages or fewer is always specific, however few the messages."""


class Script(Enum):
    """The two kinds of writing keyword search cannot match across."""

    CJK = "cjk"
    SPACED = "spaced"


def script_of(text: str) -> Script | None:
    """The script ``text`` is in (:func:`twins.scripts.is_cjk`); ``None`` without letters.

    "I'm vegetarian, any veg restaurant near 科技园?" is spaced and
    "打印机升级了，换了台X1C" is CJK; "👍" and "12:30" have no script.
    """
    return _script(text)


def _script_of(text: str) -> Script | None:
    if not CJK.search(text):  # the common case in a spaced-script chat, at one scan
        return Script.SPACED if _SPACED_WORD.search(text) else None
    return Script.CJK if is_cjk(text) else Script.SPACED


def is_wordless(text: str) -> bool:
    """Whether ``text`` holds no word the keyword encoder keeps: only emoji, stop words, "+1"."""
    if len(text) > _WORDLESS_LENGTH:  # spares the encoder: long texts always hold a word
        return False
    return not document_terms(text)


def document_terms(text: str) -> frozenset[int]:
    """The keyword encoder's hashed word ids of a stored message ``text``.

    Remembered for the most recently used texts: ranking and weighing a member's
    messages both need them, and the same messages come back question after question.
    """
    return _terms(text)


def _document_terms(text: str) -> frozenset[int]:
    return frozenset(keyword_encoder().document(text).indices)


_script = TextCache(_script_of, 65_536)
_terms = TextCache(_document_terms, 65_536)


def query_words(query: str) -> list[str]:
    """The distinct words of ``query`` that keyword search matches, lower-cased, in order."""
    words: list[str] = []
    for run in _RUNS.findall(query.lower()):
        words.extend(jieba.lcut(run) if CJK.match(run) else [run])
    encoder = keyword_encoder()
    return [word for word in dict.fromkeys(words) if encoder.query(word)]


def specific_keywords(query: str, texts: Sequence[str], share: float) -> str | None:
    """``query`` without the words found in more than ``share`` of ``texts``, or ``None``.

    ``texts`` are the member's messages searched. ``None`` means no word was
    left out (search with ``query`` as it is); an empty string means every
    word was common (the keyword search has nothing to tell).
    A spaced word counts where a message has a word starting with it
    ("kid" in "kids"), a Chinese word wherever it occurs.
    """
    words = query_words(query)
    if not words or not texts:
        return None
    lowered = [text.replace("\n", " ").lower() for text in texts]
    joined = "\n".join(lowered)
    starts = [0]
    for text in lowered[:-1]:
        starts.append(starts[-1] + len(text) + 1)
    limit = max(share * len(texts), _MIN_COMMON)
    kept = [word for word in words if _document_frequency(word, joined, starts) <= limit]
    return None if len(kept) == len(words) else " ".join(kept)


def _document_frequency(word: str, joined: str, starts: Sequence[int]) -> int:
    """In how many of the texts ``joined`` (one a line, starting at ``starts``) ``word`` occurs."""
    spaced = not CJK.match(word)
    found: set[int] = set()
    at = joined.find(word)
    while at >= 0:
        if not (spaced and at and _WORD_CHAR.match(joined, at - 1)):
            found.add(bisect_right(starts, at))
        at = joined.find(word, at + 1)
    return len(found)
