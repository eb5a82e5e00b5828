"""Helpers that let a round of introductions read a large chat: same results, fewer copies."""

from __future__ import annotations

import numpy as np
import pytest

from jobs.member_interests import masked_mean, neutral_vectors, own_words
from jobs.shared_interests import padded_quantile
from jobs.vector_math import unit_rows, unit_rows_in_place


@pytest.mark.parametrize("quantile", [0.0, 0.25, 0.5, 0.9, 1.0])
def test_a_padded_quantile_is_numpys_on_the_padded_list(quantile: float) -> None:
    rng = np.random.default_rng(4)
    for _ in range(200):
        values = rng.normal(size=int(rng.integers(1, 20))).tolist()
        floor = min(values) - float(rng.uniform(0.0, 1.0))
        pad = int(rng.integers(0, 50))
        expected = float(np.quantile([*values, *[floor] * pad], quantile))
        assert padded_quantile(values, pad, floor, quantile) == expected


def test_copied_lists_are_found_among_the_recent_messages_only() -> None:
    texts = ["sign-up for the hike: Ann", "sign-up for the hike: Ann, Bob", "unrelated words here"]
    assert own_words(texts, [1, 2, 3]) == [True, False, True]
    assert own_words(texts, [1, 1, 3]) == [True, True, True]  # one's own list, extended
    assert own_words([texts[0], "x", texts[1]], [1, 3, 2], lookback=1) == [True, True, True]
    assert own_words(["short", "short one"], [1, 2]) == [True, True]  # under eight characters


def test_float32_rows_are_normalised_in_place_as_unit_rows_would() -> None:
    rng = np.random.default_rng(1)
    raw = rng.normal(size=(5, 8)).astype(np.float32)
    expected = unit_rows(raw)
    normalised = unit_rows_in_place(raw)
    assert normalised is raw
    np.testing.assert_array_equal(normalised, expected)
    listed = [[3.0, 4.0], [0.0, 0.0]]
    np.testing.assert_allclose(unit_rows_in_place(listed), [[0.6, 0.8], [0.0, 0.0]], rtol=1e-6)
    with pytest.raises(ValueError, match="finite"):
        unit_rows_in_place(np.asarray([[np.nan, 1.0]], dtype=np.float32))


def test_a_masked_mean_is_the_mean_of_the_chosen_rows() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(40_000, 4)).astype(np.float32)
    chosen = rng.random(40_000) < 0.3
    np.testing.assert_allclose(masked_mean(x, chosen), x[chosen].mean(axis=0, dtype=np.float64))


def test_neutral_vectors_overwrite_only_when_asked() -> None:
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(30, 8)).astype(np.float32)
    texts = ["hiking trail today"] * 30
    kept = vectors.copy()
    neutral = neutral_vectors(vectors, texts)
    np.testing.assert_array_equal(vectors, kept)
    in_place = neutral_vectors(vectors, texts, overwrite=True)
    assert in_place is vectors
    np.testing.assert_array_equal(in_place, neutral)
