"""Chat admin commands: /settings shows a chat's settings and changes its twin and
assistant settings."""

from __future__ import annotations

import math

from adapters.model import Command
from bots.command_catalog import usage_hint
from bots.intro_commands import IntroCommands
from bots.reply_languages import SETTINGS, ReplyLanguages
from bots.storage.records import ChatSettings
from bots.storage.repository import Storage
from jobs.schedule_spec import ScheduleSpec
from locales import using

MAX_ABSENCE_MINUTES = 7 * 24 * 60


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
            quiet = (
                "a quiet period gets one line"
                if await self._storage.digest_quiet_line(chat_id)
                else "a quiet period gets none"
            )
            digest = (
                f"Digest {spec.describe()}; {quiet}."
                if spec is not None and not spec.is_off
                else "No scheduled digest (/digest daily 09:00 sets one)."
            )
            return f"{described} {digest} {await self._intros.status(chat_id)}"
        if command.sender_is_admin is not True:
            return "Sorry, only this chat's admins can change its settings."
        if len(words) != 2:
            return usage_hint("settings")
        setting, value = words[0].lower(), words[1].lower()
        if setting == "twins" and value in ("on", "off"):
            updated = await self._storage.update_chat_settings(chat_id, twins_enabled=value == "on")
            return "Saved. " + _describe(updated)
        if setting == "assistant" and value in ("on", "off"):
            updated = await self._storage.update_chat_settings(
                chat_id, assistant_enabled=value == "on"
            )
            return "Saved. " + _describe(updated)
        if setting == "language" and value in SETTINGS:
            updated = await self._storage.update_chat_settings(chat_id, language=value)
            self._languages.forget(command.chat)
            with using(await self._languages.for_chat(command.chat)):
                return "Saved. " + _describe(updated)
        if setting == "absence":
            try:
                minutes = float(value)
            except ValueError:
                minutes = math.nan
            if not 0 <= minutes <= MAX_ABSENCE_MINUTES:
                return (
                    f"Absence is minutes of quiet from 0 to {MAX_ABSENCE_MINUTES}, "
                    "for example: /settings absence 30"
                )
            updated = await self._storage.update_chat_settings(
                chat_id, twin_absence_minutes=minutes
            )
            return "Saved. " + _describe(updated)
        return usage_hint("settings")


def _describe(settings: ChatSettings) -> str:
    state = "on" if settings.twins_enabled else "off"
    assistant = (
        "Hearth answers when addressed (@hearth …)."
        if settings.assistant_enabled
        else "Hearth does not answer when addressed (/settings assistant on)."
    )
    language = {
        "auto": "Language: auto (what the chat mostly writes).",
        "en": "Language: English.",
        "zh": "Language: Chinese.",
    }.get(settings.language, "Language: auto (what the chat mostly writes).")
    return (
        f"Twins in this chat: {state}. A twin answers after {settings.twin_absence_minutes:g} "
        f"minutes of quiet. {assistant} {language}"
    )
