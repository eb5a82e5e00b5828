"""What a decision settled: the message it replies to, a proposal on its subject, or its
author's proposal just before it (English and Chinese)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bots.assistant.decisions_lookup import antecedent
from jobs.digest_model import DigestMessage

T0 = datetime(2024, 9, 2, 9, tzinfo=UTC)


def talk(
    *lines: tuple[int, str, float], replies: dict[int, int] | None = None
) -> list[DigestMessage]:
    """Messages numbered from 1: (member, text, minutes after T0)."""
    links = replies or {}
    return [
        DigestMessage(
            message_id=number,
            member_id=member,
            member_name=f"m{member}",
            text=text,
            sent_at=T0 + timedelta(minutes=minutes),
            reply_to_message_id=links.get(number),
        )
        for number, (member, text, minutes) in enumerate(lines, start=1)
    ]


def settled(messages: list[DigestMessage], number: int, *, nearby: bool = True) -> int | None:
    found = antecedent(messages[number - 1].ref(), messages, nearby=nearby)
    return None if found is None else found.message_id


def test_a_decision_a_day_later_settles_the_proposal_on_its_subject() -> None:
    messages = talk(
        (1, "The watering rota is up in the sheet. Two people a day, one morning and one "
            "evening? Thoughts?", 0),
        (2, "two a day makes sense", 1),
        (3, "Who has a spare trowel?", 60),
        (1, "Rota update: nobody objected, so two a day until the end of the month. The "
            "sheet is updated.", 35 * 60),
    )  # fmt: skip
    assert settled(messages, 4) == 1


def test_a_chinese_decision_settles_the_chinese_proposal_on_its_subject() -> None:
    messages = talk(
        (1, "这个月的浇水排班表出来了，我想每天安排两个人，大家觉得呢？", 0),
        (2, "周六谁去买肥料？", 30),
        (1, "排班表更新：没人反对，每天安排两个人，一直到月底", 30 * 60),
    )
    assert settled(messages, 3) == 1


def test_a_reply_settles_what_it_replies_to() -> None:
    messages = talk(
        (1, "Shall we get a lockbox for the shed key?", 0),
        (2, "What about the mulch delivery?", 5),
        (3, "Done, ordered one: code goes out by DM", 10),
        replies={3: 1},
    )
    assert settled(messages, 3) == 1


def test_the_authors_own_proposal_just_before_is_settled_without_shared_words() -> None:
    messages = talk(
        (1, "What if I do an English picture-book storytime for the kids at the swap?", 0),
        (2, "好呀！小朋友肯定喜欢", 1),
        (3, "这个好，寓教于乐", 2),
        (1, "Let's go with two short sessions then, 2:30 and 3:30", 4),
    )
    assert settled(messages, 4) == 1
    assert settled(messages, 4, nearby=False) is None


def test_a_decision_on_ones_own_affairs_amid_others_plans_settles_nothing() -> None:
    messages = talk(
        (1, "Team dinner next Friday? I can book somewhere.", 0),
        (2, "Friday works for me.", 5),
        (3, "周五我可以，想吃川菜。", 10),
        (3, "更新一下：深圳的工作最后没去，定了杭州，下周就搬过去。", 60),
    )
    assert settled(messages, 4) is None


def test_a_proposal_after_the_decision_or_long_before_is_not_settled_by_it() -> None:
    messages = talk(
        (1, "Two people a day on the watering rota? Thoughts?", 0),
        (1, "Rota update: two a day on the watering rota from now on.", 5 * 24 * 60),
        (2, "Should the watering rota go on into October?", 5 * 24 * 60 + 10),
    )
    assert settled(messages, 2) is None
