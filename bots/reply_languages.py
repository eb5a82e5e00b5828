"""Which language Hearth writes a reply in.

Per chat, admins choose with ``/settings language auto|en|zh``. ``auto`` follows what
the chat mostly writes (its newest messages vote by script); a chat with too little
talk yet follows the app language of whoever Hearth is answering. A private reply
follows the member's app language (Telegram ``language_code``, Discord ``locale``),
else what they write, else English. An answer to a question (a twin's, Hearth's own)
in an ``auto`` chat follows the question. Each reply is in one language; quoted
messages stay as written.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from adapters.model import Chat, Command, Member
from bots.storage.repository import Storage
from jobs.languages import detect_language, language_of_script, question_script
from locales import Language, language_of_locale

SETTINGS: tuple[str, ...] = ("auto", "en", "zh")
"""The values of ``/settings language``."""

_MIN_TEXTS = 5
"""Messages a chat (or member) needs before its own talk decides ``auto``."""


def chosen_language(setting: str) -> Language | None:
    """The language an admin chose with ``/settings language``; None for ``auto``."""
    return "zh" if setting == "zh" else "en" if setting == "en" else None


class ReplyLanguages:
    """Resolves and caches the reply language of chats and members."""

    def __init__(
        self,
        storage: Storage,
        *,
        sample: int = 200,
        ttl_seconds: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._storage = storage
        self._sample = sample
        self._ttl = ttl_seconds
        self._clock = clock
        self._chats: dict[tuple[str, str], tuple[float, str, Language | None]] = {}

    async def for_command(self, command: Command) -> Language:
        """The language to answer ``command`` in: the member's in private, else the chat's
        (a new chat: the sender's app language)."""
        if not command.chat.is_group:
            return await self.for_member(command.sender)
        return await self.for_chat(command.chat, fallback_locale=command.sender.locale)

    async def for_chat(self, chat: Chat, *, fallback_locale: str | None = None) -> Language:
        """The chat's language: its setting, else what it mostly writes, else the
        fallback locale (a new chat), else English."""
        setting, detected = await self._chat(chat)
        return chosen_language(setting) or detected or language_of_locale(fallback_locale) or "en"

    async def for_question(self, chat: Chat, question: str) -> Language:
        """An answer's language: the chat's setting when an admin chose one, else the
        question's own (Chinese too when asked in Chinese around English names: see
        :func:`jobs.languages.question_script`), else the chat's language."""
        setting, _ = await self._chat(chat)
        return (
            chosen_language(setting)
            or language_of_script(question_script(question))
            or await self.for_chat(chat)
        )

    async def for_member(self, member: Member | int) -> Language:
        """A private reply's language: the app language the event carries or the platform
        last reported, else what the member writes, else English."""
        if isinstance(member, Member):
            known = language_of_locale(member.locale)
            if known is not None:
                return known
        stored_locale, texts = await self._storage.member_language_clues(member, self._sample)
        known = language_of_locale(stored_locale)
        if known is not None:
            return known
        if len(texts) >= _MIN_TEXTS:
            return language_of_script(detect_language(texts)) or "en"
        return "en"

    def forget(self, chat: Chat) -> None:
        """Drop the cached language of ``chat`` (after its setting changed)."""
        self._chats.pop((chat.platform.value, chat.platform_chat_id), None)

    async def _chat(self, chat: Chat) -> tuple[str, Language | None]:
        key = (chat.platform.value, chat.platform_chat_id)
        now = self._clock()
        cached = self._chats.get(key)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1], cached[2]
        clues = await self._storage.chat_language_clues(chat, self._sample)
        detected = (
            language_of_script(detect_language(clues.texts))
            if len(clues.texts) >= _MIN_TEXTS
            else None
        )
        if len(self._chats) > 10_000:
            self._chats.clear()
        if detected is not None or clues.setting != "auto":
            # A chat with too little talk yet is asked again next time: it is cheap to read,
            # and its language settles within its first few messages.
            self._chats[key] = (now, clues.setting, detected)
        return clues.setting, detected
