"""Words naming a shared interest that the members come back to, not words of one message.

Two messages of a pair may share a word by chance: a detail of one photo ("尾巴 /
tail"), a work errand ("上架"), a reaction to someone else's proposal ("早鸟"). A
member's interest is something they come back to, so a word names what members
share first when they write it in several messages (:data:`MIN_MESSAGES` in all,
each member at least once): the word itself, an English word in another form, a
word the dictionary gives for it in the other language (白鹭 and "egrets"; English
words standing for too many Chinese ones, "water", "run", do not count), or a
Chinese word made on it (胶片机 is about 胶片; 翠鸟 about 鸟, a character that is
a noun able to name an interest, :func:`jobs.interest_words.is_single_noun`).

Messages that only agree with or praise another member's proposal ("支持，…",
"👍 …这个好", "Agreed, …", "+1 …") say what someone else chose, not what their
author is into: they do not count (:func:`is_agreement`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from jobs.interest_words import is_single_noun
from jobs.languages import HAN
from jobs.shared_terms import term_keys
from jobs.term_bridge import term_bridge

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
    r"[\s!！,，.。~～👍👌🙌👏💯]*"
)
_PRAISE_OF_IT = re.compile(r"^[^，,。.!！?？]{0,12}(?:这个好|这个不错|挺好|不错|好主意)")


def is_agreement(text: str) -> bool:
    """Whether a message opens by agreeing with or praising what another member proposed
    ("支持，早鸟用户会…", "👍 早鸟这个好", "Agreed, …", "+1 …"): its words are that
    proposal's, not an interest of its author."""
    flat = " ".join(text.split())
    if _AGREEMENT.match(flat):
        return True
    return _PRAISE_OF_IT.match(flat.lstrip("👍👌🙌👏💯 ")) is not None


def kinds_of(term: str) -> tuple[str, ...]:
    """The kind a Chinese word names by its last character (翠鸟: 鸟, 奶牛猫: 猫), when
    that character is a noun that can name an interest; else nothing."""
    if len(term) < 2 or not HAN.fullmatch(term[-1]) or not HAN.search(term[:-1]):
        return ()
    return (term[-1],) if is_single_noun(term[-1]) else ()


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

    def named_by(self, term: str, other: _Concept) -> bool:
        """Whether ``term`` (whose concept is ``other``) writes this word: the same word,
        one the dictionary gives for it in the other language, or a Chinese word made on it."""
        if other.key == self.key:
            return True
        if self.chinese and other.chinese:
            if len(self.word) == 1:
                return term.endswith(self.word)
            return self.word in term
        if self.chinese != other.chinese:
            common = self.meanings & other.meanings
            return any(_particular(meaning) for meaning in common)
        return False


def candidate_words(terms: Iterable[str]) -> list[str]:
    """The words of ``terms`` and the kinds they name (see :func:`kinds_of`), in order."""
    found: dict[str, None] = {}
    for term in terms:
        found[term] = None
        found.update(dict.fromkeys(kinds_of(term)))
    return list(found)


Said = tuple[str, Sequence[str]]
"""A member's message as ``(text, key terms)``."""


def recurring_words(
    candidates: Mapping[str, float],
    members: Mapping[int, Sequence[Said]],
    *,
    needed: int | None = None,
    min_messages: int = MIN_MESSAGES,
) -> dict[str, int]:
    """The ``candidates`` members come back to, with how many messages show it.

    ``members`` gives each member's messages (see :data:`Said`). A word counts for a
    member who writes it (or a word of its meaning, see the module) in
    ``min_messages`` of their messages other than agreements; it recurs when
    ``needed`` members (default: all) do, and is given with the least number of
    messages of those members writing it.
    """
    needed = len(members) if needed is None else needed
    if needed < 2 or len(members) < needed:
        return {}
    parsed = [
        [
            [(term, _concept(term)) for term in candidate_words(terms)]
            for text, terms in said
            if not is_agreement(text)
        ]
        for said in members.values()
    ]
    found = {}
    for word in candidates:
        concept = _concept(word)
        counts = sorted(
            (
                sum(
                    1
                    for terms in messages
                    if any(concept.named_by(term, other) for term, other in terms)
                )
                for messages in parsed
            ),
            reverse=True,
        )
        total = sum(counts[:needed])
        if counts[needed - 1] >= 1 and total >= min_messages:
            found[word] = total
    return found


@cache
def _particular(english: str) -> bool:
    """Whether an English word stands for few enough Chinese words (``MAX_TRANSLATIONS``)."""
    return len(term_bridge().chinese_of(english)) <= MAX_TRANSLATIONS


_concepts: dict[str, _Concept] = {}


def _concept(term: str) -> _Concept:
    found = _concepts.get(term)
    if found is None:
        if len(_concepts) > 50_000:
            _concepts.clear()
        found = _concepts[term] = _Concept.of(term)
    return found
