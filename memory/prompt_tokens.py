"""Prompt sizes without a tokenizer: a model-agnostic token estimate, and cutting to it.

Shared by twins and digests, so every budget counts the same way.
"""

from __future__ import annotations

import math
import re

MESSAGE_OVERHEAD_TOKENS = 4
"""Tokens a chat API adds around each message (role markers)."""

ELLIPSIS = "…"

_CJK = (
    "\u2e80-\u2fff\u3000-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\ua000-\ua4cf\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
    "\U00020000-\U0003134f"
)
_CJK_CHAR = re.compile(f"[{_CJK}]")


def estimate_tokens(text: str) -> int:
    """A model-agnostic token estimate.

    CJK characters (Chinese, Japanese, Korean, full-width forms) count about
    one token each, ASCII about four characters per token, and other scripts
    (Cyrillic, Greek, emoji, …) about two characters per token. Tokenizers of
    current chat models land at or below this for chat text.
    """
    if not text:
        return 0
    cjk = len(_CJK_CHAR.findall(text))
    ascii_chars = len(text.encode("ascii", "ignore"))
    other = len(text) - cjk - ascii_chars
    return math.ceil(cjk + ascii_chars / 4 + other / 2)


def _char_cost(char: str) -> float:
    if char < "\x80":
        return 0.25
    return 1.0 if _CJK_CHAR.match(char) else 0.5


def truncate_to_tokens(text: str, limit: int) -> str:
    """``text`` cut to about ``limit`` estimated tokens, ending in an ellipsis when cut."""
    if estimate_tokens(text) <= limit:
        return text
    room = max(0.0, limit - 1.0)  # the ellipsis
    spent = 0.0
    end = 0
    for index, char in enumerate(text):
        spent += _char_cost(char)
        if spent > room:
            end = index
            break
    return text[:end].rstrip() + ELLIPSIS
