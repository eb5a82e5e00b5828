"""Which pairs of members share an interest: evidence, baselines, exchanges and scale."""

from __future__ import annotations

import math

import numpy as np

from jobs.member_interests import neutral_vectors, script_codes
from jobs.shared_interests import InterestOptions, SharedInterests, find_shared_interests
from jobs.shared_terms import TermPairs
from jobs.vector_math import unit_rows
from tests.jobs.intro_chat import ANA, BO, CY, DEE, EVE, WEI, chat


def shared(**options: object):  # type: ignore[no-untyped-def]
    messages, vectors = chat()
    texts = [m.text for m in messages]
    owners = np.asarray([m.member_id for m in messages])
    times = np.asarray([m.sent_at.timestamp() for m in messages if m.sent_at])
    x = neutral_vectors(vectors, texts)
    return (
        find_shared_interests(
            owners, x, script_codes(texts), times=times, options=InterestOptions(**options)
        ),
        owners,
        texts,
    )


def test_the_best_pairs_are_those_who_share_a_subject() -> None:
    found, owners, texts = shared()
    best = found.candidates(min_score=0.0)
    assert {(a, b) for _, a, b in best[:2]} == {(ANA, WEI), (BO, EVE)}
    assert found.score(WEI, ANA) == found.score(ANA, WEI)
    assert found.score(CY, DEE) is None or found.score(CY, DEE) < 0
    rows_a, rows_b = found.shared_rows(WEI, ANA, owners)
    assert set(owners[rows_a]) == {WEI} and set(owners[rows_b]) == {ANA}
    assert all("跑步" in texts[row] for row in rows_a[:3])


def test_what_everyone_talks_about_is_no_reason_to_meet() -> None:
    rng = np.random.default_rng(0)
    everyone, two = np.eye(16)[0], np.eye(16)[1]
    owners = np.r_[np.repeat(np.arange(1, 9), 3), [1, 1, 2, 2]]
    subjects = np.vstack([np.tile(everyone, (24, 1)), np.tile(two, (4, 1))])
    raw = unit_rows(subjects + 0.05 * rng.standard_normal((28, 16)))
    x = unit_rows(raw - raw.mean(axis=0)).astype(np.float32)
    times = np.arange(28, dtype=np.float64) * 86400
    found = find_shared_interests(owners, x, np.ones(28, dtype=np.int64), times=times)
    assert [(a, b) for _, a, b in found.candidates(min_score=0.0)] == [(1, 2)]


def test_an_exchange_is_no_evidence_of_a_shared_interest() -> None:
    messages, vectors = chat()
    texts = [m.text for m in messages]
    owners = np.asarray([m.member_id for m in messages])
    x = neutral_vectors(vectors, texts)
    ana = [i for i, m in enumerate(messages) if m.member_id == ANA][:3]
    wei = [i for i, m in enumerate(messages) if m.member_id == WEI][:3]
    links = [(a, w) for a in ana for w in wei]
    found = find_shared_interests(owners, x, script_codes(texts), links=links)
    assert found.score(ANA, WEI) is None or found.score(ANA, WEI) < 0
    together = np.zeros(len(texts))  # everything said at once: one long exchange
    found = find_shared_interests(owners, x, script_codes(texts), times=together)
    assert found.candidates(min_score=0.0) == []


def test_many_messages_take_the_approximate_path_to_the_same_pairs() -> None:
    exact, _, _ = shared()
    approximate, _, _ = shared(exact_limit=10, neighbours=8, topic_limit=20)
    first = {(a, b) for _, a, b in exact.candidates(min_score=0.0)[:2]}
    assert first == {(a, b) for _, a, b in approximate.candidates(min_score=0.0)[:2]}


def test_a_chat_of_one_member_shares_nothing() -> None:
    found = find_shared_interests(
        [1, 1], unit_rows(np.eye(2)).astype(np.float32), np.ones(2, dtype=np.int64)
    )
    assert found.scores == {} and found.candidates() == []


def test_a_subject_two_members_talked_over_in_one_conversation_is_no_reason_to_meet() -> None:
    messages, vectors = chat()
    texts = [m.text for m in messages]
    owners = [m.member_id for m in messages]
    times = [m.sent_at.timestamp() for m in messages if m.sent_at]
    ana = next(i for i, m in enumerate(messages) if m.member_id == ANA)
    wei = next(i for i, m in enumerate(messages) if m.member_id == WEI)
    # one evening, twenty minutes apart, both on running: they have met over it
    evening = max(times) + 3 * 86400
    texts += [texts[ana], texts[wei]]
    owners += [ANA, WEI]
    times += [evening, evening + 1200]
    x = neutral_vectors(np.vstack([vectors, vectors[[ana, wei]]]), texts)
    found = find_shared_interests(
        np.asarray(owners), x, script_codes(texts), times=np.asarray(times)
    )
    met = found.score(ANA, WEI)
    assert met is None or met < 0
    assert found.candidates(min_score=0.0)[0][1:] == (BO, EVE)


