"""Group a period's messages into topics by their embeddings.

Two steps, both deterministic. First spherical k-means over-segments the
messages into about ``sqrt(2n)`` small clusters. Then average-linkage
agglomeration merges the two clusters whose messages are most alike on
average, again and again, while that average cosine stays at or above a
threshold. Average linkage needs only each cluster's vector sum: the mean
cosine between the messages of A and B is ``sum_A·sum_B / (|A| |B|)``, so
merging costs ``k^2`` dot products, not ``n^2``. Each message then moves to
the topic it is most alike on average (a stray message of the first step
finds its way back), and merging runs again, until the topics settle.

Vectors are centred first (the period's mean direction removed), so a
cosine of 0 means "as alike as two random messages of this period". The
threshold is ``merge_spread`` standard deviations of the cosine between
random pairs of the period's messages, which adapts it to how spread out
each embedding model's vectors are.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from jobs.vector_math import (
    FloatMatrix,
    IntArray,
    centred_unit_rows,
    cluster_sums,
    spherical_kmeans,
    unit_rows,
)

DEFAULT_MERGE_SPREAD = 0.25
_SPREAD_SAMPLE = 2000


def contextual_vectors(x: FloatMatrix, context: Sequence[tuple[int, float]]) -> FloatMatrix:
    """Each message's vector blended with the message it follows up.

    ``context[i]`` is ``(j, w)``: message ``i`` continues message ``j`` (the
    message it replies to, or the one just before it) with weight ``w``;
    ``j = -1`` for none. Short follow-ups ("yes, Saturday works") then lean
    towards what they answer.
    """
    blended = x.copy()
    for index, (parent, weight) in enumerate(context):
        if parent >= 0 and weight > 0:
            blended[index] += weight * x[parent]
    return unit_rows(blended)


def similarity_spread(x: FloatMatrix, *, seed: int = 0) -> float:
    """The standard deviation of the cosine between distinct rows (on a sample if large)."""
    n = len(x)
    if n < 3:
        return 0.0
    if n > _SPREAD_SAMPLE:
        rng = np.random.default_rng(seed)
        x = x[np.sort(rng.choice(n, size=_SPREAD_SAMPLE, replace=False))]
        n = _SPREAD_SAMPLE
    sims = x @ x.T
    return float(sims[np.triu_indices(n, 1)].std())


@dataclass(frozen=True, slots=True, eq=False)
class TopicClusters:
    """Topic labels (0 is the largest topic), the centred vectors and the merge threshold."""

    labels: IntArray
    centred: FloatMatrix
    threshold: float


def find_topics(
    x: FloatMatrix,
    *,
    merge_spread: float = DEFAULT_MERGE_SPREAD,
    merge_similarity: float | None = None,
    seed: int = 0,
) -> TopicClusters:
    """Cluster unit rows ``x`` into topics (see the module notes for the method).

    ``merge_similarity`` sets the threshold directly instead of ``merge_spread``.
    """
    n = len(x)
    centred = centred_unit_rows(x) if n > 1 else x.copy()
    if merge_similarity is None:
        merge_similarity = merge_spread * similarity_spread(centred, seed=seed)
    if n <= 1:
        return TopicClusters(np.zeros(n, dtype=np.int64), centred, merge_similarity)
    k = min(n, max(2, math.ceil(math.sqrt(2 * n))))
    _, labels = spherical_kmeans(centred, k, seed=seed)
    for _ in range(3):
        merged = _reassign(centred, _merge_average_linkage(centred, labels, merge_similarity))
        if len(np.unique(merged)) == len(np.unique(labels)):
            labels = merged
            break
        labels = merged
    sizes = np.bincount(labels)
    first_seen = np.full(len(sizes), n, dtype=np.int64)
    np.minimum.at(first_seen, labels, np.arange(n))
    order = sorted(range(len(sizes)), key=lambda c: (-sizes[c], first_seen[c]))
    remap = np.empty(len(sizes), dtype=np.int64)
    remap[np.asarray(order)] = np.arange(len(order))
    return TopicClusters(remap[labels], centred, merge_similarity)


def _reassign(x: FloatMatrix, labels: IntArray, rounds: int = 5) -> IntArray:
    """Move each row to the cluster it is most alike on average (itself left out).

    Over-segmentation can put a stray message in a cluster of another topic;
    a few rounds of this put it back where it belongs.
    """
    n = len(x)
    rows = np.arange(n)
    for _ in range(rounds):
        present, dense = np.unique(labels, return_inverse=True)
        k = len(present)
        sums, sizes = cluster_sums(x, dense.astype(np.int64), k)
        scores = x @ sums.T
        own = dense
        scores[rows, own] -= 1.0  # leave the row itself out of its own cluster
        counts = np.broadcast_to(sizes.astype(np.float32), (n, k)).copy()
        counts[rows, own] -= 1
        with np.errstate(divide="ignore", invalid="ignore"):
            means = np.where(counts > 0, scores / np.maximum(counts, 1), -np.inf)
        new = np.argmax(means, axis=1)
        if np.array_equal(new, dense):
            return dense.astype(np.int64)
        labels = new.astype(np.int64)
    return np.unique(labels, return_inverse=True)[1].astype(np.int64)


def _merge_average_linkage(x: FloatMatrix, labels: IntArray, threshold: float) -> IntArray:
    """Merge clusters while the best average-linkage cosine is at least ``threshold``."""
    present = np.unique(labels)
    dense = np.searchsorted(present, labels)
    k = len(present)
    sums = np.zeros((k, x.shape[1]), dtype=np.float64)
    np.add.at(sums, dense, x.astype(np.float64))
    sizes = np.bincount(dense, minlength=k).astype(np.float64)
    alive = np.ones(k, dtype=bool)
    parent = np.arange(k)
    linkage = (sums @ sums.T) / np.outer(sizes, sizes)
    np.fill_diagonal(linkage, -np.inf)
    while alive.sum() > 1:
        flat = int(np.argmax(linkage))
        a, b = divmod(flat, k)
        if linkage[a, b] < threshold:
            break
        sums[a] += sums[b]
        sizes[a] += sizes[b]
        alive[b] = False
        parent[b] = a
        row = (sums @ sums[a]) / (sizes * sizes[a])
        row[~alive] = -np.inf
        row[a] = -np.inf
        linkage[a, :] = row
        linkage[:, a] = row
        linkage[b, :] = -np.inf
        linkage[:, b] = -np.inf
    for cluster in range(k):
        root = cluster
        while parent[root] != root:
            root = parent[root]
        parent[cluster] = root
    merged: IntArray = np.searchsorted(np.unique(parent), parent)[dense]
    return merged
