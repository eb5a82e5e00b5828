"""Nearest neighbours: exact by blocks, and the inverted-file path agreeing with it."""

from __future__ import annotations

import numpy as np

from jobs.nearest_neighbours import top_k_neighbours
from jobs.vector_math import spherical_kmeans, unit_rows


def clustered(n: int, groups: int, dimension: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = unit_rows(rng.standard_normal((groups, dimension)))
    labels = rng.integers(0, groups, n)
    noise = rng.standard_normal((n, dimension)) / np.sqrt(dimension)
    return unit_rows(centres[labels] + noise)


def brute_force(x: np.ndarray, k: int) -> np.ndarray:
    sims = x @ x.T
    np.fill_diagonal(sims, -np.inf)
    return np.argsort(-sims, axis=1)[:, :k]


def test_exact_search_matches_brute_force() -> None:
    x = clustered(500, 10, 32)
    indices, sims = top_k_neighbours(x, 5)
    expected = brute_force(x, 5)
    assert (indices == expected).mean() > 0.99  # ties may order differently
    assert np.all(indices != np.arange(500)[:, None])
    assert np.all(np.diff(sims, axis=1) <= 1e-6)


def test_approximate_search_finds_almost_all_true_neighbours() -> None:
    x = clustered(4000, 40, 48, seed=1)
    approximate, _ = top_k_neighbours(x, 8, exact_limit=1000)
    exact, _ = top_k_neighbours(x, 8)
    recall = np.mean([len(set(a) & set(b)) / 8 for a, b in zip(approximate, exact, strict=True)])
    assert recall > 0.95
    assert np.all(approximate != np.arange(4000)[:, None])


def test_small_inputs_pad_missing_neighbours() -> None:
    x = unit_rows(np.eye(3, 4))
    indices, sims = top_k_neighbours(x, 5)
    assert indices.shape == (3, 5)
    assert np.all(indices[:, 2:] == -1) and np.all(np.isneginf(sims[:, 2:]))
    one, _ = top_k_neighbours(x[:1], 2)
    assert np.all(one == -1)


def test_kmeans_is_deterministic_and_keeps_clusters_non_empty() -> None:
    x = clustered(300, 6, 16, seed=4)
    first = spherical_kmeans(x, 6, seed=3)
    second = spherical_kmeans(x, 6, seed=3)
    assert np.array_equal(first[1], second[1])
    assert len(np.unique(first[1])) == 6
    duplicates = unit_rows(np.ones((5, 4)))
    _, labels = spherical_kmeans(duplicates, 3)
    assert len(labels) == 5
