"""How the member page names reputation signals and explains the score."""

from __future__ import annotations

from typing import Any

from bots.reputation import PER_GIVER_CAP, WEIGHTS, Signal
from locales import N_, tr_marked

SIGNAL_LABELS = {
    Signal.THANKS: N_("Thank-you replies from others"),
    Signal.CONFIRMED_ANSWER: N_("Twin answers you confirmed"),
    Signal.ANSWERED_QUESTION: N_("Questions of others you answered"),
    Signal.REACTION: N_("Reactions from others"),
}
"""The page's name for each signal (English catalog messages)."""


def signal_label(signal: Signal) -> str:
    """A signal's name in the language in use."""
    return tr_marked(SIGNAL_LABELS[signal])


REPUTATION_GLOBALS: dict[str, Any] = {
    "signal_label": signal_label,
    "reputation_cap": PER_GIVER_CAP,
    "reputation_weights": {signal.value: weight for signal, weight in WEIGHTS.items()},
}
"""What the reputation template needs besides the page data."""
