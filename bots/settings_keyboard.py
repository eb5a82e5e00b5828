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

INTRO_CADENCES = ("weekly", "biweekly", "monthly")
"""Introduction cadences offered as buttons (the current one is left out)."""


def settings_keyboard(settings: ChatSettings, *, intro_cadence: str | None = None) -> ButtonRows:
    """The /settings buttons for a chat with ``settings``, one row per topic.

    Twins and the assistant get the one button that changes each one's state; the digest
    its quick picks. With ``intro_cadence`` (the current cadence kind: ``weekly``,
    ``biweekly``, ``monthly`` or ``off``) intros get a row that changes it.
    """
    twins = (
        Button("Twins off", "/settings twins off")
        if settings.twins_enabled
        else Button("Twins on", "/settings twins on")
    )
    assistant = (
        Button("Assistant off", "/settings assistant off")
        if settings.assistant_enabled
        else Button("Assistant on", "/settings assistant on")
    )
    rows: list[tuple[Button, ...]] = [(twins, assistant), *DIGEST_BUTTONS]
    if intro_cadence is not None:
        intros = [
            Button(f"Intros {kind}", f"/intros {kind}")
            for kind in INTRO_CADENCES
            if kind != intro_cadence
        ]
        if intro_cadence != "off":
            intros.append(Button("Intros off", "/intros off"))
        rows.append(tuple(intros))
    return tuple(rows)
