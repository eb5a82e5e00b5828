"""Scoring the assistant's answers: top three for who, the quoted decision, "I don't know"."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bench.assistant_scoring import Expected, Share, score, shares, table


@dataclass(frozen=True)
class Reply:
    text: str = "…"
    known: bool = True
    source_message_ids: tuple[int, ...] = ()
    suggested_member_ids: tuple[int, ...] = ()


WHO = Expected("who", "谁懂攀岩？", member_ids=(7, 9))
DECIDE = Expected("decide", "桌游夜定在哪天？", message_ids=(41,))
UNKNOWN = Expected("unknown", "有人养过乌龟吗？")


def test_who_passes_only_with_an_expected_member_in_the_top_three() -> None:
    assert score(WHO, Reply(suggested_member_ids=(3, 4, 9))).passed
    assert not score(WHO, Reply(suggested_member_ids=(3, 4, 5, 7))).passed
    assert not score(WHO, Reply()).passed


def test_decide_passes_only_when_the_decision_message_is_quoted() -> None:
    assert score(DECIDE, Reply(source_message_ids=(12, 41))).passed
    assert not score(DECIDE, Reply(source_message_ids=(40, 12))).passed


def test_unknown_passes_only_on_i_dont_know() -> None:
    assert score(UNKNOWN, Reply(known=False)).passed
    assert not score(UNKNOWN, Reply(known=True, source_message_ids=(5,))).passed
    assert not score(UNKNOWN, Reply(known=False)).wrongly_unknown


def test_an_answerable_question_answered_i_dont_know_is_counted() -> None:
    outcome = score(DECIDE, Reply(known=False))
    assert (outcome.passed, outcome.wrongly_unknown) == (False, True)
    assert not score(WHO, Reply(known=True, suggested_member_ids=(1,))).wrongly_unknown


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="maybe"):
        score(Expected("maybe", "?"), Reply())


def test_shares_and_the_table_report_each_kind_against_the_target() -> None:
    outcomes = [
        score(WHO, Reply(suggested_member_ids=(7,))),
        score(WHO, Reply(known=False)),
        score(DECIDE, Reply(source_message_ids=(41,))),
        score(UNKNOWN, Reply(known=False)),
    ]
    by_kind = shares(outcomes)
    assert by_kind["who"] == Share(1, 2)
    assert by_kind["decide"] == Share(1, 1)
    assert by_kind["unknown"] == Share(1, 1)
    assert not by_kind["who"].meets_target
    assert by_kind["decide"].meets_target
    lines = table("zh-demo", outcomes)
    assert lines[0] == "== zh-demo"
    assert "1/2 = 0.50" in lines[1] and "BELOW" in lines[1]
    assert "1/1 = 1.00" in lines[2] and lines[2].endswith("ok")
    assert lines[4].split()[-1] == "1/3"
    assert not Share(0, 0).meets_target
