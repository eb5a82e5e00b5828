"""The main language of a chat, told from the scripts its messages are written in."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Language(StrEnum):
    """A language Hearth writes digests and introductions in.

    ``OTHER`` is any language that is neither Chinese nor English; it is
    rendered with the English templates.
    """

    ENGLISH = "en"
    CHINESE = "zh"
    OTHER = "other"


def is_han(char: str) -> bool:
    """True for a Chinese (Han) ideograph."""
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x2FA1F
    )


def _is_kana_or_hangul(char: str) -> bool:
    code = ord(char)
    return 0x3040 <= code <= 0x30FF or 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF


def script_of(text: str) -> Language | None:
    """The script a single text is mostly written in, or ``None`` without letters.

    A Han character weighs as much as a Latin word (about 4.5 letters), so a
    short Chinese phrase in an English sentence does not flip it. Japanese
    (kana) and Korean (hangul) count as ``OTHER`` even when they use Han.
    """
    han = latin = other = 0
    for char in text:
        if char.isascii():
            latin += char.isalpha()
        elif is_han(char):
            han += 1
        elif _is_kana_or_hangul(char) or char.isalpha():
            other += 1
    weights = {
        Language.CHINESE: float(han),
        Language.ENGLISH: latin / 4.5,
        Language.OTHER: other / 2.0,
    }
    best = max(weights, key=lambda language: weights[language])
    if weights[best] == 0:
        return None
    if best is Language.CHINESE and other > han / 4:
        return Language.OTHER
    return best


def detect_language(texts: Iterable[str]) -> Language:
    """The chat's main language: the script most of its messages are written in.

    Each message with letters votes for its script (see :func:`script_of`);
    ties and chats without any letters fall back to English.
    """
    votes = dict.fromkeys(Language, 0)
    for text in texts:
        script = script_of(text)
        if script is not None:
            votes[script] += 1
    order = (Language.ENGLISH, Language.CHINESE, Language.OTHER)
    return max(order, key=lambda language: votes[language])
