"""The word naming a shared interest: the same thing in both messages, a subject, and shown."""

from __future__ import annotations

import numpy as np

from jobs.interest_words import is_content_word
from jobs.intro_reasons import CandidateMessage, EvidencePair, TermFrequencies, explain_intro
from jobs.naming_checks import (
    alike_beyond_usual,
    excerpt_showing,
    subject_weight,
    usual_likeness,
)
from jobs.text_cues import excerpt


def test_usual_likeness_lies_above_unrelated_pairs_and_below_pairs_on_one_subject() -> None:
    rng = np.random.default_rng(3)
    unrelated = rng.normal(size=(200, 64)).astype(np.float32)
    subject = rng.normal(size=64).astype(np.float32)
    on_subject = subject + 0.5 * rng.normal(size=(6, 64)).astype(np.float32)
    vectors = np.vstack([unrelated, on_subject])
    owners = np.arange(len(vectors), dtype=np.int64) % 7
    usual = usual_likeness(vectors, owners)
    x = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    unrelated_sims = (x[:200] @ x[:200].T)[np.triu_indices(200, 1)]
    assert float(np.quantile(unrelated_sims, 0.9)) < usual
    assert alike_beyond_usual(on_subject[0], on_subject[1], usual)
    assert not alike_beyond_usual(unrelated[0], unrelated[1], usual)
    # one member, or one message, has no usual
    assert usual_likeness(vectors, np.zeros(len(vectors), dtype=np.int64)) == 0.0
    assert usual_likeness(vectors[:1], owners[:1]) == 0.0
    assert alike_beyond_usual(unrelated[0], unrelated[1], None)


def test_usual_likeness_of_a_large_chat_is_measured_on_a_sample() -> None:
    rng = np.random.default_rng(5)
    vectors = rng.normal(size=(3000, 16)).astype(np.float32)
    owners = rng.integers(0, 50, size=3000).astype(np.int64)
    first = usual_likeness(vectors, owners)
    assert first == usual_likeness(vectors, owners)  # seeded
    assert 0.0 < first < 1.0


def test_nouns_name_a_subject_before_verbs_and_adjectives() -> None:
    assert subject_weight("胶片") == 1.0
    assert subject_weight("上架") < subject_weight("胶片")  # a verb
    assert subject_weight("starter") > subject_weight("fed")
    assert subject_weight("zzqxw") == 1.0  # unknown to the dictionaries


def test_a_quote_cut_to_a_length_shows_the_word() -> None:
    text = (
        "four, plus some boards for the front slats. I'll ask the bike shop on Dundas, "
        "they always have pallets out back"
    )
    assert "bike" not in excerpt(text, 60)
    shown = excerpt_showing(text, 60, ["bike"])
    assert "bike" in shown and shown.startswith("…") and len(shown) <= 62
    assert shown.startswith("…I'll ask the bike shop")
    # a word within the cut, or no word, keeps the start
    assert excerpt_showing(text, 60, ["boards"]) == excerpt(text, 60)
    assert excerpt_showing(text, 60, []) == excerpt(text, 60)
    chinese = "今天上午先去菜市场买了菜，回家路上又去书店逛了一圈，晚上终于把胶片冲出来了，效果不错"
    cut = excerpt_showing(chinese, 20, ["胶片"])
    assert "胶片" in cut and cut.startswith("…")


def _pair(first: str, second: str, likeness: float) -> EvidencePair:
    angle = np.arccos(likeness)
    one = CandidateMessage(1, first, [1.0, 0.0])
    two = CandidateMessage(2, second, [float(np.cos(angle)), float(np.sin(angle))])
    return EvidencePair(1, one, 2, two)


def test_a_word_of_two_unlike_messages_names_no_interest() -> None:
    sheet = _pair(
        "Rota update: the sign-up sheet is on the shed door",
        "lay a sheet of chicken wire flat on the soil",
        0.0,
    )
    frequencies = TermFrequencies.of(
        [sheet.first.key_terms(), sheet.second.key_terms(), *[("other",)] * 40]
    )
    names = {1: "Dana", 2: "Jen"}
    messages = {1: [sheet.first], 2: [sheet.second]}

    def line(pair: EvidencePair, usual: float | None) -> str:
        return explain_intro(
            (1, 2),
            names,
            messages,
            frequencies=frequencies,
            evidence=[pair],
            usual_likeness=usual,
        ).line

    assert line(sheet, None).startswith("Why: you both talk about sheet")
    assert line(sheet, 0.2).startswith("Why: you both wrote about similar things")
    alike = _pair(sheet.first.text, sheet.second.text, 0.5)
    assert line(alike, 0.2).startswith("Why: you both talk about sheet")


def test_an_adjective_made_with_ly_names_no_interest() -> None:
    assert not is_content_word("lovely") and not is_content_word("quickly")
    # words ending in -ly whose stem is no word stay
    assert is_content_word("family") and is_content_word("butterfly")


def test_two_forms_of_one_english_word_are_a_shared_word() -> None:
    lakes = _pair(
        "back from Algonquin, 3 days, 3 lakes, 1 moose",
        "we swam in a lake that was 19 degrees",
        0.5,
    )
    frequencies = TermFrequencies.of(
        [lakes.first.key_terms(), lakes.second.key_terms(), *[("other",)] * 40]
    )
    reason = explain_intro(
        (1, 2),
        {1: "Jen", 2: "Dana"},
        {1: [lakes.first], 2: [lakes.second]},
        frequencies=frequencies,
        evidence=[lakes],
        usual_likeness=0.2,
    )
    assert reason.interest == ("lake",) and reason.shared_keywords == ("lake",)
