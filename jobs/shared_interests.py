"""Which members of a chat share an interest, how strongly, and the messages that show it.

Three kinds of evidence, from members' substantive messages in the
language-neutral space of :mod:`jobs.member_interests` and their words:

- **Messages.** A message of A and a message of B that are unusually alike
  (standard scores per pair of scripts), beyond what each of the two messages
  is to the closest message of a typical member (its *baseline*: what many
  members talk about is no reason for two of them to meet). Pairs of messages
  that are part of one exchange do not count: a reply and what it answers,
  or two messages within ``same_talk_seconds`` of each other, or within
  ``same_talk_messages`` of each other in the chat and ``turn_seconds`` in time.
  Nor does a message that names or mentions the other member, nor a pair on
  one topic in one conversation (``conversation_messages`` and
  ``conversation_seconds``). Nor does a subject the two already talked over
  together: when one replied to the other on a topic, answered the other's
  message straight away (the next message of the chat), or they went back and
  forth in a conversation on it, none of their messages on that topic counts,
  as they have met over it; two members who each post on a subject once,
  minutes apart, have not. What is left weighs less the more other members
  write as alike a message (the *crowd*: the common subject of a developers'
  group, the hike everyone goes on) and the less its author comes back to
  its subject on other days (:func:`_recurrence`: an interest recurs, a
  sandwich for the hike does not). A pair's message evidence is the mean
  excess of its ``evidence`` best pairs of messages, each member's messages
  in them ``apart_seconds`` apart (different days), so one coincidence or
  one afternoon is not enough; members are linked at all only when one pair
  of their messages is ``min_excess`` alike, however crowded its subject.
- **Topics.** The chat's messages are clustered into topics
  (:func:`jobs.topic_clustering.find_topics`); a topic is an interest two
  members share when both write on it on several days, and it counts more the
  fewer members write on it (``log(members / members on the topic)``).

- **Words.** Pairs of messages sharing a particular word, the same or an
  English and a Chinese word for one thing (:mod:`jobs.shared_terms`: 跑步 ↔
  running), score ``term_bonus`` times the word's weight more as messages
  alike, and a pair's best ``evidence`` of them (messages more alike than
  chance, not one exchange, weighed by recurrence) make its word evidence.
  Only words both members come back to score (a word each mentions once is a
  coincidence); the others may still name an interest found otherwise.

Each kind is put on a standard scale over the chat's candidate pairs and
they are added (topics weighted by ``topic_weight``, words by ``word_weight``). Last, every member's
scores are taken relative to that member's usual score with others (half the
``hub_quantile`` of each member's scores is subtracted), so that a member who
writes a lot about everything is not everyone's best match, and a member
whose messages are far from everyone's (another language) still has a best
match.

Candidates are exact up to ``exact_limit`` messages: each message keeps its
``neighbours`` best-scoring messages of other members. Above it the round works
in two stages (:mod:`jobs.member_candidates`): each member's ``candidates``
closest members (by the means of their messages) are found first, and each
message keeps its ``large_neighbours`` best among those members' messages only
(:mod:`jobs.candidate_search`, many members at a time), so members who are no
one's candidates are never scored together. Both stages rank
on a sketch of the vectors (their ``sketch_dims`` main directions, see
:mod:`jobs.vector_sketch`); only the pairs of messages ranked best are scored in full.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from jobs.candidate_search import CandidateSearch
from jobs.evidence_table import Evidence, EvidenceTable, best_apart
from jobs.member_candidates import member_candidates
from jobs.member_interests import ScriptCalibration
from jobs.shared_terms import TermPairs
from jobs.sorted_keys import among, common, distinct, union, within
from jobs.topic_clustering import find_topics
from jobs.vector_math import FloatMatrix, IntArray, as_float32, assign, cluster_sums, unit_rows

Pair = tuple[int, int]
_BLOCK = 1024
_EXCLUDED = -1e9
_CROWD = 16
"""Members' best scores kept per message to count how many write alike."""
_PAIR_BLOCK = 1 << 20
"""Pairs of messages a step over all of them works on at a time."""
_BATCHED_SIZE = 256
"""Members with at most this many messages are compared with themselves in batches."""
_BATCH_VALUES = 1 << 23
"""How many vector components a batch of members' messages holds at most."""
_LEAST_RECURRENCE = 0.5
"""How much a message its author never comes back to counts (see ``_recurrence``)."""


@dataclass(frozen=True, slots=True)
class InterestOptions:
    """Knobs of :func:`find_shared_interests`."""

    evidence: int = 3
    """Pairs of messages whose excess makes a pair's message evidence."""
    min_excess: float = 0.9
    """Least excess (standard scores) of a pair's best evidence: below it, nothing links them."""
    same_talk_seconds: float = 120.0
    same_talk_messages: int = 6
    """... or this few messages apart in the chat (anyone's counted) within ``turn_seconds``."""
    turn_seconds: float = 3600.0
    """Messages of two members this close in time are one exchange, not shared interest."""
    apart_seconds: float = 12 * 3600.0
    """A member's messages this far apart are on different occasions: the evidence of an
    interest comes from different occasions of each member, and it recurs for them."""
    conversation_seconds: float = 3 * 3600.0
    conversation_messages: int = 20
    """Two members' messages on one topic at most this many substantive messages and
    ``conversation_seconds`` apart are one conversation ..."""
    conversation_links: int = 1
    """... and this many back-and-forths on the topic in such reach (one member, the other,
    the first again), or a reply, mean they have talked it over (see ``_met_over``)."""
    return_alike: float = 0.5
    """Two messages of a member on different occasions are on one subject when at least
    this share of how alike a member's messages on other days usually are, at best
    (a word shared with another member then counts as one both come back to, see
    ``_back_in_other_words``)."""
    topic_weight: float = 0.5
    term_bonus: float = 2.0
    """Standard scores added to a pair of messages sharing a particular word, times how
    particular it is (see :mod:`jobs.shared_terms`)."""
    word_weight: float = 1.0
    """Weight of the *words* evidence: the sum of a pair's ``evidence`` best pairs of
    messages sharing a particular word (each message once), on a standard scale."""
    word_gate: float = 0.0
    """... counting only pairs of messages more alike than two random messages of the chat
    (standard score): a shared word in two unrelated messages is a coincidence."""
    topic_spread: float = 1.0
    """How alike a topic's messages must be (see ``find_topics``' ``merge_spread``)."""
    topic_limit: int = 20000
    """Above this many messages, topics are found on a sample and the rest assigned."""
    hub_quantile: float = 0.5
    baseline_members: int = 256
    """Members sampled to measure each message's baseline."""
    large_baseline_members: int = 64
    """... above ``exact_limit`` messages: each message is compared with all the sampled
    members' messages, the largest cost of a round of many thousands of members."""
    baseline_quantile: float = 0.5
    """A message's baseline: this quantile, over members, of their closest message to it."""
    exact_limit: int = 6000
    """Up to this many messages, every message is compared with every other."""
    neighbours: int = 64
    candidates: int = 32
    """Above ``exact_limit`` messages: candidate partners per member (see the module docstring)."""
    large_neighbours: int = 16
    """Above ``exact_limit`` messages: best-scoring messages of candidates each message keeps
    (the evidence of a pair is its few best pairs of messages; more only cost memory)."""
    probes: int = 8
    sketch_dims: int = 64
    """Above ``exact_limit`` messages: a message's candidates' messages are ranked on this
    many main directions of the vectors (see :mod:`jobs.vector_sketch`) and only the best
    ``sketch_oversample`` times ``large_neighbours`` are scored in full."""
    sketch_oversample: int = 2
    seed: int = 0


