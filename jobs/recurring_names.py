"""Words naming a shared interest that the members come back to, not words of one message.

Two messages of a pair may share a word by chance: a detail of one photo ("尾巴 /
tail"), a work errand ("上架"), a reaction to someone else's proposal ("早鸟"). A
member's interest is something they come back to, so a word names what members
share first when they write it in several messages (:data:`MIN_MESSAGES` in all,
each member at least once): the word itself, an English word in another form, a
word the dictionary gives for it in the other language (白鹭 and "egrets"; English
words standing for too many Chinese ones, "water", "run", do not count), or a
Chinese word made on it (胶片机 is about 胶片; 翠鸟, ending in it, about 鸟).

Messages that only agree with or praise another member's proposal ("支持，…",
"👍 …这个好", "Agreed, …", "+1 …") say what someone else chose, not what their
author is into: they do not count (:func:`is_agreement`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from jobs.languages import HAN
from jobs.shared_terms import term_keys
from memory.term_bridge import term_bridge

MAX_TRANSLATIONS = 60
"""An English word the dictionary gives for more Chinese words than this ("water", "run")
is too vague to match a word of the other language."""
MIN_MESSAGES = 3
"""In how many messages the members must write a word (or one of the same meaning), each
of them at least once, for it to recur: at least one comes back to it."""

_AGREEMENT = re.compile(
    r"^\s*(?:👍|👌|🙌|👏|💯|➕1|\+1|"
    r"支持|赞同|同意|附议|同上|赞成|好主意|好想法|这个好|这个不错|可以可以|没毛病|"
    r"(?i:agree[ds]?|agreed|same here|seconded|\+1|good idea|great idea|love (?:this|that|it)"
    r"|sounds good|makes sense|fair enough))"
    r"(?:[\s!！,，.。~～👍👌🙌👏💯]|$)"
)
_PRAISE_OF_IT = re.compile(r"^[^，,。.!！?？]{0,12}(?:这个好|这个不错|挺好|不错|好主意)")


def is_agreement(text: str) -> bool:
    """Whether a message opens by agreeing with or praising what another member proposed
    ("支持，早鸟用户会…", "👍 早鸟这个好", "Agreed, …", "+1 …"): its words are that
    proposal's, not an interest of its author. Narrower than
    :func:`jobs.decision_cues.is_agreement`, which also takes "可以，…" or "yes, …": an
    answer opening so still says what its author knows."""
    flat = " ".join(text.split())
    if _AGREEMENT.match(flat):
        return True
    return _PRAISE_OF_IT.match(flat.lstrip("👍👌🙌👏💯 ")) is not None


@dataclass(frozen=True, slots=True)
class _Concept:
    """What a word stands for: its own key and, across languages, its English meanings."""

    word: str
    key: str
    meanings: frozenset[str]
    chinese: bool

    @classmethod
    def of(cls, word: str) -> _Concept:
        key, meanings = term_keys(word)
        return cls(word, key, meanings, HAN.search(word) is not None)


Said = tuple[str, Sequence[str]]
"""A member's message as ``(text, key terms)``."""


def recurring_words(
    candidates: Iterable[str],
    members: Mapping[int, Sequence[Said]],
    *,
    needed: int | None = None,
    min_messages: int = MIN_MESSAGES,
) -> dict[str, int]:
    """The ``candidates`` members come back to, with how many messages show it.

    ``members`` gives each member's messages (see :data:`Said`). A word recurs when
    ``needed`` members (default: all) write it (or a word of its meaning, see the
    module) in messages other than agreements, ``min_messages`` of them in all; it is
    given with that number of messages.
    """
    needed = len(members) if needed is None else needed
    if needed < 2 or len(members) < needed:
        return {}
    written = [_Written.of(said) for said in members.values()]
    found = {}
    for word in candidates:
        concept = _concept(word)
        counts = sorted((len(member.writing(concept)) for member in written), reverse=True)
        total = sum(counts[:needed])
        if counts[needed - 1] >= 1 and total >= min_messages:
            found[word] = total
    return found


@dataclass(frozen=True, slots=True)
class _Written:
    """One member's messages (agreements left out), indexed by what their words stand for."""

    keys: dict[str, set[int]]
    """Rows by each word's own key."""
    chinese: dict[str, set[int]]
    """Rows by the English meanings of their Chinese words."""
    english: dict[str, set[int]]
    """Rows by the English meanings of their English words."""

    @classmethod
    def of(cls, said: Sequence[Said]) -> _Written:
        """The index of a member's messages."""
        index = cls({}, {}, {})
        for row, (text, terms) in enumerate(said):
            if is_agreement(text):
                continue
            for term in dict.fromkeys(terms):
                concept = _concept(term)
                index.keys.setdefault(concept.key, set()).add(row)
                by_language = index.chinese if concept.chinese else index.english
                for meaning in concept.meanings:
                    by_language.setdefault(meaning, set()).add(row)
        return index

    def writing(self, concept: _Concept) -> set[int]:
        """The rows writing ``concept``'s word: the same word, one the dictionary gives
        for it in the other language, or a Chinese word made on it."""
        rows = set(self.keys.get(concept.key, ()))
        other = self.english if concept.chinese else self.chinese
        for meaning in concept.meanings:
            if meaning in other and _particular(meaning):
                rows |= other[meaning]
        if concept.chinese:
            single = len(concept.word) == 1
            for key, found in self.keys.items():
                if key != concept.key and (
                    key.endswith(concept.word) if single else concept.word in key
                ):
                    rows |= found
        return rows


@cache
def _particular(english: str) -> bool:
    """Whether an English word stands for few enough Chinese words (``MAX_TRANSLATIONS``)."""
    return len(term_bridge().chinese_of(english)) <= MAX_TRANSLATIONS


@lru_cache(maxsize=1 << 16)
def _concept(term: str) -> _Concept:
    return _Concept.of(term)
