"""The text rule for messages said to Hearth, and the playground's ``@hearth``."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from adapters.addressing import text_for_hearth
from adapters.model import Mention, Message
from adapters.playground.playground_adapter import to_event

AT = datetime(2026, 1, 1, tzinfo=UTC)


def _spans(text: str, mention: str = "@Hearth") -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(re.escape(mention), text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@Hearth what did I miss?", "what did I miss?"),
        ("@Hearth, what did I miss?", "what did I miss?"),
        ("@Hearth: who here knows Rust?", "who here knows Rust?"),
        ("  @Hearth   who here knows Rust?  ", "who here knows Rust?"),
        ("周五聚餐定了吗 @Hearth", "周五聚餐定了吗"),
        ("周五聚餐定了吗@Hearth", "周五聚餐定了吗"),
        ("@Hearth，周五聚餐定了吗？", "周五聚餐定了吗？"),
        ("thanks, @Hearth", "thanks"),
        ("@Hearth hi @Hearth", "hi"),
        ("@Hearth @Hearth hi", "hi"),
        ("ask @Hearth about it", "ask @Hearth about it"),
        ("@Hearth ask @Hearth about it", "ask @Hearth about it"),
        ("@Hearth", "@Hearth"),
        ("  @Hearth  ", "@Hearth"),
        ("@Hearth @Hearth", "@Hearth @Hearth"),
        ("what did I miss, @Hearth?", "what did I miss, @Hearth?"),
    ],
)
def test_edge_mentions_leave_the_text(text: str, expected: str) -> None:
    assert text_for_hearth(text, _spans(text)) == expected


def test_no_mentions_leaves_the_text_as_it_is() -> None:
    assert text_for_hearth("  spaced out  ", []) == "  spaced out  "


def test_mentions_inside_are_rendered() -> None:
    text = "<@42> ask <@42> or <@7>"
    spans = _spans(text, "<@42>")
    assert text_for_hearth(text, spans, lambda _: "@Hearth") == "ask @Hearth or <@7>"
    assert text_for_hearth("<@42>", _spans("<@42>", "<@42>"), lambda _: "@Hearth") == "@Hearth"


def _message(speaker: str, text: str) -> Message:
    event = to_event(speaker, text, "pg-1", AT)
    assert isinstance(event, Message)
    return event


def test_playground_at_hearth_addresses_hearth() -> None:
    asked = _message("alice", "@HEARTH what did I miss?")
    assert asked.addressed_to_hearth
    assert asked.text == "what did I miss?"
    assert asked.mentions == ()

    chinese = _message("carol", "周五聚餐定了吗 @hearth")
    assert chinese.addressed_to_hearth
    assert chinese.text == "周五聚餐定了吗"

    middle = _message("bob", "@wei ask @Hearth about the trail")
    assert middle.addressed_to_hearth
    assert middle.text == "@wei ask @Hearth about the trail"
    assert middle.mentions == (Mention(username="wei"),)


def test_playground_other_mentions_and_prefixes_do_not_address_hearth() -> None:
    for text in ("@bob which trail?", "hearth: what did I miss?", "@hearthling hi", "hi all"):
        message = _message("alice", text)
        assert not message.addressed_to_hearth, text
        assert message.text == text
    assert _message("alice", "@hearthling hi").mentions == (Mention(username="hearthling"),)
