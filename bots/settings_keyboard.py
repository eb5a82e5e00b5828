"""The buttons under /settings: one press for the common changes to a chat."""

from __future__ import annotations

from adapters.model import Button, ButtonRows
from bots.storage.records import ChatSettings
from locales import N_, tr, tr_marked

DIGEST_BUTTONS: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        (N_("Digest daily 09:00"), "/digest daily 09:00"),
        (N_("Digest weekly Mon 18:00"), "/digest weekly mon 18:00"),
    ),
    (
        (N_("Digest off"), "/digest off"),
        (N_("Digest status"), "/digest status"),
    ),
)
"""Quick picks for the digest schedule, and its status: (English label, command)."""

INTRO_CADENCES = ("weekly", "biweekly", "monthly")
"""Introduction cadences offered as buttons (the current one is left out)."""

INTRO_LABELS = {
    "weekly": N_("Intros weekly"),
    "biweekly": N_("Intros biweekly"),
    "monthly": N_("Intros monthly"),
    "off": N_("Intros off"),
}
"""The label of the button that sets each introduction cadence."""


def settings_keyboard(settings: ChatSettings, *, intro_cadence: str | None = None) -> ButtonRows:
    """The /settings buttons for a chat with ``settings``, one row per topic.

    Twins and the assistant get the one button that changes each one's state; the digest
    its quick picks. With ``intro_cadence`` (the current cadence kind: ``weekly``,
    ``biweekly``, ``monthly`` or ``off``) intros get a row that changes it. Labels are in
    the reply language; the commands they send stay English.
    """
    twins = (
        Button(tr("Twins off"), "/settings twins off")
        if settings.twins_enabled
        else Button(tr("Twins on"), "/settings twins on")
    )
    assistant = (
        Button(tr("Assistant off"), "/settings assistant off")
        if settings.assistant_enabled
        else Button(tr("Assistant on"), "/settings assistant on")
    )
    rows: list[tuple[Button, ...]] = [(twins, assistant)]
    rows.extend(
        tuple(Button(tr_marked(label), command) for label, command in row) for row in DIGEST_BUTTONS
    )
    if intro_cadence is not None:
        intros = [
            Button(tr_marked(INTRO_LABELS[kind]), f"/intros {kind}")
            for kind in INTRO_CADENCES
            if kind != intro_cadence
        ]
        if intro_cadence != "off":
            intros.append(Button(tr_marked(INTRO_LABELS["off"]), "/intros off"))
        rows.append(tuple(intros))
    return tuple(rows)
