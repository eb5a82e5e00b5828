"""Newcomers in a digest: joins, self-introductions, welcomes, and members seen before."""

from __future__ import annotations

from jobs.digest_builder import DigestOptions, build_digest
from jobs.digest_model import DigestMessage
from jobs.digest_newcomers import find_newcomers
from tests.jobs.helpers import DAY, message

CHAT = [
    message(1, "今天的周会改到下午三点", 0, name="王磊"),
    message(2, "大家好，我是小林，做前端的，刚进群请多关照", 10, name="小林"),
    message(3, "谢谢大家！", 20, name="阿杰"),
    message(1, "欢迎 @阿杰 和 @小林！", 21, name="王磊"),
    message(4, "Hi all, I'm Ana, a designer from Lisbon", 30, name="Ana"),
    message(5, "the build is green again", 40, name="Bob"),
    message(5, "Hi all, I'm Bob and I'm back from holiday", 41, name="Bob"),
    message(6, "welcome back Cai!", 50, name="Dee"),
    message(7, "thanks Dee", 51, name="Cai"),
]


def _names(messages: list[DigestMessage], seen_before: set[int] | None) -> list[str]:
    return [n.member_name for n in find_newcomers(messages, {}, seen_before)]


def test_without_history_a_first_message_that_introduces_counts() -> None:
    # Bob's introduction is not his first message of the period; 阿杰 is only welcomed
    assert _names(CHAT, None) == ["小林", "Ana"]


def test_with_history_introductions_and_welcomes_of_unseen_members_count() -> None:
    assert _names(CHAT, {1, 5, 6, 7}) == ["小林", "阿杰", "Ana"]
    # a member who posted before the period is no newcomer, whatever they say
    assert _names(CHAT, {1, 2, 3, 5, 6, 7}) == ["Ana"]


def test_a_welcome_by_reply_names_the_newcomer() -> None:
    messages = [
        message(1, "first time posting, the meetup photos are lovely", 0, name="Eve", message_id=9),
        message(2, "welcome!", 1, name="Fay", reply_to=9),
    ]
    assert _names(messages, set()) == ["Eve"]
    assert _names(messages, None) == []


def test_joins_stay_newcomers_and_the_digest_takes_seen_before() -> None:
    digest = build_digest(
        CHAT,
        None,
        DAY,
        options=DigestOptions(min_messages=1),
        joined={8: "Gus", 5: "Bob"},
        seen_before={1, 5, 6, 7},
    )
    found = [(n.member_name, n.first_message is not None) for n in digest.newcomers]
    assert found == [("小林", True), ("阿杰", True), ("Ana", True), ("Bob", True), ("Gus", False)]
    first = digest.newcomers[0].first_message
    assert first is not None and first.text.startswith("大家好，我是小林")


def test_a_welcomed_newcomer_who_welcomes_the_next_one_stays_a_newcomer() -> None:
    messages = [
        message(3, "the beds look great this morning", 0, name="Carol"),
        message(1, "good morning everyone, glad to have a plot here", 1, name="Ana"),
        message(3, "Welcome Ana!", 2, name="Carol"),
        message(2, "hello all, happy to join the garden", 3, name="Bo"),
        message(1, "Welcome Bo!", 4, name="Ana"),
    ]
    assert _names(messages, {3}) == ["Ana", "Bo"]
