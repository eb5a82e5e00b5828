"""The label every twin message carries, and how to recognise it."""

from __future__ import annotations

from locales import tr

TWIN_MARK = "🪞"
"""The mark that starts every twin message, so people and bots can tell twins apart."""


def twin_label(display_name: str) -> str:
    """The first line of every twin message, in the current reply language: whose twin it
    is, and that it is not them."""
    return TWIN_MARK + " " + tr("Twin of {name} · automated reply, not {name}", name=display_name)


def looks_like_twin_message(text: str) -> bool:
    """True when ``text`` starts like a twin message (a twin never answers another twin)."""
    return text.lstrip().startswith(TWIN_MARK)
