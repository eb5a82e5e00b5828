"""Deliver neutral replies through Discord: message replies, interaction followups, DMs."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiohttp
import discord

from adapters.model import Chat, ChatKind, Member, OutgoingReply, Platform, SentReply, utc
from adapters.ports import DeliveryError
from adapters.text_split import split_text as split_by_units
from locales import N_, tr, tr_marked

logger = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 2000
"""Discord's limit for the content of one message (counted here in UTF-16 units, which is
never less than Discord's own count)."""

INTERACTION_LIFETIME = 15 * 60.0
"""Seconds an interaction token stays valid for followups."""

CANNOT_MESSAGE_USER = 50007
"""Discord's error code when a member does not accept direct messages from the bot."""

PRIVATE_ANSWER_NOTE = N_("Answered privately.")
"""Fills a public "thinking" placeholder whose answer went privately (in the reply's
language: the one in use when ``send`` is called)."""


_T = TypeVar("_T")


def split_text(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` UTF-16 units (see ``text_split``)."""
    return split_by_units(text, limit)


def plain_text(text: str) -> str:
    """``text`` with Discord's markdown escaped, so it shows exactly as written.

    Hearth writes plain text, and what it quotes from members is untrusted: a quoted
    ``[free gift](https://…)`` must not become a masked link in Hearth's message, nor
    ``# …`` a heading. Links stay as they are, so they still open.
    """
    return discord.utils.escape_markdown(text)


def safe_mentions(*user_ids: int) -> discord.AllowedMentions:
    """Mentions that may notify only the given users: never @everyone, @here or roles."""
    users: bool | list[discord.Object] = (
        [discord.Object(id=user_id) for user_id in user_ids] if user_ids else False
    )
    return discord.AllowedMentions(everyone=False, roles=False, users=users, replied_user=False)


@dataclass(slots=True)
class _PendingInteraction:
    """A slash command awaiting its answer."""

    interaction: discord.Interaction[Any]
    ephemeral: bool
    deferred: bool
    received: float = field(default_factory=time.monotonic)
    answered: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def usable(self) -> bool:
        """Whether followups can still be sent (deferred, token not expired)."""
        return self.deferred and time.monotonic() - self.received < INTERACTION_LIFETIME - 30


class DiscordReplySender:
    """``ReplySender`` over discord.py.

    - A reply to a slash command (``reply_to_message_id`` is the interaction id) goes out
      as the interaction's followup, ephemeral when the command is or the reply is
      ``private``. Once the interaction has expired (15 minutes) the reply is posted like
      any other, privately if the command was ephemeral.
    - Other replies are message replies (a reference to the original that still sends if
      it was deleted), with link previews suppressed.
    - ``private`` replies in a server go to the recipient's direct messages; when they do
      not accept them, only a short note mentioning them goes to the channel.
    - Text is split into several messages past 2000 characters (the first one carries the
      reply reference). Mentions can never notify @everyone, @here or roles, nor the
      replied-to author; a user is notified only when the note addresses them.
    - ``buttons`` are left out (the text is sent as usual): on Discord the same changes are
      made through the slash commands' options.
    - Markdown in the text is escaped (:func:`plain_text`): what Hearth quotes shows as
      written, and a quoted masked link shows its address.

    HTTP 429 answers are waited out by discord.py's HTTP client (it honours
    ``retry_after``); server errors, network errors and timeouts are retried here up to
    ``max_retries`` times with a doubling pause. A reply that still cannot be delivered
    raises ``DeliveryError`` (and is logged). A split reply returns its first message; if a
    later piece fails, the error is raised although the earlier pieces were delivered.
    """

    def __init__(
        self,
        client: discord.Client,
        *,
        max_retries: int = 3,
        retry_backoff: float = 0.5,
        chunk_limit: int = MAX_MESSAGE_LENGTH,
        interaction_memory: int = 4096,
    ) -> None:
        self._client = client
        self._max_retries = max_retries
        self._retry_backoff = retry_backoff
        self._chunk_limit = chunk_limit
        self._memory = interaction_memory
        self._interactions: OrderedDict[str, _PendingInteraction] = OrderedDict()

    @property
    def platform(self) -> Platform:
        """Always Discord."""
        return Platform.DISCORD

    # -- interactions ------------------------------------------------------------------------

    def track_interaction(
        self, interaction: discord.Interaction[Any], *, ephemeral: bool, deferred: bool
    ) -> None:
        """Remember a slash command so that replies to its id become followups."""
        key = str(interaction.id)
        self._interactions[key] = _PendingInteraction(interaction, ephemeral, deferred)
        self._interactions.move_to_end(key)
        while len(self._interactions) > self._memory:
            self._interactions.popitem(last=False)

    async def finish_interaction(self, interaction_id: str) -> None:
        """Clear the "thinking" placeholder of a command the application did not answer."""
        pending = self._interactions.get(interaction_id)
        if pending is None or not pending.usable:
            return
        async with pending.lock:
            if pending.answered:
                return
            logger.info("command %s got no answer; removing its placeholder", interaction_id)
            try:
                await pending.interaction.delete_original_response()
            except (discord.DiscordException, aiohttp.ClientError, OSError, TimeoutError) as exc:
                logger.warning(
                    "could not remove the placeholder of command %s: %s", interaction_id, exc
                )

    # -- sending ----------------------------------------------------------------------------

    async def delete(self, chat: Chat, platform_message_id: str) -> bool:
        """Delete one of Hearth's messages in a channel or thread."""
        channel = self._client.get_partial_messageable(int(chat.platform_chat_id))
        try:
            await channel.get_partial_message(int(platform_message_id)).delete()
        except (discord.DiscordException, aiohttp.ClientError, OSError) as exc:
            logger.warning(
                "could not delete message %s in channel %s: %s",
                platform_message_id,
                chat.platform_chat_id,
                exc,
            )
            return False
        return True

    async def edit(self, chat: Chat, platform_message_id: str, text: str) -> bool:
        """Replace the text of one of Hearth's messages in a channel or thread.

        The text is escaped as ``send`` escapes it and cut to one message (an edit cannot
        add messages). Transient failures are retried like sends.
        """
        pieces = split_text(plain_text(text), self._chunk_limit)
        if not pieces or not chat.platform_chat_id.isdigit() or not platform_message_id.isdigit():
            return False
        channel = self._client.get_partial_messageable(int(chat.platform_chat_id))
        message = channel.get_partial_message(int(platform_message_id))
        try:
            await self._attempt(
                f"edit of message {platform_message_id}",
                lambda: message.edit(content=pieces[0], allowed_mentions=safe_mentions()),
            )
        except (discord.DiscordException, aiohttp.ClientError, OSError, TimeoutError) as exc:
            logger.warning(
                "could not edit message %s in channel %s: %s",
                platform_message_id,
                chat.platform_chat_id,
                exc,
            )
            return False
        return True

    async def send(self, reply: OutgoingReply) -> SentReply:
        """Deliver ``reply``; returns the first message sent; raises ``DeliveryError``."""
        pieces = split_text(plain_text(reply.rendered()), self._chunk_limit)
        if not pieces:
            raise DeliveryError("refusing to send an empty reply")
        if self._client.is_closed():
            raise self._failed(reply, "the Discord client is closed")
        pending = (
            self._interactions.get(reply.reply_to_message_id)
            if reply.reply_to_message_id is not None
            else None
        )
        try:
            if pending is not None and pending.usable:
                return await self._send_followups(pending, reply, pieces)
            private = reply.private or (pending is not None and pending.ephemeral)
            if private and reply.recipient is not None and reply.chat.kind is not ChatKind.PRIVATE:
                try:
                    return await self._send_direct(reply.recipient, pieces, reply.idempotency_key)
                except discord.Forbidden as exc:
                    # Only closed DMs earn a note; other refusals are delivery errors.
                    if exc.code != CANNOT_MESSAGE_USER or not reply.note_if_undeliverable:
                        raise
                    logger.info(
                        "cannot message user %s privately (%s); leaving a note in channel %s",
                        reply.recipient.platform_user_id,
                        exc.text,
                        reply.chat.platform_chat_id,
                    )
                recipient_id = int(reply.recipient.platform_user_id)
                return await self._send_channel(
                    reply.chat.platform_chat_id,
                    [_private_note(recipient_id)],
                    reply.reply_to_message_id,
                    notify=(recipient_id,),
                )
            return await self._send_channel(
                reply.chat.platform_chat_id,
                pieces,
                reply.reply_to_message_id,
                idempotency_key=reply.idempotency_key,
            )
        except (
            discord.DiscordException,
            aiohttp.ClientError,
            OSError,
            TimeoutError,
            ValueError,
        ) as exc:
            raise self._failed(reply, exc) from exc

    async def _send_followups(
        self, pending: _PendingInteraction, reply: OutgoingReply, pieces: list[str]
    ) -> SentReply:
        ephemeral = pending.ephemeral or reply.private
        interaction = pending.interaction
        async with pending.lock:
            if ephemeral and not pending.ephemeral and not pending.answered:
                # The placeholder is public: fill it with a note, then answer in private.
                await self._attempt(
                    f"note for command {interaction.id}",
                    lambda: interaction.edit_original_response(
                        content=tr_marked(PRIVATE_ANSWER_NOTE),
                        allowed_mentions=safe_mentions(),
                    ),
                )
                pending.answered += 1
            first: discord.WebhookMessage | None = None
            for piece in pieces:

                async def followup(text: str = piece) -> discord.WebhookMessage:
                    return await interaction.followup.send(
                        text,
                        ephemeral=ephemeral,
                        allowed_mentions=safe_mentions(),
                        suppress_embeds=True,
                        wait=True,
                    )

                message = await self._attempt(f"answer to command {interaction.id}", followup)
                pending.answered += 1
                first = first or message
        assert first is not None
        return SentReply(platform_message_id=str(first.id), sent_at=utc(first.created_at))

    async def _send_direct(
        self, recipient: Member, pieces: list[str], idempotency_key: str | None = None
    ) -> SentReply:
        user = discord.Object(id=int(recipient.platform_user_id))
        channel = await self._attempt(
            f"DM channel with {recipient.platform_user_id}",
            lambda: self._client.create_dm(user),
        )
        return await self._send_pieces(channel, pieces, None, (), idempotency_key)

    async def _send_channel(
        self,
        chat_id: str,
        pieces: list[str],
        reply_to: str | None,
        *,
        notify: tuple[int, ...] = (),
        idempotency_key: str | None = None,
    ) -> SentReply:
        channel_id = int(chat_id)
        channel = self._client.get_partial_messageable(channel_id)
        reference: discord.MessageReference | None = None
        if reply_to is not None:
            if reply_to.isdigit():
                reference = discord.MessageReference(
                    message_id=int(reply_to), channel_id=channel_id, fail_if_not_exists=False
                )
            else:
                logger.warning("not replying to non-Discord message id %r", reply_to)
        return await self._send_pieces(channel, pieces, reference, notify, idempotency_key)

    async def _send_pieces(
        self,
        channel: discord.abc.Messageable,
        pieces: list[str],
        reference: discord.MessageReference | None,
        notify: tuple[int, ...],
        idempotency_key: str | None = None,
    ) -> SentReply:
        mentions = safe_mentions(*notify)
        first: discord.Message | None = None
        for index, piece in enumerate(pieces):
            message = await self._attempt(
                "message",
                _message_sender(
                    channel,
                    piece,
                    reference if index == 0 else None,
                    mentions,
                    nonce=f"{idempotency_key}-{index}" if idempotency_key else None,
                ),
            )
            first = first or message
        assert first is not None
        return SentReply(platform_message_id=str(first.id), sent_at=utc(first.created_at))

    async def _attempt(self, what: str, operation: Callable[[], Awaitable[_T]]) -> _T:
        """Run ``operation``, retrying transient failures a bounded number of times."""
        failures = 0
        while True:
            try:
                return await operation()
            except discord.RateLimited as exc:
                pause = exc.retry_after
                error: Exception = exc
            except (discord.DiscordServerError, aiohttp.ClientError, OSError, TimeoutError) as exc:
                pause = self._retry_backoff * (2**failures)
                error = exc
            if failures >= self._max_retries:
                raise error
            failures += 1
            logger.warning(
                "sending %s failed (%s); retry %d/%d in %.1fs",
                what,
                error,
                failures,
                self._max_retries,
                pause,
            )
            await asyncio.sleep(pause)

    def _failed(self, reply: OutgoingReply, error: object) -> DeliveryError:
        logger.error(
            "reply to chat %s (reply to %s) could not be delivered: %s",
            reply.chat.platform_chat_id,
            reply.reply_to_message_id,
            error,
        )
        return DeliveryError(f"Discord refused the reply: {error}")


def _message_sender(
    channel: discord.abc.Messageable,
    text: str,
    reference: discord.MessageReference | None,
    mentions: discord.AllowedMentions,
    *,
    nonce: str | None = None,
) -> Callable[[], Awaitable[discord.Message]]:
    """One channel message, as a retryable operation.

    With a ``nonce``, Discord enforces it: a second message with the same nonce from the
    bot within a few minutes is not created again (discord.py sends ``enforce_nonce``).
    """

    options: dict[str, Any] = {"allowed_mentions": mentions, "suppress_embeds": True}
    if reference is not None:
        options["reference"] = reference
    if nonce is not None:
        options["nonce"] = nonce

    async def send() -> discord.Message:
        return await channel.send(text, **options)

    return send


def _private_note(user_id: int) -> str:
    """The note left in the channel when a private answer cannot be sent (in the language
    in use: the router sets it around handling)."""
    return tr(
        "{member}, I couldn't message you privately. Allow direct messages from this "
        "server's members (server menu → Privacy Settings), then use the command again.",
        member=f"<@{user_id}>",
    )
