"""Pair members with overlapping interests who have rarely talked, for introductions.

A member's interest profile is the mean of their message embeddings. The
matcher centres the profiles (removes the chat's common direction, so the
similarity threshold means the same for any embedding model), finds each
member's closest profiles without ever forming an n x n matrix (see
:mod:`jobs.nearest_neighbours`), and matches greedily, heaviest edge first,
over those candidate pairs. Pairs that may not meet are skipped: a member's
"don't pair me with" list (either way), pairs that met in the last
``no_repeat_rounds`` rounds, and pairs that already talked more than
``max_interactions`` times. Members left over are matched again among
themselves; when the number of members is odd, the last one joins the pair
it fits best, as a trio. With scored pairs (:func:`match_scored_pairs`), a
member may then meet a second partner over a strong, different interest
(``max_intros_per_member``).

Everything here is synchronous and pure; run it with ``asyncio.to_thread``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from jobs.nearest_neighbours import top_k_neighbours
from jobs.script_offsets import ScriptCentres
from jobs.shared_interests import InterestOptions
from jobs.vector_math import FloatMatrix, IntArray, centred_unit_rows, cluster_sums, unit_rows

Pair = tuple[int, int]


@dataclass(frozen=True, slots=True, eq=False)
class InterestProfiles:
    """Members and their interest vectors: row ``i`` of ``vectors`` is ``member_ids[i]``."""

    member_ids: IntArray
    vectors: FloatMatrix

    def __post_init__(self) -> None:
        object.__setattr__(self, "member_ids", np.asarray(self.member_ids, dtype=np.int64))
        object.__setattr__(self, "vectors", np.asarray(self.vectors, dtype=np.float32))
        if self.vectors.ndim != 2 or len(self.vectors) != len(self.member_ids):
            raise ValueError("give one profile vector per member")
        if len(np.unique(self.member_ids)) != len(self.member_ids):
            raise ValueError("member ids must be unique")

    def __len__(self) -> int:
        return len(self.member_ids)


def build_interest_profiles(
    message_member_ids: Sequence[int] | npt.NDArray[np.integer],
    message_vectors: npt.ArrayLike,
    *,
    min_messages: int = 1,
) -> InterestProfiles:
    """Profiles from messages: each member's mean message vector, L2-normalised.

    ``message_member_ids[i]`` wrote the message embedded in row ``i`` of
    ``message_vectors``. Members with fewer than ``min_messages`` messages
    get no profile. Members come out in increasing id order.
    """
    ids = np.asarray(message_member_ids, dtype=np.int64)
    vectors = unit_rows(message_vectors) if len(ids) else np.zeros((0, 0), dtype=np.float32)
    if len(vectors) != len(ids):
        raise ValueError("give one member id per message vector")
    members, labels = np.unique(ids, return_inverse=True)
    sums, counts = cluster_sums(vectors, labels.astype(np.int64), len(members))
    keep = counts >= max(1, min_messages)
    return InterestProfiles(
        member_ids=members[keep].astype(np.int64), vectors=unit_rows(sums[keep])
    )


@dataclass(frozen=True, slots=True)
class IntroOptions:
    """Knobs of a round of introductions."""

    min_similarity: float = 0.1
    """Least centred cosine between two profiles worth an introduction."""
    min_shared_interest: float = 0.0
    """Least shared-interest score (see :mod:`jobs.shared_interests`) worth an introduction."""
    min_messages: int = 3
    """Members with fewer messages have no profile and are not introduced."""
    keywords: int = 8
    """Key words kept per member with their stored profile."""
    interests: InterestOptions = field(default_factory=InterestOptions)
    """How shared interests are found (see :mod:`jobs.shared_interests`)."""
    language_centres: ScriptCentres | None = field(default=None, compare=False)
    """Where the embedder puts each language (``memory.language_centres``): the language
    direction taken out of the messages; ``None``: measured on the chat's own messages."""
    max_interactions: int = 2
    """Pairs that replied to or mentioned each other more often are not introduced."""
    no_repeat_rounds: int = 4
    """Pairs introduced in any of this many latest rounds are not introduced again."""
    neighbours: int = 16
    """Candidate partners considered per member."""
    centre: bool = True
    """Centre the profiles on their mean (or on ``centre_on``) before comparing them."""
    centre_min_members: int = 20
    """Fewer members than this are compared uncentred unless ``centre_on`` is given."""
    make_trio: bool = True
    max_intros_per_member: int = 2
    """A member may be introduced this many times in one round: beyond the first, only
    over a strong interest (``strong_shared_interest``) different from the earlier ones."""
    strong_shared_interest: float = 1.5
    """Least shared-interest score of a member's second (or later) introduction in a round."""
    second_intro_share: float = 0.75
    """... which must also score this share of the round's median first introduction
    when both members already meet someone."""
    exact_limit: int = 6000
    """Up to this many members neighbours are found exactly, above it approximately."""
    probes: int = 8
    seed: int = 0


