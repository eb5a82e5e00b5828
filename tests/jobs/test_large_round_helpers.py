"""Helpers that let a round of introductions read a large chat: same results, fewer copies."""

from __future__ import annotations

import numpy as np
import pytest

from jobs.member_interests import masked_mean, neutral_vectors, own_words
from jobs.shared_interests import padded_quantile
from jobs.vector_math import as_unit_rows, unit_rows


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


def test_unit_rows_are_read_without_a_copy_and_others_are_normalised() -> None:
    rng = np.random.default_rng(1)
    unit = unit_rows(rng.normal(size=(5, 8)))
    assert as_unit_rows(unit) is unit
    raw = rng.normal(size=(5, 8)).astype(np.float32)
    normalised = as_unit_rows(raw)
    assert normalised is not raw
    np.testing.assert_allclose(np.linalg.norm(normalised, axis=1), 1.0, rtol=1e-6)


def test_a_masked_mean_is_the_mean_of_the_chosen_rows() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(40_000, 4)).astype(np.float32)
    chosen = rng.random(40_000) < 0.3
    np.testing.assert_allclose(masked_mean(x, chosen), x[chosen].mean(axis=0, dtype=np.float64))


def test_neutral_vectors_overwrite_only_when_asked() -> None:
    rng = np.random.default_rng(3)
    vectors = unit_rows(rng.normal(size=(30, 8)))
    texts = ["hiking trail today"] * 15 + ["周末去爬山了"] * 15
    kept = vectors.copy()
    neutral = neutral_vectors(vectors, texts)
    np.testing.assert_array_equal(vectors, kept)
    in_place = neutral_vectors(vectors, texts, overwrite=True)
    assert in_place is vectors
    np.testing.assert_allclose(in_place, neutral, atol=1e-6)


def test_two_scripts_take_out_one_direction_not_rounding_noise() -> None:
    """With two scripts, their directions from the mean are opposite: one is taken out."""
    rng = np.random.default_rng(5)
    vectors = unit_rows(rng.normal(size=(40, 16)))
    texts = ["hiking trail today"] * 25 + ["周末去爬山了"] * 15
    nudged = unit_rows(vectors + rng.normal(scale=1e-6, size=vectors.shape))
    np.testing.assert_allclose(
        neutral_vectors(vectors, texts), neutral_vectors(nudged, texts), atol=1e-4
    )
