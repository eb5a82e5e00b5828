"""Unit vectors and spherical k-means, in plain numpy."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatMatrix = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


def unit_rows(vectors: npt.ArrayLike) -> FloatMatrix:
    """``vectors`` as a float32 matrix with L2-normalised rows; zero rows stay zero."""
    return _normalise(np.array(vectors, dtype=np.float32, ndmin=2, copy=True))


def unit_rows_in_place(vectors: npt.ArrayLike) -> FloatMatrix:
    """:func:`unit_rows`, normalising ``vectors`` themselves when they are a float32 matrix.

    Many stored vectors are not copied to be read; the result is the same as
    :func:`unit_rows` gives, bit for bit. A float16 matrix (a large chat's vectors,
    see :func:`as_float32`) is normalised in place too, and stays float16.
    """
    if (
        isinstance(vectors, np.ndarray)
        and vectors.dtype in {np.dtype(np.float32), np.dtype(np.float16)}
        and vectors.ndim == 2
    ):
        return _normalise(vectors)
    return unit_rows(vectors)


def _normalise(matrix: FloatMatrix) -> FloatMatrix:
    if matrix.ndim != 2:
        raise ValueError("vectors must be a 2-d array")
    for start in range(0, len(matrix), ROW_BLOCK):  # no temporary as large as the matrix
        block = matrix[start : start + ROW_BLOCK]
        if not np.isfinite(block).all():
            raise ValueError("vectors must be finite")
        norms = np.linalg.norm(as_float32(block), axis=1, keepdims=True)
        np.divide(block, norms, out=block, where=norms > 0, casting="same_kind")
    return matrix


def as_float32(rows: npt.NDArray[np.floating]) -> FloatMatrix:
    """Rows to compute with, as float32: a copy only of rows held as float16.

    A large chat's round holds its message vectors as float16 (half the memory)
    and works on them a block of rows at a time in float32.
    """
    result: FloatMatrix = rows.astype(np.float32, copy=False)
    return result


ROW_BLOCK = 1 << 14
"""Rows a matrix-wide step works on at a time, so its temporaries stay small."""


def compact_rows(matrix: FloatMatrix, rows: npt.NDArray[np.int64]) -> FloatMatrix:
    """``matrix[rows]`` for ascending ``rows``, moved to the top of ``matrix`` itself.

    Returns a view of the first ``len(rows)`` rows; the rest of ``matrix`` is left as it
    was. A block of rows at a time, so no copy of the chosen rows is held.
    """
    if len(rows) and (np.any(np.diff(rows) <= 0) or rows[0] < 0 or rows[-1] >= len(matrix)):
        raise ValueError("rows must be ascending, distinct and inside the matrix")
    for start in range(0, len(rows), ROW_BLOCK):  # row i moves to place j <= i: read first
        chosen = rows[start : start + ROW_BLOCK]
        matrix[start : start + len(chosen)] = matrix[chosen]
    return matrix[: len(rows)]


def centred_unit_rows(matrix: FloatMatrix) -> FloatMatrix:
    """Rows minus their mean, normalised again.

    Embedding models put every text in a narrow cone (any two vectors have a
    high cosine); removing the shared direction makes cosine compare what is
    particular to each row, so thresholds mean the same for every model.
    """
    if len(matrix) < 2:
        return matrix.copy()
    return unit_rows(matrix - matrix.mean(axis=0, dtype=np.float64).astype(np.float32))


def _kmeans_plus_plus(x: FloatMatrix, k: int, rng: np.random.Generator) -> FloatMatrix:
    """k-means++ seeds for cosine distance (``1 - x·c``)."""
    n = len(x)
    chosen = [int(rng.integers(n))]
    distance = np.maximum(1.0 - x @ x[chosen[0]], 0.0).astype(np.float64)
    for _ in range(1, k):
        total = distance.sum()
        if total <= 1e-12:
            remaining = np.setdiff1d(np.arange(n), np.asarray(chosen))
            if len(remaining) == 0:
                break
            chosen.append(int(rng.choice(remaining)))
        else:
            chosen.append(int(rng.choice(n, p=distance / total)))
        distance = np.minimum(distance, np.maximum(1.0 - x @ x[chosen[-1]], 0.0))
    centroids: FloatMatrix = x[np.asarray(chosen)].copy()
    return centroids


def assign(x: FloatMatrix, centroids: FloatMatrix, block: int = 8192) -> IntArray:
    """The index of each row's closest centroid (highest cosine)."""
    labels = np.empty(len(x), dtype=np.int64)
    for start in range(0, len(x), block):
        labels[start : start + block] = np.argmax(x[start : start + block] @ centroids.T, axis=1)
    return labels


def cluster_sums(x: FloatMatrix, labels: IntArray, k: int) -> tuple[FloatMatrix, IntArray]:
    """The sum of the rows in each of ``k`` clusters, and each cluster's size."""
    counts = np.bincount(labels, minlength=k).astype(np.int64)
    sums = np.zeros((k, x.shape[1]), dtype=np.float32)
    if len(x):
        order = np.argsort(labels, kind="stable")
        present = np.flatnonzero(counts)
        starts = np.concatenate(([0], np.cumsum(counts[present])[:-1]))
        sums[present] = np.add.reduceat(x[order], starts, axis=0)
    return sums, counts


def spherical_kmeans(
    x: FloatMatrix, k: int, *, iterations: int = 25, seed: int = 0
) -> tuple[FloatMatrix, IntArray]:
    """Cluster unit rows into at most ``k`` groups by cosine: ``(centroids, labels)``.

    Seeds with k-means++, then alternates assignment and mean directions until
    no label changes or ``iterations`` runs out. An emptied cluster takes the
    row that fits its own centroid worst. Deterministic for a given ``seed``.
    """
    n = len(x)
    if n == 0:
        return np.zeros((0, x.shape[1]), dtype=np.float32), np.zeros(0, dtype=np.int64)
    k = max(1, min(k, n))
    rng = np.random.default_rng(seed)
    centroids = _kmeans_plus_plus(x, k, rng)
    k = len(centroids)
    labels = assign(x, centroids)
    for _ in range(iterations):
        sums, counts = cluster_sums(x, labels, k)
        fit = np.einsum("ij,ij->i", x, centroids[labels])
        for empty in np.flatnonzero(counts == 0):
            worst = int(np.argmin(fit))
            sums[empty] = x[worst]
            fit[worst] = np.inf
        centroids = unit_rows(sums)
        new_labels = assign(x, centroids)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    return centroids, labels
