"""The short notice an asker gets when the twin they addressed stays silent, and its throttle.

Someone who @-mentions (or replies to) a member with a twin and hears nothing cannot tell
why. When the twin would answer but does not right now (the member is present, the twin
is paused, or twins answered too much here just now), Hearth says so once, in a reply to
the asker, in the language a twin would answer in (the chat's setting when an admin chose
one, else the question's script). The notice is Hearth's own message (no twin label),
names no one with an @, reveals no private setting (neither a pause nor its end, nor the
chat's absence time), and does not count against the twin rate limits. An asker
hears at most one notice per chat in ``NOTICE_WINDOW``, so a chatty asker is not answered
with a stream of them. Members without a twin never cause a notice.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from adapters.model import Message, OutgoingReply
from adapters.ports import DeliveryError, ReplySender
from locales import tr, trn, using

log = logging.getLogger(__name__)

NOTICE_WINDOW = timedelta(minutes=30)
"""An asker gets at most one notice per chat within this window, whatever the reason: one
tells them twins hear them; more would be noise."""

MAX_TRACKED = 4096
"""Past this many (chat, asker) pairs, the throttle forgets the pairs whose window is over."""


class SilenceReason(StrEnum):
    """Why a twin that could answer does not answer now."""

    PRESENT = "present"
    """The member posted in the chat recently (within its absence time): no twin is needed."""
    NOT_ANSWERING = "not answering"
    """The member's twin does not answer at the moment (paused, for one)."""
    BUSY = "busy"
    """Twins answered as much as the rate limits allow here, for now."""


@dataclass(frozen=True, slots=True)
class Silence:
    """A twin's silence, as far as the asker may be told about it."""

    reason: SilenceReason
    name: str = ""
    """The member's display name (not used for ``BUSY``)."""
    wait: timedelta = timedelta(0)
    """For ``BUSY``: how long until a twin may answer this asker here again."""

    @classmethod
    def present(cls, name: str) -> Silence:
        """``name`` was in the chat recently and can answer themselves."""
        return cls(SilenceReason.PRESENT, name=name)

    @classmethod
    def not_answering(cls, name: str) -> Silence:
        """``name``'s twin is not answering now (the reason stays private)."""
        return cls(SilenceReason.NOT_ANSWERING, name=name)

    @classmethod
    def busy(cls, wait: timedelta) -> Silence:
        """Twins reached their rate limit here; the asker may try again after ``wait``."""
        return cls(SilenceReason.BUSY, wait=wait)


def wait_minutes(wait: timedelta) -> int:
    """``wait`` in whole minutes, rounded up, and at least one."""
    return max(1, math.ceil(wait.total_seconds() / 60))


def notice_text(silence: Silence, language: str | None = None) -> str:
    """The notice's text for ``silence``, in ``language`` (``en``/``zh``; by default the
    current reply language)."""
    name = _unmentionable(silence.name)
    with using(language):
        match silence.reason:
            case SilenceReason.PRESENT:
                return tr(
                    "{name} was here a little while ago and can answer you themselves.",
                    name=name,
                )
            case SilenceReason.NOT_ANSWERING:
                return tr("{name}'s twin isn't answering right now.", name=name)
            case SilenceReason.BUSY:
                return trn(
                    "Twins have answered a lot here just now; try again in {count} minute.",
                    "Twins have answered a lot here just now; try again in {count} minutes.",
                    wait_minutes(silence.wait),
                )


def _unmentionable(name: str) -> str:
    """``name`` with each ``@`` followed by a word joiner, so that a display name that
    looks like a handle cannot mention (and notify) anyone."""
    return name.replace("@", "@\u2060")


WHOLE_CHAT = 0
"""The throttle key that stands for everyone in a chat (no member has id 0)."""


class NoticeThrottle:
    """At most one notice per (chat, asker) within ``window``."""

    def __init__(self, window: timedelta = NOTICE_WINDOW) -> None:
        self._window = window
        self._last: dict[tuple[int, int], datetime] = {}

    def take(self, chat_id: int, asker_id: int, now: datetime) -> bool:
        """Whether a notice may go to this asker in this chat now; if so, it is counted."""
        key = (chat_id, asker_id)
        last = self._last.get(key)
        if last is not None and now - last < self._window:
            return False
        if len(self._last) >= MAX_TRACKED:
            self._forget_before(now - self._window)
        self._last[key] = now
        return True

    def _forget_before(self, moment: datetime) -> None:
        for key in [k for k, at in self._last.items() if at <= moment]:
            del self._last[key]


class TwinNotices:
    """Tells an asker, once in a while, why the twin they addressed stayed silent."""

    def __init__(self, throttle: NoticeThrottle | None = None) -> None:
        self._throttle = throttle or NoticeThrottle()

    async def tell(
        self,
        message: Message,
        silence: Silence,
        sender: ReplySender,
        *,
        chat_id: int,
        asker_id: int,
        now: datetime,
        language: str | None = None,
    ) -> bool:
        """Reply to ``message`` with the notice for ``silence`` unless this asker had one
        in this chat within the window; returns whether it was sent.

        ``chat_id`` and ``asker_id`` are the stored ids of the chat and of the message's
        author; the notice is in ``language`` (by default the current reply language). A
        notice that cannot be delivered is logged and not retried (the window still counts
        it).
        """
        if not self._throttle.take(chat_id, asker_id, now):
            return False
        if silence.reason is SilenceReason.BUSY and not self._throttle.take(
            chat_id, WHOLE_CHAT, now
        ):
            return False  # one "busy" notice per chat and window, however many ask
        reply = OutgoingReply(
            chat=message.chat,
            text=notice_text(silence, language),
            reply_to_message_id=message.platform_message_id,
        )
        try:
            await sender.send(reply)
        except DeliveryError:
            log.warning(
                "could not tell asker %s in chat %s why no twin answered (%s)",
                asker_id,
                chat_id,
                silence.reason,
            )
            return False
        return True
