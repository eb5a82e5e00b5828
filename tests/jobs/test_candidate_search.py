"""Members searched many at a time give each member's pairs exactly as one at a time does."""

from __future__ import annotations

import numpy as np
import pytest

import jobs.candidate_search
import jobs.shared_interests
from jobs.candidate_search import CandidateSearch
from jobs.member_candidates import MemberCandidates, member_candidates
from jobs.member_interests import ScriptCalibration
from jobs.shared_interests import InterestOptions, LinkingExcess, candidate_message_pairs
from jobs.vector_math import unit_rows

NEIGHBOURS = 4


def chat(
    members: int, most: int, *, least: int = 1, said_before: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Members writing ``least`` to ``most`` messages each, in two scripts, as float16.

    ``said_before`` messages say what one of five others says (the same vector): ties.
    """
    rng = np.random.default_rng(11)
    owners = np.repeat(np.arange(members), rng.integers(least, most + 1, members))
    subjects = unit_rows(rng.standard_normal((members // 3 + 1, 48)))
    x = unit_rows(subjects[owners // 3] + 0.6 * rng.standard_normal((len(owners), 48)))
    again = rng.choice(len(x), said_before, replace=False)
    x[again] = x[rng.choice(5, said_before)]
    order = rng.permutation(len(owners))
    scripts = rng.integers(1, 3, len(owners))
    return owners[order], x[order].astype(np.float16), scripts


def per_member(
    search: CandidateSearch, found: MemberCandidates, position: int
) -> list[tuple[int, int, float]]:
    rows, columns, scores = search.best_pairs(found.group(position), NEIGHBOURS)
    return sorted(zip(rows.tolist(), columns.tolist(), scores.tolist(), strict=True))


@pytest.mark.parametrize(
    ("chunk", "members", "least", "most", "candidates", "said_before"),
    [
        (5, 300, 1, 12, 3, 0),  # some members with few candidates' messages: all scored
        (4096, 300, 1, 12, 3, 0),
        (4096, 201, 10, 30, 12, 2000),  # many ties at the edge of shortlists
    ],
)
def test_batched_members_get_the_pairs_and_scores_of_one_at_a_time(
    chunk: int,
    members: int,
    least: int,
    most: int,
    candidates: int,
    said_before: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jobs.candidate_search, "CHUNK_MEMBERS", chunk)
    monkeypatch.setattr(jobs.candidate_search, "BATCH_COLUMNS", 600)  # many batches
    monkeypatch.setattr(jobs.candidate_search, "SCORED_COLUMNS", 100)
    owners, x, scripts = chat(members, most, least=least, said_before=said_before)
    calibration = ScriptCalibration.fit(x, scripts, owners)
    search = CandidateSearch(x, scripts, calibration, sketch_dims=12, oversample=2)
    assert search.sketch is not None
    found = member_candidates(search.sketch, owners, candidates)
    seen = []
    for part in search.chunks(found, NEIGHBOURS):
        for i, position in enumerate(part.positions.tolist()):
            span = slice(part.starts[i], part.starts[i + 1])
            batched = sorted(
                zip(
                    part.rows[span].tolist(),
                    part.columns[span].tolist(),
                    part.scores[span].tolist(),
                    strict=True,
                )
            )
            assert batched == per_member(search, found, position)  # scores bit for bit
            seen.append(position)
    assert seen == list(range(len(found.members)))  # every member, in order


def test_linked_pairs_do_not_depend_on_how_members_are_chunked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Small chunks link many pairs from the later side: those are scored again, none lost."""
    owners, x, scripts = chat(300, 12)
    calibration = ScriptCalibration.fit(x, scripts, owners)
    options = InterestOptions(candidates=5, large_neighbours=NEIGHBOURS, sketch_dims=12)
    rng = np.random.default_rng(2)
    linking = LinkingExcess(rng.uniform(0.0, 3.0, len(x)).astype(np.float32))
    whole = candidate_message_pairs(x, owners, scripts, calibration, options, linking=linking)
    late = []
    original_late = jobs.shared_interests._Links.late

    def spy(self: jobs.shared_interests._Links) -> list[tuple[int, np.ndarray]]:
        found = original_late(self)
        late.extend(found)
        return found

    monkeypatch.setattr(jobs.shared_interests._Links, "late", spy)
    monkeypatch.setattr(jobs.candidate_search, "CHUNK_MEMBERS", 3)
    chunked = candidate_message_pairs(x, owners, scripts, calibration, options, linking=linking)
    assert late  # some pairs were linked only from a later chunk
    assert 0 < len(whole[0]) < len(x) * NEIGHBOURS  # some pairs of members are dropped

    def as_set(found: tuple[np.ndarray, ...]) -> set[tuple[int, int, float]]:
        return set(zip(*(part.tolist() for part in found), strict=True))

    assert len(chunked[0]) == len(whole[0])
    assert as_set(chunked) == as_set(whole)
