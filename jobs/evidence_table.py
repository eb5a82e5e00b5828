"""Each pair of members' best pairs of messages, chosen and held as arrays.

A round of a large chat finds evidence for millions of pairs of members: as
Python objects they would take gigabytes. :func:`best_apart` chooses each pair's
best pairs of messages with a few passes over arrays, and :class:`EvidenceTable`
keeps them in arrays, making :class:`Evidence` objects only for the pairs asked
for.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from jobs.vector_math import IntArray

Pair = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Evidence:
    """A pair of messages showing a shared interest: rows of the first and second member."""

    row_a: int
    row_b: int
    excess: float


class EvidenceTable(Mapping[Pair, tuple[Evidence, ...]]):
    """Pairs of members ``(a, b)``, ``a < b``, and their best pairs of messages, best first.

    Row ``i`` holds the pair ``divmod(pair_keys[i], size)``, its first member's message
    rows ``rows_a[i]``, the second's ``rows_b[i]`` and their ``excess[i]`` (unused
    slots hold row ``-1``). Pairs iterate in the order of ``pair_keys``.
    """

    __slots__ = ("_lookup", "excess", "pair_keys", "rows_a", "rows_b", "size")

    def __init__(
        self,
        keys: IntArray,
        size: int,
        rows_a: IntArray,
        rows_b: IntArray,
        excess: npt.NDArray[np.float32],
    ) -> None:
        self.pair_keys = keys
        self.size = size
        self.rows_a = rows_a
        self.rows_b = rows_b
        self.excess = excess
        self._lookup = np.argsort(keys, kind="stable")

    @classmethod
    def empty(cls, wanted: int = 1) -> EvidenceTable:
        """No pairs."""
        none = np.zeros((0, wanted), dtype=np.int64)
        return cls(np.zeros(0, dtype=np.int64), 1, none, none, np.zeros((0, wanted), np.float32))

    def _index(self, pair: object) -> int | None:
        if not isinstance(pair, tuple) or len(pair) != 2:
            return None
        a, b = pair
        if not (isinstance(a, int) and isinstance(b, int)) or not 0 <= a < b < self.size:
            return None
        key = a * self.size + b
        place = int(np.searchsorted(self.pair_keys, key, sorter=self._lookup))
        if place >= len(self.pair_keys) or int(self.pair_keys[self._lookup[place]]) != key:
            return None
        return int(self._lookup[place])

    def __getitem__(self, pair: Pair) -> tuple[Evidence, ...]:
        index = self._index(pair)
        if index is None:
            raise KeyError(pair)
        return tuple(
            Evidence(row_a, row_b, value)
            for row_a, row_b, value in zip(
                self.rows_a[index].tolist(),
                self.rows_b[index].tolist(),
                self.excess[index].tolist(),
                strict=True,
            )
            if row_a >= 0
        )

    def __contains__(self, pair: object) -> bool:
        return self._index(pair) is not None

    def __iter__(self) -> Iterator[Pair]:
        for key in self.pair_keys.tolist():
            yield divmod(key, self.size)

    def __len__(self) -> int:
        return len(self.pair_keys)

    def totals(self) -> npt.NDArray[np.float64]:
        """Each pair's sum of the excess of its evidence, in the order of ``pair_keys``."""
        total = np.zeros(len(self.pair_keys), dtype=np.float64)
        for slot in range(self.excess.shape[1]):  # added in order, as ``sum`` would
            total += np.where(self.rows_a[:, slot] >= 0, self.excess[:, slot], 0.0)
        return total


def best_apart(  # noqa: PLR0917 - the candidates and how to choose among them
    owners: IntArray,
    rows: IntArray,
    columns: IntArray,
    excess: npt.NDArray[np.float32],
    valid: IntArray,
    keys: IntArray,
    wanted: int,
    when: npt.NDArray[np.float64],
    apart: float,
) -> EvidenceTable:
    """For each pair of members, their ``wanted`` best pairs of messages (of ``valid``, with
    pair keys ``keys``): each message once, each member's messages ``apart`` seconds apart.

    The same choice as going through the candidates best first and keeping each
    one that fits those kept so far: pass ``r`` keeps, for every pair at once,
    the best candidate fitting its first ``r`` picks. Each pair's best ``6 *
    wanted`` candidates are looked at. Pairs are ordered by their best excess.
    """
    if not len(valid):
        return EvidenceTable.empty(wanted)
    size = int(owners.max()) + 1
    grouped = np.lexsort((-excess[valid], keys))
    ordered_keys = keys[grouped]
    starts = np.r_[0, np.flatnonzero(np.diff(ordered_keys)) + 1]
    lengths = np.diff(np.r_[starts, len(grouped)])
    rank = np.arange(len(grouped)) - np.repeat(starts, lengths)
    kept = rank < 6 * wanted  # enough to find ``wanted`` apart
    candidates = valid[grouped[kept]]
    group = np.repeat(np.arange(len(starts)), np.minimum(lengths, 6 * wanted))
    del grouped, rank, kept
    left, right = rows[candidates], columns[candidates]
    swap = owners[left] > owners[right]
    left, right = np.where(swap, right, left), np.where(swap, left, right)
    when_left, when_right = when[left], when[right]
    alive = np.ones(len(candidates), dtype=bool)
    picks = np.full((len(starts), wanted), -1, dtype=np.int64)
    for slot in range(wanted):
        open_rows = np.flatnonzero(alive)
        if not len(open_rows):
            break
        groups = group[open_rows]
        first = np.r_[True, groups[1:] != groups[:-1]]
        picks[groups[first], slot] = open_rows[first]
        pick = np.full(len(starts), -1, dtype=np.int64)
        pick[groups[first]] = open_rows[first]
        chosen = pick[group]
        clash = (chosen >= 0) & (
            (left == left[chosen])
            | (right == right[chosen])
            | (np.abs(when_left - when_left[chosen]) < apart)
            | (np.abs(when_right - when_right[chosen]) < apart)
        )
        alive &= ~clash
    found = picks >= 0
    safe = np.where(found, picks, 0)
    pair_keys = ordered_keys[starts]
    best = excess[candidates[picks[:, 0]]]
    order = np.argsort(-best, kind="stable")  # pairs in the order of their best evidence
    return EvidenceTable(
        pair_keys[order],
        size,
        np.where(found, left[safe], -1)[order],
        np.where(found, right[safe], -1)[order],
        np.where(found, excess[candidates[safe]], 0.0).astype(np.float32)[order],
    )
