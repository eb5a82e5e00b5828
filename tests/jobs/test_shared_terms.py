"""Pairs of messages sharing a particular word, across English and Chinese, and its name."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from jobs.interest_words import evidence_words, is_content_word
from jobs.intro_reasons import (
    CandidateMessage,
    EvidencePair,
    IntroReason,
    TermFrequencies,
    explain_intro,
)
from jobs.languages import Language
from jobs.shared_interests import find_shared_interests
from jobs.shared_terms import bridged_words, shared_term_pairs, term_keys
from jobs.vector_math import unit_rows

OTHERS = [("spreadsheet", "invoice"), ("合同", "房东"), ("keyboard", "monitor"), ("绘本", "恐龙")]


def _pairs(
    terms: Sequence[Sequence[str]], owners: list[int], *, min_occasions: int = 1
) -> dict[tuple[int, int], float]:
    found = shared_term_pairs(
        np.asarray(owners, dtype=np.int64), terms, min_occasions=min_occasions
    )
    return {
        (int(r), int(c)): float(w)
        for r, c, w in zip(found.rows, found.columns, found.weights, strict=True)
    }


def test_an_english_and_a_chinese_word_for_one_thing_pair_two_messages() -> None:
    terms = [("running", "pace"), ("跑步", "配速"), *OTHERS]
    found = _pairs(terms, [1, 2, 3, 4, 5, 6])
    assert found.get((0, 1), 0.0) > 0.5
    assert set(found) == {(0, 1)}


def test_messages_of_one_member_never_pair() -> None:
    found = _pairs([("canoe", "portage"), ("canoe", "lake"), *OTHERS], [1, 1, 2, 3, 4, 5])
    assert (0, 1) not in found


def test_a_word_the_whole_chat_uses_makes_no_pair() -> None:
    terms = [("compost", "canoe"), ("compost", "canoe"), *[(w, "compost") for w, _ in OTHERS]]
    found = _pairs(terms, [1, 2, 3, 4, 5, 6])
    # "canoe" (two members) pairs the first two; "compost" (everyone) pairs no one else
    assert set(found) == {(0, 1)}


def test_a_word_few_use_counts_more_than_one_many_use() -> None:
    owners = [1, 2, 3, 4, 5, 6, 7, 8]
    terms = [("kayak",), ("kayak",), ("garden",), ("garden",), ("garden",), ("garden",), (), ()]
    found = _pairs(terms, owners)
    assert found[(0, 1)] > found[(2, 3)] > 0


def test_a_word_each_member_mentions_once_names_but_does_not_score() -> None:
    owners = np.asarray([1, 2, 3, 4, 5, 6], dtype=np.int64)
    once = [("shovel", "handle"), ("shovel", "handle"), *OTHERS]
    found = shared_term_pairs(owners, once)
    assert found.weights.tolist() == [0.0] and found.name_weights[0] > 0.5


def test_a_word_both_members_come_back_to_scores_across_languages() -> None:
    owners = np.asarray([1, 1, 2, 2, 3, 4, 5, 6], dtype=np.int64)
    terms = [("running", "pace"), ("running",), ("跑步", "配速"), ("跑步",), *OTHERS]
    hour = 3600.0
    apart = np.asarray([0, 48, 1, 49, 2, 3, 4, 5], dtype=np.float64) * hour
    found = shared_term_pairs(owners, terms, times=apart)
    scored = {
        (int(r), int(c))
        for r, c, w in zip(found.rows, found.columns, found.weights, strict=True)
        if w > 0
    }
    assert {(0, 2), (1, 3)} <= scored
    # the same messages within one hour are one occasion for each member: no score
    burst = np.asarray([0, 0.5, 0.2, 0.7, 2, 3, 4, 5], dtype=np.float64) * hour
    assert not shared_term_pairs(owners, terms, times=burst).weights.any()
    # one member coming back is not enough: the other mentioned it once
    one_sided = [("running", "pace"), ("running",), ("跑步", "配速"), ("合同",), *OTHERS]
    assert not shared_term_pairs(owners, one_sided, times=apart).weights.any()


def test_keys_of_words_in_two_languages_meet() -> None:
    assert term_keys("films")[0] == "film"
    assert "film" in term_keys("胶片")[1]
    assert "cat" in term_keys("猫")[1]  # one-character words are looked up the other way
    assert ("胶片", "film") in bridged_words(["胶片", "二手"], ["film", "portra"])
    assert bridged_words(["胶片"], ["胶片"]) == []  # one language: the word itself, not a bridge


def test_a_bridged_word_names_the_interest_in_the_chats_language_first() -> None:
    weights = {"running": 2.0, "morning": 1.0, "跑步": 2.0, "公里": 1.0}
    match = evidence_words(
        ["running", "morning"], ["跑步", "公里"], weights, language=Language.CHINESE
    )
    assert match is not None and match.words == ("跑步", "running") and not match.shared
    english = evidence_words(["running"], ["跑步"], weights, language=Language.ENGLISH)
    assert english is not None and english.words == ("running", "跑步")


def test_two_words_of_one_script_are_not_matched_by_their_vectors() -> None:
    weights = {"坐反": 1.0, "高反": 1.0}
    vectors = {
        "坐反": np.asarray([1.0, 0.0], np.float32),
        "高反": np.asarray([1.0, 0.0], np.float32),
    }
    assert evidence_words(["坐反"], ["高反"], weights, vectors) is None


def test_small_talk_and_logistics_do_not_name_an_interest() -> None:
    for word in ("weather", "decided", "store", "pulled", "october", "天气", "决定"):
        assert not is_content_word(word), word
    # times of day, meetups, asking, and short past forms ("moved") neither
    for word in ("early", "noon", "meetup", "wondering", "moved", "聚会", "问下"):
        assert not is_content_word(word), word
    for word in ("canoe", "sourdough", "seed", "胶片", "岩馆"):
        assert is_content_word(word), word


def test_a_shared_word_lifts_two_members_whose_messages_are_weakly_alike() -> None:
    rng = np.random.default_rng(2)
    members = 8
    owners = np.repeat(np.arange(1, members + 1), 4)
    raw = rng.standard_normal((len(owners), 24))
    raw[[0, 1, 4, 5], 0] += 1.5  # on one subject, weakly alike (as across two languages)
    x = unit_rows(raw)
    times = np.tile(np.arange(4) * 86400.0, members) + np.repeat(np.arange(members) * 7.0e5, 4)
    scripts = np.ones(len(owners), dtype=np.int64)
    terms: list[tuple[str, ...]] = [(f"word{i}x",) for i in range(len(owners))]
    for row in (0, 1, 4, 5):  # members 1 and 2, two days each
        terms[row] = ("canoe", "跑步") if row < 4 else ("canoeing", "running")
    plain = find_shared_interests(owners, x, scripts, times=times)
    bridged = find_shared_interests(
        owners, x, scripts, times=times, term_pairs=shared_term_pairs(owners, terms)
    )
    assert plain.score(1, 2) is None  # too weakly alike to link them
    after = bridged.score(1, 2)
    assert after is not None and after > 0
    ranked = [(a, b) for _, a, b in bridged.candidates()]
    assert ranked.index((1, 2)) < len(ranked) // 4


def _reason(evidence: list[EvidencePair]) -> IntroReason:
    messages = [m for pair in evidence for m in (pair.first, pair.second)]
    frequencies = TermFrequencies.of([m.key_terms() for m in messages] + [("other",)] * 40)
    return explain_intro(
        (1, 2),
        {1: "Olly", 2: "Jen"},
        {1: [pair.first for pair in evidence], 2: [pair.second for pair in evidence]},
        frequencies=frequencies,
        evidence=evidence,
    )


def test_a_pair_found_by_a_word_names_the_interest_only_when_the_others_cannot() -> None:
    vague = EvidencePair(
        1,
        CandidateMessage(1, "Long day, finally home and resting", [1.0, 0.0]),
        2,
        CandidateMessage(2, "Such a tiring afternoon, going to sleep early", [1.0, 0.0]),
        strength=3.0,
    )
    canoe = EvidencePair(
        1,
        CandidateMessage(3, "Paddled the canoe across the bay at dawn", [0.0, 1.0]),
        2,
        CandidateMessage(4, "Renting a canoe for the long weekend up north", [0.0, 1.0]),
        strength=9.0,
        by_word=True,
    )
    assert _reason([vague, canoe]).interest == ("canoe",)
    assert _reason([vague, canoe]).quotes[0].message_id == 3
    named = EvidencePair(
        1,
        CandidateMessage(5, "Fed the sourdough starter before work", [1.0, 0.0]),
        2,
        CandidateMessage(6, "My sourdough loaf finally rose properly", [1.0, 0.0]),
        strength=3.0,
    )
    assert _reason([named, canoe]).interest == ("sourdough",)
