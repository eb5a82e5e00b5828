"""The router: every neutral event from every platform comes through here.

Group messages are stored (then embedded in the background) and may wake an
absent member's twin (not when recovered from history long after they were
posted); a message addressed to Hearth itself (an @-mention of the bot, a reply to
it, a private chat) is answered by the assistant instead, and a private one is never
stored; commands go to their handlers; membership and bot status changes update the
records; reactions are kept (or taken back) for reputation. Each event has its own
error boundary: a failure is logged with its context and never stops the bot.

Two failures are passed back to the adapter, because the platform can deliver the
update again: ``StoreUnavailable`` when the database cannot be reached or written
(the adapter keeps the update and retries), and ``EventRejected`` when a message
could not be stored for a reason that would repeat (the adapter keeps the raw update
for inspection). A message longer than ``max_message_chars`` is stored cut to that
length, and the log says so.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from adapters.model import (
    BotStatusEvent,
    Command,
    Event,
    MembershipChange,
    MembershipEvent,
    Message,
    MessageDeleted,
    OutgoingReply,
    ReactionEvent,
)
from adapters.ports import DeliveryError, EventRejected, ReplySender, StoreUnavailable
from bots.assistant.service import AssistantService
from bots.embedding_worker import EmbeddingWorker
from bots.member_commands import MemberCommands
from bots.mention_responder import MentionResponder, is_stale
from bots.metered_sender import metered
from bots.metrics import HearthMetrics
from bots.owner_review import OwnerReview
from bots.personas import Personas
from bots.reply_languages import ReplyLanguages
from bots.storage.repository import Storage
from bots.store_outages import is_store_outage
from locales import tr, using
from memory.store import MemoryStore

log = logging.getLogger(__name__)


class HearthRouter:
    """Routes neutral events to storage, twins and commands (an ``EventHandler``)."""

    def __init__(
        self,
        storage: Storage,
        memory: MemoryStore,
        worker: EmbeddingWorker,
        *,
        mentions: MentionResponder,
        commands: MemberCommands,
        review: OwnerReview,
        personas: Personas,
        max_message_chars: int = 16_000,
        metrics: HearthMetrics | None = None,
        languages: ReplyLanguages,
        assistant: AssistantService | None = None,
    ) -> None:
        self._storage = storage
        self._memory = memory
        self._worker = worker
        self._mentions = mentions
        self._commands = commands
        self._review = review
        self._personas = personas
        self._max_message_chars = max_message_chars
        self._metrics = metrics or HearthMetrics()
        self._assistant = assistant
        self._languages = languages

    async def handle(self, event: Event, sender: ReplySender) -> None:
        """Handle one event; one bad update cannot stop the bot.

        Raises only ``StoreUnavailable`` (deliver the event again later) and
        ``EventRejected`` (a message that can never be stored); see the module docstring.
        """
        received = True
        try:
            await self._handle_once(event, metered(sender, self._metrics))
        except StoreUnavailable:
            received = False  # the adapter delivers it again, and it is counted then
            raise
        finally:
            if received:
                self._metrics.update_received(event.chat.platform)

    async def _handle_once(self, event: Event, sender: ReplySender) -> None:
        try:
            with using(await self._reply_language(event)):
                await self._dispatch(event, sender)
        except DeliveryError:
            log.exception("a reply could not be delivered for %s", _describe(event))
        except (StoreUnavailable, EventRejected):
            raise
        except Exception as error:
            if is_store_outage(error):
                raise _unavailable(error) from error
            log.exception("failed to handle %s", _describe(event))
            if isinstance(event, Command):
                await self._apologise(event, sender)

    async def _reply_language(self, event: Event) -> str | None:
        """The language of a command's reply; None for other events. A message gets no
        lookup here (the ingest path stays free of it): whatever answers one (a twin, the
        assistant, the owner's report) chooses its own language. A lookup that fails for
        any reason but an outage falls back to English rather than lose the command."""
        if not isinstance(event, Command):
            return None
        try:
            return await self._languages.for_command(event)
        except Exception as error:
            if is_store_outage(error):
                raise
            log.exception("could not tell the reply language for %s", _describe(event))
            return None

    async def _dispatch(self, event: Event, sender: ReplySender) -> None:
        match event:
            case Message():
                await self._on_message(event, sender)
            case Command():
                await self._commands.handle(event, sender)
            case MembershipEvent():
                await self._storage.record_membership(
                    event.chat,
                    event.member,
                    joined=event.change is MembershipChange.JOINED,
                    at=event.at,
                )
            case BotStatusEvent():
                await self._storage.set_chat_active(event.chat, event.added)
                log.info(
                    "hearth %s chat %s",
                    "added to" if event.added else "removed from",
                    event.chat.platform_chat_id,
                )
            case MessageDeleted():
                message_id = await self._storage.delete_message(
                    event.chat, event.platform_message_id
                )
                if message_id is not None:
                    await self._memory.delete_messages([message_id])
            case ReactionEvent():
                outcome = await self._storage.record_reaction(event)
                log.debug("reaction on message %s: %s", event.platform_message_id, outcome.value)

    async def _on_message(self, message: Message, sender: ReplySender) -> None:
        if not message.chat.is_group:
            # Direct messages are never remembered and never reach a twin; Hearth answers
            # them over the groups the sender is in.
            if message.addressed_to_hearth and self._assistant is not None:
                await self._assistant.handle(message, sender)
            return
        if not message.text.strip():
            return
        message = self._within_size_limit(message)
        if message.edited_at is not None:
            await self._storage.apply_edit(message)
            self._worker.notify()
            return
        try:
            stored = await self._storage.ingest_message(message)
        except Exception as error:
            if is_store_outage(error):
                raise _unavailable(error) from error
            log.exception("could not store %s", _describe(message))
            raise EventRejected(f"{type(error).__name__}: {error}") from error
        if not stored.created:
            log.debug("message %s re-delivered; already stored", message.platform_message_id)
            return
        self._metrics.update_stored(message.chat.platform)
        self._worker.notify()
        if message.addressed_to_hearth:
            # Said to Hearth itself: the assistant answers, not the twins of members named.
            if self._assistant is not None:
                await self._assistant.handle(
                    message, sender, chat_id=stored.chat_id, asker_id=stored.member_id
                )
        else:
            await self._personas.on_message(
                stored.chat_id, stored.member_id, message.text, twin_on=stored.twin_on
            )
            await self._mentions.respond(message, stored.chat_id, stored.member_id, sender)
        if not message.sender.is_bot and not is_stale(message):
            # The member is back: tell them what their twin said meanwhile. (An old message
            # recovered after downtime does not show they are here now; their next one will.)
            await self._review.report_if_back(
                message.sender, stored.member_id, message.chat, sender, news=stored.twin_news
            )

    def _within_size_limit(self, message: Message) -> Message:
        """``message`` with its text cut to ``max_message_chars`` (logged when cut)."""
        limit = self._max_message_chars
        if len(message.text) <= limit:
            return message
        log.warning(
            "message %s in %s has %d characters; storing the first %d",
            message.platform_message_id,
            _describe(message),
            len(message.text),
            limit,
        )
        return replace(message, text=message.text[:limit])

    @staticmethod
    async def _apologise(command: Command, sender: ReplySender) -> None:
        try:
            await sender.send(
                OutgoingReply(
                    chat=command.chat,
                    text=tr(
                        "Sorry, /{command} did not finish. Please try again in a moment.",
                        command=command.name,
                    ),
                    reply_to_message_id=command.platform_message_id,
                )
            )
        except Exception:
            log.exception("could not tell the member that /%s failed", command.name)


def _unavailable(error: BaseException) -> StoreUnavailable:
    return StoreUnavailable(f"{type(error).__name__}: {error}")


def _describe(event: Event) -> str:
    chat = event.chat
    return f"{type(event).__name__} in {chat.platform.value}:{chat.platform_chat_id}"
