"""Group a period's messages into topics by their embeddings.

Two steps, both deterministic. First spherical k-means over-segments the
messages into about ``sqrt(2n)`` small clusters. Then average-linkage
agglomeration merges the two clusters whose messages are most alike on
average, again and again, while that average (centred) cosine stays at or
above ``merge_similarity``. Average linkage needs only each cluster's vector
sum: the mean cosine between the messages of A and B is ``sum_A·sum_B /
(|A| |B|)``, so merging costs ``k^2`` dot products, not ``n^2``.

Vectors are centred first (the period's mean direction removed), so the
threshold reads "more alike than two random messages of this chat" whatever
the embedding model.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from jobs.vector_math import FloatMatrix, IntArray, centred_unit_rows, spherical_kmeans, unit_rows

DEFAULT_MERGE_SIMILARITY = 0.15


def contextual_vectors(
    x: FloatMatrix, context: Sequence[tuple[int, float]], *, seed_weight: float = 1.0
) -> FloatMatrix:
    """Each message's vector blended with the message it follows up.

    ``context[i]`` is ``(j, w)``: message ``i`` continues message ``j`` (the
    message it replies to, or the one just before it) with weight ``w``;
    ``j = -1`` for none. Short follow-ups ("yes, Saturday works") then lean
    towards what they answer.
    """
    blended = x * seed_weight
    for index, (parent, weight) in enumerate(context):
        if parent >= 0 and weight > 0:
            blended[index] += weight * x[parent]
    return unit_rows(blended)


def cluster_topics(
    x: FloatMatrix,
    *,
    merge_similarity: float = DEFAULT_MERGE_SIMILARITY,
    seed: int = 0,
) -> IntArray:
    """A topic label per row of unit vectors ``x``; label 0 is the largest topic.

    See the module notes for the method. Rows are messages; one row is one
    topic.
    """
    n = len(x)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    centred = centred_unit_rows(x)
    k = min(n, max(2, math.ceil(math.sqrt(2 * n))))
    _, labels = spherical_kmeans(centred, k, seed=seed)
    labels = _merge_average_linkage(centred, labels, merge_similarity)
    sizes = np.bincount(labels)
    first_seen = np.full(len(sizes), n, dtype=np.int64)
    np.minimum.at(first_seen, labels, np.arange(n))
    order = sorted(range(len(sizes)), key=lambda c: (-sizes[c], first_seen[c]))
    remap = np.empty(len(sizes), dtype=np.int64)
    remap[np.asarray(order)] = np.arange(len(order))
    relabelled: IntArray = remap[labels]
    return relabelled


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
