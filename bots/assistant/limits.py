"""How often Hearth answers: per chat and per asker, with one "try again later", then silence."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bots.twin_limits import SlidingWindow


class Verdict(StrEnum):
    """What to do with a question to Hearth now."""

    ANSWER = "answer"
    TELL_BUSY = "tell_busy"
    """Over the limit: say "try again later" once."""
    SILENT = "silent"
    """Over the limit and already told."""


@dataclass
class AssistantLimits:
    """At most ``per_chat`` answers per chat and ``per_asker`` per asker in a chat per window."""

    per_chat: int = 20
    per_asker: int = 5
    window: timedelta = timedelta(minutes=10)

    def __post_init__(self) -> None:
        self._chat = SlidingWindow(self.per_chat, self.window)
        self._asker = SlidingWindow(self.per_asker, self.window)
        self._told = SlidingWindow(1, self.window)

    def check(self, chat_id: Hashable, asker_id: int, now: datetime) -> Verdict:
        """Whether to answer now; an answer (or the one notice) is counted as given.

        ``chat_id`` is any key of the conversation (a private chat has no stored id).
        """
        if self._chat.allows(chat_id, now) and self._asker.allows((chat_id, asker_id), now):
            self._chat.record(chat_id, now)
            self._asker.record((chat_id, asker_id), now)
            return Verdict.ANSWER
        if self._told.allows((chat_id, asker_id), now):
            self._told.record((chat_id, asker_id), now)
            return Verdict.TELL_BUSY
        return Verdict.SILENT