@dataclass(frozen=True, slots=True, eq=False)
class SharedInterests:
    """Scores of pairs of members ``(a, b)``, ``a < b``, with their evidence and topics."""

    scores: dict[Pair, float]
    evidence: Mapping[Pair, tuple[Evidence, ...]]
    topics: IntArray
    """The topic of each message row."""
    word_evidence: dict[Pair, tuple[Evidence, ...]] = field(default_factory=dict)
    """Each pair's best pairs of messages sharing a particular word (their weight as the
    excess, see :mod:`jobs.shared_terms`)."""

    def score(self, a: int, b: int) -> float | None:
        """The pair's score, ``None`` when nothing links them."""
        return self.scores.get((min(a, b), max(a, b)))

    def candidates(
        self, members: Collection[int] | None = None, *, min_score: float = -math.inf
    ) -> list[tuple[float, int, int]]:
        """Pairs among ``members`` (default: all) scoring ``min_score`` or more, best first."""
        chosen = None if members is None else set(members)
        found = [
            (score, a, b)
            for (a, b), score in self.scores.items()
            if score >= min_score and (chosen is None or (a in chosen and b in chosen))
        ]
        found.sort(key=lambda item: (-item[0], item[1], item[2]))
        return found

    def shared_rows(
        self,
        a: int,
        b: int,
        owners: IntArray,
        rows_by_owner: Mapping[int, IntArray] | None = None,
    ) -> tuple[IntArray, IntArray]:
        """Each member's message rows on what the two share (their best topic and evidence).

        ``rows_by_owner`` (each owner's rows, ascending; see :func:`rows_by_owner`)
        saves a pass over all rows per call.
        """
        key = (min(a, b), max(a, b))
        proof = self.evidence.get(key, ())
        first = [e.row_a for e in proof]
        second = [e.row_b for e in proof]
        if proof:
            topic = self.topics[proof[0].row_a]
            if rows_by_owner is None:
                first += np.flatnonzero((owners == key[0]) & (self.topics == topic)).tolist()
                second += np.flatnonzero((owners == key[1]) & (self.topics == topic)).tolist()
            else:
                own_a, own_b = rows_by_owner[key[0]], rows_by_owner[key[1]]
                first += own_a[self.topics[own_a] == topic].tolist()
                second += own_b[self.topics[own_b] == topic].tolist()
        rows_a = np.asarray(list(dict.fromkeys(first)), dtype=np.int64)
        rows_b = np.asarray(list(dict.fromkeys(second)), dtype=np.int64)
        return (rows_a, rows_b) if a <= b else (rows_b, rows_a)


def rows_by_owner(owners: IntArray) -> dict[int, IntArray]:
    """Each owner's rows, ascending."""
    order = np.argsort(owners, kind="stable")
    ordered = owners[order]
    starts: list[int] = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]).tolist()
    stops = [*starts[1:], len(owners)]
    return {
        int(ordered[start]): order[start:stop]
        for start, stop in zip(starts, stops, strict=True)
        if stop > start
    }


