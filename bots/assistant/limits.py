"""How often Hearth answers: per chat and per asker, with one "try again later", then silence."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime, timedelta
from enum import StrEnum

from bots.twin_limits import SlidingWindow, TwinRateLimits


class Verdict(StrEnum):
    """What to do with a question to Hearth now."""

    ANSWER = "answer"
    TELL_BUSY = "tell_busy"
    """Over the limit: say "try again later" once."""
    SILENT = "silent"
    """Over the limit and already told."""


class AssistantLimits:
    """At most ``per_chat`` answers per chat and ``per_asker`` per asker in a chat per window
    (the twins' rate limits), and one "try again later" per asker and window over them."""

    def __init__(
        self, per_chat: int = 20, per_asker: int = 5, window: timedelta = timedelta(minutes=10)
    ) -> None:
        self._rate = TwinRateLimits(per_chat, per_asker, window)
        self._told = SlidingWindow(1, window)

    def check(self, chat_id: Hashable, asker_id: int, now: datetime) -> Verdict:
        """Whether to answer now; an answer (or the one notice) is counted as given.

        ``chat_id`` is any key of the conversation (a private chat has no stored id).
        """
        if self._rate.allows(chat_id, asker_id, now):
            self._rate.record(chat_id, asker_id, now)
            return Verdict.ANSWER
        if self._told.allows((chat_id, asker_id), now):
            self._told.record((chat_id, asker_id), now)
            return Verdict.TELL_BUSY
        return Verdict.SILENT
