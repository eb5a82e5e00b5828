"""Chat text as untrusted input to a language model, shared by twins and digests.

Stored chat text is data, never instructions. Before it goes into a prompt it
is :func:`neutralise`-d and placed inside one ``<untrusted_data>`` block; a
model's output is checked for reasoning blocks, links and echoed instructions.
"""

from __future__ import annotations

import re

BLOCK_TAG = "untrusted_data"
"""The element that holds every piece of chat text in a prompt."""

URL = re.compile(r"https?://[^\s<>\"'`)\]】》，。]+", re.IGNORECASE)
"""A web address, up to the punctuation that usually ends one in chat text."""

LEAK_WINDOW = 8
"""An output that repeats this many consecutive words of the instructions leaks them."""

_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u2060-\u2064\ufeff\u202a-\u202e\u2066-\u2069]"
)
"""Control characters, zero-width spaces and bidi overrides: ways to hide text from readers."""

_LOOK_ALIKES = str.maketrans(
    {"<": "‹", ">": "›", "＜": "‹", "＞": "›", "﹤": "‹", "﹥": "›", "〈": "‹", "〉": "›"}
)
"""Angle brackets in chat text become single guillemets: no chat text can form a tag."""

_REASONING = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.DOTALL | re.IGNORECASE)
_UNCLOSED_REASONING = re.compile(r"<(?:think|thinking|reasoning)>", re.IGNORECASE)
_WORD = re.compile(r"\w+")


def neutralise(text: str) -> str:
    """Chat text made safe to place inside the untrusted block.

    Angle brackets (ASCII and full-width) become ``‹`` ``›``, so nothing in the
    text can open or close an element such as ``</untrusted_data>`` or
    ``<|im_start|>``; control characters, zero-width spaces and bidi overrides
    are removed; line ends are normalised.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    return text.translate(_LOOK_ALIKES).strip()


def without_reasoning(text: str) -> str | None:
    """``text`` without ``<think>…</think>`` blocks; ``None`` when one is never closed."""
    text = _REASONING.sub("", text)
    if _UNCLOSED_REASONING.search(text):
        return None
    return text


def repeats_instructions(text: str, instructions: str, window: int = LEAK_WINDOW) -> bool:
    """True when ``text`` repeats ``window`` consecutive words of ``instructions``."""
    words = [w.lower() for w in _WORD.findall(instructions)]
    grams = {tuple(words[i : i + window]) for i in range(len(words) - window + 1)}
    said = [w.lower() for w in _WORD.findall(text)]
    return any(tuple(said[i : i + window]) in grams for i in range(len(said) - window + 1))
