"""How messages hang together: replies, back-and-forth turns and bursts of talk.

What a message is about is not only in its own words. "Saturday works" is
about the hike proposed a minute earlier; a burst of messages within an hour
is mostly one conversation, while the same words the next day may start
another. :func:`thread_edges` links each message to the messages around it
in the conversation, each link with a weight:

* the message it replies to, and the replies it gets (weight ``reply``);
* up to ``neighbours`` messages before and after it, within ``burst_gap``,
  each further one counting ``decay`` times less, and less again as the time
  between them grows (halved every ``half_life``);
* a neighbour outside the exchange (a third member speaking between two who
  talk to each other) counts ``crowd`` times as much as one of the exchange
  or a message by the same member;
* two neighbours that both say something count as much as they are alike:
  fully when their cosine is ``spread`` (one standard deviation of the
  cosine between random messages of the period) above chance, half at
  chance, not at all one ``spread`` below it; so two conversations
  interleaved in a busy chat stay apart;
* small talk takes its meaning from its context (its own vector weighs
  ``small_talk_self``) and lends little to its neighbours
  (``small_talk_lend``).

:func:`thread_vectors` blends each message's vector with those it is
linked to: the context is a weighted mean of their vectors, added to the
message's own vector with weight ``context``; a message with few or distant
neighbours keeps most of its own meaning. Topic clustering also counts the
links themselves (:mod:`jobs.topic_clustering`). :func:`bursts` splits a
period at its silences, and :func:`attach_to_threads` gives small talk the
topic of the conversation it is part of. All of it is linear in the number
of messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import numpy.typing as npt

from jobs.digest_model import DigestMessage
from jobs.vector_math import FloatMatrix, unit_rows

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class ThreadWeights:
    """How much the conversation around a message shapes its meaning (see the module notes)."""

    reply: float = 1.0
    neighbour: float = 0.6
    neighbours: int = 4
    decay: float = 0.6
    half_life: timedelta = timedelta(minutes=10)
    burst_gap: timedelta = timedelta(minutes=30)
    crowd: float = 0.5
    small_talk_self: float = 0.25
    small_talk_lend: float = 0.2
    context: float = 1.0


def _seconds(messages: Sequence[DigestMessage]) -> npt.NDArray[np.float64]:
    if not messages:
        return np.zeros(0)
    start = messages[0].sent_at
    return np.asarray([(m.sent_at - start).total_seconds() for m in messages], dtype=np.float64)


def _in_exchange(authors: npt.NDArray[np.int64], d: int) -> BoolArray:
    """For each pair ``(i, i - d)``: the same member, or only these two speak between them.

    Adjacent messages of two members count as an exchange only when the turn
    goes on (the later one spoke just before, or the earlier one speaks next).
    """
    n = len(authors)
    later = authors[d:]
    earlier = authors[: n - d]
    same: BoolArray = np.equal(later, earlier)
    if d > 1:
        two = np.ones(n - d, dtype=bool)
        for m in range(1, d):
            between = authors[m : n - d + m]
            two &= np.equal(between, later) | np.equal(between, earlier)
        return np.logical_or(same, two)
    before = np.zeros(n - 1, dtype=bool)
    before[1:] = np.equal(authors[: n - 2], later[1:])
    after = np.zeros(n - 1, dtype=bool)
    after[:-1] = np.equal(authors[2:], earlier[:-1])
    turn: BoolArray = same | before | after
    return turn


@dataclass(frozen=True, slots=True, eq=False)
class ThreadEdges:
    """Pairs of messages of one conversation, ``earlier < later``, each with its weight."""

    earlier: npt.NDArray[np.int64]
    later: npt.NDArray[np.int64]
    weight: npt.NDArray[np.float64]

    def among(self, rows: npt.NDArray[np.int64], n: int) -> ThreadEdges:
        """The edges between ``rows`` only, renumbered ``0..len(rows)-1`` in their order."""
        index = np.full(n, -1, dtype=np.int64)
        index[rows] = np.arange(len(rows))
        keep = (index[self.earlier] >= 0) & (index[self.later] >= 0)
        return ThreadEdges(index[self.earlier[keep]], index[self.later[keep]], self.weight[keep])


def thread_edges(
    x: FloatMatrix,
    messages: Sequence[DigestMessage],
    small_talk: BoolArray,
    weights: ThreadWeights | None = None,
    *,
    spread: float = 0.0,
) -> ThreadEdges:
    """The conversation's links between messages and how strong each is (see the module notes).

    ``x`` holds centred unit rows; ``messages`` are in time order, one per
    row; ``small_talk`` marks the messages that say nothing of their own
    (:mod:`jobs.small_talk`). ``spread`` is the standard deviation of the
    cosine between random rows (0: neighbours are not weighed by likeness).
    """
    weights = weights or ThreadWeights()
    n = len(messages)
    seconds = _seconds(messages)
    authors = np.asarray([m.member_id for m in messages], dtype=np.int64)
    gap = weights.burst_gap.total_seconds()
    half_life = max(weights.half_life.total_seconds(), 1e-9)
    earlier_parts: list[npt.NDArray[np.int64]] = []
    later_parts: list[npt.NDArray[np.int64]] = []
    weight_parts: list[npt.NDArray[np.float64]] = []
    for d in range(1, min(weights.neighbours, n - 1) + 1):
        later = np.arange(d, n)
        earlier = later - d
        elapsed = seconds[later] - seconds[earlier]
        w = weights.neighbour * weights.decay ** (d - 1) * np.exp2(-elapsed / half_life)
        w = np.where(elapsed <= gap, w, 0.0)
        w *= np.where(_in_exchange(authors, d), 1.0, weights.crowd)
        if spread > 0:
            alike = np.einsum("ij,ij->i", x[later], x[earlier])
            gate = np.clip(0.5 + alike / (2 * spread), 0.0, 1.0)
            w *= np.where(small_talk[later] | small_talk[earlier], 1.0, gate)
        kept = w > 0
        earlier_parts.append(earlier[kept])
        later_parts.append(later[kept])
        weight_parts.append(w[kept])
    replies = [(parent, i) for i, parent in enumerate(reply_parents(messages)) if parent >= 0]
    if replies:
        pairs = np.asarray(replies, dtype=np.int64)
        earlier_parts.append(pairs.min(axis=1))
        later_parts.append(pairs.max(axis=1))
        weight_parts.append(np.full(len(pairs), weights.reply))
    if not weight_parts:
        empty = np.zeros(0, dtype=np.int64)
        return ThreadEdges(empty, empty.copy(), np.zeros(0))
    return ThreadEdges(
        np.concatenate(earlier_parts), np.concatenate(later_parts), np.concatenate(weight_parts)
    )


def thread_vectors(
    x: FloatMatrix,
    edges: ThreadEdges,
    small_talk: BoolArray,
    weights: ThreadWeights | None = None,
) -> FloatMatrix:
    """Each row of ``x`` blended with its conversation along ``edges``; unit rows.

    Small talk borrows its meaning fully from its neighbours and lends little
    (``small_talk_lend``) to messages that say something.
    """
    weights = weights or ThreadWeights()
    if len(x) == 0:
        return x.copy()
    lend = np.where(small_talk, weights.small_talk_lend, 1.0)
    earlier, later, w = edges.earlier, edges.later, edges.weight
    to_later = w * np.where(small_talk[later], 1.0, lend[earlier])
    to_earlier = w * np.where(small_talk[earlier], 1.0, lend[later])
    context = np.zeros(x.shape, dtype=np.float64)
    np.add.at(context, later, to_later[:, None] * x[earlier])
    np.add.at(context, earlier, to_earlier[:, None] * x[later])
    total = np.bincount(later, to_later, minlength=len(x))
    total += np.bincount(earlier, to_earlier, minlength=len(x))
    own = np.where(small_talk, weights.small_talk_self, 1.0)
    mean = context / np.maximum(total, 1.0)[:, None]
    blended = own[:, None] * x + weights.context * mean
    return unit_rows(blended.astype(np.float32))


def bursts(messages: Sequence[DigestMessage], gap: timedelta) -> npt.NDArray[np.int64]:
    """Each message's burst of talk: a new burst starts after a silence longer than ``gap``."""
    seconds = _seconds(messages)
    breaks = np.diff(seconds, prepend=seconds[:1]) > gap.total_seconds()
    found: npt.NDArray[np.int64] = np.cumsum(breaks).astype(np.int64)
    return found


