"""The buttons under /settings: one press for the common changes to a chat."""

from __future__ import annotations

from adapters.model import Button, ButtonRows
from bots.storage.records import ChatSettings

DIGEST_BUTTONS: ButtonRows = (
    (
        Button("Digest daily 09:00", "/digest daily 09:00"),
        Button("Digest weekly Mon 18:00", "/digest weekly mon 18:00"),
    ),
    (
        Button("Digest off", "/digest off"),
        Button("Digest status", "/digest status"),
    ),
)
"""Quick picks for the digest schedule, and its status."""

INTRO_BUTTONS: tuple[Button, ...] = (
    Button("Intros weekly", "/intros weekly"),
    Button("Intros off", "/intros off"),
)
"""Shown when the chat has an intro cadence to change."""


def settings_keyboard(settings: ChatSettings, *, intro_cadence: str | None = None) -> ButtonRows:
    """The /settings buttons for a chat with ``settings``, one row per topic.

    Twins get the one button that changes their state; the digest its quick picks. With
    ``intro_cadence`` (the current cadence, in words) intros get a row too.
    """
    twins = (
        Button("Twins off", "/settings twins off")
        if settings.twins_enabled
        else Button("Twins on", "/settings twins on")
    )
    rows: list[tuple[Button, ...]] = [(twins,), *DIGEST_BUTTONS]
    if intro_cadence is not None:
        rows.append(INTRO_BUTTONS)
    return tuple(rows)
