"""What a quoting twin says around its quotes, in the current reply language.

The language is chosen by the caller (``locales.using``): the chat's setting when an
admin chose one, else the question's own script.
"""

from __future__ import annotations

from datetime import datetime

from locales import tr


def day_of(moment: datetime) -> str:
    """A message's day as the twin writes it: ``2026-11-16``."""
    return moment.strftime("%Y-%m-%d")


def away(name: str, last_seen: datetime | None, now: datetime) -> str:
    """``name`` is away, and when they last posted here."""
    if last_seen is None:
        return tr("{name} is away (has not posted here yet).", name=name)
    minutes = max(0, int((now - last_seen).total_seconds() // 60))
    if minutes < 60:
        return tr(
            "{name} is away (last posted here {minutes} min ago).", name=name, minutes=minutes
        )
    if minutes < 48 * 60:
        return tr(
            "{name} is away (last posted here {hours} h ago).", name=name, hours=minutes // 60
        )
    return tr("{name} is away (last posted here on {day}).", name=name, day=day_of(last_seen))


def invite(name: str) -> str:
    """What to do when the mention asked nothing."""
    return tr(
        "Mention {name} with a question and I will look through what {name} said in this chat.",
        name=name,
    )


def nothing_found(name: str) -> str:
    """The twin found nothing that answers, and will not guess."""
    return tr(
        "I found nothing {name} said in this chat about that, so I won't guess. "
        "{name} can answer when back.",
        name=name,
    )


def cannot_search(name: str) -> str:
    """The twin cannot reach the member's messages right now."""
    return tr(
        "{name} is away, and I can't look through what {name} said right now. "
        "Please ask again later, or {name} can answer when back.",
        name=name,
    )


def quotes_follow(name: str) -> str:
    """The line before the quotes."""
    return tr("What {name} said here that may help:", name=name)


def earlier(day: str) -> str:
    """The mark before an older statement."""
    return tr("earlier, {day}: ", day=day)
