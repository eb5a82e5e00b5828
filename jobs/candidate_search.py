"""Each member's messages with their best-scoring messages of the member's candidates.

The second stage of a large chat's search (see :mod:`jobs.member_candidates`):
each of a member's messages keeps its ``neighbours`` best-scoring messages among
its candidates' messages. Candidates' messages are ranked on a sketch of the
vectors (see :mod:`jobs.vector_sketch`) when it is narrower than them, and only
the best ``oversample`` times as many as are kept are scored in full.

Members are searched many at a time: those of one size (messages) and a
similar width (candidates' messages) are padded to one width, the padding
masked, and each step (sketch products, ranking, full scores, best) is one
array operation for all of them. Pairs and scores are the same, bit for bit,
as one member at a time gives: the products use the same kernel, and a member
with a tie at the edge of a row's choice (which of equal scores
``np.argpartition`` takes depends on the row's length) is searched alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from jobs.member_candidates import MemberCandidates
from jobs.member_interests import ScriptCalibration
from jobs.sorted_keys import distinct
from jobs.vector_math import FloatMatrix, IntArray, as_float32
from jobs.vector_sketch import sketch_rows

Scores = npt.NDArray[np.float32]

CHUNK_MEMBERS = 4096
"""Members whose pairs are found together and handed on in one chunk."""
BATCH_COLUMNS = 1 << 15
"""Candidates' messages (padded, over all members) one batch of members ranks at a time."""
SCORED_COLUMNS = 1 << 13
"""Shortlisted messages (padded, over all members) one batch of members scores at a time."""
PADDING = 0.1
"""How much wider than its narrowest member a batch's widest may be."""


@dataclass(frozen=True, slots=True)
class MemberChunk:
    """Consecutive members' pairs of messages, in the members' order.

    ``positions`` are the members' positions (see
    :class:`~jobs.member_candidates.MemberCandidates`), those with candidates only;
    member ``positions[i]``'s pairs are ``rows``, ``columns`` and ``scores`` from
    ``starts[i]`` to ``starts[i + 1]``.
    """

    positions: IntArray
    starts: IntArray
    rows: IntArray
    columns: IntArray
    scores: Scores


