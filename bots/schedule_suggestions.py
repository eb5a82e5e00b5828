"""Suggestions while someone types /digest or /intros (shown where platforms can)."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from jobs.languages import HAN

MAX_SUGGESTIONS = 25
EXAMPLES = (
    "now",
    "preview",
    "status",
    "daily 09:00",
    "weekly mon 18:00",
    "every 12h",
    "tz UTC",
    "off",
    "quiet skip",
    "quiet line",
    "me daily 08:00",
    "me now",
    "me status",
    "me off",
)
CHINESE_EXAMPLES = (
    "现在",
    "预览",
    "状态",
    "每天 09:00",
    "每周一 18:00",
    "每 12小时",
    "时区 UTC",
    "关",
    "安静 跳过",
    "安静 一行",
    "我 每天 08:00",
    "我 现在",
    "我 状态",
    "我 关",
)
"""The examples in Chinese command words, offered once someone types Chinese."""
_ZONE_WORDS = ("tz", "时区")


@cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


INTRO_EXAMPLES = (
    "me on",
    "me off",
    "me status",
    "me snooze 2w",
    "me wake",
    "me avoid @",
    "me allow @",
    "status",
    "weekly",
    "biweekly",
    "monthly",
    "off",
    "now",
    "tz UTC",
    "post group",
    "post dm",
)


def _suggest(typed: str, examples: tuple[str, ...], chinese: tuple[str, ...] = ()) -> list[str]:
    text = " ".join(typed.split()).lower()
    for word in _ZONE_WORDS:
        if text.startswith(word):
            wanted = text[len(word) :].strip().replace(" ", "_")
            zones = [z for z in _zones() if wanted in z.lower()]
            zones.sort(key=lambda zone: (not zone.lower().split("/")[-1].startswith(wanted), zone))
            return [f"{word} {zone}" for zone in zones[:MAX_SUGGESTIONS]]
    if chinese and HAN.search(text):
        examples = chinese
    return [example for example in examples if example.startswith(text)] or list(examples)


def suggest_intro_actions(typed: str) -> list[str]:
    """What ``/intros`` could be followed by, given what the member typed so far."""
    return _suggest(typed, INTRO_EXAMPLES)


def suggest_digest_actions(typed: str) -> list[str]:
    """What ``/digest`` could be followed by, given what the admin typed so far.

    After ``tz`` the IANA time zones whose name contains the rest are offered
    (``tz shang`` → ``tz Asia/Shanghai``, ``时区 shang`` → ``时区 Asia/Shanghai``);
    otherwise the examples that match, in Chinese command words once Chinese is typed.
    """
    return _suggest(typed, EXAMPLES, CHINESE_EXAMPLES)
