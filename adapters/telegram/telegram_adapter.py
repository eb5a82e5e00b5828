"""The Telegram ``PlatformAdapter``: polling or webhook updates on the application's loop."""

from __future__ import annotations

import contextlib
import logging
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal
from urllib.parse import urlsplit

from telegram import BotCommand, CallbackQuery, ChatMember, Update
from telegram import Message as TgMessage
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder
from telegram.request import HTTPXRequest

from adapters.ingest_ledger import InMemoryIngestLedger
from adapters.model import Chat, Command, Event, Member, Message, Platform, utc
from adapters.ports import (
    EventHandler,
    EventRejected,
    IngestLedger,
    StoreUnavailable,
    UpdateClaim,
)
from adapters.telegram.admin_check import telegram_is_admin
from adapters.telegram.raw_updates import sanitise, unreadable_update, update_id_of
from adapters.telegram.reply_sender import TelegramReplySender
from adapters.telegram.update_converter import BotIdentity, UpdateConverter
from adapters.telegram.update_poller import UpdatePoller
from adapters.telegram.webhook_server import UpdateInProgress, WebhookServer
from locales import N_, tr_marked, using

logger = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
ALLOWED_UPDATES: tuple[str, ...] = (
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.MY_CHAT_MEMBER,
    Update.CHAT_MEMBER,
    Update.CALLBACK_QUERY,
    Update.MESSAGE_REACTION,
)
"""The update types Hearth asks for (``chat_member`` and ``message_reaction`` must be
requested explicitly; Telegram sends reactions only to bots that are group admins)."""

STALE_BUTTON_ANSWER = N_("This button no longer works.")
"""Shown to whoever presses a button whose data is not one of Hearth's commands (in the
language of their app)."""

Mode = Literal["polling", "webhook"]
_TelegramApp = Application[Any, Any, Any, Any, Any, Any]
_RECENT_WEBHOOK_UPDATES = 4096