@dataclass(frozen=True, slots=True)
class IntroGroup:
    """Members to introduce to each other (two, or three for the odd one out)."""

    member_ids: tuple[int, ...]
    similarity: float
    """Mean centred cosine between the members' profiles."""


@dataclass(frozen=True, slots=True)
class IntroRound:
    """The outcome of a round: the groups, and who could not be matched."""

    groups: tuple[IntroGroup, ...]
    unmatched: tuple[int, ...]

    def history_entry(self) -> tuple[tuple[int, ...], ...]:
        """The round as plain groups of member ids, for ``past_rounds`` next time."""
        return tuple(group.member_ids for group in self.groups)


def _key(a: int, b: int) -> Pair:
    return (a, b) if a < b else (b, a)


class _Rules:
    """Which pairs of member ids may be introduced."""

    def __init__(
        self,
        blocked: Mapping[int, Collection[int]] | None,
        interactions: Mapping[Pair, int] | None,
        past_rounds: Sequence[Sequence[Sequence[int]]],
        options: IntroOptions,
    ) -> None:
        self.blocked: set[Pair] = set()
        for member, others in (blocked or {}).items():
            self.blocked.update(_key(member, other) for other in others if other != member)
        counts: dict[Pair, int] = {}
        for (a, b), count in (interactions or {}).items():
            if a != b:
                counts[_key(a, b)] = counts.get(_key(a, b), 0) + count
        self.talked = {pair for pair, count in counts.items() if count > options.max_interactions}
        self.recent: set[Pair] = set()
        recent_rounds = past_rounds[-options.no_repeat_rounds :] if options.no_repeat_rounds else []
        for past in recent_rounds:
            for group in past:
                ids = list(group)
                self.recent.update(
                    _key(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :] if a != b
                )

    def allowed(self, a: int, b: int) -> bool:
        pair = _key(a, b)
        return pair not in self.blocked and pair not in self.recent and pair not in self.talked


def _candidate_edges(
    indices: IntArray, sims: FloatMatrix, rows: IntArray, threshold: float
) -> list[tuple[float, int, int]]:
    """Unique candidate pairs ``(similarity, a, b)`` (positions in ``rows``), best first."""
    k = indices.shape[1]
    left = np.repeat(np.arange(len(indices), dtype=np.int64), k)
    right = indices.ravel()
    weight = sims.ravel()
    valid = (right >= 0) & (weight >= threshold) & (right != left)
    left, right, weight = left[valid], right[valid], weight[valid]
    a = rows[np.minimum(left, right)]
    b = rows[np.maximum(left, right)]
    key = a * (int(rows.max()) + 1 if len(rows) else 1) + b
    _, first = np.unique(key, return_index=True)
    a, b, weight = a[first], b[first], weight[first]
    order = np.lexsort((b, a, -weight))
    return list(zip(weight[order].tolist(), a[order].tolist(), b[order].tolist(), strict=True))


