"""The main language of a chat, told from the scripts its messages are written in."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

import locales


class Language(StrEnum):
    """A language Hearth writes digests and introductions in.

    ``OTHER`` is any language that is neither Chinese nor English; it is
    rendered with the English templates.
    """

    ENGLISH = "en"
    CHINESE = "zh"
    OTHER = "other"


HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
"""One Chinese (Han) ideograph."""
_KANA_HANGUL = re.compile("[\u3040-\u30ff\u1100-\u11ff\uac00-\ud7af]")
_LATIN = re.compile("[A-Za-z]")
_LETTER = re.compile(r"[^\W\d_]")


def count_han(text: str) -> int:
    """How many Han ideographs ``text`` holds."""
    return len(HAN.findall(text))


def script_of(text: str) -> Language | None:
    """The script a single text is mostly written in, or ``None`` without letters.

    A Han character weighs as much as a Latin word (about 4.5 letters), so a
    short Chinese phrase in an English sentence does not flip it. Japanese
    (kana) and Korean (hangul) count as ``OTHER`` even when they use Han.
    """
    han = count_han(text)
    latin = len(_LATIN.findall(text))
    kana_hangul = len(_KANA_HANGUL.findall(text))
    other = max(0, len(_LETTER.findall(text)) - latin - han - kana_hangul) + kana_hangul
    weights = {
        Language.CHINESE: float(han),
        Language.ENGLISH: latin / 4.5,
        Language.OTHER: other / 2.0,
    }
    best = max(weights, key=lambda language: weights[language])
    if weights[best] == 0:
        return None
    if best is Language.CHINESE and kana_hangul > han / 4:
        return Language.OTHER
    return best


_CHINESE_FRAME = re.compile(r"[吗呢吧嘛？，。]|什么|怎么|哪|谁|几|有没有|有人|是不是")


def question_script(question: str) -> Language | None:
    """The script ``question`` is asked in: as :func:`script_of`, but Chinese too when it
    is asked in Chinese around English names ("有人跑 Toronto Waterfront Marathon 吗？");
    ``None`` when it has no letters."""
    script = script_of(question)
    if (
        script is not Language.CHINESE
        and count_han(question) >= 2
        and _CHINESE_FRAME.search(question)
    ):
        return Language.CHINESE
    return script


def detect_language(texts: Iterable[str]) -> Language:
    """The chat's main language: the script most of its messages are written in.

    Each message with letters votes for its script (see :func:`script_of`);
    ties and chats without any letters fall back to English.
    """
    return language_of_scripts(script_of(text) for text in texts)


def language_of_scripts(scripts: Iterable[Language | None]) -> Language:
    """The main language of messages written in ``scripts`` (see :func:`detect_language`)."""
    votes = dict.fromkeys(Language, 0)
    for script in scripts:
        if script is not None:
            votes[script] += 1
    order = (Language.ENGLISH, Language.CHINESE, Language.OTHER)
    return max(order, key=lambda language: votes[language])


def language_of_script(script: Language | None) -> locales.Language | None:
    """The language Hearth writes in for a detected script: Chinese for Chinese, English
    for any other (``None`` stays ``None``: nothing was detected)."""
    if script is None:
        return None
    return "zh" if script is Language.CHINESE else "en"
