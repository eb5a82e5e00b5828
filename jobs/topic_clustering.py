"""Group a period's messages into topics by their embeddings and their conversation.

Average-linkage agglomeration merges the two clusters whose messages are
most alike on average, again and again, while that average clears a
threshold. It starts from single messages (or, past ``_EXACT_ROWS``
messages, from the small clusters of a spherical k-means over-segmentation
into about ``sqrt(2n)`` clusters). Average linkage needs only each
cluster's vector sum: the mean cosine between the messages of A and B is
``sum_A·sum_B / (|A| |B|)``, so a merge costs ``k`` dot products. Each
message then moves to the topic it is most alike on average (a stray
message finds its way back), and merging runs again, until the topics
settle.

The similarity of two messages is their cosine plus what the conversation
says: each link between them (a reply, a turn of talk;
:mod:`jobs.conversation_threads`) adds its weight times ``affinity_weight``
standard deviations. The threshold depends on the conversation too: two
clusters that carry on from each other merge while more alike than
``merge_spread`` standard deviations; two clusters that do not (the same
subject on two days, or two conversations interleaved in a busy chat) only
while alike by ``apart_spread``. Clusters carry on from each other when
they share a burst of talk (messages without a long silence between them)
of at most ``_CONVERSATION_ROWS`` messages, or when their links add up to
at least ``link_share`` per message of the smaller one; a longer burst is
a busy chat where several conversations run at once, and only links
tell them apart. Two clusters that do not carry on from each other and
share no key word (a word at least a fifth of each one's messages use,
given as ``terms``) need ``unshared_spread``: two plans made on two days,
alike only in their dates and "works for me", stay two topics, while the
potluck talked about on three days stays one.

Vectors are centred first (the mean direction of the clustered rows
removed), so a cosine of 0 means "as alike as two random messages of this
period", and thresholds are counted in standard deviations of the cosine
between random pairs of the clustered messages, which adapts them to how
spread out each embedding model's vectors are.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from jobs.conversation_threads import ThreadEdges
from jobs.script_offsets import MIN_SCRIPT_ROWS, ScriptCentres, script_offsets
from jobs.vector_math import (
    FloatMatrix,
    IntArray,
    cluster_sums,
    spherical_kmeans,
    unit_rows,
)

DEFAULT_MERGE_SPREAD = 0.0
"""Parts of one conversation more alike than chance are one topic."""
DEFAULT_APART_SPREAD = 1.0
"""Topics that do not carry on from each other must be clearly alike to be one."""
DEFAULT_UNSHARED_SPREAD = 2.0
"""Topics that neither carry on from each other nor share a subject word must be very alike."""
DEFAULT_ALIKE_SPREAD = 0.25
"""Two messages this alike (in standard deviations of chance) are about the same thing."""
DEFAULT_LINK_SHARE = 0.25
"""Clusters carry on from each other when linked by this much per message of the smaller."""
_SPREAD_SAMPLE = 2000
_CONVERSATION_ROWS = 100
"""A burst of talk longer than this holds several conversations at once."""
_KEY_WORD_SHARE = 0.2
"""A cluster's key word is used by at least this share of its messages."""
_EXACT_ROWS = 1000
"""Up to this many messages, merging starts from single messages (else from k-means)."""


def centre_by_script(
    x: FloatMatrix,
    scripts: Sequence[Hashable],
    rows: npt.ArrayLike | None = None,
    *,
    centres: ScriptCentres | None = None,
) -> FloatMatrix:
    """Unit rows less where the rows of their script sit.

    A multilingual model puts all English messages a little apart from all
    Chinese ones, whatever they talk about; taking away the mean of ``rows``
    (all when ``None``) and each script's offset from it
    (:func:`jobs.script_offsets.script_offsets`: from the fixed ``centres``
    blended with the scripts' own means over ``rows``, else from those means
    alone) lets topics form across languages. Rows without letters, or of a
    script without an offset, lose the mean only.
    """
    n = len(x)
    chosen = np.arange(n) if rows is None else np.asarray(rows, dtype=np.int64).reshape(-1)
    if len(chosen) < 2:
        return x.copy()
    overall = x[chosen].mean(axis=0, dtype=np.float64)
    groups: dict[str, list[int]] = {}
    for i in chosen.tolist():
        if scripts[i] is not None:
            groups.setdefault(str(scripts[i]), []).append(i)
    offsets = script_offsets(
        {script: x[members].mean(axis=0, dtype=np.float64) for script, members in groups.items()},
        {script: len(members) for script, members in groups.items()},
        overall,
        centres=centres,
        min_rows=MIN_SCRIPT_ROWS,
    )
    means = np.broadcast_to(overall, x.shape).copy()
    written = np.asarray([str(script) if script is not None else "" for script in scripts])
    for script, offset in offsets.items():
        means[written == script] += offset
    return unit_rows((x - means).astype(np.float32))


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
    """Topic labels (0 is the largest topic), the centred vectors and a likeness threshold.

    ``threshold`` is the centred cosine from which two messages count as
    alike (about the same thing). ``core`` marks the rows the topics were
    found from; a row left out of clustering has label ``-1`` until a caller
    gives it one.
    """

    labels: IntArray
    centred: FloatMatrix
    threshold: float
    core: npt.NDArray[np.bool_]


