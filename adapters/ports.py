"""The two sides of an adapter: what it calls and what calls it."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from adapters.history import HistoryReader
from adapters.model import (
    Chat,
    Event,
    Member,
    OutgoingReply,
    Platform,
    SentReply,
    UnreadableUpdate,
)


class EventHandler(Protocol):
    """The application side: takes one neutral event at a time."""

    async def handle(self, event: Event, sender: ReplySender) -> None:
        """Handle one event; replies go out through ``sender``."""
        ...


class ReplySender(Protocol):
    """The platform side: delivers neutral replies."""

    @property
    def platform(self) -> Platform:
        """The platform this sender delivers to."""
        ...

    async def send(self, reply: OutgoingReply) -> SentReply:
        """Deliver ``reply``; raises ``DeliveryError`` when it cannot be delivered."""
        ...

    async def delete(self, chat: Chat, platform_message_id: str) -> bool:
        """Delete a message Hearth sent; False when the platform refused or it is gone."""
        ...

    async def edit(self, chat: Chat, platform_message_id: str, text: str) -> bool:
        """Replace the text of a message Hearth sent (in place, no new message); False when
        the platform refused or the message is gone (then post a new one instead)."""
        ...


@runtime_checkable
class AdminChecker(Protocol):
    """A platform that can say, when asked, whether a member is one of a chat's admins."""

    @property
    def platform(self) -> Platform:
        """The platform whose admins this checker knows."""
        ...

    async def is_admin(self, chat: Chat, member: Member) -> bool | None:
        """Whether ``member`` may change ``chat``'s settings, asked of the platform now.

        ``None`` when the platform could not be asked (unreachable, not connected): the
        caller must then refuse what needs admin rights.
        """
        ...


@dataclass(frozen=True, slots=True)
class ResumePoint:
    """Where to pick up a chat's history after a time without a connection."""

    chat: Chat
    after_message_id: str
    """The platform id of the last message known to be stored; fetch what came after it."""
    last_stored_at: datetime
    """When the newest message Hearth stored from this chat was sent."""


class StoredHistory(Protocol):
    """The application's record of which messages it stored, so that an adapter can fetch
    what its chats said while it was not connected (for platforms that do not redeliver)."""

    async def begin_catch_up(self, platform: Platform, *, since: datetime) -> Sequence[ResumePoint]:
        """The group chats of ``platform`` whose newest stored message was sent at or after
        ``since``, each with the message id to resume after.

        Each point is kept until ``catch_up_done`` is called for its chat, and returned again
        meanwhile, even when newer messages are stored in between: a catch-up cut short (by a
        crash or a stop) then starts again from the same place instead of leaving a gap.
        """
        ...

    async def catch_up_done(self, chat: Chat) -> None:
        """Everything after the chat's resume point was handed over (or cannot be read)."""
        ...


@runtime_checkable
class HistorySource(Protocol):
    """A platform whose chats' past messages can be read through its API (Discord; a
    Telegram bot cannot read history)."""

    @property
    def platform(self) -> Platform:
        """The platform whose history this source reads."""
        ...

    async def history_readers(self, chat: Chat, *, since: datetime) -> Sequence[HistoryReader]:
        """Readers of what ``chat`` said from ``since`` on, each yielding oldest first.

        The first reader is the chat's own history; the others are its threads, each a
        chat of its own (as the live adapter reports them). Raises ``HistoryUnavailable``
        when the chat cannot be read (gone, or closed to Hearth).
        """
        ...


class HistoryUnavailable(RuntimeError):
    """A chat's history cannot be read (it is gone, or Hearth lacks the permission)."""


class DeliveryError(RuntimeError):
    """A reply could not be delivered after the platform's retries were exhausted."""


class StoreUnavailable(RuntimeError):
    """The handler could not durably take the event now (its database is down or full).

    The adapter must not confirm the update to the platform: it delivers the same event
    again later, so nothing is lost while storage is out.
    """


class UpdateClaim(enum.Enum):
    """What :meth:`IngestLedger.claim_update` found."""

    TAKEN = "taken"
    """This process has the update now; it finishes the claim when done."""
    DONE = "done"
    """The update was handled already; confirm it to the platform."""
    BUSY = "busy"
    """Another process is handling it; the platform should send it again later."""


class EventRejected(RuntimeError):
    """The handler can never take this event (retrying would fail the same way).

    The adapter moves on; one that keeps raw updates (Telegram) keeps it as an
    ``UnreadableUpdate`` first, others log it.
    """


class IngestLedger(Protocol):
    """Where an adapter keeps its place in the platform's update stream, durably.

    ``cursor`` values are the platform's own positions (Telegram: the next update id to
    ask for), one per ``key`` (the bot's id, so a new token starts afresh).
    """

    async def load_cursor(self, platform: Platform, key: str) -> int | None:
        """The saved position, or ``None`` when nothing was saved yet."""
        ...

    async def save_cursor(self, platform: Platform, key: str, value: int) -> None:
        """Remember ``value`` as the position (it only ever moves forward)."""
        ...

    async def record_unreadable(self, update: UnreadableUpdate) -> None:
        """Keep an update that could not be handled, for inspection."""
        ...

    async def claim_update(self, platform: Platform, key: str, update_id: int) -> UpdateClaim:
        """Take update ``update_id`` for this process, unless another process has it.

        Webhook replicas behind a load balancer share the claims, so that an update the
        platform sends again (to another replica) is handled once. Raises
        ``StoreUnavailable`` when the claims cannot be read or written now.
        """
        ...

    async def finish_update(
        self, platform: Platform, key: str, update_id: int, *, handled: bool
    ) -> None:
        """Mark a claimed update handled, or (``handled=False``) give the claim back."""
        ...


class PlatformAdapter(Protocol):
    """A running connection to one platform."""

    @property
    def platform(self) -> Platform:
        """The platform this adapter connects to."""
        ...

    @property
    def sender(self) -> ReplySender:
        """Where replies to this platform go (valid while the adapter runs)."""
        ...

    async def start(self, handler: EventHandler) -> None:
        """Connect and start delivering events to ``handler``; returns once running."""
        ...

    async def stop(self) -> None:
        """Disconnect cleanly; pending work is finished or left for the next start."""
        ...
