"""A large chat's candidates' messages ranked on a sketch of the vectors: planted pairs met."""

from __future__ import annotations

import numpy as np

from jobs.intro_matcher import IntroOptions
from jobs.intro_planner import plan_introductions
from jobs.member_candidates import member_candidates
from jobs.member_interests import ScriptCalibration
from jobs.shared_interests import InterestOptions, candidate_message_pairs
from jobs.vector_math import unit_rows
from jobs.vector_sketch import sketch_rows
from tests.jobs.test_intro_large_chat import LARGE, MEMBERS, planted_chat, planted_share

SKETCHED = IntroOptions(
    interests=InterestOptions(
        exact_limit=300, candidates=6, large_neighbours=4, topic_limit=400, sketch_dims=12
    )
)
"""The large-chat path with a sketch narrower than the vectors (48 wide)."""


def test_a_sketch_keeps_dot_products_along_the_main_directions() -> None:
    rng = np.random.default_rng(3)
    x = unit_rows(rng.standard_normal((500, 8)) @ rng.standard_normal((8, 40)))
    sketch = sketch_rows(x, 8)
    assert sketch.shape == (500, 8)
    np.testing.assert_allclose(sketch @ sketch.T, x @ x.T, atol=1e-4)  # rank 8: nothing lost
    narrow = sketch_rows(x, 3)
    assert np.all(np.einsum("ij,ij->i", narrow, narrow) <= 1.0 + 1e-5)


def test_sketched_search_scores_its_pairs_in_full() -> None:
    messages, vectors = planted_chat()
    owners = np.asarray([m.member_id for m in messages], dtype=np.int64)
    scripts = np.ones(len(owners), dtype=np.int64)
    calibration = ScriptCalibration.fit(vectors, scripts, owners)
    rows, columns, scores = candidate_message_pairs(
        vectors, owners, scripts, calibration, SKETCHED.interests
    )
    sketch = sketch_rows(vectors, SKETCHED.interests.sketch_dims)
    allowed = member_candidates(sketch, owners, SKETCHED.interests.candidates).pairs()
    authors = zip(owners[rows].tolist(), owners[columns].tolist(), strict=True)
    assert {(min(a, b), max(a, b)) for a, b in authors} <= allowed
    assert len(rows) == len(vectors) * SKETCHED.interests.large_neighbours
    full = calibration.standard(
        np.einsum("ij,ij->i", vectors[rows], vectors[columns]), scripts[rows], scripts[columns]
    )
    np.testing.assert_allclose(scores, full, atol=1e-4)
    exact, _, _ = candidate_message_pairs(
        vectors,
        owners,
        scripts,
        calibration,
        LARGE.interests,  # sketch as wide as the vectors
    )
    assert len(exact) == len(rows)


def test_a_sketched_round_meets_its_planted_pairs_and_no_one_else() -> None:
    messages, vectors = planted_chat()
    names = {member: f"Member {member}" for member in range(1, MEMBERS + 1)}
    plan = plan_introductions(
        messages, vectors.astype(np.float16), names, options=SKETCHED, overwrite=True
    )
    share, introduced = planted_share(plan)
    assert share == 1.0  # no pair across planted pairs
    assert introduced >= 0.9 * MEMBERS