def match_members(
    profiles: InterestProfiles,
    *,
    snoozed: Collection[int] = (),
    blocked: Mapping[int, Collection[int]] | None = None,
    interactions: Mapping[Pair, int] | None = None,
    past_rounds: Sequence[Sequence[Sequence[int]]] = (),
    centre_on: npt.ArrayLike | None = None,
    options: IntroOptions | None = None,
) -> IntroRound:
    """One round of introductions among the opted-in members of ``profiles``.

    ``snoozed`` members sit this round out. ``blocked`` maps a member to the
    members they do not want to meet. ``interactions`` counts replies and
    mentions per pair of members (either order). ``past_rounds`` lists earlier
    rounds, oldest first, each a list of groups of member ids. ``centre_on``
    is what every profile shares, subtracted before comparing (e.g. the mean
    of the unit vectors of all the chat's messages); by default the members'
    mean profile, when there are enough members for it to mean anything. Each member is
    in at most one group; at most one group is a trio, and only when the
    number of members taking part is odd.
    """
    options = options or IntroOptions()
    snoozed_set = set(snoozed)
    take_part = np.asarray(
        [i for i, member in enumerate(profiles.member_ids.tolist()) if member not in snoozed_set],
        dtype=np.int64,
    )
    ids = profiles.member_ids[take_part]
    if len(ids) < 2:
        return IntroRound(groups=(), unmatched=tuple(ids.tolist()))
    x = _comparable(profiles.vectors[take_part], centre_on, options)
    rules = _Rules(blocked, interactions, past_rounds, options)
    member_ids = ids.tolist()

    partner = np.full(len(ids), -1, dtype=np.int64)
    pair_weight: dict[int, float] = {}
    first_neighbours: IntArray | None = None
    rows = np.arange(len(ids), dtype=np.int64)
    for attempt in range(4):
        neighbours, neighbour_sims = top_k_neighbours(
            x[rows],
            options.neighbours,
            exact_limit=options.exact_limit,
            probes=options.probes,
            seed=options.seed,
        )
        if first_neighbours is None:
            first_neighbours = neighbours
        added = 0
        for weight, a, b in _candidate_edges(
            neighbours, neighbour_sims, rows, options.min_similarity
        ):
            if partner[a] < 0 and partner[b] < 0 and rules.allowed(member_ids[a], member_ids[b]):
                partner[a], partner[b] = b, a
                pair_weight[min(a, b)] = weight
                added += 1
        rows = np.flatnonzero(partner < 0)
        if len(rows) < 2 or (added == 0 and attempt > 0):
            break

    groups: list[tuple[tuple[int, ...], float]] = [
        ((a, int(partner[a])), weight) for a, weight in pair_weight.items()
    ]
    left = np.flatnonzero(partner < 0)
    if options.make_trio and len(ids) % 2 == 1 and len(left) > 0 and first_neighbours is not None:
        trio = _best_trio(
            x,
            left,
            partner=partner,
            neighbours=first_neighbours,
            member_ids=member_ids,
            rules=rules,
            options=options,
        )
        if trio is not None:
            (single, a, b), weight = trio
            groups = [g for g in groups if g[0] != (min(a, b), max(a, b))]
            groups.append(((a, b, single), weight))
            left = left[left != single]
    result = [
        IntroGroup(
            member_ids=tuple(sorted(member_ids[i] for i in positions)),
            similarity=round(float(weight), 6),
        )
        for positions, weight in groups
    ]
    result.sort(key=lambda group: (-group.similarity, group.member_ids))
    return IntroRound(groups=tuple(result), unmatched=tuple(sorted(member_ids[i] for i in left)))


def _comparable(
    vectors: FloatMatrix, centre_on: npt.ArrayLike | None, options: IntroOptions
) -> FloatMatrix:
    """Profiles ready for cosine: centred when asked and meaningful, unit length."""
    if not options.centre:
        return unit_rows(vectors)
    if centre_on is not None:
        shared = np.asarray(centre_on, dtype=np.float32).reshape(1, -1)
        return unit_rows(unit_rows(vectors) - shared)
    if len(vectors) >= options.centre_min_members:
        return centred_unit_rows(unit_rows(vectors))
    return unit_rows(vectors)


