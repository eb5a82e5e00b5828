"""The candidate stage of large chats: planted partners found, nobody scored outside it."""

from __future__ import annotations

import numpy as np

from jobs.member_candidates import member_candidates
from jobs.member_interests import ScriptCalibration
from jobs.shared_interests import (
    InterestOptions,
    LinkingExcess,
    candidate_message_pairs,
    find_shared_interests,
)
from jobs.vector_math import unit_rows

MEMBERS = 3000
PER_MEMBER = 3


def large_chat() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Members 1..3000 in planted pairs (1+2, 3+4, ...), each pair on a subject of its own."""
    rng = np.random.default_rng(3)
    subjects = unit_rows(rng.standard_normal((MEMBERS // 2, 64)).astype(np.float32))
    owners = np.repeat(np.arange(1, MEMBERS + 1), PER_MEMBER)
    noise = 0.35 * rng.standard_normal((len(owners), 64)).astype(np.float32) / 8.0
    x = unit_rows(subjects[(owners - 1) // 2] + noise)
    order = rng.permutation(len(owners))  # messages in the chat's order, members interleaved
    times = np.arange(len(owners), dtype=np.float64) * 3600.0
    return owners[order], x[order], times


def test_candidates_find_the_planted_partners_and_bound_the_scores() -> None:
    owners, x, times = large_chat()
    options = InterestOptions(candidates=16)
    assert len(x) > options.exact_limit  # the two-stage path
    candidates = member_candidates(x, owners, options.candidates)
    allowed = candidates.pairs()
    planted = {(a, a + 1) for a in range(1, MEMBERS, 2)}
    assert len(planted & allowed) >= 0.99 * len(planted)

    found = find_shared_interests(
        owners, x, np.ones(len(x), dtype=np.int64), times=times, options=options
    )
    assert found.scores
    assert set(found.scores) <= allowed  # never scored outside the candidates
    best: dict[int, tuple[float, int]] = {}
    for (a, b), score in found.scores.items():
        for member, other in ((a, b), (b, a)):
            if member not in best or score > best[member][0]:
                best[member] = (score, other)
    right = sum(
        1
        for member, (_, other) in best.items()
        if (min(member, other), max(member, other)) in planted
    )
    assert right >= 0.95 * MEMBERS


def test_messages_are_compared_with_candidates_messages_only() -> None:
    owners, x, _ = large_chat()
    options = InterestOptions(candidates=2)
    allowed = member_candidates(x, owners, options.candidates).pairs()
    assert len(allowed) <= 2 * MEMBERS
    scripts = np.ones(len(x), dtype=np.int64)
    rows, columns, _ = candidate_message_pairs(
        x, owners, scripts, ScriptCalibration.fit(x, scripts, owners), options
    )
    assert len(rows) == len(x) * 2 * PER_MEMBER  # each message: its two candidates' messages
    authors = zip(owners[rows].tolist(), owners[columns].tolist(), strict=True)
    assert {(min(a, b), max(a, b)) for a, b in authors} <= allowed


def test_only_linked_pairs_of_members_keep_their_pairs_of_messages() -> None:
    """Filtering while scoring keeps exactly the pairs of linked members, none lost."""
    owners, x, _ = large_chat()
    options = InterestOptions(candidates=8, neighbours=4, min_excess=1.5)
    scripts = np.ones(len(x), dtype=np.int64)
    calibration = ScriptCalibration.fit(x, scripts, owners)
    rng = np.random.default_rng(5)
    linking = LinkingExcess(
        rng.uniform(0.0, 8.0, len(x)).astype(np.float32),
        rng.uniform(0.5, 1.0, len(x)).astype(np.float32),
    )
    rows, columns, scores = candidate_message_pairs(x, owners, scripts, calibration, options)
    excess = linking.excess(rows, columns, scores)
    pairs = np.minimum(owners[rows], owners[columns]) * 10_000 + np.maximum(
        owners[rows], owners[columns]
    )
    linked = np.unique(pairs[excess >= options.min_excess])
    assert 0 < len(linked) < len(np.unique(pairs))  # some pairs of members are dropped
    expected = {
        (r, c)
        for r, c, keep in zip(
            rows.tolist(), columns.tolist(), np.isin(pairs, linked).tolist(), strict=True
        )
        if keep
    }

    kept_rows, kept_columns, kept_scores = candidate_message_pairs(
        x, owners, scripts, calibration, options, linking=linking
    )
    assert set(zip(kept_rows.tolist(), kept_columns.tolist(), strict=True)) == expected
    assert len(kept_rows) == len(expected)
    assert np.allclose(
        kept_scores,
        calibration.standard(np.einsum("ij,ij->i", x[kept_rows], x[kept_columns]), 1, 1),
        atol=1e-4,
    )
