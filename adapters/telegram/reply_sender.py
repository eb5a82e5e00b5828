"""Deliver neutral replies through the Telegram Bot API."""

from __future__ import annotations

import asyncio
import logging

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
)
from telegram import Message as TgMessage
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from adapters.model import (
    ButtonRows,
    Chat,
    ChatKind,
    OutgoingReply,
    Platform,
    SentReply,
    utc,
)
from adapters.ports import DeliveryError
from adapters.text_split import split_text as split_by_units
from locales import tr

logger = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH: int = MessageLimit.MAX_TEXT_LENGTH
"""Telegram's limit for one message, in UTF-16 code units."""

MAX_CALLBACK_DATA_BYTES: int = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
"""Telegram's limit for a button's callback data (the command it sends), in UTF-8 bytes."""


class ButtonTooLong(DeliveryError):
    """A button's command does not fit in Telegram's callback data; nothing was sent."""


def inline_keyboard(buttons: ButtonRows) -> InlineKeyboardMarkup | None:
    """The inline keyboard for ``buttons`` (``None`` without any); each sends its command.

    Raises ``ButtonTooLong`` for a command over 64 UTF-8 bytes instead of cutting it.
    """
    rows = [row for row in buttons if row]
    if not rows:
        return None
    for row in rows:
        for button in row:
            size = len(button.command.encode("utf-8"))
            if size > MAX_CALLBACK_DATA_BYTES:
                raise ButtonTooLong(
                    f"button {button.label!r} cannot be sent: its command {button.command!r} "
                    f"is {size} bytes, Telegram allows at most {MAX_CALLBACK_DATA_BYTES}"
                )
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(button.label, callback_data=button.command) for button in row]
            for row in rows
        ]
    )


