"""Splitting long replies into pieces that fit a platform's message limit.

Platforms count message length in UTF-16 code units (Telegram 4096, Discord
2000), so an emoji outside the basic plane counts twice.
"""

from __future__ import annotations

_BREAKS = ("\n\n", "\n", " ")


def utf16_length(text: str) -> int:
    """The length of ``text`` in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _prefix_within(text: str, limit: int) -> int:
    """The largest number of characters from the start of ``text`` within ``limit`` units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def split_text(text: str, limit: int) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` UTF-16 units.

    Cuts at the last paragraph break that fits, else the last line break, else the last
    space, else hard at the limit. Whitespace at the cuts is dropped; empty pieces are
    never returned.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    pieces: list[str] = []
    rest = text.strip()
    while rest:
        if utf16_length(rest) <= limit:
            pieces.append(rest)
            break
        fits = _prefix_within(rest, limit)
        cut = -1
        for separator in _BREAKS:
            cut = rest.rfind(separator, 0, fits + len(separator))
            if cut > 0:
                break
        if cut <= 0:
            cut = max(fits, 1)  # a character wider than the limit still goes out alone
        piece = rest[:cut].rstrip()
        if piece:
            pieces.append(piece)
        rest = rest[cut:].lstrip()
    return pieces
