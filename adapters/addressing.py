"""The one text rule for messages said to Hearth, shared by every adapter.

A mention of Hearth at the very start or end of a message only says who is spoken to, so
it is taken out of the text (with the whitespace around it, and a comma or colon right
after a leading mention): ``@Hearth, what did I miss?`` reads ``what did I miss?`` and
``周五聚餐定了吗 @Hearth`` reads ``周五聚餐定了吗``. A mention of Hearth inside a sentence
stays, as ``@Name``. A message that is nothing but the mention keeps it, so that no
message arrives without text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

Span = tuple[int, int]
"""Where a mention of Hearth sits in a text: ``text[start:end]``."""

_AFTER_LEADING = ",:;，：；、"
_BEFORE_TRAILING = ",，、"


def _identity(fragment: str) -> str:
    return fragment


def text_for_hearth(
    text: str,
    spans: Sequence[Span],
    render: Callable[[str], str] = _identity,
) -> str:
    """``text`` with Hearth's mentions at its start and end removed (see the module rule).

    ``spans`` are the mentions of Hearth in ``text`` (non-overlapping); those left inside
    the text are replaced with ``render(fragment)`` (by default kept as written).
    """
    if not spans:
        return text
    ordered = sorted(spans)
    starts = dict(ordered)
    ends = {end: start for start, end in ordered}
    low, high = 0, len(text)
    while True:
        position = _skip_space(text, low, high)
        end = starts.get(position)
        if end is None or end > high:
            break
        low = _skip_space(text, end, high)
        if low < high and text[low] in _AFTER_LEADING:
            low += 1
    while True:
        position = _skip_space_back(text, low, high)
        start = ends.get(position)
        if start is None or start < low:
            break
        high = _skip_space_back(text, low, start)
        if high > low and text[high - 1] in _BEFORE_TRAILING:
            high -= 1
    if not text[low:high].strip():
        low, high = 0, len(text)
    pieces: list[str] = []
    cursor = low
    for start, end in ordered:
        if start < low or end > high:
            continue
        pieces.append(text[cursor:start])
        pieces.append(render(text[start:end]))
        cursor = end
    pieces.append(text[cursor:high])
    return "".join(pieces).strip()


def _skip_space(text: str, low: int, high: int) -> int:
    while low < high and text[low].isspace():
        low += 1
    return low


def _skip_space_back(text: str, low: int, high: int) -> int:
    while high > low and text[high - 1].isspace():
        high -= 1
    return high