def test_evidence_of_an_interest_comes_from_different_days_of_each_member() -> None:
    found, _, _ = shared()
    assert len(found.evidence[(ANA, WEI)]) == 3
    messages, vectors = chat()
    texts = [m.text for m in messages]
    ids = np.asarray([m.member_id for m in messages])
    times = np.asarray([m.sent_at.timestamp() for m in messages if m.sent_at])
    ana = np.flatnonzero(ids == ANA)
    times[ana] = times[ana[0]] + 3600.0 * np.arange(len(ana))  # all of Ana's in one morning
    x = neutral_vectors(vectors, texts)
    one_day = find_shared_interests(ids, x, script_codes(texts), times=times)
    proof = one_day.evidence.get((ANA, WEI), ())
    assert len(proof) <= 1
    assert (one_day.score(ANA, WEI) or -1.0) < (found.score(ANA, WEI) or -1.0)


def test_a_subject_many_members_write_alike_on_counts_less_than_one_two_share() -> None:
    rng = np.random.default_rng(1)
    basis = np.eye(32)
    # members 1-2 share subject A; members 3-6 all write alike on subject B
    subjects = {1: 0, 2: 0, 3: 1, 4: 1, 5: 1, 6: 1, 7: 2, 8: 3, 9: 4, 10: 5}
    owners = np.repeat(np.arange(1, 11), 3)
    raw = basis[[subjects[int(m)] for m in owners]] + 0.05 * rng.standard_normal((30, 32))
    x = unit_rows(raw - raw.mean(axis=0)).astype(np.float32)
    times = np.arange(30, dtype=np.float64) * 86400
    found = find_shared_interests(owners, x, np.ones(30, dtype=np.int64), times=times)
    pair, crowd = found.score(1, 2), found.score(3, 4)
    assert pair is not None and (crowd is None or pair > crowd)


def _with_evening(turns: list[int]):  # type: ignore[no-untyped-def]
    """The chat plus one evening of running talk: ``turns`` are the members who post in
    it, a minute apart (Ana and Wei say what they said first, Bo something of his)."""
    messages, vectors = chat()
    texts = [m.text for m in messages]
    owners = [m.member_id for m in messages]
    times = [m.sent_at.timestamp() for m in messages if m.sent_at]
    first = {
        member: next(i for i, m in enumerate(messages) if m.member_id == member)
        for member in (ANA, WEI, BO)
    }
    evening = max(times) + 3 * 86400
    rows = list(range(len(texts)))
    for minute, member in enumerate(turns):
        rows.append(first[member])
        texts.append(texts[first[member]])
        owners.append(member)
        times.append(evening + 60.0 * minute)
    x = neutral_vectors(vectors[rows], texts)
    return find_shared_interests(
        np.asarray(owners), x, script_codes(texts), times=np.asarray(times)
    )


def test_two_members_posting_near_in_time_have_not_talked_their_subject_over() -> None:
    # Ana and Wei each post on running, three minutes apart, with Bo's chess between:
    # neither answered the other, so their running on other days still counts
    near = _with_evening([ANA, BO, WEI])
    score = near.score(ANA, WEI)
    assert score is not None and score > 0
    assert near.candidates(min_score=0.0)[0][1:] == (ANA, WEI)
    # Wei answering Ana straight away, or Ana coming back to Wei, is talking it over
    for turns in ([ANA, WEI], [ANA, BO, WEI, ANA]):
        met = _with_evening(turns).score(ANA, WEI)
        assert met is None or met < 0


def _travel_chat(second_on: int) -> tuple[SharedInterests, SharedInterests]:
    """Members 1 and 2 share words on two days each (自驾 one day, 旅行 another), words
    neither writes twice; member 2's second message is on subject ``second_on`` (0 is
    travel, as all the others). Members 3-8 write on subjects of their own, but 5 and 6
    share one and a word both come back to. Scored with and without counting a subject
    both come back to in other words."""
    rng = np.random.default_rng(2)
    owners = np.r_[[1, 1, 2, 2], np.repeat(np.arange(3, 9), 3)]
    subjects = np.r_[[0, 0, 0, second_on], np.repeat([2, 3, 4, 4, 6, 7], 3)]
    raw = np.eye(16)[subjects] + 0.3 * rng.standard_normal((len(owners), 16))
    x = unit_rows(raw - raw.mean(axis=0)).astype(np.float32)
    times = np.r_[[0, 5, 2, 7], np.arange(18) + 10.0] * 86400
    fifth, sixth = np.flatnonzero(owners == 5), np.flatnonzero(owners == 6)
    pairs = TermPairs(
        np.asarray([0, 1, fifth[0]]),
        np.asarray([2, 3, sixth[1]]),
        np.asarray([0.0, 0.0, 0.5], np.float32),
        np.asarray([1.0, 1.0, 0.5], np.float32),
    )
    scripts = np.ones(len(owners), dtype=np.int64)

    def run(return_alike: float) -> SharedInterests:
        options = InterestOptions(return_alike=return_alike)
        return find_shared_interests(
            owners, x, scripts, times=times, term_pairs=pairs, options=options
        )

    return run(InterestOptions().return_alike), run(math.inf)


def test_a_subject_both_come_back_to_in_other_words_counts() -> None:
    counted, without = _travel_chat(second_on=0)
    assert (counted.score(1, 2) or -9.0) > (without.score(1, 2) or -9.0)
    # member 2's second message shares a word but not the subject: a coincidence
    counted, without = _travel_chat(second_on=1)
    assert counted.score(1, 2) == without.score(1, 2)