def _best_trio(
    x: FloatMatrix,
    left: IntArray,
    *,
    partner: IntArray,
    neighbours: IntArray,
    member_ids: Sequence[int],
    rules: _Rules,
    options: IntroOptions,
) -> tuple[tuple[int, int, int], float] | None:
    """The leftover member and pair whose trio has the highest mean similarity.

    A leftover member may join the pair of any of its candidate neighbours;
    both new pairs must be allowed and at least ``min_similarity`` alike.
    """
    best: tuple[tuple[int, int, int], float] | None = None
    for single in left.tolist():
        for a in neighbours[single].tolist():
            if a < 0 or partner[a] < 0:
                continue
            b = int(partner[a])
            with_a, with_b = float(x[single] @ x[a]), float(x[single] @ x[b])
            if min(with_a, with_b) < options.min_similarity:
                continue
            if not (
                rules.allowed(member_ids[single], member_ids[a])
                and rules.allowed(member_ids[single], member_ids[b])
            ):
                continue
            mean = (with_a + with_b + float(x[a] @ x[b])) / 3.0
            if best is None or mean > best[1]:
                best = ((single, min(a, b), max(a, b)), mean)
    return best


Edge = tuple[float, int, int]
"""A candidate pair ``(score, member_a, member_b)``."""


def match_scored_pairs(
    member_ids: Sequence[int],
    candidates: Callable[[Sequence[int]], Sequence[Edge]],
    pair_score: Callable[[int, int], float | None],
    *,
    blocked: Mapping[int, Collection[int]] | None = None,
    interactions: Mapping[Pair, int] | None = None,
    past_rounds: Sequence[Sequence[Sequence[int]]] = (),
    min_score: float = 0.0,
    options: IntroOptions | None = None,
    same_interest: Callable[[int, int, int], bool] | None = None,
) -> IntroRound:
    """One round among ``member_ids`` (all taking part) from scored candidate pairs.

    ``candidates(members)`` lists pairs among ``members`` as ``(score, a, b)``
    (member ids); only pairs scoring ``min_score`` or more are kept. Pairs are
    taken greedily, best first, under the same rules as :func:`match_members`
    (avoid lists, recent rounds, pairs that already talk); members left over
    are offered their own candidates again. When the number of members is odd,
    the one left over may join a pair as a trio: ``pair_score(a, b)`` scores any
    two members (``None`` when they share nothing), and both new pairs must
    score ``min_score`` or more.

    With ``same_interest(member, one, other)`` (whether what ``member`` shares
    with ``one`` is what they share with ``other``), a member may then meet up
    to ``max_intros_per_member`` partners, each later one over a different
    interest scoring ``strong_shared_interest`` or more and, unless the other
    member has no partner yet, at least ``second_intro_share`` of the median
    first introduction; no pair meets twice.
    """
    options = options or IntroOptions()
    ids = sorted(set(member_ids))
    if len(ids) < 2:
        return IntroRound(groups=(), unmatched=tuple(ids))
    rules = _Rules(blocked, interactions, past_rounds, options)
    partner: dict[int, int] = {}
    weights: dict[Pair, float] = {}
    near: dict[int, list[int]] = {}
    left = ids
    for attempt in range(4):
        added = 0
        for score, a, b in candidates(left):
            if score < min_score or a == b:
                continue
            if attempt == 0:
                near.setdefault(a, []).append(b)
                near.setdefault(b, []).append(a)
            if a in partner or b in partner or not rules.allowed(a, b):
                continue
            partner[a], partner[b] = b, a
            weights[_key(a, b)] = score
            added += 1
        left = [member for member in ids if member not in partner]
        if len(left) < 2 or added == 0:
            break
    groups: list[tuple[tuple[int, ...], float]] = list(weights.items())
    if options.make_trio and len(ids) % 2 == 1 and left:
        trio = _best_scored_trio(left, partner, near, weights, pair_score, rules, min_score)
        if trio is not None:
            (single, a, b), weight = trio
            groups = [g for g in groups if g[0] != _key(a, b)]
            groups.append(((a, b, single), weight))
            left = [member for member in left if member != single]
    if options.max_intros_per_member > 1 and same_interest is not None and weights:
        groups += _more_intros(
            ids,
            groups,
            candidates,
            same_interest,
            rules,
            (
                max(min_score, options.strong_shared_interest),
                options.second_intro_share * float(np.median(list(weights.values()))),
            ),
            options.max_intros_per_member,
        )
        grouped = {member for group, _ in groups for member in group}
        left = [member for member in left if member not in grouped]
    result = [
        IntroGroup(member_ids=tuple(sorted(group)), similarity=round(float(weight), 6))
        for group, weight in groups
    ]
    result.sort(key=lambda group: (-group.similarity, group.member_ids))
    return IntroRound(groups=tuple(result), unmatched=tuple(sorted(left)))


