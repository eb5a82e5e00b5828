"""Which words of a question name what it is about, for the assistant's chat search."""

from __future__ import annotations

import pytest

from bots.assistant.chat_search import subject_terms


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("How many people are on watering each day this month?", {"watering"}),
        ("how often do we water the beds every week?", {"beds", "water"}),
        ("这个月每天几个人浇水？", {"浇水"}),
        ("what did we decide about the seed swap?", {"seed", "swap"}),
    ],
)
def test_how_much_how_often_and_when_name_no_subject(question: str, subject: set[str]) -> None:
    assert subject_terms(question) == subject
