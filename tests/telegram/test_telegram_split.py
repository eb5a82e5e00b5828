"""Splitting long replies into Telegram-sized messages."""

from __future__ import annotations

import pytest

from adapters.telegram import split_text, utf16_length


def test_short_text_is_one_piece() -> None:
    assert split_text("  hello  ") == ["hello"]
    assert split_text("   ") == []


def test_prefers_paragraphs_then_lines_then_spaces() -> None:
    assert split_text("aaaa\n\nbbbb\ncc", limit=10) == ["aaaa", "bbbb\ncc"]
    assert split_text("aaaa bbbb\ncccc", limit=10) == ["aaaa bbbb", "cccc"]
    assert split_text("aaaa bbbb cccc", limit=10) == ["aaaa bbbb", "cccc"]


def test_hard_cut_without_breaks() -> None:
    assert split_text("x" * 25, limit=10) == ["x" * 10, "x" * 10, "x" * 5]


def test_counts_utf16_units_and_keeps_surrogate_pairs() -> None:
    text = "😀" * 7  # 14 UTF-16 units
    pieces = split_text(text, limit=5)
    assert pieces == ["😀😀", "😀😀", "😀😀", "😀"]
    assert all(utf16_length(piece) <= 5 for piece in pieces)
    assert split_text("😀😀", limit=1) == ["😀", "😀"]  # never loops on a too-wide character


def test_rejects_non_positive_limit() -> None:
    with pytest.raises(ValueError, match="positive"):
        split_text("abc", limit=0)