class CandidateSearch:
    """Each of a member's messages with its best-scoring messages of the member's candidates."""

    def __init__(
        self,
        x: FloatMatrix,
        scripts: IntArray,
        calibration: ScriptCalibration,
        *,
        sketch_dims: int,
        oversample: int,
        seed: int = 0,
    ) -> None:
        self.x = x
        self.scripts = scripts
        self.calibration = calibration
        self.oversample = max(1, oversample)
        narrower = 0 < sketch_dims < x.shape[1]
        self.sketch = sketch_rows(x, sketch_dims, seed=seed) if narrower else None

    def best_pairs(
        self, group: tuple[IntArray, IntArray], neighbours: int
    ) -> tuple[IntArray, IntArray, Scores]:
        """Each of a member's rows with its ``neighbours`` best-scoring candidate rows.

        ``group`` is the member's rows and their candidates' rows (see
        :meth:`~jobs.member_candidates.MemberCandidates.group`).
        """
        own, columns = group
        k = min(neighbours, len(columns))
        wide = min(len(columns), k * self.oversample)
        if self.sketch is None or wide >= len(columns):
            return _all_scored(self.x, self.scripts, self.calibration, group, neighbours)
        rough = self.calibration.standard(
            np.einsum("id,jd->ij", self.sketch[own], self.sketch[columns]),
            self.scripts[own][:, None],
            self.scripts[columns][None, :],
        )
        ranked = np.argpartition(-rough, wide - 1, axis=1)[:, :wide]
        shortlist, place = np.unique(ranked, return_inverse=True)
        chosen = columns[shortlist]
        scores = self.calibration.standard(  # in full, on the shortlist only
            np.einsum("id,jd->ij", as_float32(self.x[own]), as_float32(self.x[chosen])),
            self.scripts[own][:, None],
            self.scripts[chosen][None, :],
        )
        exact = np.take_along_axis(scores, place.reshape(ranked.shape), axis=1)
        top = np.argpartition(-exact, k - 1, axis=1)[:, :k]
        return (
            np.repeat(own, k),
            chosen[np.take_along_axis(place.reshape(ranked.shape), top, axis=1)].ravel(),
            np.take_along_axis(exact, top, axis=1).ravel(),
        )

    def chunks(self, found: MemberCandidates, neighbours: int) -> Iterator[MemberChunk]:
        """Every member's :meth:`best_pairs`, ``CHUNK_MEMBERS`` members at a time, in order.

        The same pairs and scores as one member at a time (a member's pairs may come
        in another order); members without candidates are left out.
        """
        sizes = np.diff(found.bounds)
        near = found.near
        widths = np.where(near >= 0, sizes[np.maximum(near, 0)], 0).sum(axis=1)
        k = np.minimum(neighbours, widths)
        sketched = np.minimum(widths, k * self.oversample) < widths
        if self.sketch is None:
            sketched[:] = False
        for first in range(0, len(found.members), CHUNK_MEMBERS):
            chunk = np.arange(first, min(len(found.members), first + CHUNK_MEMBERS))
            chunk = chunk[widths[chunk] > 0]
            pieces: list[tuple[IntArray, IntArray, IntArray, Scores]] = []
            batched = chunk[sketched[chunk]]
            if len(batched):
                batched = batched[np.lexsort((widths[batched], sizes[batched]))]
                ranked = _Shortlists.join(
                    [
                        self._ranked(found, batch, neighbours, sizes, widths)
                        for batch in _batches(batched, sizes, widths, BATCH_COLUMNS)
                    ]
                )
                scored, tied = self._scored(ranked, neighbours)
                pieces += scored
                for position in tied.tolist():  # a tie at a boundary: as one at a time
                    rows, columns, scores = self.best_pairs(found.group(position), neighbours)
                    pieces.append((np.full(len(rows), position), rows, columns, scores))
            for position in chunk[~sketched[chunk]].tolist():
                rows, columns, scores = _all_scored(
                    self.x, self.scripts, self.calibration, found.group(position), neighbours
                )
                pieces.append((np.full(len(rows), position), rows, columns, scores))
            yield _in_member_order(chunk, pieces)

    def _ranked(
        self,
        found: MemberCandidates,
        batch: IntArray,
        neighbours: int,
        sizes: IntArray,
        widths: IntArray,
    ) -> _Shortlists:
        """The members at ``batch``: each one's shortlist of candidates' rows, on the sketch."""
        assert self.sketch is not None
        wide = neighbours * self.oversample  # a sketched member has more columns than this
        size = int(sizes[batch[0]])  # one size a batch
        own = found.order[found.bounds[batch][:, None] + np.arange(size)]
        columns = _candidate_rows(found, batch, sizes, widths[batch])
        real_columns = np.arange(columns.shape[1]) < widths[batch][:, None]
        rough = self.calibration.standard(
            np.einsum("bid,bjd->bij", self.sketch[own], self.sketch[columns]),
            self.scripts[own][:, :, None],
            self.scripts[columns][:, None, :],
        )
        np.copyto(rough, np.float32(-np.inf), where=~real_columns[:, None, :])
        ranked, settled = _lowest(np.negative(rough, out=rough), wide)
        ranked = ranked.reshape(-1, wide)
        # Each member's shortlist: the distinct columns its rows ranked, as sorted keys.
        member = np.repeat(np.arange(len(batch)), size)
        keys = ranked + (member * columns.shape[1])[:, None]
        shortlist = distinct(keys)
        member_of = shortlist // columns.shape[1]
        starts = np.searchsorted(member_of, np.arange(len(batch) + 1))
        return _Shortlists(
            positions=batch,
            own=own.ravel(),
            own_starts=np.arange(len(batch) + 1) * size,
            chosen=columns[member_of, shortlist - member_of * columns.shape[1]],
            chosen_starts=starts,
            place=np.searchsorted(shortlist, keys) - starts[member][:, None],
            tied=np.logical_not(settled.all(axis=1)),
        )

    def _scored(
        self, ranked: _Shortlists, neighbours: int
    ) -> tuple[list[tuple[IntArray, IntArray, IntArray, Scores]], IntArray]:
        """Each shortlisted row's ``neighbours`` best, scored in full (with its member).

        Also the members left out: those with a tie at the edge of a shortlist or of the
        best, where which ones are taken depends on the order the search sees them in.
        """
        k = neighbours
        sizes = np.diff(ranked.own_starts)
        lengths = np.diff(ranked.chosen_starts)
        pieces = []
        tied = [ranked.positions[ranked.tied]]
        order = np.lexsort((lengths, sizes))
        for batch in _batches(order, sizes, lengths, SCORED_COLUMNS):
            size = int(sizes[batch[0]])  # one size a batch
            lines = ranked.own_starts[batch][:, None] + np.arange(size)
            own = ranked.own[lines]
            chosen = _padded(ranked.chosen, ranked.chosen_starts[batch], lengths[batch])
            scores = self.calibration.standard(  # in full, on the shortlists only
                np.einsum("bid,bjd->bij", as_float32(self.x[own]), as_float32(self.x[chosen])),
                self.scripts[own][:, :, None],
                self.scripts[chosen][:, None, :],
            )
            place = ranked.place[lines]
            exact = np.take_along_axis(scores, place, axis=2)
            top, settled = _lowest(-exact, k)
            right = np.take_along_axis(chosen[:, None, :], np.take_along_axis(place, top, 2), 2)
            done = settled.all(axis=1) & ~ranked.tied[batch]
            tied.append(ranked.positions[batch[~settled.all(axis=1) & ~ranked.tied[batch]]])
            pieces.append(
                (
                    np.repeat(ranked.positions[batch[done]], size * k),
                    np.repeat(own[done].ravel(), k),
                    right[done].ravel(),
                    np.take_along_axis(exact, top, axis=2)[done].ravel(),
                )
            )
        return pieces, np.sort(np.concatenate(tied))


