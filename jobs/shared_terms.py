"""Pairs of messages that name the same particular thing, in one language or across two.

A multilingual embedder links an English and a Chinese message on one subject
only weakly ("4 runs a week, my pace…" and "跑了个半马"). Their words can be
matched instead: the same word, or an English and a Chinese word the dictionary
gives for the same thing (:mod:`memory.term_bridge`: 跑步 ↔ running, 胶片 ↔ film).
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

import itertools
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
from jobs.sorted_keys import distinct
from memory.term_bridge import TermBridge, term_bridge

MAX_ROWS = 48
"""A word in more messages than this is the chat's common talk, not two members' interest."""
PER_ROW = 8
"""Pairs each message keeps, its most particular shared words first."""
MIN_OCCASIONS = 2
"""A member shares a word as an interest only when writing it (or one the dictionary
gives for the same thing) on at least this many occasions: an interest is something a
member comes back to, one mention is not."""
MATCHED_WORDS = 2
"""... or when the two members' messages share this many particular words (a word and its
translation count as two: 番茄 and tomatoes) on that many occasions each: a subject they
both come back to in different words."""
OCCASION_SECONDS = 3 * 3600.0
"""Messages further apart than this are different occasions."""


@dataclass(frozen=True, slots=True)
class TermPairs:
    """Pairs of message rows ``(rows[i], columns[i])``, ``rows[i] < columns[i]``, of
    different members, sharing a particular word. ``weights[i]`` (0 to 1) says how
    particular their best shared word is that both members come back to (0 when
    neither is, see ``MIN_OCCASIONS``): it scores the pair; ``name_weights[i]``, of
    their best shared word, may name an interest found otherwise."""

    rows: npt.NDArray[np.int64]
    columns: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float32]
    name_weights: npt.NDArray[np.float32]

    @classmethod
    def empty(cls) -> TermPairs:
        """No pairs."""
        none = np.zeros(0, np.float32)
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), none, none)

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
    times: npt.NDArray[np.float64] | None = None,
    min_occasions: int = MIN_OCCASIONS,
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

    A pair scores (``weights``) only when both members come back to its word:
    write it (or a word of the same meaning, in either language) on
    ``min_occasions`` occasions, messages at least ``OCCASION_SECONDS`` apart by
    ``times`` (when given; else distinct messages); or when pairs of their
    messages sharing ``MATCHED_WORDS`` words or more (or a word and its
    translation) take each of the two on ``min_occasions`` occasions. Two
    members who each mention "cracked shovel handles" or "a grant" once share
    no interest; their pair may still name an interest found otherwise
    (``name_weights``).
    """
    index = _WordIndex.of(terms, bridge or term_bridge(), usable)
    own, chinese_of, english_of = index.own, index.chinese_of, index.english_of
    members = len(distinct(owners))
    if members < 2:
        return TermPairs.empty()
    scale = math.log(max(members, 3) / 2.0)
    lefts: list[npt.NDArray[np.int64]] = []
    rights: list[npt.NDArray[np.int64]] = []
    values: list[npt.NDArray[np.float32]] = []
    returns: list[npt.NDArray[np.bool_]] = []
    strengths: list[npt.NDArray[np.int64]] = []
    owner_list = owners.tolist()
    returning = _Returning(owner_list, times, min_occasions)

    def add(first: list[int], second: list[int] | None, weight: float, related: list[int]) -> None:
        back = returning.rows(related)
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
        # a word and its translation say more than one word both happen to use
        strengths.append(np.full(int(keep.sum()), 1 if second is None else MATCHED_WORDS))
        returns.append(
            np.fromiter((row in back for row in left[keep].tolist()), bool)
            & np.fromiter((row in back for row in right[keep].tolist()), bool)
        )

    def particular(rows: Sequence[int]) -> float:
        writers = len({owner_list[row] for row in rows})
        if writers > max(2.0, members / 2):
            return 0.0
        return float(np.clip(math.log(members / max(writers, 2)) / scale, 0.0, 1.0))

    for key, rows in own.items():
        if 1 < len(rows) <= max_rows:
            weight = particular(rows) * index.rarity[key]
            if weight > 0:
                add(rows, None, weight, index.related(key))
    for meaning, chinese in chinese_of.items():
        english = english_of.get(meaning, [])
        if english and len(chinese) + len(english) <= max_rows:
            weight = particular([*chinese, *english]) * min(index.rarity.get(meaning, 1.0), 1.0)
            if weight > 0:
                add(chinese, english, weight, [*chinese, *english])
    if not lefts:
        return TermPairs.empty()
    named = np.concatenate(values)
    scored = np.where(np.concatenate(returns), named, np.float32(0.0)).astype(np.float32)
    found, words = _strongest(
        np.concatenate(lefts),
        np.concatenate(rights),
        (scored, named, np.concatenate(strengths)),
        per_row,
    )
    again = _matched_again(owners, found, words >= MATCHED_WORDS, returning)
    weights = np.where(again, found.name_weights, found.weights).astype(np.float32)
    return TermPairs(found.rows, found.columns, weights, found.name_weights)


