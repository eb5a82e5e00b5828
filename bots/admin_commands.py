"""Chat admin commands: /settings shows a chat's settings and changes its twin and
assistant settings."""

from __future__ import annotations

import math
from datetime import timedelta

from adapters.model import Command
from bots.command_catalog import usage_hint
from bots.durations import DurationError, parse_duration
from bots.intro_commands import IntroCommands
from bots.reply_languages import SETTINGS, ReplyLanguages
from bots.storage.records import ChatSettings
from bots.storage.repository import Storage
from jobs.schedule_spec import ScheduleSpec
from locales import N_, join_sentences, tr, tr_marked, using

MAX_ABSENCE_MINUTES = 7 * 24 * 60

LANGUAGE_LINES = {
    "auto": N_("Language: auto (what the chat mostly writes)."),
    "en": N_("Language: English."),
    "zh": N_("Language: Chinese."),
}
"""The ``/settings`` line for each ``/settings language`` value."""


class AdminCommands:
    """Commands that change a chat for everyone; only its admins may use them."""

    def __init__(self, storage: Storage, intros: IntroCommands, languages: ReplyLanguages) -> None:
        self._storage = storage
        self._intros = intros
        self._languages = languages

    async def settings(self, command: Command, words: tuple[str, ...]) -> str:
        """``/settings`` shows the chat's settings; with arguments, changes one."""
        chat_id = await self._storage.ensure_chat(command.chat)
        if not words:
            described = _describe(await self._storage.chat_settings(chat_id))
            stored = await self._storage.digest_schedule(chat_id)
            spec = ScheduleSpec.from_json(stored) if stored else None
            if spec is None or spec.is_off:
                digest = tr("No scheduled digest (/digest daily 09:00 sets one).")
            elif await self._storage.digest_quiet_line(chat_id):
                digest = tr(
                    "Digest {schedule}; a quiet period gets one line.", schedule=spec.describe()
                )
            else:
                digest = tr(
                    "Digest {schedule}; a quiet period gets none.", schedule=spec.describe()
                )
            return join_sentences(described, digest, await self._intros.status(chat_id))
        if command.sender_is_admin is not True:
            return tr("Sorry, only this chat's admins can change its settings.")
        if len(words) != 2:
            return usage_hint("settings")
        setting, value = words[0].lower(), words[1].lower()
        if setting == "twins" and value in ("on", "off"):
            updated = await self._storage.update_chat_settings(chat_id, twins_enabled=value == "on")
            return _saved(updated)
        if setting == "assistant" and value in ("on", "off"):
            updated = await self._storage.update_chat_settings(
                chat_id, assistant_enabled=value == "on"
            )
            return _saved(updated)
        if setting == "language" and value in SETTINGS:
            updated = await self._storage.update_chat_settings(chat_id, language=value)
            self._languages.forget(command.chat)
            with using(await self._languages.for_chat(command.chat)):
                return _saved(updated)
        if setting == "absence":
            minutes = _absence_minutes(value)
            if not 0 <= minutes <= MAX_ABSENCE_MINUTES:
                return tr(
                    "Absence is minutes of quiet from 0 to {most}, for example: "
                    "/settings absence 30",
                    most=MAX_ABSENCE_MINUTES,
                )
            updated = await self._storage.update_chat_settings(
                chat_id, twin_absence_minutes=minutes
            )
            return _saved(updated)
        return usage_hint("settings")


def _absence_minutes(value: str) -> float:
    """Minutes typed as ``30``, or as a duration (``2h``, ``30分钟``); NaN when neither."""
    try:
        return float(value)
    except ValueError:
        pass
    try:
        length = parse_duration(value, maximum=timedelta(minutes=MAX_ABSENCE_MINUTES))
    except DurationError:
        return math.nan
    return length.total_seconds() / 60


def _saved(settings: ChatSettings) -> str:
    return join_sentences(tr("Saved."), _describe(settings))


def _describe(settings: ChatSettings) -> str:
    twins = (
        tr("Twins in this chat: on.") if settings.twins_enabled else tr("Twins in this chat: off.")
    )
    quiet = tr(
        "A twin answers after {minutes} minutes of quiet.",
        minutes=f"{settings.twin_absence_minutes:g}",
    )
    assistant = (
        tr("Hearth answers when addressed (@hearth …).")
        if settings.assistant_enabled
        else tr("Hearth does not answer when addressed (/settings assistant on).")
    )
    language = tr_marked(LANGUAGE_LINES.get(settings.language, LANGUAGE_LINES["auto"]))
    return join_sentences(twins, quiet, assistant, language)
