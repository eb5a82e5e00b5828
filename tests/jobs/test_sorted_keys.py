"""Sets of integer keys by sorting give what NumPy's set routines give."""

from __future__ import annotations

import numpy as np
import pytest

from jobs.sorted_keys import among, common, distinct, union, within


@pytest.mark.parametrize("size", [0, 1, 2, 50, 5000])
def test_sorted_keys_match_numpys_set_routines(size: int) -> None:
    rng = np.random.default_rng(size)
    values = rng.integers(0, 3 * size + 1, size)
    others = rng.integers(0, 3 * size + 1, size // 2 + 1)
    assert np.array_equal(distinct(values), np.unique(values))
    copy = values.copy()
    assert np.array_equal(distinct(copy, overwrite=True), np.unique(values))
    assert np.array_equal(among(values, others), np.isin(values, others))
    assert np.array_equal(within(values, np.unique(others)), np.isin(values, others))
    first, second = np.unique(values), np.unique(others)
    assert np.array_equal(common(first, second), np.intersect1d(first, second))
    assert np.array_equal(common(second, first), np.intersect1d(first, second))
    assert np.array_equal(union(first, others), np.union1d(values, others))


def test_nothing_is_within_no_keys() -> None:
    assert not within(np.arange(4), np.zeros(0, dtype=np.int64)).any()
