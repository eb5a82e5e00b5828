"""Newcomers in chat text: members introducing themselves, and others welcoming someone.

Surface cues in English and Chinese: ``大家好，我是…``, ``新人报到``, ``刚进群``,
``Hi all, I'm …``, ``new here``; ``欢迎 @X``, ``welcome X!`` (not ``welcome back``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from jobs.web_links import without_urls

_ZH_INTRO = re.compile(
    r"(?:大家好|各位好|大家晚上好|大家早上好|大家下午好|哈喽|嗨|hello|hi)[^。！？!?]{0,8}我(?:是|叫)"
    r"|自我介绍|新人(?:报到|报道|一枚|求带|请多|来了)|我是新(?:人|来的|成员)"
    r"|刚(?:进|加入|入)(?:群|这个群|社区|咱们群|本群)|初来乍到|请多(?:多)?关照|多多(?:指教|关照)"
)
_EN_INTRO = re.compile(
    r"(?i)\b(?:new\s+here|i'?m\s+new\b|(?:just|recently)\s+joined|introduce\s+myself"
    r"|new\s+(?:member|to\s+(?:the|this)\s+(?:group|chat|community|server))"
    r"|glad\s+to\s+(?:be\s+here|join)|happy\s+to\s+be\s+here|my\s+name\s+is|name'?s\s+\w+)"
    r"|^\s*intro(?:duction)?\s*[:：-]"
)
_EN_GREETING_NAME = re.compile(
    r"(?i:\b(?:hi|hello|hey|greetings)\b)[^.!?\n]{0,25}\b(?i:i'?m|i\s+am)\s+"
    r"(?:[A-Z][\w'-]+|(?i:an?\s+(?!bit\b|little\b|tad\b|hour\b|minute\b|few\b)\w+))"
)
_WELCOME = re.compile(r"(?i)欢迎|歡迎|\bwelcome\b")
_WELCOME_BACK = re.compile(r"(?i)欢迎回来|歡迎回來|\bwelcome\s+back\b")


def is_self_intro(text: str) -> bool:
    """Whether a message introduces its author (``大家好我是…``, ``新人报到``, ``I'm Ana``)."""
    text = without_urls(text)
    return bool(_ZH_INTRO.search(text) or _EN_INTRO.search(text) or _EN_GREETING_NAME.search(text))


def is_welcome(text: str) -> bool:
    """Whether a message welcomes someone (``欢迎``, ``welcome``), not back."""
    return bool(_WELCOME.search(text)) and not _WELCOME_BACK.search(text)


def welcomed_names(text: str, names: Iterable[str]) -> list[str]:
    """The ``names`` a welcoming message names, as written (``欢迎 @小林``, ``welcome Ana!``)."""
    if not is_welcome(text):
        return []
    found = []
    lowered = text.lower()
    for name in names:
        key = name.strip().lower()
        if len(key) < 2:
            continue
        if re.search(r"[a-z0-9]", key):
            hit = re.search(rf"(?<![\w]){re.escape(key)}(?![\w])", lowered)
        else:
            hit = re.search(re.escape(key), lowered)
        if hit:
            found.append(name)
    return found