@dataclass(frozen=True, slots=True)
class _Shortlists:
    """Members' rows and the candidates' rows each row ranked best on the sketch.

    Member ``positions[i]``'s rows are ``own[own_starts[i] : own_starts[i + 1]]``,
    its shortlist ``chosen[chosen_starts[i] : chosen_starts[i + 1]]``; each row's
    ranked columns are ``place`` (one line per row) in its member's shortlist.
    """

    positions: IntArray
    own: IntArray
    own_starts: IntArray
    chosen: IntArray
    chosen_starts: IntArray
    place: IntArray
    tied: npt.NDArray[np.bool_]
    """Members with a tie at the edge of a row's shortlist (see :func:`_lowest`)."""

    @staticmethod
    def join(parts: list[_Shortlists]) -> _Shortlists:
        """The parts' members as one."""

        def starts(values: list[IntArray]) -> IntArray:
            shift = np.cumsum([0] + [int(v[-1]) for v in values[:-1]])
            joined: IntArray = np.r_[
                0, np.concatenate([v[1:] + s for v, s in zip(values, shift, strict=True)])
            ]
            return joined

        return _Shortlists(
            positions=np.concatenate([part.positions for part in parts]),
            own=np.concatenate([part.own for part in parts]),
            own_starts=starts([part.own_starts for part in parts]),
            chosen=np.concatenate([part.chosen for part in parts]),
            chosen_starts=starts([part.chosen_starts for part in parts]),
            place=np.concatenate([part.place for part in parts]),
            tied=np.concatenate([part.tied for part in parts]),
        )


def _lowest(values: Scores, count: int) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """The places of each row's ``count`` lowest ``values`` (last axis, as ``np.argpartition``),
    and whether they are the only choice: no value left out equals the highest taken.

    Among equal values, which ones ``np.argpartition`` takes depends on the row's length
    and order; a member whose rows are the only choice gets the same rows padded or not.
    """
    taken = np.argpartition(values, count - 1, axis=-1)[..., :count]
    edge = np.take_along_axis(values, taken, axis=-1).max(axis=-1, keepdims=True)
    only: npt.NDArray[np.bool_] = np.count_nonzero(values <= edge, axis=-1) == count
    return taken, only


