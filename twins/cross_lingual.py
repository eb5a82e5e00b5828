"""A Chinese question's key words in English, so keyword search reaches English messages.

Members of mixed chats often ask in Chinese about what a member wrote in English:
"Ashfox生日打算怎么过？" of a member who wrote "my birthday is this Sunday!!". Keyword
search matches words, so it finds nothing there, and meaning alone (the multilingual
embedder) is weakest on short chat lines in another language: on the Chinese
neighbourhood set, plain dense search missed such evidence altogether.
:func:`translated_keywords` gives the English words for the question's Chinese terms
from the CC-CEDICT dictionary (:mod:`memory.term_bridge`): 生日 -> "birthday",
咖啡店 -> "café", "shop"; a term whose glosses give many words is too vague to stand
for any of them and adds nothing.

The other way, English words to Chinese terms, was measured and left out: an English
word heads the glosses of many Chinese terms ("drink": 下酒, 举杯, 冷饮 …), the common
one is often a single character the dictionary cannot tell apart from its other
senses, and the added noise cost more than it found.

Searched beside the question's own words, the English ones change nothing for a member
who writes only in Chinese: words a message does not hold add nothing to its score.
"""

from __future__ import annotations

import re
from functools import lru_cache

import jieba

from memory.keywords import keyword_encoder
from memory.term_bridge import term_bridge
from twins.scripts import CJK

MAX_HEADS_PER_TERM = 3
"""A Chinese term whose glosses give more English words than this is too vague to stand
for any one of them."""

_CJK_RUN = re.compile(rf"{CJK.pattern}+")


@lru_cache(maxsize=4096)
def translated_keywords(query: str) -> str:
    """English words for the Chinese terms of ``query``, space-separated ("" for none);
    remembered, as the same questions recur."""
    bridge = term_bridge()
    found: dict[str, None] = {}
    for run in _CJK_RUN.findall(query):
        for term in jieba.lcut(run):
            if len(term) < 2 or not _is_keyword(term):
                continue
            heads = bridge.english_of(term)
            if len(heads) <= MAX_HEADS_PER_TERM:
                found.update(dict.fromkeys(h for h in sorted(heads) if _is_keyword(h)))
    return " ".join(found)


def warm() -> None:
    """Read the dictionary and the segmenter now (a few seconds), not on a first question."""
    translated_keywords("热身")


def _is_keyword(word: str) -> bool:
    """Whether the keyword search uses ``word`` at all (stop words are dropped)."""
    return bool(keyword_encoder().document(word).indices)