class TelegramAdapter:
    """A running Telegram bot that hands neutral events to an ``EventHandler``.

    Runs on the caller's event loop: ``start`` initialises python-telegram-bot, registers
    the bot commands, and starts long polling (or the webhook listener) in the
    background, then returns. Updates are handled one at a time, in order, and an update
    is confirmed to Telegram only once the handler has taken it (see
    ``adapters.telegram.update_poller``); while the handler reports ``StoreUnavailable``
    the update is kept and retried with back-off. An update that cannot be parsed or
    converted, or that the handler rejects, is logged in one line, kept in the
    ``IngestLedger`` as raw JSON, and skipped. Any other handler failure is logged with
    the update and never stops the flow of updates.

    A press on an inline keyboard button (a callback query) becomes the ``Command`` its
    callback data would be if the presser typed it in the chat of the message carrying the
    keyboard. The query is always answered, first, so the client's spinner stops; data
    that is not one of the bot's commands is answered with ``STALE_BUTTON_ANSWER`` only
    (in the language of the presser's app).

    Outgoing messages pass through PTB's ``AIORateLimiter`` (about 30 messages a second
    overall and 20 a minute per group), which waits out HTTP 429 answers up to
    ``max_rate_limit_retries`` times.
    """

    def __init__(
        self,
        token: str,
        *,
        api_base_url: str = DEFAULT_API_BASE_URL,
        mode: Mode = "polling",
        poll_timeout: int = 30,
        webhook_url: str | None = None,
        webhook_listen: str = "0.0.0.0",
        webhook_port: int = 8443,
        webhook_path: str | None = None,
        webhook_secret: str | None = None,
        bot_commands: Sequence[tuple[str, str]] = (),
        bot_commands_by_language: Mapping[str, Sequence[tuple[str, str]]] | None = None,
        admin_commands: Collection[str] = (),
        allowed_updates: Sequence[str] = ALLOWED_UPDATES,
        drop_pending_updates: bool = False,
        max_rate_limit_retries: int = 3,
        max_network_retries: int = 3,
        retry_backoff: float = 0.5,
        request_timeout: float = 10.0,
        ledger: IngestLedger | None = None,
    ) -> None:
        """Configure the adapter; nothing connects until ``start``.

        ``poll_timeout`` is the long-poll wait in seconds. In webhook mode the listener binds
        ``webhook_listen:webhook_port`` at ``webhook_path`` (default: the path of
        ``webhook_url``) and Telegram is told to call ``webhook_url`` with
        ``webhook_secret`` in the ``X-Telegram-Bot-Api-Secret-Token`` header.
        ``bot_commands`` are ``(name, description)`` pairs registered on start as the
        default menu; ``bot_commands_by_language`` adds the menu members whose app is in
        one language see (keyed by Telegram ``language_code``, e.g. ``zh``; the names
        should be the same as in the default menu). For the names in ``admin_commands``
        the sender's admin right is looked up (getChatMember) and passed on as
        ``Command.sender_is_admin``. Buttons may only send the commands in
        ``bot_commands`` (any command when it is empty).
        ``max_rate_limit_retries`` bounds the waits on HTTP 429; ``max_network_retries``
        and ``retry_backoff`` (seconds, doubling) bound retries of network errors.
        ``request_timeout`` is the connect/read/write timeout of each API request.
        ``ledger`` keeps the polling position and unreadable updates (in memory if absent).
        """
        if mode not in ("polling", "webhook"):
            raise ValueError(f"unknown Telegram mode {mode!r}")
        if mode == "webhook" and not webhook_url:
            raise ValueError("webhook mode needs webhook_url")
        self._token = token
        self._api_base_url = api_base_url
        self._mode: Mode = mode
        self._poll_timeout = poll_timeout
        self._webhook_url = webhook_url
        self._webhook_listen = webhook_listen
        self._webhook_port = webhook_port
        self._webhook_path = (
            webhook_path
            if webhook_path is not None
            else (urlsplit(webhook_url).path if webhook_url else "")
        )
        self._webhook_secret = webhook_secret
        self._bot_commands = tuple(bot_commands)
        self._bot_commands_by_language = {
            language: tuple(commands)
            for language, commands in (bot_commands_by_language or {}).items()
        }
        self._known_commands = frozenset(name for name, _ in self._bot_commands)
        self._admin_commands = frozenset(admin_commands)
        self._allowed_updates = list(allowed_updates)
        self._drop_pending_updates = drop_pending_updates
        self._max_rate_limit_retries = max_rate_limit_retries
        self._max_network_retries = max_network_retries
        self._retry_backoff = retry_backoff
        self._request_timeout = request_timeout
        self._ledger: IngestLedger = ledger if ledger is not None else InMemoryIngestLedger()
        self._poller: UpdatePoller | None = None
        self._webhook: WebhookServer | None = None
        self._recent_webhook_updates: OrderedDict[int, None] = OrderedDict()
        self._started_at = utc(None)

        self._app: _TelegramApp | None = None
        self._requests: tuple[HTTPXRequest, ...] = ()
        self._handler: EventHandler | None = None
        self._sender: TelegramReplySender | None = None
        self._converter = UpdateConverter()
        self._identity: BotIdentity | None = None

    # -- public surface ----------------------------------------------------------------------

    @property
    def platform(self) -> Platform:
        """Always Telegram."""
        return Platform.TELEGRAM

    @property
    def running(self) -> bool:
        """Whether the adapter has started and not yet stopped."""
        return self._app is not None

    @property
    def identity(self) -> BotIdentity:
        """The bot's id, username and name from ``getMe``; available once started."""
        if self._identity is None:
            raise RuntimeError("the Telegram adapter has not been started")
        return self._identity

    @property
    def bot_member(self) -> Member:
        """The bot itself as a neutral member; available once started."""
        return self.identity.member

    @property
    def sender(self) -> TelegramReplySender:
        """The reply sender for this bot; available once started."""
        if self._sender is None:
            raise RuntimeError("the Telegram adapter has not been started")
        return self._sender

    async def start(self, handler: EventHandler) -> None:
        """Connect, register commands and start receiving updates; returns once running."""
        if self._app is not None:
            raise RuntimeError("the Telegram adapter is already running")
        app = self._build_application()
        self._started_at = utc(None)
        self._handler = handler
        self._app = app
        try:
            await app.initialize()
            me = app.bot.bot
            self._identity = BotIdentity(
                user_id=me.id, username=me.username or "", display_name=me.full_name
            )
            self._converter.identity = self._identity
            self._sender = TelegramReplySender(
                app.bot,
                bot_username=me.username,
                max_network_retries=self._max_network_retries,
                retry_backoff=self._retry_backoff,
            )
            await self._set_commands(app)
            if self._mode == "polling":
                await self._start_polling(app)
            else:
                await self._start_webhook(app)
        except BaseException:
            logger.exception("starting the Telegram adapter failed")
            await self._teardown(app)
            raise
        logger.info(
            "Telegram adapter running as @%s (%s) in %s mode",
            self._identity.username,
            self._identity.user_id,
            self._mode,
        )

    async def stop(self) -> None:
        """Stop receiving updates and close the connection; safe to call twice."""
        app = self._app
        if app is None:
            return
        await self._teardown(app)
        logger.info("Telegram adapter stopped")

    # -- internals ---------------------------------------------------------------------------

    def _build_application(self) -> _TelegramApp:
        timeout = self._request_timeout
        # Our own request objects, so that teardown can close their connections even when
        # initialisation failed half-way (PTB only closes them after a full initialise).
        self._requests = (
            HTTPXRequest(
                connection_pool_size=256,
                read_timeout=timeout,
                write_timeout=timeout,
                connect_timeout=timeout,
            ),
            HTTPXRequest(
                connection_pool_size=1,
                read_timeout=timeout,
                write_timeout=timeout,
                connect_timeout=timeout,
            ),
        )
        return (
            ApplicationBuilder()
            .token(self._token)
            .base_url(self._api_base_url)
            .request(self._requests[0])
            .get_updates_request(self._requests[1])
            .rate_limiter(AIORateLimiter(max_retries=self._max_rate_limit_retries))
            .job_queue(None)
            .updater(None)
            .build()
        )

    async def _set_commands(self, app: _TelegramApp) -> None:
        """Register the default command menu, then one per language (setMyCommands)."""
        if self._bot_commands:
            await app.bot.set_my_commands(
                [BotCommand(name, description) for name, description in self._bot_commands]
            )
        for language, commands in self._bot_commands_by_language.items():
            if commands:
                await app.bot.set_my_commands(
                    [BotCommand(name, description) for name, description in commands],
                    language_code=language,
                )

    async def _start_polling(self, app: _TelegramApp) -> None:
        # A webhook left from an earlier run would make getUpdates fail with a conflict.
        await app.bot.delete_webhook(drop_pending_updates=self._drop_pending_updates)
        assert self._identity is not None
        self._poller = UpdatePoller(
            app.bot,
            self._take,
            self._ledger,
            ledger_key=str(self._identity.user_id),
            timeout=self._poll_timeout,
            allowed_updates=self._allowed_updates,
            request_timeout=self._request_timeout,
        )
        await self._poller.start()

    async def _start_webhook(self, app: _TelegramApp) -> None:
        self._webhook = WebhookServer(
            self._take_webhook,
            listen=self._webhook_listen,
            port=self._webhook_port,
            path=self._webhook_path,
            secret=self._webhook_secret,
        )
        await self._webhook.start()
        await app.bot.set_webhook(
            url=str(self._webhook_url),
            secret_token=self._webhook_secret,
            allowed_updates=self._allowed_updates,
            drop_pending_updates=self._drop_pending_updates,
        )

    async def _teardown(self, app: _TelegramApp) -> None:
        poller, self._poller = self._poller, None
        webhook, self._webhook = self._webhook, None
        try:
            if poller is not None:
                await poller.stop()
            if webhook is not None:
                await webhook.stop()
            await app.shutdown()
        finally:
            for request in self._requests:
                await request.shutdown()
            self._requests = ()
            self._app = None
            self._handler = None
            self._sender = None

    async def _take_webhook(self, raw: object) -> None:
        """Take one update POSTed to the webhook, once even if Telegram sends it again.

        Replicas behind a load balancer share claims on update ids through the ledger:
        an update handled by any of them is only confirmed again, and one being handled
        elsewhere is refused for now (``UpdateInProgress``), so no command runs twice.
        """
        update_id = update_id_of(raw)
        if update_id is None:
            await self._take(raw)
            return
        if update_id in self._recent_webhook_updates:
            return
        key = str(self.identity.user_id)
        claim = await self._ledger.claim_update(Platform.TELEGRAM, key, update_id)
        if claim is UpdateClaim.BUSY:
            raise UpdateInProgress(update_id)
        if claim is UpdateClaim.TAKEN:
            try:
                await self._take(raw)
            except BaseException:
                with contextlib.suppress(Exception):
                    await self._ledger.finish_update(
                        Platform.TELEGRAM, key, update_id, handled=False
                    )
                raise
            try:
                await self._ledger.finish_update(Platform.TELEGRAM, key, update_id, handled=True)
            except Exception as error:  # handled: confirmed anyway; the claim runs out
                logger.warning("could not mark update %s handled: %s", update_id, error)
        self._recent_webhook_updates[update_id] = None
        if len(self._recent_webhook_updates) > _RECENT_WEBHOOK_UPDATES:
            self._recent_webhook_updates.popitem(last=False)

    async def _take(self, raw: object) -> bool:
        """Parse, convert and hand over one raw update.

        Returns whether anything but a message was handed over: the polling position is
        then saved at once, so that a kill right after cannot run a command twice (a
        message handed over twice is stored once anyway). Raises ``StoreUnavailable``
        (from the handler) so that the caller keeps the update; an update that cannot be
        read, or that the handler rejects, is kept in the ledger and skipped.
        """
        raw = sanitise(raw)
        try:
            if not isinstance(raw, dict):
                raise TypeError(f"an update must be a JSON object, not {type(raw).__name__}")
            update = Update.de_json(raw, self._app.bot if self._app else None)
            if update.callback_query is not None:
                return await self._on_callback_query(update)
            events = [self._mark_backlog(event) for event in self._converter.convert(update)]
            for event in events:
                await self._deliver(event, update.effective_message, update.update_id)
        except StoreUnavailable:
            raise
        except Exception as error:
            await self._keep_unreadable(raw, error)
            return False
        return any(not isinstance(event, Message) for event in events)

    def _mark_backlog(self, event: Event) -> Event:
        """A message sent before this start waited at Telegram while Hearth was down."""
        if isinstance(event, Message) and event.sent_at < self._started_at:
            return replace(event, recovered=True)
        return event

    async def _keep_unreadable(self, raw: object, error: BaseException) -> None:
        record = unreadable_update(raw, error, utc(None))
        logger.warning(
            "skipped Telegram update %s that could not be handled (%s); kept for inspection",
            record.platform_update_id or "without an id",
            record.error,
        )
        try:
            await self._ledger.record_unreadable(record)
        except Exception as failure:
            logger.error(
                "could not keep unreadable update %s: %s", record.platform_update_id, failure
            )

    async def _on_callback_query(self, update: Update) -> bool:
        """A button press: answer it, then hand its command over like a typed one.

        Returns whether a command was handed over.
        """
        query = update.callback_query
        if query is None:
            return False
        try:
            command = self._converter.callback_command(query, self._known_commands)
        except Exception:
            logger.exception("could not convert callback query %s", update.update_id)
            command = None
        stale: str | None = None
        if command is None:
            with using(query.from_user.language_code):
                stale = tr_marked(STALE_BUTTON_ANSWER)
        await self._answer(query, stale)
        handler = self._handler
        sender = self._sender
        if command is None:
            logger.info("ignoring a button with unknown data %r", query.data)
            return False
        if handler is None or sender is None:
            logger.warning("dropping button press %s received while stopped", update.update_id)
            return False
        await self._deliver(command, None, update.update_id)
        return True

    async def _deliver(self, event: Event, message: TgMessage | None, update_id: int) -> None:
        """Hand one event to the handler (commands with their admin flag).

        Only ``StoreUnavailable`` and ``EventRejected`` get through; any other failure of
        the handler is logged and the next event goes on.
        """
        handler, sender = self._handler, self._sender
        if handler is None or sender is None:
            return
        try:
            if isinstance(event, Command) and event.name in self._admin_commands:
                event = await self._with_admin_flag(event, message)
            await handler.handle(event, sender)
        except (StoreUnavailable, EventRejected):
            raise
        except Exception:
            logger.exception(
                "handler failed on %s from update %s in chat %s",
                type(event).__name__,
                update_id,
                event.chat.platform_chat_id,
            )

    @staticmethod
    async def _answer(query: CallbackQuery, text: str | None) -> None:
        """Answer a callback query (stops the client's spinner); failures are only logged."""
        try:
            await query.answer(text)
        except TelegramError as exc:
            logger.warning("could not answer callback query %s: %s", query.id, exc)

    async def is_admin(self, chat: Chat, member: Member) -> bool | None:
        """Whether ``member`` is the creator or an administrator of ``chat`` now
        (getChatMember); None when Telegram cannot be asked (see ``AdminChecker``)."""
        return await telegram_is_admin(
            self._app.bot if self._app is not None else None, chat, member
        )

    async def _with_admin_flag(self, command: Command, message: TgMessage | None) -> Command:
        """``command`` with ``sender_is_admin`` from the chat's member list (getChatMember).

        ``message`` is the typed command (``None`` for a button press, which always comes
        from a user).
        """
        if not command.chat.is_group:
            return replace(command, sender_is_admin=False)
        if message is not None and message.sender_chat is not None:
            # Sent as the group itself: only its anonymous admins can do that.
            is_admin = message.sender_chat.id == message.chat.id
            return replace(command, sender_is_admin=is_admin)
        try:
            assert self._app is not None
            member = await self._app.bot.get_chat_member(
                int(command.chat.platform_chat_id), int(command.sender.platform_user_id)
            )
        except TelegramError:
            logger.exception("could not check whether %s is an admin", command.sender)
            return replace(command, sender_is_admin=None)
        is_admin = member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR)
        return replace(command, sender_is_admin=is_admin)