def find_topics(
    x: FloatMatrix,
    *,
    rows: npt.ArrayLike | None = None,
    bursts: npt.ArrayLike | None = None,
    affinity: ThreadEdges | None = None,
    affinity_weight: float = 0.0,
    merge_spread: float = DEFAULT_MERGE_SPREAD,
    apart_spread: float = DEFAULT_APART_SPREAD,
    alike_spread: float = DEFAULT_ALIKE_SPREAD,
    link_share: float = DEFAULT_LINK_SHARE,
    merge_similarity: float | None = None,
    spread: float | None = None,
    terms: Sequence[frozenset[str]] | None = None,
    unshared_spread: float | None = None,
    seed: int = 0,
) -> TopicClusters:
    """Cluster unit rows ``x`` into topics (see the module notes for the method).

    Only ``rows`` (indices; all rows when ``None``) are clustered and set the
    centre and the thresholds; the others get label ``-1``. ``bursts`` gives
    each row its burst of talk (``None``: none); ``affinity`` holds the links
    of the conversation between rows (``None``: no links). ``spread`` is the
    standard deviation of chance similarity the thresholds count in (``None``:
    that of ``x``; give that of the messages' own vectors when ``x`` blends
    them with their context, which makes them more alike). ``merge_similarity``
    sets the merge threshold (centred cosine) directly, linked clusters or
    not, and the likeness threshold. ``terms`` gives each row its subject
    words; with ``unshared_spread``, two clusters that do not carry on from
    each other and share none of them need that many standard deviations.
    """
    n = len(x)
    chosen = np.arange(n) if rows is None else np.asarray(rows, dtype=np.int64).reshape(-1)
    core = np.zeros(n, dtype=bool)
    core[chosen] = True
    labels = np.full(n, -1, dtype=np.int64)
    if len(chosen) > 1:
        mean = x[chosen].mean(axis=0, dtype=np.float64).astype(np.float32)
        centred = unit_rows(x - mean)
    else:
        centred = x.copy()
    part = centred[chosen]
    if spread is None:
        spread = similarity_spread(part, seed=seed)
    if merge_similarity is None:
        together, apart = merge_spread * spread, apart_spread * spread
        alike = alike_spread * spread
    else:
        together = apart = alike = merge_similarity
    links = (
        affinity.among(chosen, n)
        if affinity is not None
        else ThreadEdges(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    )
    talk = _conversation_bursts(bursts, chosen)
    apart = max(together, apart)
    unshared = apart if unshared_spread is None else max(apart, unshared_spread * spread)
    if merge_similarity is not None or terms is None:
        unshared = apart
    linkage = _Linkage(
        together,
        apart,
        links,
        affinity_weight * spread,
        link_share,
        talk,
        unshared,
        _Words.of(terms, chosen) if unshared > apart and terms is not None else None,
    )
    labels[chosen] = _cluster(part, linkage, seed)
    return TopicClusters(labels, centred, alike, core)


@dataclass(frozen=True, slots=True, eq=False)
class _Words:
    """The subject words of the clustered rows: one ``(row, word)`` pair per use.

    Only words that at least two rows use are kept; they are numbered ``0..count-1``.
    """

    rows: IntArray
    words: IntArray
    count: int

    @classmethod
    def of(cls, terms: Sequence[frozenset[str]], chosen: IntArray) -> _Words:
        """The words of the ``chosen`` rows of ``terms``."""
        picked = [terms[i] for i in chosen.tolist()]
        uses: dict[str, int] = {}
        for found in picked:
            for term in found:
                uses[term] = uses.get(term, 0) + 1
        kept = sorted(term for term, used in uses.items() if used >= 2)
        number = {term: k for k, term in enumerate(kept)}
        pairs = [(r, number[t]) for r, found in enumerate(picked) for t in found if t in number]
        table = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        return cls(table[:, 0].copy(), table[:, 1].copy(), len(kept))

    def per_cluster(self, labels: IntArray, k: int) -> FloatMatrix:
        """``(k, words)``: how many rows of each cluster use each word."""
        cells = labels[self.rows] * self.count + self.words
        counts = np.bincount(cells, minlength=k * self.count).astype(np.float32)
        return counts.reshape(k, self.count)

    def shared_with(self, labels: IntArray, k: int) -> npt.NDArray[np.bool_]:
        """``(rows, k)``: whether a row uses a word that another row of a cluster uses."""
        n = len(labels)
        shared = np.zeros((n, k), dtype=bool)
        own = np.zeros(n, dtype=bool)
        if len(self.rows):
            counts = self.per_cluster(labels, k)
            rows, starts = np.unique(self.rows, return_index=True)
            shared[rows] = np.logical_or.reduceat(counts[:, self.words].T > 0, starts, axis=0)
            own[rows] = np.logical_or.reduceat(counts[labels[self.rows], self.words] > 1, starts)
        shared[np.arange(n), labels] = own
        return shared


def _conversation_bursts(bursts: npt.ArrayLike | None, chosen: IntArray) -> IntArray:
    """Each chosen row's burst, numbered from 0, or -1 when none or a busy one."""
    if bursts is None:
        return np.full(len(chosen), -1, dtype=np.int64)
    every = np.asarray(bursts, dtype=np.int64)
    _, dense, counts = np.unique(every, return_inverse=True, return_counts=True)
    part = dense[chosen]
    return np.where(counts[part] <= _CONVERSATION_ROWS, part, -1).astype(np.int64)


@dataclass(frozen=True, slots=True, eq=False)
class _Linkage:
    """What makes two clusters one topic (see the module notes).

    The merge threshold for clusters that carry on from each other and for
    those that do not; the conversation's links between rows, what a link
    of weight 1 adds to a pair's similarity, and the link weight per message
    of the smaller cluster from which two clusters carry on from each other;
    each row's burst of conversation (-1: none); the threshold for clusters
    that neither carry on from each other nor share a subject word, and each
    row's subject words (``None``: words are not weighed).
    """

    together: float
    apart: float
    links: ThreadEdges
    link_value: float
    link_share: float
    bursts: IntArray
    unshared: float
    words: _Words | None

    def burst_members(self, labels: IntArray, k: int) -> npt.NDArray[np.float64]:
        """``(k, bursts)``: 1 where cluster ``c`` has a message in burst ``b``."""
        members = np.zeros((k, int(self.bursts.max(initial=-1)) + 2), dtype=np.float64)
        inside = self.bursts >= 0
        members[labels[inside], self.bursts[inside]] = 1.0
        return members[:, :-1]

    def cluster_links(self, labels: IntArray, k: int) -> npt.NDArray[np.float64]:
        """``(k, k)``: the summed link weight between the rows of two clusters."""
        total = np.zeros((k, k), dtype=np.float64)
        if len(self.links.weight):
            a, b = labels[self.links.earlier], labels[self.links.later]
            np.add.at(total, (a, b), self.links.weight)
            np.add.at(total, (b, a), self.links.weight)
        return total

    def row_links(self, labels: IntArray, k: int) -> npt.NDArray[np.float64]:
        """``(rows, k)``: the summed link weight between each row and each cluster."""
        total = np.zeros((len(labels), k), dtype=np.float64)
        if len(self.links.weight):
            earlier, later, w = self.links.earlier, self.links.later, self.links.weight
            np.add.at(total, (earlier, labels[later]), w)
            np.add.at(total, (later, labels[earlier]), w)
        return total

    def bar(
        self,
        links: npt.ArrayLike,
        smaller: npt.ArrayLike,
        shared: npt.ArrayLike,
        words: npt.ArrayLike | None = None,
    ) -> npt.NDArray[np.float64]:
        """The threshold for clusters linked by ``links``, the smaller of ``smaller`` rows.

        ``shared`` tells whether they share a burst of conversation, ``words``
        whether they share a subject word (``None``: as if they did).
        """
        weight = np.asarray(links)
        linked = (weight > 0) & (weight >= self.link_share * np.asarray(smaller))
        apart = (
            self.apart
            if words is None
            else np.where(np.asarray(words, dtype=bool), self.apart, self.unshared)
        )
        return np.where(linked | np.asarray(shared, dtype=bool), self.together, apart)


def _cluster(centred: FloatMatrix, linkage: _Linkage, seed: int) -> IntArray:
    """Labels of centred rows, 0 for the largest topic (see the module notes)."""
    n = len(centred)
    if n <= 1:
        return np.zeros(n, dtype=np.int64)
    if n <= _EXACT_ROWS:
        labels = np.arange(n, dtype=np.int64)
    else:
        k = min(n, max(2, math.ceil(math.sqrt(2 * n))))
        _, labels = spherical_kmeans(centred, k, seed=seed)
    for _ in range(3):
        merged = _reassign(centred, _merge_average_linkage(centred, labels, linkage), linkage)
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
    ordered: IntArray = remap[labels]
    return ordered


def _reassign(x: FloatMatrix, labels: IntArray, linkage: _Linkage, rounds: int = 5) -> IntArray:
    """Move each row to the cluster it is most alike on average (itself left out).

    Over-segmentation can put a stray message in a cluster of another topic;
    a few rounds of this put it back where it belongs. A cluster the row has
    no link to must be alike by the higher threshold.
    """
    n = len(x)
    rows = np.arange(n)
    handicap = max(linkage.apart, linkage.unshared) - linkage.together
    for _ in range(rounds):
        present, dense = np.unique(labels, return_inverse=True)
        k = len(present)
        sums, sizes = cluster_sums(x, dense.astype(np.int64), k)
        links = linkage.row_links(dense, k)
        scores = x @ sums.T + linkage.link_value * links
        own = dense
        scores[rows, own] -= 1.0  # leave the row itself out of its own cluster
        counts = np.broadcast_to(sizes.astype(np.float32), (n, k)).copy()
        counts[rows, own] -= 1
        with np.errstate(divide="ignore", invalid="ignore"):
            means = np.where(counts > 0, scores / np.maximum(counts, 1), -np.inf)
        if handicap > 0:
            members = linkage.burst_members(dense, k)
            shared = np.zeros((n, k), dtype=bool)
            inside = linkage.bursts >= 0
            shared[inside] = members[:, linkage.bursts[inside]].T > 0
            common = None if linkage.words is None else linkage.words.shared_with(dense, k)
            means = means - (linkage.bar(links, 1.0, shared, common) - linkage.together)
        new = np.argmax(means, axis=1)
        if np.array_equal(new, dense):
            return dense.astype(np.int64)
        labels = new.astype(np.int64)
    return np.unique(labels, return_inverse=True)[1].astype(np.int64)


def _key_words(words: FloatMatrix, sizes: npt.NDArray[np.float64]) -> FloatMatrix:
    """1 for each word used by at least ``_KEY_WORD_SHARE`` of a cluster's messages."""
    key: FloatMatrix = (
        (words > 0) & (words >= _KEY_WORD_SHARE * sizes[:, None].astype(np.float32))
    ).astype(np.float32)
    return key


def _merge_average_linkage(x: FloatMatrix, labels: IntArray, linkage: _Linkage) -> IntArray:
    """Merge clusters while the best average-linkage similarity clears its threshold."""
    present = np.unique(labels)
    dense = np.searchsorted(present, labels)
    k = len(present)
    sums = np.zeros((k, x.shape[1]), dtype=np.float64)
    np.add.at(sums, dense, x.astype(np.float64))
    sizes = np.bincount(dense, minlength=k).astype(np.float64)
    alive = np.ones(k, dtype=bool)
    parent = np.arange(k)
    links = linkage.cluster_links(dense, k)
    members = linkage.burst_members(dense, k)
    smaller = np.minimum.outer(sizes, sizes)
    words = None if linkage.words is None else linkage.words.per_cluster(dense, k)
    key = None if words is None else _key_words(words, sizes)
    used = None if words is None else (words > 0).astype(np.float32)
    common = None
    if key is not None and used is not None:
        common = key @ key.T > 0
    margin = (sums @ sums.T + linkage.link_value * links) / np.outer(sizes, sizes)
    margin -= linkage.bar(links, smaller, members @ members.T > 0, common)
    np.fill_diagonal(margin, -np.inf)
    while alive.sum() > 1:
        flat = int(np.argmax(margin))
        a, b = divmod(flat, k)
        if margin[a, b] < 0:
            break
        sums[a] += sums[b]
        sizes[a] += sizes[b]
        links[a] += links[b]
        links[:, a] = links[a]
        members[a] = np.maximum(members[a], members[b])
        if words is not None and key is not None and used is not None:
            words[a] += words[b]
            key[a] = _key_words(words[a : a + 1], sizes[a : a + 1])[0]
            used[a] = np.maximum(used[a], used[b])
        alive[b] = False
        parent[b] = a
        row = (sums @ sums[a] + linkage.link_value * links[a]) / (sizes * sizes[a])
        row -= linkage.bar(
            links[a],
            np.minimum(sizes, sizes[a]),
            members @ members[a] > 0,
            None if key is None else key @ key[a] > 0,
        )
        row[~alive] = -np.inf
        row[a] = -np.inf
        margin[a, :] = row
        margin[:, a] = row
        margin[b, :] = -np.inf
        margin[:, b] = -np.inf
    for cluster in range(k):
        root = cluster
        while parent[root] != root:
            root = parent[root]
        parent[cluster] = root
    merged: IntArray = np.searchsorted(np.unique(parent), parent)[dense]
    return merged