def _baselines(
    x: FloatMatrix,
    owners: IntArray,
    scripts: IntArray,
    calibration: ScriptCalibration,
    *,
    sample: int,
    quantile: float,
    seed: int,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Each message's ``quantile`` standard score with the closest message of other members.

    Over the other members (up to ``sample`` of them, drawn at random), of
    each one's message closest to it. Also each message's ``_CROWD`` best such
    scores (one per member, best first), to tell how many members write alike.
    """
    members = distinct(owners)
    baselines = np.zeros(len(x), dtype=np.float32)
    closest = np.full((len(x), _CROWD), -np.inf, dtype=np.float32)
    if len(members) < 2:
        return baselines, closest
    if len(members) > sample:
        members = np.sort(np.random.default_rng(seed).choice(members, sample, replace=False))
    columns = np.flatnonzero(within(owners, members))
    columns = columns[np.argsort(owners[columns], kind="stable")]
    column_owners = owners[columns]
    starts = np.flatnonzero(np.r_[True, column_owners[1:] != column_owners[:-1]])
    segment_members = column_owners[starts]
    sampled_t = np.ascontiguousarray(as_float32(x[columns]).T)
    sampled_scripts = scripts[columns][None, :]
    width = min(_CROWD, len(segment_members))
    for start in range(0, len(x), _BLOCK):
        stop = min(len(x), start + _BLOCK)
        scores = calibration.standard(
            as_float32(x[start:stop]) @ sampled_t, scripts[start:stop, None], sampled_scripts
        )
        best = np.maximum.reduceat(scores, starts, axis=1)
        own = owners[start:stop, None] == segment_members[None, :]
        baselines[start:stop] = _quantile_of_others(best, own, quantile)
        others = np.where(own, -np.inf, best)
        if width < others.shape[1]:
            others = np.partition(others, others.shape[1] - width, axis=1)[:, -width:]
        closest[start:stop, :width] = -np.sort(-others, axis=1)
    return baselines, closest


def _recurrence(
    x: FloatMatrix,
    owners: IntArray,
    scripts: IntArray,
    calibration: ScriptCalibration,
    moments: npt.NDArray[np.float64],
    *,
    apart: float,
) -> tuple[npt.NDArray[np.float64], float]:
    """How much each message's subject recurs for its author, ``_LEAST_RECURRENCE`` to 1.

    From a message's best standard score with its author's messages sent
    ``apart`` seconds or more before or after it (other days), relative to
    the chat's median of that: what a member returns to on several days is
    theirs; what they say once (a sandwich for the hike) is less so. A member
    who wrote on one day only counts as usual. Also that median: how alike two
    messages of a member on other days usually are, at best.
    """
    best = np.full(len(x), -np.inf, dtype=np.float64)
    order = np.argsort(owners, kind="stable")
    starts = np.flatnonzero(np.r_[True, owners[order][1:] != owners[order][:-1]])
    stops = np.r_[starts[1:], len(order)]
    sizes = stops - starts
    for size in np.unique(sizes[(sizes >= 2) & (sizes <= _BATCHED_SIZE)]).tolist():
        chosen = starts[sizes == size]  # members with ``size`` messages, a batch at a time
        batch = max(1, _BATCH_VALUES // (size * x.shape[1]))
        for first in range(0, len(chosen), batch):
            rows = order[chosen[first : first + batch, None] + np.arange(size)]
            own_x = as_float32(x[rows])
            scores = calibration.standard(
                np.einsum("mid,mjd->mij", own_x, own_x),
                scripts[rows][:, :, None],
                scripts[rows][:, None, :],
            )
            scores[np.abs(moments[rows][:, :, None] - moments[rows][:, None, :]) < apart] = -np.inf
            best[rows] = scores.max(axis=2)
    for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
        own = order[start:stop]
        if len(own) <= _BATCHED_SIZE:
            continue
        for first in range(0, len(own), _BLOCK):
            part = own[first : first + _BLOCK]
            scores = calibration.standard(
                as_float32(x[part]) @ as_float32(x[own]).T,
                scripts[part][:, None],
                scripts[own][None, :],
            )
            near = np.abs(moments[part][:, None] - moments[own][None, :]) < apart
            scores[near] = -np.inf
            best[part] = scores.max(axis=1)
    known = np.isfinite(best)
    usual = max(float(np.median(best[known])), 1e-6) if known.any() else 1.0
    share = np.clip(np.where(known, best, usual) / usual, 0.0, 1.0)
    result: npt.NDArray[np.float64] = _LEAST_RECURRENCE + (1.0 - _LEAST_RECURRENCE) * share
    return result, usual


def _crowd(
    closest: npt.NDArray[np.float32],
    rows: IntArray,
    scores: npt.NDArray[np.float32],
    members: int,
    sampled: int,
    *,
    block: int = 1 << 18,
) -> npt.NDArray[np.float64]:
    """How many members besides the pair write as alike a message as ``scores`` (estimated).

    ``closest[rows]`` are each message's best scores per member (best first):
    those at least ``scores`` count, less the partner's own, scaled up from the
    sample. Counted ``block`` pairs at a time, so no pairs x ``_CROWD`` matrix is held.
    """
    count = np.empty(len(rows), dtype=np.float64)
    for start in range(0, len(rows), block):
        stop = start + block
        part = closest[rows[start:stop]] >= scores[start:stop, None]
        count[start:stop] = part.sum(axis=1)
    crowd: npt.NDArray[np.float64] = np.maximum(count - 1.0, 0.0) * (members / max(1, sampled))
    return crowd


def _quantile_of_others(
    values: npt.NDArray[np.float32], own: npt.NDArray[np.bool_], quantile: float
) -> npt.NDArray[np.float32]:
    """Each row's ``quantile`` of ``values``, leaving out the entries marked ``own``.

    Only the order statistics needed are put in place (``np.partition``), not whole rows sorted.
    """
    width = values.shape[1]
    counted = width - own.sum(axis=1)
    position = (width - counted) + quantile * np.maximum(counted - 1, 0)
    low = np.clip(np.floor(position).astype(np.int64), 0, width - 1)
    high = np.clip(low + 1, 0, width - 1)
    ordered = np.partition(np.where(own, -np.inf, values), np.unique(np.r_[low, high]), axis=1)
    fraction = (position - low).astype(np.float32)
    rows = np.arange(len(values))
    below, above = ordered[rows, low], ordered[rows, high]
    above = np.where(np.isfinite(above), above, below)
    result = below + fraction * (above - below)
    result = np.where(counted > 0, result, 0.0)
    return np.nan_to_num(result, neginf=0.0).astype(np.float32)


def _message_pairs(
    x: FloatMatrix,
    owners: IntArray,
    scripts: IntArray,
    calibration: ScriptCalibration,
    options: InterestOptions,
    *,
    linking: LinkingExcess | None = None,
) -> tuple[IntArray, IntArray, npt.NDArray[np.float32]]:
    """Candidate pairs of messages of different members, ``(rows, columns, standard score)``.

    Each message keeps its ``neighbours`` best-scoring messages of other members
    (exactly up to ``exact_limit`` messages, among its closest by cosine above;
    there only pairs of members ``linking`` links keep theirs).
    """
    n = len(x)
    k = max(1, min(options.neighbours, n - 1))
    if n <= options.exact_limit:
        lefts, rights, values = [], [], []
        for start in range(0, n, _BLOCK):
            stop = min(n, start + _BLOCK)
            scores = calibration.standard(
                x[start:stop] @ x.T, scripts[start:stop, None], scripts[None, :]
            )
            scores[owners[start:stop, None] == owners[None, :]] = -np.inf
            top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
            chosen = np.take_along_axis(scores, top, axis=1)
            keep = np.isfinite(chosen)
            lefts.append(np.repeat(np.arange(start, stop), k)[keep.ravel()])
            rights.append(top.ravel()[keep.ravel()])
            values.append(chosen.ravel()[keep.ravel()])
        left = np.concatenate(lefts).astype(np.int64)
        right = np.concatenate(rights).astype(np.int64)
        flat = np.concatenate(values).astype(np.float32)
    else:
        left, right, flat = candidate_message_pairs(
            x, owners, scripts, calibration, options, linking=linking
        )
    keys = np.empty(len(left), dtype=np.int64)
    for start in range(0, len(left), _PAIR_BLOCK):  # no temporaries as long as the pairs
        part = slice(start, start + _PAIR_BLOCK)
        keys[part] = np.minimum(left[part], right[part]) * n + np.maximum(left[part], right[part])
    del left, right  # a large chat's pairs are many: one array of them at a time
    keys, first = np.unique(keys, return_index=True)
    rows = keys // n
    keys -= rows * n
    return rows, keys, flat[first]


def candidate_message_pairs(
    x: FloatMatrix,
    owners: IntArray,
    scripts: IntArray,
    calibration: ScriptCalibration,
    options: InterestOptions,
    *,
    linking: LinkingExcess | None = None,
) -> tuple[IntArray, IntArray, npt.NDArray[np.float32]]:
    """Each message's ``large_neighbours`` best among its author's candidates' messages.

    With ``linking``, only the pairs of members that one pair of messages links
    (``min_excess``, see :class:`LinkingExcess`) keep theirs: no other pair of
    members is ever scored, and a large chat holds a fraction of its pairs.
    Members' candidates are found on the sketch of the vectors when there is one.
    """
    search = CandidateSearch(
        x,
        scripts,
        calibration,
        sketch_dims=options.sketch_dims,
        oversample=options.sketch_oversample,
        seed=options.seed,
    )
    found = member_candidates(
        x if search.sketch is None else search.sketch,
        owners,
        options.candidates,
        exact_limit=options.exact_limit,
        probes=options.probes,
    )
    neighbours = min(options.neighbours, options.large_neighbours)
    row_type = np.int32 if len(x) < 2**31 else np.int64
    links = _Links(int(owners.max()) + 1 if len(owners) else 1)
    lefts, rights, values = [], [], []
    for chunk in search.chunks(found, neighbours):
        left, right, value = chunk.rows, chunk.columns, chunk.scores
        if linking is not None:
            keep = links.keep(
                owners[left],
                owners[right],
                linking.excess(left, right, value) >= options.min_excess,
            )
            left, right, value = left[keep], right[keep], value[keep]
        lefts.append(left.astype(row_type))  # held as the smallest type until joined
        rights.append(right.astype(row_type))
        values.append(value)
    for member, partners in links.late():  # linked from the partner's side, after this side
        group = found.group(int(np.searchsorted(found.members, member)))
        left, right, value = search.best_pairs(group, neighbours)
        keep = among(owners[right], partners)
        lefts.append(left[keep].astype(row_type))
        rights.append(right[keep].astype(row_type))
        values.append(value[keep])
    if not lefts:
        return (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, np.float32))
    return (
        np.concatenate(lefts, dtype=np.int64),
        np.concatenate(rights, dtype=np.int64),
        np.concatenate(values, dtype=np.float32),
    )


@dataclass(frozen=True, slots=True, eq=False)
class LinkingExcess:
    """What decides whether a pair of messages links their authors: its excess over the
    messages' baselines, scaled down for short messages (see :func:`find_shared_interests`)."""

    baselines: npt.NDArray[np.float32]
    weights: npt.NDArray[np.float32] | None = None

    def excess(
        self, rows: IntArray, columns: IntArray, scores: npt.NDArray[np.float32]
    ) -> npt.NDArray[np.float32]:
        """The linking excess of the pairs of messages ``(rows[i], columns[i])``."""
        excess = scores - np.maximum(self.baselines[rows], self.baselines[columns])
        if self.weights is not None:
            scale = np.minimum(self.weights[rows], self.weights[columns])
            excess = np.where(excess > 0, excess * scale, excess)
        result: npt.NDArray[np.float32] = excess.astype(np.float32)
        return result


class _Links:
    """Which pairs of members are linked so far, and whose pairs of messages were left out.

    Members' pairs of messages come a chunk of members at a time; those with a
    partner not linked by then (by either side's pairs so far, this chunk's
    included) are left out; when a later chunk links the two, :meth:`late`
    names them so the member's side is scored again for that partner. Which
    pairs are kept in the end does not depend on the order: those of every
    pair of members that either side links.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.linked: IntArray = np.zeros(0, dtype=np.int64)
        """Keys of the pairs of members linked so far, ascending."""
        self.left_out: list[IntArray] = []
        """Keys of pairs of members left out, times two, plus one where the higher one's
        side was left out."""

    def keep(
        self, members: IntArray, partners: IntArray, linking: npt.NDArray[np.bool_]
    ) -> npt.NDArray[np.bool_]:
        """Which pairs of messages (of ``members`` with ``partners``) to keep."""
        keys = np.minimum(members, partners) * self.size + np.maximum(members, partners)
        self.linked = union(self.linked, keys[linking])
        mask = within(keys, self.linked)
        if not mask.all():  # each member with each partner left out, once
            self.left_out.append(distinct(keys[~mask] * 2 + (members[~mask] > partners[~mask])))
        return mask

    def late(self) -> list[tuple[int, IntArray]]:
        """``(member, partners)``: pairs linked after ``member``'s side was left out."""
        if not self.left_out:
            return []
        sides = np.concatenate(self.left_out)
        sides = sides[within(sides // 2, self.linked)]
        low, high = np.divmod(sides // 2, self.size)
        higher = sides % 2 == 1
        member = np.where(higher, high, low)
        partner = np.where(higher, low, high)
        order = np.argsort(member, kind="stable")
        member, partner = member[order], partner[order]
        starts = np.flatnonzero(np.r_[True, member[1:] != member[:-1]]).tolist()
        stops = [*starts[1:], len(member)]
        return [
            (int(member[start]), partner[start:stop])
            for start, stop in zip(starts, stops, strict=True)
            if stop > start
        ]


def _topic_labels(x: FloatMatrix, options: InterestOptions) -> IntArray:
    """The topic of each message (on a sample and assigned, for many messages)."""
    n = len(x)
    if n <= options.topic_limit:
        whole = as_float32(x)
        return find_topics(whole, merge_spread=options.topic_spread, seed=options.seed).labels
    rng = np.random.default_rng(options.seed)
    sample = np.sort(rng.choice(n, size=options.topic_limit, replace=False))
    sampled = as_float32(x[sample])
    labels = find_topics(sampled, merge_spread=options.topic_spread, seed=options.seed).labels
    sums, _ = cluster_sums(sampled, labels, int(labels.max()) + 1)
    return assign(x, unit_rows(sums))


def _standard(values: dict[Pair, float]) -> dict[Pair, float]:
    if not values:
        return {}
    array = np.asarray(list(values.values()), dtype=np.float64)
    spread = float(array.std()) or 1.0
    mean = float(array.mean())
    return {pair: (value - mean) / spread for pair, value in values.items()}


def _baseline_sample(messages: int, options: InterestOptions) -> int:
    """How many members the baselines of ``messages`` messages are measured against."""
    if messages <= options.exact_limit:
        return options.baseline_members
    return min(options.baseline_members, options.large_baseline_members)


def find_shared_interests(
    owners: Sequence[int] | IntArray,
    x: FloatMatrix,
    scripts: IntArray,
    *,
    times: npt.NDArray[np.float64] | None = None,
    positions: IntArray | None = None,
    links: Collection[tuple[int, int]] = (),
    addressed: Collection[tuple[int, int]] = (),
    weights: npt.NDArray[np.float32] | None = None,
    term_pairs: TermPairs | None = None,
    options: InterestOptions | None = None,
) -> SharedInterests:
    """Score every pair of members who may share an interest (see the module docstring).

    Row ``i`` of ``x`` (unit, language-neutral) is a substantive message of
    ``owners[i]`` in script ``scripts[i]`` (see ``script_codes``), sent at
    ``times[i]`` seconds, the ``positions[i]``-th message of the chat (rows
    stand for their positions when not given). ``links`` are pairs of rows
    where one answers the other; ``addressed`` are ``(row, member)`` where the
    message names or mentions the member: it is part of an exchange with them,
    no evidence of what the two share.
    ``weights`` (0 to 1) say how much each message can show an interest: a
    pair of messages' excess, when positive, is scaled by the smaller weight.
    ``term_pairs`` are pairs of rows sharing a particular word (see
    :func:`jobs.shared_terms.shared_term_pairs`): they are scored whether or not
    they are among each message's closest, and ``term_bonus`` times their word's
    weight is added to their standard score.
    """
    options = options or InterestOptions()
    owner_ids = np.asarray(owners, dtype=np.int64)
    n = len(owner_ids)
    if n == 0 or len(distinct(owner_ids)) < 2:
        return SharedInterests({}, EvidenceTable.empty(), np.zeros(n, dtype=np.int64))
    calibration = ScriptCalibration.fit(x, scripts, owner_ids, seed=options.seed)
    members = len(distinct(owner_ids))
    sampled = min(members, _baseline_sample(n, options))
    baselines, closest = _baselines(
        x,
        owner_ids,
        scripts,
        calibration,
        sample=_baseline_sample(n, options),
        quantile=options.baseline_quantile,
        seed=options.seed,
    )
    rows, columns, scores = _message_pairs(
        x, owner_ids, scripts, calibration, options, linking=LinkingExcess(baselines, weights)
    )
    rows, columns, scores, words = _with_term_pairs(
        x, scripts, calibration, (rows, columns, scores), term_pairs, bonus=options.term_bonus
    )
    excess = scores - np.maximum(baselines[rows], baselines[columns])
    if weights is not None:
        scale = np.minimum(weights[rows], weights[columns])
        excess = np.where(excess > 0, excess * scale, excess).astype(np.float32)
    places = positions if positions is not None else np.arange(n, dtype=np.int64)
    topics = _topic_labels(x, options)
    together, met = _exchanges(
        owner_ids,
        (rows, columns),
        (places, times, topics),
        links=links,
        addressed=addressed,
        options=options,
    )
    crowd = np.maximum(
        _crowd(closest, rows, scores, members, sampled),
        _crowd(closest, columns, scores, members, sampled),
    )
    share = np.clip(np.log(members / (2.0 + crowd)) / math.log(max(members, 3) / 2.0), 0.0, 1.0)
    plain = excess.copy()
    # when: without times, every message is an occasion of its own
    moments = times if times is not None else places.astype(np.float64) * options.apart_seconds
    recurring, usual_return = _recurrence(
        x, owner_ids, scripts, calibration, moments, apart=options.apart_seconds
    )
    share = share * np.minimum(recurring[rows], recurring[columns])
    excess = np.where(excess > 0, excess * share, excess).astype(np.float32)
    excess[together] = _EXCLUDED
    # members are linked by a pair of messages alike enough, however many write alike
    linking = (plain >= options.min_excess) & ~together
    excess[~_of_linked_members(owner_ids, rows, columns, linking)] = _EXCLUDED
    del crowd, share, plain, linking  # arrays as long as the pairs: let go once used
    evidence = _best_evidence(
        owner_ids,
        rows,
        columns,
        excess,
        options.evidence,
        moments=moments,
        apart=options.apart_seconds,
    )
    message_scores = dict(
        zip(evidence, (evidence.totals() / options.evidence).tolist(), strict=True)
    )
    counted = ~together[words.places] & (words.raw > options.word_gate)
    word_pairs = (rows[words.places], columns[words.places])

    def alike(first: IntArray, second: IntArray) -> npt.NDArray[np.bool_]:
        cosines = np.einsum("ij,ij->i", x[first], x[second])
        standard = calibration.standard(cosines, scripts[first], scripts[second])
        found: npt.NDArray[np.bool_] = standard >= options.return_alike * usual_return
        return found

    # a subject both come back to in other words (自驾 one day, 旅行 another) counts too
    again = _back_in_other_words(
        owner_ids, word_pairs, counted & (words.name_weights > 0), alike, moments, options
    )
    scoring = np.where(again & (words.weights <= 0), words.name_weights, words.weights)
    # as for messages alike: what its authors never come back to counts less
    recurs = np.minimum(recurring[word_pairs[0]], recurring[word_pairs[1]])
    word_scores = {
        pair: sum(e.excess for e in proof)
        for pair, proof in _word_evidence(
            owner_ids, word_pairs, np.where(counted, scoring * recurs, 0.0), options.evidence
        ).items()
    }
    # words only one of the two comes back to do not score, but may name what else they share
    naming = np.where(counted, words.name_weights, 0.0)
    topic_scores = _topic_scores(
        owner_ids, topics, times, set(message_scores) | set(word_scores), met
    )
    combined = _combined(message_scores, topic_scores, word_scores, options)
    relative = _relative(combined, options.hub_quantile, members)
    return SharedInterests(
        relative, evidence, topics, _word_evidence(owner_ids, word_pairs, naming, options.evidence)
    )


def _back_in_other_words(  # noqa: PLR0917 - private helper of find_shared_interests
    owners: IntArray,
    pairs: tuple[IntArray, IntArray],
    sharing: npt.NDArray[np.bool_],
    alike: Callable[[IntArray, IntArray], npt.NDArray[np.bool_]],
    moments: npt.NDArray[np.float64],
    options: InterestOptions,
) -> npt.NDArray[np.bool_]:
    """Which pairs of messages sharing a word (``pairs``, where ``sharing``) are of two
    members who both come back to what they share, in whatever words: each has two
    messages among the pair's ``sharing`` ones, ``apart_seconds`` or more from each
    other and ``alike`` (on one subject)."""
    rows, columns = pairs
    chosen = np.flatnonzero(sharing)
    own: defaultdict[Pair, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for row, column in zip(rows[chosen].tolist(), columns[chosen].tolist(), strict=True):
        a, b = int(owners[row]), int(owners[column])
        messages = own[(min(a, b), max(a, b))]
        messages[a].add(row)
        messages[b].add(column)

    def comes_back(messages: set[int]) -> bool:
        combined = np.asarray(list(itertools.combinations(sorted(messages), 2)), dtype=np.int64)
        if not len(combined):
            return False
        first, second = combined[:, 0], combined[:, 1]
        far = np.abs(moments[first] - moments[second]) >= options.apart_seconds
        return bool(far.any() and alike(first[far], second[far]).any())

    both = {
        pair
        for pair, messages in own.items()
        if len(messages) == 2 and all(comes_back(found) for found in messages.values())
    }
    keys = _pair_keys(owners, rows, columns)
    size = int(owners.max()) + 1
    wanted = np.asarray([a * size + b for a, b in both], dtype=np.int64)
    found: npt.NDArray[np.bool_] = sharing & among(keys, wanted)
    return found


def _combined(
    message_scores: dict[Pair, float],
    topic_scores: dict[Pair, float],
    word_scores: dict[Pair, float],
    options: InterestOptions,
) -> dict[Pair, float]:
    """The three kinds of evidence, each on a standard scale, added (topics and words
    weighted). Pairs linked by words alone count as the least linked by their messages."""
    floor = min(message_scores.values(), default=0.0)
    messages = _standard({pair: message_scores.get(pair, floor) for pair in topic_scores})
    topics = _standard(topic_scores)
    words = _standard(word_scores)
    lowest_words = min(words.values(), default=0.0)
    return {
        pair: value
        + options.topic_weight * topics.get(pair, 0.0)
        + options.word_weight * words.get(pair, lowest_words)
        for pair, value in messages.items()
    }


@dataclass(frozen=True, slots=True)
class _WordPlaces:
    """Where the pairs of messages sharing a word are among all candidate pairs, their
    standard scores without the word, and the word's weight."""

    places: IntArray
    raw: npt.NDArray[np.float32]
    weights: npt.NDArray[np.float32]
    name_weights: npt.NDArray[np.float32]


def _with_term_pairs(
    x: FloatMatrix,
    scripts: IntArray,
    calibration: ScriptCalibration,
    found: tuple[IntArray, IntArray, npt.NDArray[np.float32]],
    term_pairs: TermPairs | None,
    *,
    bonus: float,
) -> tuple[IntArray, IntArray, npt.NDArray[np.float32], _WordPlaces]:
    """The candidate pairs of messages ``found`` and ``term_pairs`` together, those sharing
    a word scoring ``bonus`` times its weight more, and where those are."""
    rows, columns, scores = found
    if term_pairs is None or not len(term_pairs):
        none = np.zeros(0, dtype=np.float32)
        return rows, columns, scores, _WordPlaces(np.zeros(0, dtype=np.int64), none, none, none)
    n = len(x)
    term_keys = term_pairs.rows * n + term_pairs.columns
    new = ~among(term_keys, rows * n + columns)
    new_rows, new_columns = term_pairs.rows[new], term_pairs.columns[new]
    cosines = np.empty(len(new_rows), dtype=np.float32)
    for start in range(0, len(new_rows), _BLOCK * 64):  # no pairs x width matrix at once
        part = slice(start, start + _BLOCK * 64)
        cosines[part] = np.einsum(
            "ij,ij->i", as_float32(x[new_rows[part]]), as_float32(x[new_columns[part]])
        )
    new_scores = calibration.standard(cosines, scripts[new_rows], scripts[new_columns])
    keys = np.concatenate([rows * n + columns, new_rows * n + new_columns])
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    scores = np.concatenate([scores, new_scores]).astype(np.float32)[order]
    del order
    place = np.searchsorted(keys, term_keys)
    rows = keys // n
    columns = keys - rows * n
    raw = scores[place].copy()
    scores[place] += np.float32(bonus) * term_pairs.weights
    return (
        rows,
        columns,
        scores,
        _WordPlaces(place, raw, term_pairs.weights, term_pairs.name_weights),
    )


def _word_evidence(
    owners: IntArray,
    pairs: tuple[IntArray, IntArray],
    weights: npt.NDArray[np.floating],
    best: int,
) -> dict[Pair, tuple[Evidence, ...]]:
    """For each pair of members, their ``best`` pairs of messages (``pairs``: rows and
    columns) sharing the most particular words (``weights``, as the excess), each message
    once; the first row of each is the first member's."""
    rows, columns = pairs
    keys = _pair_keys(owners, rows, columns)
    order = np.lexsort((-weights, keys))
    found: dict[Pair, list[Evidence]] = {}
    used: dict[Pair, set[int]] = {}
    for i in order.tolist():
        if weights[i] <= 0:
            continue
        row, column = int(rows[i]), int(columns[i])
        if owners[row] > owners[column]:
            row, column = column, row
        pair = (int(owners[row]), int(owners[column]))
        taken = used.setdefault(pair, set())
        kept = found.setdefault(pair, [])
        if len(kept) >= best or row in taken or column in taken:
            continue
        taken.update((row, column))
        kept.append(Evidence(row, column, float(weights[i])))
    return {pair: tuple(proof) for pair, proof in found.items() if proof}


def _pair_topic_keys(
    owners: IntArray, rows: IntArray, columns: IntArray, topic: IntArray, topics: IntArray
) -> IntArray:
    """One integer per (pair of members, topic): the pair of ``rows[i]``'s and ``columns[i]``'s
    authors with ``topic[i]``."""
    keys: IntArray = _pair_keys(owners, rows, columns) * (int(topics.max()) + 2) + topic + 1
    return keys


def _in_one_talk(
    near: npt.NDArray[np.bool_], apart: npt.NDArray[np.float64], options: InterestOptions
) -> npt.NDArray[np.bool_]:
    """Which pairs of messages are one exchange: ``near`` in the chat and one turn apart in
    time, or close in time anyway (``apart`` seconds)."""
    together: npt.NDArray[np.bool_] = (near & (apart <= options.turn_seconds)) | (
        apart <= options.same_talk_seconds
    )
    return together


def _exchanges(
    owners: IntArray,
    pairs: tuple[IntArray, IntArray],
    when: tuple[IntArray, npt.NDArray[np.float64] | None, IntArray],
    *,
    links: Collection[tuple[int, int]],
    addressed: Collection[tuple[int, int]],
    options: InterestOptions,
) -> tuple[npt.NDArray[np.bool_], IntArray]:
    """Which candidate pairs of messages (``pairs``: rows and columns) are part of an
    exchange, not evidence of a shared interest, and the subjects talked over.

    ``when`` is each row's place in the chat, time (if known) and topic. A pair is
    an exchange when its messages are one talk (``_in_one_talk``), one conversation
    on a topic (``_in_one_conversation``), on a subject its members talked over
    (``_met_over``), a reply and what it answers (``links``), or when either message
    names or mentions the other's author (``addressed``: ``(row, member)``).
    """
    rows, columns = pairs
    places, times, topics = when
    together = np.abs(places[rows] - places[columns]) <= options.same_talk_messages
    if times is not None:
        together = _in_one_talk(together, np.abs(times[rows] - times[columns]), options)
    together |= _in_one_conversation(places, times, topics, rows, columns, options)
    met = _met_over(
        owners, topics, places, times, links=links, addressed=addressed, options=options
    )
    if len(met):
        together |= within(_pair_topic_keys(owners, rows, columns, topics[rows], topics), met)
        together |= within(_pair_topic_keys(owners, rows, columns, topics[columns], topics), met)
    if links:
        linked = {(min(a, b), max(a, b)) for a, b in links}
        for position, pair in enumerate(zip(rows.tolist(), columns.tolist(), strict=True)):
            if pair in linked:
                together[position] = True
    if addressed:
        named = np.asarray(list(addressed), dtype=np.int64).reshape(-1, 2)
        size = int(owners.max()) + 1
        keys = distinct(named[:, 0] * size + named[:, 1])
        together |= within(rows * size + owners[columns], keys)
        together |= within(columns * size + owners[rows], keys)
    return together, met


def _in_one_conversation(  # noqa: PLR0917 - private helper of find_shared_interests
    places: IntArray,
    times: npt.NDArray[np.float64] | None,
    topics: IntArray,
    rows: IntArray,
    columns: IntArray,
    options: InterestOptions,
) -> npt.NDArray[np.bool_]:
    """Which pairs of messages are on one topic in one conversation: at most
    ``conversation_messages`` substantive messages and ``conversation_seconds`` apart."""
    rank = np.empty(len(places), dtype=np.int64)
    rank[np.argsort(places, kind="stable")] = np.arange(len(places))
    found = np.empty(len(rows), dtype=bool)
    for start in range(0, len(rows), _PAIR_BLOCK):  # no temporaries as long as the pairs
        left, right = rows[start : start + _PAIR_BLOCK], columns[start : start + _PAIR_BLOCK]
        near = (topics[left] == topics[right]) & (
            np.abs(rank[left] - rank[right]) <= options.conversation_messages
        )
        if times is not None:
            near &= np.abs(times[left] - times[right]) <= options.conversation_seconds
        found[start : start + _PAIR_BLOCK] = near
    return found


def _of_linked_members(
    owners: IntArray, rows: IntArray, columns: IntArray, linking: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Which pairs of messages are of two members whom a ``linking`` pair of messages links."""
    keys = _pair_keys(owners, rows, columns)
    linked: npt.NDArray[np.bool_] = within(keys, distinct(keys[linking]))
    return linked


def _pair_keys(owners: IntArray, rows: IntArray, columns: IntArray) -> IntArray:
    """One integer per pair of members: the authors of ``rows[i]`` and ``columns[i]``."""
    size = int(owners.max()) + 1
    first, second = owners[rows], owners[columns]
    keys: IntArray = np.minimum(first, second) * size + np.maximum(first, second)
    return keys


def _met_over(
    owners: IntArray,
    topics: IntArray,
    places: IntArray,
    times: npt.NDArray[np.float64] | None,
    *,
    links: Collection[tuple[int, int]],
    addressed: Collection[tuple[int, int]] = (),
    options: InterestOptions,
) -> IntArray:
    """The (pair of members, topic) keys of the subjects two members have already talked over.

    Two members met over a topic when one answered the other on it (a reply,
    ``links``, or a message naming the other, ``addressed``), or when
    they talked it over in a back-and-forth: a message of one and a message of
    the other on the topic, at most ``conversation_messages`` substantive
    messages and ``conversation_seconds`` apart, in a conversation where the
    first speaks again after the second (or the second spoke before the first),
    as near; ``conversation_links`` such pairs or more. Two members who each
    post on a subject once, minutes apart (each answering the group, or one
    remarking on the other's news), have not talked it over.
    """
    order = np.argsort(places, kind="stable")
    lefts, rights, same, next_ones = [], [], [], []
    for step in range(1, options.conversation_messages + 1):
        first, second = order[:-step], order[step:]
        near = owners[first] != owners[second]
        if times is not None:
            near &= np.abs(times[second] - times[first]) <= options.conversation_seconds
        lefts.append(first[near])
        rights.append(second[near])
        same.append(topics[first[near]] == topics[second[near]])
        # the very next message of the chat (anyone's counted), within a turn
        following = places[second[near]] - places[first[near]] == 1
        if times is not None:
            following &= times[second[near]] - times[first[near]] <= options.turn_seconds
        next_ones.append(following)
    left = np.concatenate(lefts).astype(np.int64)
    right = np.concatenate(rights).astype(np.int64)
    on_topic = np.concatenate(same).astype(bool)
    found = [np.zeros(0, dtype=np.int64)]
    turns = _turned_back(owners, left, right)
    size = int(owners.max()) + 1
    # a pair on one topic met when one answered the other straight away, when the later
    # one was answered back, or when the earlier one answered
    met = on_topic & (
        np.concatenate(next_ones).astype(bool)
        | within(right * size + owners[left], turns)
        | within(left * size + owners[right], turns)
    )
    if met.any():
        near_keys, counts = np.unique(
            _pair_topic_keys(owners, left[met], right[met], topics[left[met]], topics),
            return_counts=True,
        )
        found.append(near_keys[counts >= options.conversation_links])
    if links:
        linked = np.asarray(list(links), dtype=np.int64).reshape(-1, 2)
        linked = linked[owners[linked[:, 0]] != owners[linked[:, 1]]]
        first, second = linked[:, 0], linked[:, 1]
        found.append(_pair_topic_keys(owners, first, second, topics[first], topics))
        found.append(_pair_topic_keys(owners, first, second, topics[second], topics))
    if addressed:
        named = np.asarray(list(addressed), dtype=np.int64).reshape(-1, 2)
        row, member = named[:, 0], named[:, 1]
        pair = np.minimum(owners[row], member) * (int(owners.max()) + 1) + np.maximum(
            owners[row], member
        )
        found.append(pair * (int(topics.max()) + 2) + topics[row] + 1)
    unique: IntArray = distinct(np.concatenate(found))
    return unique


def _turned_back(owners: IntArray, left: IntArray, right: IntArray) -> IntArray:
    """Keys ``message * size + member`` (``size``: the largest owner id plus one) of the
    messages that follow one of ``member`` and are followed by another of theirs, by the
    near pairs ``(left[i], right[i])`` (earlier, later) of messages of different members."""
    size = int(owners.max()) + 1 if len(owners) else 1
    keys = right * size
    keys += owners[left]
    after = distinct(keys, overwrite=True)  # a message and whom it follows
    keys = left * size
    keys += owners[right]
    before = distinct(keys, overwrite=True)  # a message and who follows it
    del keys
    return common(after, before)


def _best_evidence(
    owners: IntArray,
    rows: IntArray,
    columns: IntArray,
    excess: npt.NDArray[np.float32],
    wanted: int,
    *,
    moments: npt.NDArray[np.float64] | None = None,
    apart: float = 0.0,
) -> EvidenceTable:
    """For each pair of members, their ``wanted`` best pairs of messages, each message once.

    With ``moments`` (when each row was sent, in seconds), each member's messages
    in them are at least ``apart`` seconds from each other: from different days.
    Held as arrays (see :mod:`jobs.evidence_table`).
    """
    valid = np.flatnonzero(excess > _EXCLUDED / 2)
    key = np.empty(len(valid), dtype=np.int64)
    for start in range(0, len(valid), _PAIR_BLOCK):  # no temporaries as long as the pairs
        part = valid[start : start + _PAIR_BLOCK]
        key[start : start + _PAIR_BLOCK] = _pair_keys(owners, rows[part], columns[part])
    when = moments if moments is not None else np.zeros(len(owners), dtype=np.float64)
    return best_apart(owners, rows, columns, excess, valid, key, wanted, when, apart)


def _topic_scores(
    owners: IntArray,
    topics: IntArray,
    times: npt.NDArray[np.float64] | None,
    pairs: set[Pair],
    met: IntArray,
) -> dict[Pair, float]:
    """For each pair, its best shared topic: days both write on it, weighed by its rarity.

    Topics the pair talked over together (``met``, see :func:`_met_over`) do not count.
    """
    size = int(owners.max()) + 1
    width = int(topics.max()) + 2
    talked_over = set(met.tolist())
    moments = (times // 86400).astype(np.int64) if times is not None else np.arange(len(owners))
    days: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for member, topic, day in zip(owners.tolist(), topics.tolist(), moments.tolist(), strict=True):
        days[member][topic].add(day)
    writers: dict[int, int] = defaultdict(int)
    for by_topic in days.values():
        for topic in by_topic:
            writers[topic] += 1
    everyone = len(days)
    scores: dict[Pair, float] = {}
    for a, b in pairs:
        best = 0.0
        for topic in days[a].keys() & days[b].keys():
            if (a * size + b) * width + topic + 1 in talked_over:
                continue
            rarity = math.log(everyone / max(1, writers[topic]))
            best = max(best, min(len(days[a][topic]), len(days[b][topic])) * rarity)
        scores[(a, b)] = best
    return scores


def _relative(scores: dict[Pair, float], quantile: float, members: int) -> dict[Pair, float]:
    """Scores less half of each member's ``quantile`` score with the ``members - 1`` others.

    A member's pairs without any evidence count as the lowest score of the chat.
    """
    if not scores:
        return {}
    floor = min(scores.values())
    per_member: dict[int, list[float]] = defaultdict(list)
    for (a, b), value in scores.items():
        per_member[a].append(value)
        per_member[b].append(value)
    usual = {
        member: padded_quantile(values, max(0, members - 1 - len(values)), floor, quantile)
        for member, values in per_member.items()
    }
    return {(a, b): value - 0.5 * (usual[a] + usual[b]) for (a, b), value in scores.items()}


def padded_quantile(values: Sequence[float], pad: int, floor: float, quantile: float) -> float:
    """``np.quantile`` (linear) of ``values`` with ``pad`` copies of ``floor`` (at most the least).

    Without building the padded list: a member of a large chat has scores with
    a few dozen others and ``floor`` for the other thousands.
    """
    ordered = sorted(values)
    total = len(ordered) + pad
    if total == 0:
        return math.nan
    position = (total - 1) * quantile
    low = min(math.floor(position), total - 1)
    high = min(low + 1, total - 1)
    below = floor if low < pad else ordered[low - pad]
    above = floor if high < pad else ordered[high - pad]
    fraction = position - low
    gap = above - below  # interpolated as numpy does, for the same result
    return above - gap * (1.0 - fraction) if fraction >= 0.5 else below + gap * fraction
