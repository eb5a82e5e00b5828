"""Pairs of messages that name the same particular thing, in one language or across two.

A multilingual embedder links an English and a Chinese message on one subject
only weakly ("4 runs a week, my pace…" and "跑了个半马"). Their words can be
matched instead: the same word, or an English and a Chinese word the dictionary
gives for the same thing (:mod:`jobs.term_bridge`: 跑步 ↔ running, 胶片 ↔ film).
A shared word is evidence of a shared interest the fewer members of the chat
use it: a word half the chat writes (the garden rota, the app store of a
developers' group) says nothing about two of them. :func:`shared_term_pairs`
gives, for the pairs of messages sharing such a word, how particular their
best shared word is (0 to 1); :mod:`jobs.shared_interests` adds it to how alike
the two messages are, so a shared word lifts a pair of messages that are
already on a related subject, and one word alone does not make a pair.

:func:`bridged_words` finds the shared word of two messages again, to name
the interest in the readers' language ("跑步 / running").
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from jobs.interest_words import is_content_word
from jobs.languages import HAN
from jobs.member_interests import term_rarity
from jobs.term_bridge import TermBridge, term_bridge

MAX_ROWS = 48
"""A word in more messages than this is the chat's common talk, not two members' interest."""
PER_ROW = 8
"""Pairs each message keeps, its most particular shared words first."""


@dataclass(frozen=True, slots=True)
class TermPairs:
    """Pairs of message rows ``(rows[i], columns[i])``, ``rows[i] < columns[i]``, of
    different members, sharing a particular word; ``weights[i]`` (0 to 1) says how
    particular their best shared word is."""

    rows: npt.NDArray[np.int64]
    columns: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float32]

    @classmethod
    def empty(cls) -> TermPairs:
        """No pairs."""
        return cls(
            np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, np.float32)
        )

    def __len__(self) -> int:
        return len(self.rows)


def _is_chinese(term: str) -> bool:
    return HAN.search(term) is not None


@cache
def _single_characters() -> dict[str, tuple[str, ...]]:
    """The English words of one-character Chinese words (猫: cat), which the bridge
    keeps only from English to Chinese."""
    found: defaultdict[str, list[str]] = defaultdict(list)
    for word, terms in term_bridge().chinese.items():
        for term in terms:
            if len(term) == 1:
                found[term].append(word)
    return {term: tuple(sorted(words)) for term, words in found.items()}


def term_keys(term: str, bridge: TermBridge | None = None) -> tuple[str, frozenset[str]]:
    """A word's own key (a Chinese word itself, an English word's lemma) and the English
    words it means or stands for (which an English and a Chinese word meet on)."""
    bridge = bridge or term_bridge()
    if _is_chinese(term):
        meanings = bridge.english_of(term)
        if not meanings and len(term) == 1:
            meanings = frozenset(_single_characters().get(term, ()))
        return term, meanings
    lemma = bridge.lemma(term)
    return lemma, bridge.meanings(term) | {lemma}


def shared_term_pairs(
    owners: npt.NDArray[np.int64],
    terms: Sequence[Iterable[str]],
    *,
    bridge: TermBridge | None = None,
    max_rows: int = MAX_ROWS,
    per_row: int = PER_ROW,
    usable: Callable[[str], bool] = is_content_word,
) -> TermPairs:
    """Pairs of messages of different members sharing a particular word (see the module).

    ``terms[i]`` are the key terms of row ``i``, written by ``owners[i]``. Two
    rows share a word when both use it (an English word in any form), or one
    uses a Chinese word and the other an English word it means. A word counts
    ``log(members / its members) / log(members / 2)``: 1 when only the two use
    it, 0 when more than half the members do (its members: who writes it, or any word
    it is matched with), times its rarity in the language at large
    (:func:`jobs.member_interests.term_rarity`); words in more than ``max_rows``
    messages do not count at all. Each message keeps its ``per_row`` best pairs (a
    pair stays when it is among the best of either message), so a large chat's
    pairs grow with its messages, not their square.
    """
    bridge = bridge or term_bridge()
    own: defaultdict[str, list[int]] = defaultdict(list)
    chinese_of: defaultdict[str, list[int]] = defaultdict(list)
    english_of: defaultdict[str, list[int]] = defaultdict(list)
    rarity: dict[str, float] = {}
    keys_of: dict[str, tuple[str, frozenset[str]]] = {}
    for row, row_terms in enumerate(terms):
        for term in dict.fromkeys(row_terms):
            if term not in keys_of:
                keys_of[term] = term_keys(term, bridge) if usable(term) else ("", frozenset())
            key, meanings = keys_of[term]
            if not key:
                continue
            own[key].append(row)
            rarity[key] = term_rarity(key)
            for meaning in meanings:
                (chinese_of if _is_chinese(term) else english_of)[meaning].append(row)
    members = len(np.unique(owners))
    if members < 2:
        return TermPairs.empty()
    scale = math.log(max(members, 3) / 2.0)
    lefts: list[npt.NDArray[np.int64]] = []
    rights: list[npt.NDArray[np.int64]] = []
    values: list[npt.NDArray[np.float32]] = []

    def add(first: list[int], second: list[int] | None, weight: float) -> None:
        if weight <= 0:
            return
        one = np.fromiter(dict.fromkeys(first), dtype=np.int64)
        if second is None:
            i, j = np.triu_indices(len(one), 1)
            left, right = one[i], one[j]
        else:
            other = np.fromiter(dict.fromkeys(second), dtype=np.int64)
            left, right = np.repeat(one, len(other)), np.tile(other, len(one))
        keep = owners[left] != owners[right]
        lefts.append(np.minimum(left, right)[keep])
        rights.append(np.maximum(left, right)[keep])
        values.append(np.full(int(keep.sum()), weight, dtype=np.float32))

    owner_list = owners.tolist()

    def particular(rows: Sequence[int]) -> float:
        writers = len({owner_list[row] for row in rows})
        if writers > max(2.0, members / 2):
            return 0.0
        return float(np.clip(math.log(members / max(writers, 2)) / scale, 0.0, 1.0))

    for key, rows in own.items():
        if len(rows) <= max_rows:
            add(rows, None, particular(rows) * rarity[key])
    for meaning, chinese in chinese_of.items():
        english = english_of.get(meaning, [])
        if english and len(chinese) + len(english) <= max_rows:
            weight = particular([*chinese, *english])
            add(chinese, english, weight * min(rarity.get(meaning, 1.0), 1.0))
    if not lefts:
        return TermPairs.empty()
    return _strongest(
        np.concatenate(lefts), np.concatenate(rights), np.concatenate(values), per_row
    )


def _strongest(
    rows: npt.NDArray[np.int64],
    columns: npt.NDArray[np.int64],
    weights: npt.NDArray[np.float32],
    per_row: int,
) -> TermPairs:
    """Each pair of rows once, with its best weight, kept when it is among the ``per_row``
    best of one of its two rows."""
    size = int(max(rows.max(initial=0), columns.max(initial=0))) + 1
    keys = rows * size + columns
    order = np.lexsort((-weights, keys))
    _, first = np.unique(keys[order], return_index=True)
    chosen = order[first]
    rows, columns, weights = rows[chosen], columns[chosen], weights[chosen]
    ends = np.concatenate([rows, columns])
    pairs = np.tile(np.arange(len(rows)), 2)
    ranked = np.lexsort((-np.tile(weights, 2), ends))
    starts = np.flatnonzero(np.r_[True, ends[ranked][1:] != ends[ranked][:-1]])
    rank = np.arange(len(ranked)) - np.repeat(starts, np.diff(np.r_[starts, len(ranked)]))
    kept = np.zeros(len(rows), dtype=bool)
    kept[pairs[ranked[rank < per_row]]] = True
    return TermPairs(rows[kept], columns[kept], weights[kept])


def bridge_specificity(first: str, second: str, bridge: TermBridge | None = None) -> float:
    """How surely two words of two languages mean one thing, 0 to 1: less the more
    Chinese words the English one stands for ("water": 150; "kingfisher": 9)."""
    bridge = bridge or term_bridge()
    english = second if _is_chinese(first) else first
    return 1.0 / (1.0 + math.log1p(len(bridge.chinese_of(english))))


def bridged_words(
    first: Sequence[str], second: Sequence[str], bridge: TermBridge | None = None
) -> list[tuple[str, str]]:
    """The pairs of words, one of each message, that mean the same thing in two
    languages (a Chinese word and an English word the dictionary gives for it)."""
    bridge = bridge or term_bridge()
    found = []
    for left in dict.fromkeys(first):
        for right in dict.fromkeys(second):
            if _is_chinese(left) == _is_chinese(right):
                continue
            chinese, english = (left, right) if _is_chinese(left) else (right, left)
            if not term_keys(chinese, bridge)[1].isdisjoint(term_keys(english, bridge)[1]):
                found.append((left, right))
    return found
