"""Suggestions while someone types /digest or /intros (shown where platforms can)."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

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


def _suggest(typed: str, examples: tuple[str, ...]) -> list[str]:
    text = " ".join(typed.split()).lower()
    if text.startswith("tz"):
        wanted = text[2:].strip().replace(" ", "_")
        zones = [z for z in _zones() if wanted in z.lower()]
        zones.sort(key=lambda zone: (not zone.lower().split("/")[-1].startswith(wanted), zone))
        return [f"tz {zone}" for zone in zones[:MAX_SUGGESTIONS]]
    return [example for example in examples if example.startswith(text)] or list(examples)


def suggest_intro_actions(typed: str) -> list[str]:
    """What ``/intros`` could be followed by, given what the member typed so far."""
    return _suggest(typed, INTRO_EXAMPLES)


def suggest_digest_actions(typed: str) -> list[str]:
    """What ``/digest`` could be followed by, given what the admin typed so far.

    After ``tz`` the IANA time zones whose name contains the rest are offered
    (``tz shang`` → ``tz Asia/Shanghai``); otherwise the examples that match.
    """
    return _suggest(typed, EXAMPLES)
