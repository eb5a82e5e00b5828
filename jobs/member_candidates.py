"""Which members' messages each member's messages are compared with, in a large chat.

Comparing every message with every other grows with the square of the chat.
Above a size, a round first picks each member's ``k`` candidate partners
cheaply: each member is one vector (the unit mean of their messages), and the
members whose vectors are closest to it (:func:`jobs.nearest_neighbours.top_k_neighbours`,
an inverted-file search among many members) are their candidates. The detailed
scoring of :mod:`jobs.shared_interests` then compares a member's messages only
with their candidates' messages, so its work grows with members x ``k`` x
messages per member. Candidates go both ways: ``b`` among ``a``'s makes the
pair a candidate pair.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from jobs.nearest_neighbours import top_k_neighbours
from jobs.vector_math import FloatMatrix, IntArray, as_float32, unit_rows


@dataclass(frozen=True, slots=True, eq=False)
class MemberCandidates:
    """Members (ids, ascending), each one's message rows, and their candidates.

    ``near[i]`` holds the positions (in ``members``) of member ``i``'s candidates,
    ``-1`` for empty slots.
    """

    members: IntArray
    order: IntArray
    bounds: IntArray
    near: IntArray

    def rows_of(self, position: int) -> IntArray:
        """The message rows of the member at ``position``."""
        rows: IntArray = self.order[self.bounds[position] : self.bounds[position + 1]]
        return rows

    def groups(self) -> Iterator[tuple[IntArray, IntArray]]:
        """For each member: their message rows and their candidates' message rows."""
        for position in range(len(self.members)):
            yield self.group(position)

    def group(self, position: int) -> tuple[IntArray, IntArray]:
        """The message rows of the member at ``position`` and their candidates' message rows."""
        others = self.near[position]
        others = others[others >= 0]
        columns = (
            np.concatenate([self.rows_of(int(other)) for other in others])
            if len(others)
            else np.zeros(0, dtype=np.int64)
        )
        return self.rows_of(position), columns

    def pairs(self) -> set[tuple[int, int]]:
        """The candidate pairs of member ids, ``(a, b)`` with ``a < b``."""
        found = set()
        for position, others in enumerate(self.near.tolist()):
            a = int(self.members[position])
            for other in others:
                if other >= 0:
                    b = int(self.members[other])
                    found.add((min(a, b), max(a, b)))
        return found


def member_candidates(
    x: FloatMatrix,
    owners: IntArray,
    k: int,
    *,
    exact_limit: int = 6000,
    probes: int = 8,
    seed: int = 0,
) -> MemberCandidates:
    """Each member's ``k`` closest members by the unit means of their rows of ``x``."""
    members, labels = np.unique(np.asarray(owners, dtype=np.int64), return_inverse=True)
    labels = labels.astype(np.int64)
    order = np.argsort(labels, kind="stable").astype(np.int64)
    near, _ = top_k_neighbours(
        unit_rows(_member_sums(x, labels, order, len(members))),
        k,
        exact_limit=exact_limit,
        probes=probes,
        seed=seed,
    )
    bounds = np.searchsorted(labels[order], np.arange(len(members) + 1)).astype(np.int64)
    return MemberCandidates(members, order, bounds, near)


_SUM_BLOCK = 1 << 15
"""Rows summed at a time: no copy of a large chat's matrix in members' order."""


def _member_sums(x: FloatMatrix, labels: IntArray, order: IntArray, k: int) -> FloatMatrix:
    """The sum of each of ``k`` members' rows (``order`` sorts the rows by ``labels``)."""
    sums = np.zeros((k, x.shape[1]), dtype=np.float32)
    for start in range(0, len(order), _SUM_BLOCK):
        rows = order[start : start + _SUM_BLOCK]
        block = labels[rows]
        starts = np.flatnonzero(np.r_[True, block[1:] != block[:-1]])
        sums[block[starts]] += np.add.reduceat(as_float32(x[rows]), starts, axis=0)
    return sums