def _best_scored_trio(  # noqa: PLR0917 - private helper of match_scored_pairs
    left: Sequence[int],
    partner: Mapping[int, int],
    near: Mapping[int, Sequence[int]],
    weights: Mapping[Pair, float],
    pair_score: Callable[[int, int], float | None],
    rules: _Rules,
    min_score: float,
) -> tuple[tuple[int, int, int], float] | None:
    """The leftover member and pair with the best mean score as a trio."""
    best: tuple[tuple[int, int, int], float] | None = None
    for single in left:
        for a in near.get(single, ()):
            if a not in partner:
                continue
            b = partner[a]
            with_a, with_b = pair_score(single, a), pair_score(single, b)
            if with_a is None or with_b is None or min(with_a, with_b) < min_score:
                continue
            if not (rules.allowed(single, a) and rules.allowed(single, b)):
                continue
            mean = (with_a + with_b + weights[_key(a, b)]) / 3.0
            if best is None or mean > best[1]:
                best = ((single, *_key(a, b)), mean)
    return best


def _more_intros(  # noqa: PLR0917 - private helper of match_scored_pairs
    ids: Sequence[int],
    groups: Sequence[tuple[tuple[int, ...], float]],
    candidates: Callable[[Sequence[int]], Sequence[Edge]],
    same_interest: Callable[[int, int, int], bool],
    rules: _Rules,
    strong: tuple[float, float],
    most: int,
) -> list[tuple[tuple[int, ...], float]]:
    """Further pairs, best first, for members with a strong interest unlike their earlier ones.

    A member already in a group needs the new pair to score ``strong[0]`` and to
    be about something else than with each of their earlier partners; when both
    members already meet someone over a strong interest (``strong[0]``), it must
    score ``strong[1]`` too (a member no one was found for, or only a weak match,
    meets someone over any strong interest, rather than no one). Pairs with such
    a member come first, so that a member's second introduction never takes the
    partner they need.
    """
    least, share = strong
    partners: dict[int, list[int]] = {member: [] for member in ids}
    matched: set[int] = set()  # members who meet someone over a strong interest
    for group, weight in groups:
        for member in group:
            partners[member].extend(other for other in group if other != member)
            if weight >= least:
                matched.add(member)
    added: list[tuple[tuple[int, ...], float]] = []
    ranked = [(score, a, b) for score, a, b in candidates(ids) if score >= least and a != b]
    # a member who meets no one yet over a strong interest comes first
    ranked.sort(key=lambda edge: edge[1] in matched and edge[2] in matched)
    for score, a, b in ranked:
        if b in partners[a] or (a in matched and b in matched and score < share):
            continue
        if len(partners[a]) >= most or len(partners[b]) >= most or not rules.allowed(a, b):
            continue
        if any(same_interest(a, b, earlier) for earlier in partners[a]) or any(
            same_interest(b, a, earlier) for earlier in partners[b]
        ):
            continue
        partners[a].append(b)
        partners[b].append(a)
        matched.update((a, b))
        added.append((_key(a, b), score))
    return added