def _batches(
    positions: IntArray, sizes: IntArray, widths: IntArray, budget: int
) -> Iterator[IntArray]:
    """``positions`` (sorted by size, then width) cut into batches of one size each, whose
    widths differ by at most ``PADDING`` of the narrowest, ``budget`` widths in all at most.

    A batch is padded to its widest member: little is computed for nothing.
    """
    start = 0
    size_of = sizes[positions].tolist()
    width_of = widths[positions].tolist()
    for end, width in enumerate(width_of):
        if end > start and (
            size_of[end] != size_of[start]
            or width > width_of[start] * (1.0 + PADDING)
            or (end + 1 - start) * width > budget
        ):
            yield positions[start:end]
            start = end
    if start < len(positions):
        yield positions[start:]


def _padded(order: IntArray, starts: IntArray, lengths: IntArray) -> IntArray:
    """``order[starts[i] : starts[i] + lengths[i]]`` as rows of one width, padded with the first."""
    spread = np.arange(int(lengths.max()))
    index = starts[:, None] + np.minimum(spread, lengths[:, None] - 1)
    rows: IntArray = order[index]
    return rows


def _candidate_rows(
    found: MemberCandidates, batch: IntArray, sizes: IntArray, widths: IntArray
) -> IntArray:
    """The batch members' candidates' rows (in :meth:`MemberCandidates.group`'s order),
    padded with each member's first one."""
    near = found.near[batch]
    counts = np.where(near >= 0, sizes[np.maximum(near, 0)], 0)
    starts = found.bounds[np.maximum(near, 0)]
    flat_counts = counts.ravel()
    ends = np.cumsum(flat_counts)
    total = int(ends[-1])
    places = np.arange(total) + np.repeat(starts.ravel() - (ends - flat_counts), flat_counts)
    member_ends = np.cumsum(widths)
    slot = np.arange(total) - np.repeat(member_ends - widths, widths)
    columns = np.empty((len(batch), int(widths.max())), dtype=np.int64)
    member = np.repeat(np.arange(len(batch)), widths)
    columns[member, slot] = found.order[places]
    columns[:, :] = np.where(np.arange(columns.shape[1]) < widths[:, None], columns, columns[:, :1])
    return columns


def _in_member_order(
    chunk: IntArray, pieces: list[tuple[IntArray, IntArray, IntArray, Scores]]
) -> MemberChunk:
    """The pieces' pairs joined in the order of their members' positions."""
    if not pieces:
        empty = np.zeros(0, dtype=np.int64)
        nothing = np.zeros(0, dtype=np.float32)
        return MemberChunk(chunk, np.zeros(len(chunk) + 1, np.int64), empty, empty, nothing)
    owner = np.concatenate([piece[0] for piece in pieces])
    order = np.argsort(owner, kind="stable")
    rows = np.concatenate([piece[1] for piece in pieces])[order]
    columns = np.concatenate([piece[2] for piece in pieces])[order]
    scores = np.concatenate([piece[3] for piece in pieces])[order]
    starts = np.r_[np.searchsorted(owner[order], chunk), len(owner)].astype(np.int64)
    return MemberChunk(chunk, starts, rows, columns, scores)


def _all_scored(
    x: FloatMatrix,
    scripts: IntArray,
    calibration: ScriptCalibration,
    group: tuple[IntArray, IntArray],
    neighbours: int,
) -> tuple[IntArray, IntArray, Scores]:
    """Each of a member's rows with its ``neighbours`` best-scoring candidate rows, all scored.

    ``group`` is the member's rows and their candidates' rows (see
    :meth:`~jobs.member_candidates.MemberCandidates.group`).
    """
    own, columns = group
    scores = calibration.standard(  # small: no threaded BLAS (its threads would spin)
        np.einsum("id,jd->ij", as_float32(x[own]), as_float32(x[columns])),
        scripts[own][:, None],
        scripts[columns][None, :],
    )
    k = min(neighbours, len(columns))
    top = (
        np.argpartition(-scores, k - 1, axis=1)[:, :k]
        if k < len(columns)
        else np.broadcast_to(np.arange(len(columns)), scores.shape)
    )
    return (
        np.repeat(own, k),
        columns[top].ravel(),
        np.take_along_axis(scores, top, axis=1).ravel(),
    )
