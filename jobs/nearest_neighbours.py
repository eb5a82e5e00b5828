"""The closest rows of a matrix of unit vectors, without an n x n matrix in memory.

Up to ``exact_limit`` rows the search is exact, by blocks of rows. Above it an
inverted-file index answers: spherical k-means cuts the rows into about
``sqrt(n)`` cells, each row is filed in its closest cell and searches the
``probes`` cells closest to it, so each row is compared with a few thousand
others instead of all of them.
"""

from __future__ import annotations

import math

import numpy as np

from jobs.vector_math import FloatMatrix, IntArray, spherical_kmeans

_ROW_BLOCK = 2048


def top_k_neighbours(
    x: FloatMatrix,
    k: int,
    *,
    exact_limit: int = 6000,
    probes: int = 8,
    seed: int = 0,
) -> tuple[IntArray, FloatMatrix]:
    """Each row's ``k`` most similar other rows (cosine), best first.

    Returns ``(indices, similarities)``, both ``n x k``; when a row has fewer
    than ``k`` others in reach, the missing slots hold index ``-1`` and
    similarity ``-inf``. ``x`` must have unit (or zero) rows.
    """
    n = len(x)
    k = max(1, k)
    if n <= exact_limit:
        return _exact(x, k)
    return _inverted_file(x, k, probes=probes, seed=seed)


def _empty(n: int, k: int) -> tuple[IntArray, FloatMatrix]:
    return np.full((n, k), -1, dtype=np.int64), np.full((n, k), -np.inf, dtype=np.float32)


def _top_columns(scores: FloatMatrix, k: int) -> IntArray:
    """The columns of the ``k`` highest scores in each row, best first."""
    if scores.shape[1] > k:
        part = np.argpartition(scores, -k, axis=1)[:, -k:]
    else:
        part = np.broadcast_to(np.arange(scores.shape[1]), scores.shape).copy()
    order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")
    top: IntArray = np.take_along_axis(part, order, axis=1).astype(np.int64)
    return top


def _exact(x: FloatMatrix, k: int) -> tuple[IntArray, FloatMatrix]:
    n = len(x)
    indices, sims = _empty(n, k)
    kk = min(k, n - 1)
    if kk <= 0:
        return indices, sims
    for start in range(0, n, _ROW_BLOCK):
        stop = min(n, start + _ROW_BLOCK)
        scores = x[start:stop] @ x.T
        rows = np.arange(stop - start)
        scores[rows, rows + start] = -np.inf
        top = _top_columns(scores, kk)
        indices[start:stop, :kk] = top
        sims[start:stop, :kk] = np.take_along_axis(scores, top, axis=1)
    return indices, sims


def _inverted_file(
    x: FloatMatrix, k: int, *, probes: int, seed: int
) -> tuple[IntArray, FloatMatrix]:
    n = len(x)
    cells = max(2, round(math.sqrt(n)))
    rng = np.random.default_rng(seed)
    sample_size = min(n, 48 * cells)
    sample = x[np.sort(rng.choice(n, size=sample_size, replace=False))]
    centroids, _ = spherical_kmeans(sample, cells, iterations=10, seed=seed)
    cells = len(centroids)
    probes = max(1, min(probes, cells))

    probe_cells = np.empty((n, probes), dtype=np.int64)
    for start in range(0, n, 8192):
        probe_cells[start : start + 8192] = _top_columns(
            x[start : start + 8192] @ centroids.T, probes
        )
    home = probe_cells[:, 0]

    members_order = np.argsort(home, kind="stable")
    member_bounds = np.searchsorted(home[members_order], np.arange(cells + 1))
    flat_cells = probe_cells.ravel()
    flat_rows = np.repeat(np.arange(n, dtype=np.int64), probes)
    query_order = np.argsort(flat_cells, kind="stable")
    query_rows = flat_rows[query_order]
    query_bounds = np.searchsorted(flat_cells[query_order], np.arange(cells + 1))

    best_idx, best_sim = _empty(n, k)
    for cell in range(cells):
        members = members_order[member_bounds[cell] : member_bounds[cell + 1]]
        queries = query_rows[query_bounds[cell] : query_bounds[cell + 1]]
        if len(members) == 0 or len(queries) == 0:
            continue
        block_x = x[members].T
        for start in range(0, len(queries), _ROW_BLOCK):
            rows = queries[start : start + _ROW_BLOCK]
            scores = x[rows] @ block_x
            same = np.searchsorted(members, rows)
            hit = (same < len(members)) & (members[np.minimum(same, len(members) - 1)] == rows)
            scores[np.flatnonzero(hit), same[hit]] = -np.inf
            kk = min(k, len(members))
            top = _top_columns(scores, kk)
            merged_sim = np.concatenate(
                (best_sim[rows], np.take_along_axis(scores, top, axis=1)), axis=1
            )
            merged_idx = np.concatenate((best_idx[rows], members[top]), axis=1)
            keep = _top_columns(merged_sim, k)
            best_sim[rows] = np.take_along_axis(merged_sim, keep, axis=1)
            best_idx[rows] = np.take_along_axis(merged_idx, keep, axis=1)
    best_idx[~np.isfinite(best_sim)] = -1
    return best_idx, best_sim