def reply_parents(messages: Sequence[DigestMessage]) -> list[int]:
    """Each message's reply parent as a row index, or ``-1`` (none, or outside ``messages``)."""
    position = {m.message_id: i for i, m in enumerate(messages)}
    parents = []
    for i, message in enumerate(messages):
        reply_to = message.reply_to_message_id
        parent = position.get(reply_to, -1) if reply_to is not None else -1
        parents.append(parent if parent != i else -1)
    return parents


def attach_to_threads(
    messages: Sequence[DigestMessage],
    labels: npt.NDArray[np.int64],
    weights: ThreadWeights | None = None,
) -> npt.NDArray[np.int64]:
    """Labels for the rows left out (``-1``): the topic of the conversation they belong to.

    A left-out message (small talk) takes the topic of the message it replies
    to, else of the nearest labelled message within ``burst_gap`` before it
    (or after it, when that is closer), among ``neighbours`` messages each
    way. Rows that find none keep ``-1``.
    """
    weights = weights or ThreadWeights()
    out = labels.copy()
    n = len(messages)
    parents = reply_parents(messages)
    gap = weights.burst_gap
    for i in np.flatnonzero(labels < 0).tolist():
        parent = parents[i]
        if parent >= 0 and labels[parent] >= 0:
            out[i] = labels[parent]
            continue
        best: tuple[float, int] | None = None
        for step in range(1, weights.neighbours + 1):
            for j in (i - step, i + step):
                if not 0 <= j < n or labels[j] < 0:
                    continue
                elapsed = abs((messages[i].sent_at - messages[j].sent_at).total_seconds())
                if elapsed > gap.total_seconds():
                    continue
                score = step + elapsed / max(weights.half_life.total_seconds(), 1.0)
                if j > i:
                    score += 0.5  # what came before is what small talk usually answers
                if best is None or score < best[0]:
                    best = (score, j)
        if best is not None:
            out[i] = labels[best[1]]
    return out


def isolated_labels(labels: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``labels`` with each ``-1`` given a label of its own, after the others."""
    out = labels.copy()
    missing = np.flatnonzero(out < 0)
    start = int(out.max()) + 1 if (out >= 0).any() else 0
    out[missing] = start + np.arange(len(missing))
    return out
