"""The /settings buttons: what they offer for a chat's current settings."""

from __future__ import annotations

import pytest

from adapters.model import Button, ButtonRows
from bots.command_catalog import COMMANDS_BY_NAME
from bots.settings_keyboard import settings_keyboard
from bots.storage.records import ChatSettings

TWINS_ON = ChatSettings(chat_id=1, twins_enabled=True, twin_absence_minutes=30)
TWINS_OFF = ChatSettings(chat_id=1, twins_enabled=False, twin_absence_minutes=30)


def _commands(rows: ButtonRows) -> list[list[str]]:
    return [[button.command for button in row] for row in rows]


def test_twins_button_changes_the_current_state() -> None:
    assert settings_keyboard(TWINS_ON)[0][0].command == "/settings twins off"
    assert settings_keyboard(TWINS_ON)[0][0].label == "Twins off"
    assert settings_keyboard(TWINS_OFF)[0][0].command == "/settings twins on"
    assert settings_keyboard(TWINS_OFF)[0][0].label == "Twins on"


def test_assistant_button_changes_the_current_state() -> None:
    off = ChatSettings(
        chat_id=1, twins_enabled=True, twin_absence_minutes=30, assistant_enabled=False
    )
    assert settings_keyboard(TWINS_ON)[0][1] == Button("Assistant off", "/settings assistant off")
    assert settings_keyboard(off)[0][1] == Button("Assistant on", "/settings assistant on")


def test_digest_quick_picks_and_status() -> None:
    assert _commands(settings_keyboard(TWINS_OFF)) == [
        ["/settings twins on", "/settings assistant off"],
        ["/digest daily 09:00", "/digest weekly mon 18:00"],
        ["/digest off", "/digest status"],
    ]


def test_intros_row_changes_the_current_cadence() -> None:
    without = settings_keyboard(TWINS_ON)
    weekly = settings_keyboard(TWINS_ON, intro_cadence="weekly")
    off = settings_keyboard(TWINS_ON, intro_cadence="off")

    assert all("/intros" not in c for row in _commands(without) for c in row)
    assert weekly[:-1] == without
    assert _commands(weekly)[-1] == ["/intros biweekly", "/intros monthly", "/intros off"]
    assert _commands(off)[-1] == ["/intros weekly", "/intros biweekly", "/intros monthly"]


def test_every_button_is_a_short_command_hearth_knows() -> None:
    for settings in (TWINS_ON, TWINS_OFF):
        for row in settings_keyboard(settings, intro_cadence="off"):
            assert 1 <= len(row) <= 3
            for button in row:
                assert len(button.command.encode("utf-8")) <= 64  # Telegram's callback data
                name = button.command.split()[0].removeprefix("/")
                assert name in COMMANDS_BY_NAME


def test_a_button_must_send_a_command() -> None:
    for label, command in (("", "/twin on"), ("Twin", "twin on"), ("Twin", "/")):
        with pytest.raises(ValueError):
            Button(label, command)
