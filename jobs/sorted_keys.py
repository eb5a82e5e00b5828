"""Sets of integer keys as sorted arrays: distinct values and membership by sorting.

``np.unique`` and ``np.isin`` hash their input in recent NumPy, which is many
times slower than a sort on the millions of distinct keys a large chat's pairs
of messages make. These give the same results by sorting and binary search.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


def distinct(values: npt.ArrayLike, *, overwrite: bool = False) -> IntArray:
    """The distinct values, ascending (as ``np.unique``).

    With ``overwrite``, an array given is sorted in place (no copy of many keys).
    """
    array = np.asarray(values).ravel()
    if overwrite:
        array.sort()
        ordered: IntArray = array
    else:
        ordered = np.sort(array)
    return _once_each(ordered)


def _once_each(ordered: IntArray) -> IntArray:
    """An ascending array with each run of equal keys kept once."""
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    found: IntArray = ordered[keep]
    return found


def within(values: npt.ArrayLike, keys: IntArray) -> npt.NDArray[np.bool_]:
    """Which ``values`` are among ``keys`` (ascending, as :func:`distinct` gives them)."""
    array = np.asarray(values)
    if not len(keys):
        return np.zeros(array.shape, dtype=bool)
    place = np.searchsorted(keys, array)
    np.minimum(place, len(keys) - 1, out=place)
    found: npt.NDArray[np.bool_] = keys[place] == array
    return found


def among(values: npt.ArrayLike, others: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Which ``values`` are among ``others`` (as ``np.isin``)."""
    return within(values, distinct(others))


def common(first: IntArray, second: IntArray) -> IntArray:
    """The keys in both ascending arrays of distinct keys, ascending (as ``np.intersect1d``)."""
    small, large = (first, second) if len(first) <= len(second) else (second, first)
    found: IntArray = small[within(small, large)]
    return found


def union(first: IntArray, second: npt.ArrayLike) -> IntArray:
    """The distinct keys of an ascending array of distinct keys and of ``second``, ascending."""
    added = distinct(second)
    if not len(added):
        return first
    joined = np.concatenate([first, added])
    joined.sort(kind="stable")  # two ascending runs: merged
    return _once_each(joined)