def _matched_again(
    owners: npt.NDArray[np.int64],
    found: TermPairs,
    close: npt.NDArray[np.bool_],
    returning: _Returning,
) -> npt.NDArray[np.bool_]:
    """The ``close`` pairs (sharing several words) of two members whose close pairs
    take each of them on ``MIN_OCCASIONS`` occasions."""
    first, second = owners[found.rows], owners[found.columns]
    low, high = np.minimum(first, second).tolist(), np.maximum(first, second).tolist()
    rows_of: defaultdict[tuple[int, int], list[int]] = defaultdict(list)
    for i in np.flatnonzero(close).tolist():
        rows_of[(low[i], high[i])] += [int(found.rows[i]), int(found.columns[i])]
    again = {pair for pair, rows in rows_of.items() if returning.owners_of(rows) >= set(pair)}
    met: npt.NDArray[np.bool_] = close & np.fromiter(
        ((a, b) in again for a, b in zip(low, high, strict=True)), dtype=bool, count=len(low)
    )
    return met


@dataclass(slots=True)
class _WordIndex:
    """The rows of each word (``own``, by its key) and of each English meaning, by the
    language of the word that has it."""

    own: defaultdict[str, list[int]]
    chinese_of: defaultdict[str, list[int]]
    english_of: defaultdict[str, list[int]]
    rarity: dict[str, float]
    meanings_of: defaultdict[str, set[str]]

    @classmethod
    def of(
        cls, terms: Sequence[Iterable[str]], bridge: TermBridge, usable: Callable[[str], bool]
    ) -> _WordIndex:
        """The index of the key terms of each row."""
        index = cls(defaultdict(list), defaultdict(list), defaultdict(list), {}, defaultdict(set))
        keys_of: dict[str, tuple[str, frozenset[str]]] = {}
        for row, row_terms in enumerate(terms):
            for term in dict.fromkeys(row_terms):
                if term not in keys_of:
                    keys_of[term] = term_keys(term, bridge) if usable(term) else ("", frozenset())
                key, meanings = keys_of[term]
                if not key:
                    continue
                index.own[key].append(row)
                index.rarity[key] = term_rarity(key)
                index.meanings_of[key].update(meanings)
                for meaning in meanings:
                    by_language = index.chinese_of if _is_chinese(term) else index.english_of
                    by_language[meaning].append(row)
        return index

    def related(self, key: str) -> list[int]:
        """The rows with the word of ``key`` or a word of the same meaning."""
        found = list(self.own[key])
        for meaning in self.meanings_of[key]:
            found += self.chinese_of.get(meaning, []) + self.english_of.get(meaning, [])
        return found


class _Returning:
    """Which members come back to a subject: write on it on ``min_occasions`` occasions,
    messages ``OCCASION_SECONDS`` apart by ``times`` (else distinct messages)."""

    def __init__(
        self, owners: list[int], times: npt.NDArray[np.float64] | None, min_occasions: int
    ) -> None:
        self.owners = owners
        self.moments = times.tolist() if times is not None else list(range(len(owners)))
        self.gap = OCCASION_SECONDS if times is not None else 0.5
        self.min_occasions = min_occasions

    def owners_of(self, related: list[int]) -> set[int]:
        """The members who write ``related`` rows (on one subject) on enough occasions."""
        seen: defaultdict[int, list[float]] = defaultdict(list)
        for row in set(related):
            seen[self.owners[row]].append(self.moments[row])
        back = set()
        for owner, when in seen.items():
            when.sort()
            occasions = 1 + sum(1 for a, b in itertools.pairwise(when) if b - a > self.gap)
            if occasions >= self.min_occasions:
                back.add(owner)
        return back

    def rows(self, related: list[int]) -> set[int]:
        """Those of ``related`` (the rows on one subject) whose members come back to it."""
        back = self.owners_of(related)
        return {row for row in related if self.owners[row] in back}


def _strongest(
    rows: npt.NDArray[np.int64],
    columns: npt.NDArray[np.int64],
    weights: tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.int64]],
    per_row: int,
) -> tuple[TermPairs, npt.NDArray[np.int64]]:
    """Each pair of rows once, with its best weights (scoring, naming), kept when it is
    among the ``per_row`` best of one of its two rows (by scoring, then naming weight),
    and how many words each kept pair shares (``weights[2]``: what each match counts)."""
    scored, named, matches = weights
    size = int(max(rows.max(initial=0), columns.max(initial=0))) + 1
    keys = rows * size + columns
    order = np.lexsort((-named, keys))
    unique_keys, first = np.unique(keys[order], return_index=True)
    chosen = order[first]
    best_scored = np.zeros(len(unique_keys), dtype=np.float32)
    places = np.searchsorted(unique_keys, keys)
    np.maximum.at(best_scored, places, scored)
    shared = np.zeros(len(unique_keys), dtype=np.int64)
    np.add.at(shared, places, matches)
    rows, columns, named = rows[chosen], columns[chosen], named[chosen]
    ends = np.concatenate([rows, columns])
    pairs = np.tile(np.arange(len(rows)), 2)
    ranked = np.lexsort((-np.tile(named, 2), -np.tile(best_scored, 2), ends))
    starts = np.flatnonzero(np.r_[True, ends[ranked][1:] != ends[ranked][:-1]])
    rank = np.arange(len(ranked)) - np.repeat(starts, np.diff(np.r_[starts, len(ranked)]))
    kept = np.zeros(len(rows), dtype=bool)
    kept[pairs[ranked[rank < per_row]]] = True
    found = TermPairs(rows[kept], columns[kept], best_scored[kept], named[kept])
    return found, shared[kept]


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
