"""Weighing decisions about a topic: rare terms count most, the latest of a chain leads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bots.assistant.chat_search import carried
from bots.assistant.decision_ranking import (
    TermWeights,
    answers_for,
    asks_when,
    in_other_script,
    ranked,
)
from jobs.digest_model import DigestDecision, MessageRef

T0 = datetime(2026, 10, 1, tzinfo=UTC)


def decision(number: int, text: str, replaces: DigestDecision | None = None) -> DigestDecision:
    ref = MessageRef(
        message_id=number,
        member_id=1,
        member_name="阿杰",
        text=text,
        sent_at=T0 + timedelta(days=number),
    )
    return DigestDecision(ref, replaces.ref if replaces else None)


def test_a_term_many_messages_carry_weighs_less_than_a_rare_one() -> None:
    terms = frozenset({"集合", "龙泉山"})
    talk = ["东门集合", "正门集合", "B口集合", "龙泉山徒步", "吃火锅"]
    weights = TermWeights.of(terms, [carried(terms, text) for text in talk])
    assert weights.weights["龙泉山"] > 2 * weights.weights["集合"]
    assert weights.share(carried(terms, "龙泉山那边见")) > 0.6 > weights.share({"集合"})


def test_an_english_plural_finds_its_singular() -> None:
    assert carried(frozenset({"keys", "door"}), "the spare key lives inside") == {"keys"}


def test_the_latest_of_the_chain_leads_and_weak_matches_are_left_out() -> None:
    hike = decision(1, "hike at 8")
    moved = decision(2, "hike moved to 8:30", replaces=hike)
    run = decision(3, "night run at 8")
    weight = {1: 1.0, 2: 0.95, 3: 0.3}
    shown = ranked([run, hike, moved], lambda d: weight[d.ref.message_id])
    assert [d.ref.message_id for d in shown] == [2]


def test_nothing_is_shown_when_nothing_weighs_anything() -> None:
    assert ranked([decision(1, "x")], lambda d: 0.0) == []


def test_a_chinese_decision_is_in_another_script_than_an_english_topic() -> None:
    assert in_other_script(frozenset({"mid-autumn"}), "明天晚上七点园子里见")
    assert not in_other_script(frozenset({"周周", "flat"}), "就租玉林北路那套")


def test_questions_asking_when_are_told_in_both_languages() -> None:
    assert asks_when("When was the work day moved to?")
    assert asks_when("聚餐 哪天了") and asks_when("几点出发")
    assert not asks_when("what did we decide about the shed keys")
    assert not asks_when("换书免费吗")


def test_a_decision_naming_a_day_leads_a_later_one_weighed_alike_when_asked_when() -> None:
    moved = decision(1, "Done. The potluck is moved to Sunday the 22nd, 4pm.")
    table = decision(2, "It's settled then: the seed swap is a table at the potluck.")
    weight = {1: 1.0, 2: 0.95}
    asked = ranked([moved, table], lambda d: weight[d.ref.message_id], answers_for("聚餐 哪天了"))
    assert [d.ref.message_id for d in asked] == [1, 2]
    plain = ranked([moved, table], lambda d: weight[d.ref.message_id], answers_for("potluck"))
    assert [d.ref.message_id for d in plain] == [2, 1]
