"""Introductions: who is paired, what is never paired, trios, and planted-group recovery."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobs.intro_matcher import (
    InterestProfiles,
    IntroOptions,
    IntroRound,
    build_interest_profiles,
    match_members,
    match_scored_pairs,
)
from jobs.vector_math import unit_rows


def planted(
    groups: int, size: int, dimension: int = 64, noise: float = 1.0, seed: int = 0
) -> tuple[InterestProfiles, dict[int, int]]:
    """Members in ``groups`` interest groups of ``size``; ids 1.. in group order."""
    rng = np.random.default_rng(seed)
    centres = unit_rows(rng.standard_normal((groups, dimension)))
    labels = np.repeat(np.arange(groups), size)
    vectors = centres[labels] + noise * rng.standard_normal((len(labels), dimension)) / np.sqrt(
        dimension
    )
    ids = np.arange(1, len(labels) + 1, dtype=np.int64)
    profiles = InterestProfiles(ids, unit_rows(vectors))
    return profiles, dict(zip(ids.tolist(), labels.tolist(), strict=True))


def assert_valid(round_: IntroRound, taking_part: set[int]) -> None:
    seen = Counter(m for group in round_.groups for m in group.member_ids)
    assert all(count == 1 for count in seen.values()), "a member is in two groups"
    assert set(seen) <= taking_part
    assert not set(round_.unmatched) & set(seen)
    assert set(round_.unmatched) | set(seen) == taking_part
    sizes = [len(group.member_ids) for group in round_.groups]
    assert all(size in (2, 3) for size in sizes)
    assert sizes.count(3) <= 1
    if sizes.count(3):
        assert len(taking_part) % 2 == 1


def test_profiles_are_mean_message_vectors() -> None:
    vectors = [[1.0, 0.0], [0.0, 1.0], [0.0, 2.0], [3.0, 0.0]]
    profiles = build_interest_profiles([7, 7, 5, 7], vectors)
    assert profiles.member_ids.tolist() == [5, 7]
    assert np.allclose(profiles.vectors[0], [0.0, 1.0])
    assert np.allclose(profiles.vectors[1], unit_rows([[2.0, 1.0]])[0], atol=1e-6)
    few = build_interest_profiles([7, 7, 5, 7], vectors, min_messages=2)
    assert few.member_ids.tolist() == [7]


def test_overlapping_members_are_paired() -> None:
    profiles, group = planted(groups=4, size=6)
    round_ = match_members(profiles)
    assert_valid(round_, set(profiles.member_ids.tolist()))
    assert len(round_.groups) == 12
    assert all(len({group[m] for m in g.member_ids}) == 1 for g in round_.groups)


def test_dont_pair_lists_snoozes_and_history_are_respected() -> None:
    profiles, _ = planted(groups=2, size=4, noise=0.3)
    first = match_members(profiles)
    pairs = [g.member_ids for g in first.groups]
    a, b = pairs[0]
    blocked = {a: [b]}
    second = match_members(profiles, blocked=blocked)
    assert all({a, b} != set(g.member_ids) for g in second.groups)
    third = match_members(profiles, past_rounds=[first.history_entry()])
    old = {frozenset(p) for p in pairs}
    assert all(frozenset(g.member_ids) not in old for g in third.groups)
    # the history is forgotten after no_repeat_rounds rounds
    later = match_members(
        profiles,
        past_rounds=[first.history_entry(), (), ()],
        options=IntroOptions(no_repeat_rounds=2),
    )
    assert {frozenset(g.member_ids) for g in later.groups} == old
    snoozed = match_members(profiles, snoozed={a})
    assert all(a not in g.member_ids for g in snoozed.groups)
    assert a not in snoozed.unmatched
    assert_valid(snoozed, set(profiles.member_ids.tolist()) - {a})


def test_members_who_already_talk_are_not_introduced() -> None:
    profiles, _ = planted(groups=1, size=2, noise=0.3)
    assert len(match_members(profiles).groups) == 1
    talked = match_members(profiles, interactions={(2, 1): 2, (1, 2): 1})
    assert talked.groups == () and talked.unmatched == (1, 2)
    rarely = match_members(profiles, interactions={(1, 2): 2})
    assert len(rarely.groups) == 1


def test_blocking_works_in_both_directions() -> None:
    profiles, _ = planted(groups=1, size=2, noise=0.3)
    assert match_members(profiles, blocked={2: [1]}).groups == ()


def test_the_odd_one_out_joins_the_best_pair() -> None:
    profiles, group = planted(groups=3, size=3, noise=0.4, seed=2)
    round_ = match_members(profiles, snoozed={1, 2, 3, 4})
    # five members take part: groups 1 (5, 6) and 2 (7, 8, 9)
    assert_valid(round_, {5, 6, 7, 8, 9})
    sizes = sorted(len(g.member_ids) for g in round_.groups)
    assert sizes == [2, 3]
    trio = next(g for g in round_.groups if len(g.member_ids) == 3)
    assert {group[m] for m in trio.member_ids} == {2}
    no_trio = match_members(profiles, snoozed={1, 2, 3, 4}, options=IntroOptions(make_trio=False))
    assert len(no_trio.unmatched) == 1


def test_dissimilar_members_stay_unmatched() -> None:
    profiles = InterestProfiles(
        np.asarray([1, 2, 3, 4]), unit_rows(np.eye(4, 16, dtype=np.float32))
    )
    round_ = match_members(profiles, options=IntroOptions(min_similarity=0.2))
    assert round_.groups == ()
    assert round_.unmatched == (1, 2, 3, 4)


def test_too_few_members() -> None:
    profiles, _ = planted(groups=1, size=1)
    assert match_members(profiles) == IntroRound(groups=(), unmatched=(1,))


@pytest.mark.parametrize("members", [600, 3000])
def test_planted_groups_are_recovered(members: int) -> None:
    profiles, group = planted(groups=members // 20, size=20, dimension=128, noise=1.2)
    options = IntroOptions(exact_limit=1000)  # the 3,000 case takes the approximate path
    round_ = match_members(profiles, options=options)
    assert_valid(round_, set(profiles.member_ids.tolist()))
    pairs = [
        (a, b)
        for g in round_.groups
        for i, a in enumerate(g.member_ids)
        for b in g.member_ids[i + 1 :]
    ]
    precision = sum(group[a] == group[b] for a, b in pairs) / len(pairs)
    assert precision >= 0.95
    assert len(round_.unmatched) <= members * 0.05


History = list[list[tuple[int, ...]]]
Scenario = tuple[InterestProfiles, set[int], dict[int, list[int]], History]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    n = draw(st.integers(min_value=0, max_value=25))
    dimension = draw(st.sampled_from([2, 3, 8]))
    seed = draw(st.integers(min_value=0, max_value=2**16))
    rng = np.random.default_rng(seed)
    ids = rng.choice(1000, size=n, replace=False).astype(np.int64) + 1
    vectors = unit_rows(rng.standard_normal((n, dimension)))
    id_list = ids.tolist()
    snoozed = set(draw(st.lists(st.sampled_from(id_list), max_size=5))) if n else set()
    blocked: dict[int, list[int]] = {}
    history: History = []
    if n >= 2:
        for _ in range(draw(st.integers(min_value=0, max_value=5))):
            a, b = draw(st.lists(st.sampled_from(id_list), min_size=2, max_size=2, unique=True))
            blocked.setdefault(a, []).append(b)
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            group = draw(st.lists(st.sampled_from(id_list), min_size=2, max_size=3, unique=True))
            history.append([tuple(group)])
    return InterestProfiles(ids, vectors), snoozed, blocked, history


@settings(max_examples=60, deadline=None)
@given(scenarios(), st.floats(min_value=-1.0, max_value=0.5))
def test_matching_invariants(scenario: Scenario, min_similarity: float) -> None:
    profiles, snoozed, blocked, history = scenario
    options = IntroOptions(min_similarity=min_similarity, neighbours=4)
    round_ = match_members(
        profiles, snoozed=snoozed, blocked=blocked, past_rounds=history, options=options
    )
    taking_part = set(profiles.member_ids.tolist()) - snoozed
    assert_valid(round_, taking_part)
    forbidden = {frozenset((a, b)) for a, others in blocked.items() for b in others}
    forbidden |= {
        frozenset((a, b))
        for past in history
        for group in past
        for i, a in enumerate(group)
        for b in group[i + 1 :]
    }
    for g in round_.groups:
        ids = g.member_ids
        assert not any(
            frozenset((a, b)) in forbidden for i, a in enumerate(ids) for b in ids[i + 1 :]
        )


def test_profiles_accept_plain_lists() -> None:
    profiles = InterestProfiles([1, 2, 3], [[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])  # type: ignore[arg-type]
    round_ = match_members(profiles)
    assert [g.member_ids for g in round_.groups] == [(1, 2)]
    assert round_.unmatched == (3,)  # too unlike anyone for a trio
    with pytest.raises(ValueError):
        InterestProfiles(np.asarray([1, 1]), np.zeros((2, 3), dtype=np.float32))


def scored(edges: dict[tuple[int, int], float]):  # type: ignore[no-untyped-def]
    """Candidates and pair scores from a fixed table of pair scores."""

    def candidates(members):  # type: ignore[no-untyped-def]
        chosen = set(members)
        found = [(s, a, b) for (a, b), s in edges.items() if a in chosen and b in chosen]
        return sorted(found, key=lambda item: -item[0])

    def pair_score(a: int, b: int) -> float | None:
        return edges.get((min(a, b), max(a, b)))

    return candidates, pair_score


def test_scored_pairs_are_matched_best_first_under_the_same_rules() -> None:
    candidates, pair_score = scored({(1, 2): 3.0, (1, 3): 2.0, (3, 4): 1.0, (2, 4): 0.5})
    round_ = match_scored_pairs([1, 2, 3, 4], candidates, pair_score, min_score=0.0)
    assert [g.member_ids for g in round_.groups] == [(1, 2), (3, 4)]
    blocked = match_scored_pairs(
        [1, 2, 3, 4], candidates, pair_score, blocked={2: [1]}, min_score=0.0
    )
    assert [g.member_ids for g in blocked.groups] == [(1, 3), (2, 4)]
    talked = match_scored_pairs(
        [1, 2, 3, 4], candidates, pair_score, interactions={(2, 1): 3}, min_score=0.0
    )
    assert (1, 2) not in [g.member_ids for g in talked.groups]
    recent = match_scored_pairs(
        [1, 2, 3, 4], candidates, pair_score, past_rounds=[[(1, 2)]], min_score=0.0
    )
    assert (1, 2) not in [g.member_ids for g in recent.groups]
    picky = match_scored_pairs([1, 2, 3, 4], candidates, pair_score, min_score=1.5)
    assert [g.member_ids for g in picky.groups] == [(1, 2)]
    assert picky.unmatched == (3, 4)


def test_the_odd_member_joins_a_scored_pair_only_with_something_shared() -> None:
    candidates, pair_score = scored({(1, 2): 3.0, (1, 3): 2.0, (2, 3): 1.0})
    round_ = match_scored_pairs([1, 2, 3], candidates, pair_score, min_score=0.0)
    assert [g.member_ids for g in round_.groups] == [(1, 2, 3)]
    assert round_.groups[0].similarity == 2.0
    candidates, pair_score = scored({(1, 2): 3.0, (1, 3): 2.0})
    alone = match_scored_pairs([1, 2, 3], candidates, pair_score, min_score=0.0)
    assert [g.member_ids for g in alone.groups] == [(1, 2)] and alone.unmatched == (3,)
    assert match_scored_pairs([1], candidates, pair_score).groups == ()


def test_a_member_meets_a_second_partner_only_over_a_strong_different_interest() -> None:
    candidates, pair_score = scored({(1, 2): 3.0, (1, 3): 2.5, (3, 4): 0.5, (2, 4): 0.2})
    subjects = {(1, 2): "cats", (1, 3): "running", (3, 4): "chess", (2, 4): "cats"}

    def same_subject(member: int, one: int, other: int) -> bool:
        return (
            subjects[(min(member, one), max(member, one))]
            == subjects[(min(member, other), max(member, other))]
        )

    twice = match_scored_pairs(
        [1, 2, 3, 4], candidates, pair_score, min_score=0.0, same_interest=same_subject
    )
    assert [g.member_ids for g in twice.groups] == [(1, 2), (1, 3), (3, 4)]
    assert twice.unmatched == ()

    def always_same(member: int, one: int, other: int) -> bool:
        return True

    once = match_scored_pairs(
        [1, 2, 3, 4], candidates, pair_score, min_score=0.0, same_interest=always_same
    )
    assert [g.member_ids for g in once.groups] == [(1, 2), (3, 4)]
    single = match_scored_pairs(
        [1, 2, 3, 4],
        candidates,
        pair_score,
        min_score=0.0,
        same_interest=same_subject,
        options=IntroOptions(max_intros_per_member=1),
    )
    assert [g.member_ids for g in single.groups] == [(1, 2), (3, 4)]
    # the second introduction must be strong: at least the round's median first one
    weak, weak_score = scored({(1, 2): 3.0, (1, 3): 1.6, (3, 4): 2.5})
    subjects[(3, 4)] = "chess"
    strict = match_scored_pairs(
        [1, 2, 3, 4], weak, weak_score, min_score=0.0, same_interest=same_subject
    )
    assert [g.member_ids for g in strict.groups] == [(1, 2), (3, 4)]


def test_a_member_left_alone_meets_a_matched_member_over_a_strong_interest() -> None:
    # 1+2 and 4+5 are strong first pairs; 3 shares running with 1 (strong, but well
    # below the median first pair) and nothing with anyone else left
    scores = {(1, 2): 6.0, (4, 5): 5.0, (1, 3): 2.0, (2, 4): 0.1}
    candidates, pair_score = scored(scores)

    def never_same(member: int, one: int, other: int) -> bool:
        return False

    round_ = match_scored_pairs(
        [1, 2, 3, 4, 5], candidates, pair_score, min_score=0.0, same_interest=never_same
    )
    assert (1, 3) in [g.member_ids for g in round_.groups] and round_.unmatched == ()
    # below the least strong interest, no second introduction, even for a member left alone
    scores[(1, 3)] = 1.0
    weak = match_scored_pairs(
        [1, 2, 3, 4, 5], *scored(scores), min_score=0.0, same_interest=never_same
    )
    assert weak.unmatched == (3,)
    # two members who both meet someone already still need the median share
    scores.update({(1, 3): 0.5, (3, 6): 4.0, (1, 6): 2.0})
    both = match_scored_pairs(
        [1, 2, 3, 4, 5, 6], *scored(scores), min_score=0.0, same_interest=never_same
    )
    assert (1, 6) not in [g.member_ids for g in both.groups]


def test_a_second_introduction_keeps_the_rules_and_never_repeats_a_pair() -> None:
    candidates, pair_score = scored({(1, 2): 3.0, (1, 3): 2.5, (3, 4): 0.5, (2, 3): 2.4})

    def never_same(member: int, one: int, other: int) -> bool:
        return False

    base = {"min_score": 0.0, "same_interest": never_same}
    for rules in (
        {"blocked": {3: [1]}},
        {"past_rounds": [[(1, 3)]]},
        {"interactions": {(3, 1): 5}},
    ):
        round_ = match_scored_pairs([1, 2, 3, 4], candidates, pair_score, **base, **rules)  # type: ignore[arg-type]
        assert (1, 3) not in [g.member_ids for g in round_.groups]
    round_ = match_scored_pairs([1, 2, 3, 4], candidates, pair_score, **base)  # type: ignore[arg-type]
    pairs = [g.member_ids for g in round_.groups]
    assert len(pairs) == len(set(pairs))
    per_member = Counter(m for pair in pairs for m in pair)
    assert max(per_member.values()) <= IntroOptions().max_intros_per_member


def test_a_member_left_alone_comes_before_a_second_introduction() -> None:
    # 2 could meet 4 (strong, both already matched) or 3, whom no one else shares anything
    # with: 3's only introduction comes first, and 2 meets no more than two partners
    scores = {(1, 2): 6.0, (4, 5): 5.0, (2, 4): 5.5, (2, 3): 2.0}

    def never_same(member: int, one: int, other: int) -> bool:
        return False

    options = IntroOptions(make_trio=False)
    round_ = match_scored_pairs(
        [1, 2, 3, 4, 5], *scored(scores), min_score=0.0, same_interest=never_same, options=options
    )
    groups = [g.member_ids for g in round_.groups]
    assert (2, 3) in groups and (2, 4) not in groups and round_.unmatched == ()
    # with no one left alone, the strong second introduction is made
    del scores[(2, 3)]
    full = match_scored_pairs(
        [1, 2, 4, 5], *scored(scores), min_score=0.0, same_interest=never_same, options=options
    )
    assert (2, 4) in [g.member_ids for g in full.groups]
