"""Reputation scoring: weights, the per-giver cap, self-recognition, thanks detection."""

from __future__ import annotations

import pytest

from bots.reputation import (
    PER_GIVER_CAP,
    WEIGHTS,
    Recognition,
    Signal,
    SignalTotal,
    is_thanks,
    score,
)

ME, ALICE, BOB, CAROL = 1, 2, 3, 4


def test_fifty_reactions_from_one_member_add_no_more_than_the_cap() -> None:
    result = score([Recognition(ALICE, Signal.REACTION, 50)], own_ids={ME})
    assert result.score == PER_GIVER_CAP
    assert result.of(Signal.REACTION).count == 50
    assert result.of(Signal.REACTION).points == PER_GIVER_CAP
    assert result.givers == 1
    assert result.capped_givers == 1


def test_one_member_cannot_pass_the_cap_by_mixing_signals() -> None:
    from_alice = [
        Recognition(ALICE, Signal.THANKS, 10),
        Recognition(ALICE, Signal.CONFIRMED_ANSWER, 10),
        Recognition(ALICE, Signal.ANSWERED_QUESTION, 10),
        Recognition(ALICE, Signal.REACTION, 10),
    ]
    result = score(from_alice, own_ids={ME})
    assert result.score == PER_GIVER_CAP
    # Thanks are credited first, then the rest, until the cap.
    assert result.of(Signal.THANKS).points == PER_GIVER_CAP
    assert result.of(Signal.REACTION).points == 0
    assert result.of(Signal.REACTION).count == 10


def test_many_members_add_up() -> None:
    given = [
        Recognition(ALICE, Signal.REACTION, 1),
        Recognition(BOB, Signal.THANKS, 1),
        Recognition(CAROL, Signal.ANSWERED_QUESTION, 1),
        Recognition(CAROL, Signal.CONFIRMED_ANSWER, 1),
    ]
    result = score(given, own_ids={ME})
    expected = (
        WEIGHTS[Signal.REACTION]
        + WEIGHTS[Signal.THANKS]
        + WEIGHTS[Signal.ANSWERED_QUESTION]
        + WEIGHTS[Signal.CONFIRMED_ANSWER]
    )
    assert result.score == expected
    assert result.givers == 3
    assert result.capped_givers == 0
    assert [t.signal for t in result.signals] == [
        Signal.THANKS,
        Signal.CONFIRMED_ANSWER,
        Signal.ANSWERED_QUESTION,
        Signal.REACTION,
    ]


def test_self_recognition_counts_for_nothing_from_any_linked_account() -> None:
    linked = 99
    given = [
        Recognition(ME, Signal.REACTION, 30),
        Recognition(linked, Signal.THANKS, 5),
    ]
    result = score(given, own_ids={ME, linked})
    assert result.score == 0
    assert result.givers == 0
    assert result.of(Signal.REACTION).count == 0


def test_a_smaller_cap_holds() -> None:
    result = score(
        [Recognition(ALICE, Signal.THANKS, 1), Recognition(BOB, Signal.REACTION, 2)],
        own_ids={ME},
        cap=2,
    )
    assert result.score == 4
    assert result.of(Signal.THANKS).points == 2


@pytest.mark.parametrize(
    "text",
    [
        "thanks!",
        "Thank you so much, that trail was perfect",
        "thx",
        "ty @bob",
        "Many thanks for the link",
        "谢谢！",
        "多谢你的推荐",
        "非常感谢",
        "辛苦了",
        "好的，谢啦",
        "No thanks, but thank you for the offer",
        "不用了，谢谢。不过还是感谢你",
    ],
)
def test_thanks_is_detected(text: str) -> None:
    assert is_thanks(text)


@pytest.mark.parametrize(
    "text",
    [
        "no thanks",
        "No, thanks.",
        "nah thanks",
        "Thanks in advance for any tips",
        "thanks for nothing",
        "the bank thanked nobody",
        "不用了，谢谢",
        "不用谢",
        "谢谢，不用了",
        "提前感谢",
        "which trail is best?",
        "Thanksgiving dinner at mine",
    ],
)
def test_not_thanks(text: str) -> None:
    assert not is_thanks(text)


def test_answered_questions_earn_once_per_asker() -> None:
    result = score([Recognition(ALICE, Signal.ANSWERED_QUESTION, 5)], own_ids={ME})
    assert result.of(Signal.ANSWERED_QUESTION) == SignalTotal(
        Signal.ANSWERED_QUESTION, 5, WEIGHTS[Signal.ANSWERED_QUESTION]
    )
    many = [Recognition(giver, Signal.ANSWERED_QUESTION, 3) for giver in (ALICE, BOB, CAROL)]
    assert score(many, own_ids={ME}).score == 3 * WEIGHTS[Signal.ANSWERED_QUESTION]
