"""Words a chat uses as names (of people, places, organisations), which name no interest.

Two members who both mention "St Brendan's" or "Don Valley" share a church or a
road, not a hobby; and a name is rarer than any subject word, so it would
otherwise weigh most as shared-word evidence. A word is a name

- in English text, when the chat writes it capitalised where no sentence
  begins, and never in lower case ("the Don Valley loop", "St Brendan's");
- in Chinese text, when the segmenter's dictionary tags it a place, an
  organisation or a transliterated name (成都, 深圳湾, 奥林巴斯), or a person's
  name that the dictionary gives no ordinary meaning (白鹭 is tagged as a name
  but means "egret").

Members' own names are left out elsewhere (``jobs.intro_planner``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable

from jobs.interest_words import word_tag
from jobs.languages import HAN
from memory.term_bridge import simple_lemma, term_bridge

_PLACE_TAGS = frozenset({"ns", "nt", "nrt", "nrfg"})
"""Segmenter tags of places, organisations and transliterated or full names."""
_PERSON_TAG = "nr"
_WORD = re.compile(r"[A-Za-z][A-Za-z]+(?:'[A-Za-z]+)?")
_MID_SENTENCE = re.compile(r"[\w,，、(&/-]\s*$")
"""What comes right before a word inside a sentence: a word or a comma, not the start
of the text, a full stop, a colon, a quote or an emoji (after which a capital says
nothing)."""


def _word_key(word: str) -> str:
    lowered = word.lower()
    return simple_lemma(lowered[:-2] if lowered.endswith("'s") else lowered)


def english_name_words(texts: Iterable[str]) -> frozenset[str]:
    """The English words (lower case, singular) the chat writes capitalised mid-sentence
    and never in lower case: "Don Valley", "St Brendan's" (not "Stony Lake" in a chat
    that also goes "out on the lake")."""
    capitalised: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    for text in texts:
        for match in _WORD.finditer(text):
            word = match.group()
            if word.isupper():  # API, OK: acronyms say nothing either way
                continue
            key = _word_key(word)
            if word[0].islower():
                lower[key] += 1
            elif _MID_SENTENCE.search(text[max(0, match.start() - 4) : match.start()]):
                capitalised[key] += 1
    return frozenset(word for word in capitalised if not lower[word])


def is_chinese_name(term: str) -> bool:
    """Whether a Chinese word is the name of a place, an organisation or a person (see the
    module)."""
    tag = word_tag(term)
    if tag in _PLACE_TAGS:
        return True
    return tag == _PERSON_TAG and not term_bridge().english_of(term)


def name_terms(texts: Iterable[str]) -> Callable[[str], bool]:
    """Whether a key term is a name in the chat of ``texts`` (see the module)."""
    english = english_name_words(texts)

    def is_name(term: str) -> bool:
        if HAN.search(term):
            return is_chinese_name(term)
        return any(_word_key(word) in english for word in re.findall(r"[a-z']+", term.lower()))

    return is_name