def split_text(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` UTF-16 units (see ``text_split``)."""
    return split_by_units(text, limit)


class TelegramReplySender:
    """``ReplySender`` over ``telegram.Bot.send_message``.

    Sends plain text (no parse mode, so user text cannot inject markup) without link
    previews, threaded under ``reply_to_message_id`` even if that message was deleted,
    split into several messages past Telegram's 4096-unit limit. Private replies go to the
    recipient's own chat; when Telegram refuses that (the user never started the bot or
    blocked it) only a short note goes to the group, asking them to start a private chat:
    private content (link codes, personal settings) never appears in the group.

    Rate limits (HTTP 429) are retried by the bot's rate limiter (``AIORateLimiter``), or
    here when ``retry_after_retries`` is set; network errors and timeouts are retried here
    with a growing pause. A reply that still cannot be delivered raises ``DeliveryError``.
    A split reply returns its first message; if a later piece fails, the error is raised
    although the earlier pieces are already in the chat.

    ``buttons`` become an inline keyboard on the last piece; each button's callback data is
    its command. A command over 64 bytes raises ``ButtonTooLong`` before anything is sent.
    The note sent in place of an undeliverable private reply carries no buttons.
    """

    def __init__(
        self,
        bot: Bot,
        *,
        bot_username: str | None = None,
        max_network_retries: int = 3,
        retry_backoff: float = 0.5,
        retry_after_retries: int = 0,
        chunk_limit: int = MAX_MESSAGE_LENGTH,
    ) -> None:
        self._bot = bot
        self._bot_username = bot_username
        self._max_network_retries = max_network_retries
        self._retry_backoff = retry_backoff
        self._retry_after_retries = retry_after_retries
        self._chunk_limit = chunk_limit

    @property
    def platform(self) -> Platform:
        """Always Telegram."""
        return Platform.TELEGRAM

    async def send(self, reply: OutgoingReply) -> SentReply:
        """Deliver ``reply``; returns the first message sent; raises ``DeliveryError``."""
        text = reply.rendered()
        keyboard = inline_keyboard(reply.buttons)
        if (
            reply.private
            and reply.recipient is not None
            and reply.chat.kind is not ChatKind.PRIVATE
        ):
            try:
                return await self._send_text(
                    int(reply.recipient.platform_user_id), text, None, keyboard
                )
            except (Forbidden, BadRequest) as exc:
                if isinstance(exc, BadRequest) and "chat not found" not in exc.message.lower():
                    raise self._failed(reply, exc) from exc
                if not reply.note_if_undeliverable:
                    raise self._failed(reply, exc) from exc
                logger.info(
                    "cannot message user %s privately (%s); replying in chat %s instead",
                    reply.recipient.platform_user_id,
                    exc.message,
                    reply.chat.platform_chat_id,
                )
            except TelegramError as exc:
                raise self._failed(reply, exc) from exc
            text = self._private_note(reply)
            keyboard = None
        try:
            return await self._send_text(
                _chat_id(reply.chat.platform_chat_id), text, reply.reply_to_message_id, keyboard
            )
        except TelegramError as exc:
            raise self._failed(reply, exc) from exc

    async def delete(self, chat: Chat, platform_message_id: str) -> bool:
        """Delete one of Hearth's messages (bots may delete their own for 48 hours)."""
        try:
            return await self._bot.delete_message(
                _chat_id(chat.platform_chat_id), int(platform_message_id)
            )
        except TelegramError as exc:
            logger.warning(
                "could not delete message %s in chat %s: %s",
                platform_message_id,
                chat.platform_chat_id,
                exc,
            )
            return False

    async def edit(self, chat: Chat, platform_message_id: str, text: str) -> bool:
        """Replace the text of one of Hearth's messages (``editMessageText``), cut to one
        message; unchanged text counts as done. Network errors are retried like sends."""
        pieces = split_text(text, self._chunk_limit)
        if not pieces or not platform_message_id.isdigit():
            return False
        failures = 0
        while True:
            try:
                await self._bot.edit_message_text(
                    pieces[0],
                    chat_id=_chat_id(chat.platform_chat_id),
                    message_id=int(platform_message_id),
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            except BadRequest as exc:
                if "message is not modified" in exc.message.lower():
                    return True
                return self._not_edited(chat, platform_message_id, exc)
            except NetworkError as exc:
                if failures >= self._max_network_retries:
                    return self._not_edited(chat, platform_message_id, exc)
                await asyncio.sleep(self._retry_backoff * (2**failures))
                failures += 1
                continue
            except TelegramError as exc:
                return self._not_edited(chat, platform_message_id, exc)
            return True

    @staticmethod
    def _not_edited(chat: Chat, platform_message_id: str, exc: TelegramError) -> bool:
        logger.warning(
            "could not edit message %s in chat %s: %s",
            platform_message_id,
            chat.platform_chat_id,
            exc,
        )
        return False

    def _private_note(self, reply: OutgoingReply) -> str:
        """The note sent to the group instead of a private reply, in the language in use
        (the router sets it around handling)."""
        recipient = reply.recipient
        who = ""
        if recipient is not None:
            who = f"@{recipient.username}" if recipient.username else recipient.display_name
        if self._bot_username:
            return tr(
                "{member}, I couldn't message you privately. Open a chat with {bot}, press "
                "Start, then send the command there again.",
                member=who,
                bot=f"@{self._bot_username}",
            )
        return tr(
            "{member}, I couldn't message you privately. Open a chat with me, press Start, "
            "then send the command there again.",
            member=who,
        )

    def _failed(self, reply: OutgoingReply, exc: TelegramError) -> DeliveryError:
        logger.error(
            "reply to chat %s (reply to %s) could not be delivered: %s",
            reply.chat.platform_chat_id,
            reply.reply_to_message_id,
            exc,
        )
        return DeliveryError(f"Telegram refused the reply: {exc.message}")

    async def _send_text(
        self,
        chat_id: int | str,
        text: str,
        reply_to_message_id: str | None,
        keyboard: InlineKeyboardMarkup | None,
    ) -> SentReply:
        pieces = split_text(text, self._chunk_limit)
        if not pieces:
            raise DeliveryError("refusing to send an empty reply")
        reply_parameters = _reply_parameters(reply_to_message_id)
        first: SentReply | None = None
        for number, piece in enumerate(pieces, start=1):
            markup = keyboard if number == len(pieces) else None
            sent, chat_id = await self._send_piece(chat_id, piece, reply_parameters, markup)
            first = first or sent
        assert first is not None
        return first

    async def _send_piece(
        self,
        chat_id: int | str,
        text: str,
        reply_parameters: ReplyParameters | None,
        keyboard: InlineKeyboardMarkup | None = None,
    ) -> tuple[SentReply, int | str]:
        """Send one message, retrying what is worth retrying; returns it and the chat id used."""
        network_failures = 0
        rate_limited = 0
        migrated = False
        while True:
            try:
                sent: TgMessage = await self._bot.send_message(
                    chat_id=chat_id,
                    text=text,
                    reply_parameters=reply_parameters,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                    reply_markup=keyboard,
                )
            except ChatMigrated as exc:
                if migrated:
                    raise
                migrated = True
                logger.warning("chat %s moved to %s; resending there", chat_id, exc.new_chat_id)
                chat_id = exc.new_chat_id
                continue
            except RetryAfter as exc:
                if rate_limited >= self._retry_after_retries:
                    raise
                rate_limited += 1
                pause = exc.retry_after
                seconds = pause if isinstance(pause, int) else pause.total_seconds()
                logger.warning("rate limited in chat %s; retrying in %ss", chat_id, seconds)
                await asyncio.sleep(seconds + 0.1)
                continue
            except BadRequest:
                raise
            except NetworkError as exc:
                if network_failures >= self._max_network_retries:
                    raise
                pause = self._retry_backoff * (2**network_failures)
                network_failures += 1
                logger.warning(
                    "sending to chat %s failed (%s); retry %d/%d in %.1fs",
                    chat_id,
                    exc,
                    network_failures,
                    self._max_network_retries,
                    pause,
                )
                await asyncio.sleep(pause)
                continue
            return SentReply(str(sent.message_id), utc(sent.date)), chat_id


def _reply_parameters(reply_to_message_id: str | None) -> ReplyParameters | None:
    """Thread under the message, and still send if it was deleted meanwhile."""
    if reply_to_message_id is None:
        return None
    try:
        message_id = int(reply_to_message_id)
    except ValueError:
        logger.warning("not threading under non-Telegram message id %r", reply_to_message_id)
        return None
    return ReplyParameters(message_id=message_id, allow_sending_without_reply=True)


def _chat_id(platform_chat_id: str) -> int | str:
    """Telegram chat ids are integers; ``@channelname`` stays a string."""
    try:
        return int(platform_chat_id)
    except ValueError:
        return platform_chat_id
