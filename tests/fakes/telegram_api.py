"""A local fake of the Telegram Bot API for end-to-end tests.

``FakeTelegramApi`` is a small aiohttp server that answers the Bot API methods Hearth
uses, the way Telegram does: ``{"ok": true, "result": ...}`` on success and
``{"ok": false, "error_code": ..., "description": ...}`` with the matching HTTP status on
failure. ``getUpdates`` really long-polls (honouring ``offset``, ``timeout``, ``limit``
and ``allowed_updates``); in webhook mode pushed updates are POSTed to the registered
webhook with the secret token header.

python-telegram-bot 22 sends its parameters form-encoded (multipart when uploading),
with strings as-is and every other value JSON-encoded (``"123"``, ``"true"``,
``'["message"]'``); JSON bodies and query strings are accepted too.

The module also has builders for realistic update payloads (``make_user``,
``make_chat``, ``make_message``, ``message_update``, ``callback_query_update`` and friends)
with entity offsets counted in UTF-16 code units, as Telegram counts them.

Reactions arrive as ``message_reaction`` updates (``react``), which Telegram sends only
when they were asked for in ``allowed_updates`` and the bot is an administrator of the
chat; the fake holds back the others the same way.

Inline keyboards (``reply_markup`` on ``sendMessage``) are checked as Telegram checks them
(callback data of 1 to 64 bytes) and kept on the sent message; button presses arrive as
``callback_query`` updates, and ``answerCallbackQuery`` accepts each pushed query once.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal

from aiohttp import ClientSession, ClientTimeout, web

JSON = dict[str, Any]

DEFAULT_TOKEN = "123456789:TEST-token_for_the_fake_api"
DEFAULT_BOT_ID = 123456789
DEFAULT_BOT_USERNAME = "HearthBot"

DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
"""What Telegram delivers when ``allowed_updates`` was never set (no ``chat_member``)."""

_INT_PARAMS = frozenset(
    {
        "offset",
        "limit",
        "timeout",
        "user_id",
        "reply_to_message_id",
        "message_thread_id",
        "max_connections",
        "message_id",
        "cache_time",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "allow_sending_without_reply",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_paid_broadcast",
        "show_alert",
    }
)
_JSON_PARAMS = frozenset(
    {
        "allowed_updates",
        "commands",
        "scope",
        "reply_parameters",
        "reply_markup",
        "entities",
        "caption_entities",
        "link_preview_options",
    }
)

_PRESENT = frozenset({"creator", "administrator", "member"})
_message_ids = itertools.count(1)
_user_ids = itertools.count(1000)


class TelegramApiError(Exception):
    """Raised inside a method handler to answer with a Telegram error."""

    def __init__(
        self, error_code: int, description: str, parameters: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = dict(parameters) if parameters else None

    def payload(self) -> JSON:
        """The Telegram-shaped error body."""
        body: JSON = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One request the bot made."""

    method: str
    params: JSON
    at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A message the bot sent with ``sendMessage``."""

    chat_id: int | str
    text: str
    reply_to_message_id: int | None
    params: JSON
    message: JSON

    @property
    def message_id(self) -> int:
        """The id the fake gave the message."""
        return int(self.message["message_id"])

    @property
    def reply_markup(self) -> JSON | None:
        """The ``reply_markup`` the bot sent with the message, if any."""
        markup = self.params.get("reply_markup")
        return dict(markup) if isinstance(markup, dict) else None

    @property
    def buttons(self) -> list[list[tuple[str, str]]]:
        """The inline keyboard as rows of ``(text, callback_data)``; empty without one."""
        markup = self.reply_markup or {}
        return [
            [(str(button["text"]), str(button.get("callback_data"))) for button in row]
            for row in markup.get("inline_keyboard", [])
        ]


@dataclass(slots=True)
class _InjectedError:
    method: str
    remaining: int
    error: TelegramApiError


def free_tcp_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def utf16_len(text: str) -> int:
    """The length of ``text`` in UTF-16 code units (how Telegram measures entities)."""
    return len(text.encode("utf-16-le")) // 2


def _decode_param(name: str, value: Any) -> Any:
    """Undo PTB's encoding: strings as-is, everything else JSON-encoded."""
    if not isinstance(value, str):
        return value
    if name in _JSON_PARAMS:
        return json.loads(value)
    if name in _BOOL_PARAMS:
        return value.strip().lower() in ("true", "1")
    if name in _INT_PARAMS:
        return int(float(value))
    if name == "chat_id":
        try:
            return int(value)
        except ValueError:
            return value
    return value


class FakeTelegramApi:
    """A fake Bot API server for one bot; start it, point the bot's base URL at it.

    Test helpers: ``push_update``, ``sent_messages``, ``wait_for_sent``, ``calls``,
    ``wait_for_call``, ``inject_rate_limit``, ``inject_error``, ``post_webhook_update``,
    ``wait_for_webhook_deliveries``, ``callback_answers``, ``wait_for_callback_answer``,
    ``allow_private``/``block_private``, ``delete_message`` and ``edited_messages``.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_id: int = DEFAULT_BOT_ID,
        bot_username: str = DEFAULT_BOT_USERNAME,
        bot_name: str = "Hearth",
        host: str = "127.0.0.1",
    ) -> None:
        self.token = token
        self.host = host
        self.port = 0
        self.bot_user: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.calls: list[ApiCall] = []
        self.sent_messages: list[SentMessage] = []
        self.deleted_messages: list[tuple[int, int]] = []
        self.edited_messages: list[tuple[int, int, str]] = []
        """``(chat id, message id, new text)`` of every ``editMessageText``, in order."""
        self.commands: list[JSON] = []
        """The default command list (``setMyCommands`` without a ``language_code``)."""
        self.commands_by_language: dict[str, list[JSON]] = {}
        """The command lists set for one ``language_code`` each."""
        self.command_settings: list[tuple[str | None, list[JSON]]] = []
        """Every ``setMyCommands`` call in order: its ``language_code`` and its list."""
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.webhook_deliveries: list[int] = []
        """The HTTP status of every webhook POST made for pushed updates (-1: no answer)."""
        self.webhook_attempts = 6
        self.webhook_retry_delay = 0.05
        self.allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self.administrators: dict[int, list[JSON]] = {}
        self.callback_answers: dict[str, JSON] = {}
        """``answerCallbackQuery`` parameters by query id."""

        self._pending: list[JSON] = []
        self._next_update_id = 1
        self._sent_message_ids = itertools.count(100_000)
        self._chats: dict[int, JSON] = {}
        self._messages: dict[tuple[int, int], JSON] = {}
        self._bot_status: dict[int, str] = {}
        self._private_ok: set[int] = set()
        self._open_callback_queries: set[str] = set()
        self._members: dict[tuple[int, int], JSON] = {}
        self._injected: list[_InjectedError] = []
        self._changed = asyncio.Condition()
        self._poll_generation = 0
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._client: ClientSession | None = None
        self._deliveries: set[asyncio.Task[None]] = set()

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The value for PTB's ``base_url`` (the token is appended by PTB)."""
        return f"http://{self.host}:{self.port}/bot"

    async def start(self) -> None:
        """Listen on ``host`` at a free port."""
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._dispatch)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        server = site._server  # aiohttp does not expose the bound port otherwise
        assert server is not None
        sockets = getattr(server, "sockets", None)
        assert sockets
        self.port = int(sockets[0].getsockname()[1])

    async def close(self) -> None:
        """Wake pending long polls, finish webhook deliveries and stop the server."""
        self._closing = True
        async with self._changed:
            self._changed.notify_all()
        for task in list(self._deliveries):
            task.cancel()
        await asyncio.gather(*self._deliveries, return_exceptions=True)
        if self._client is not None:
            await self._client.close()
            self._client = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegramApi:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    # -- test helpers ------------------------------------------------------------------------

    def push_update(self, update: Mapping[str, Any], *, observe: bool = True) -> int:
        """Queue an update (its ``update_id`` is assigned here); returns the id.

        With a webhook set, the update is POSTed to it instead of waiting for getUpdates,
        and POSTed again (up to ``webhook_attempts`` times, waiting longer each time) while
        the webhook answers anything but 2xx, as Telegram does. ``observe=False`` queues
        it without learning chats and users from it (for malformed updates).
        """
        payload: JSON = dict(update)
        payload["update_id"] = self._next_update_id
        self._next_update_id += 1
        if observe:
            self._observe(payload)
        if self.webhook_url:
            task = asyncio.get_running_loop().create_task(self._deliver_webhook(payload))
            self._deliveries.add(task)
            task.add_done_callback(self._deliveries.discard)
        else:
            self._pending.append(payload)
            asyncio.get_running_loop().create_task(self._notify())
        return int(payload["update_id"])

    def react(
        self,
        chat: Mapping[str, Any],
        user: Mapping[str, Any],
        message_id: int,
        *,
        old: Iterable[str] = (),
        new: Iterable[str] = (),
    ) -> int | None:
        """``user`` changed their reactions on a message from ``old`` to ``new`` (emoji, or
        ``custom:ID`` for a custom emoji). Like Telegram, nothing is sent unless the bot is
        an administrator of the chat; returns the update id, or ``None`` when held back."""
        if self._bot_status.get(int(chat["id"])) not in ("administrator", "creator"):
            return None
        return self.push_update(message_reaction_update(chat, user, message_id, old=old, new=new))

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by a getUpdates offset."""
        return list(self._pending)

    def inject_rate_limit(
        self, count: int = 1, retry_after: int = 1, method: str = "sendMessage"
    ) -> None:
        """Answer the next ``count`` calls of ``method`` with HTTP 429 and ``retry_after``."""
        self.inject_error(
            method,
            count,
            HTTPStatus.TOO_MANY_REQUESTS,
            f"Too Many Requests: retry after {retry_after}",
            parameters={"retry_after": retry_after},
        )

    def inject_error(
        self,
        method: str,
        count: int,
        error_code: int,
        description: str,
        *,
        parameters: Mapping[str, Any] | None = None,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` with the given Telegram error."""
        error = TelegramApiError(error_code, description, parameters)
        self._injected.append(_InjectedError(method.lower(), count, error))

    def set_member_status(
        self, chat: Mapping[str, Any], user: Mapping[str, Any], status: str
    ) -> None:
        """Make ``user`` a ``member``, ``administrator``, ``creator``... of ``chat``."""
        self._chats[chat["id"]] = dict(chat)
        self._members[(chat["id"], user["id"])] = _chat_member(user, status)

    def allow_private(self, user_id: int) -> None:
        """Let the bot message ``user_id`` privately (as if the user pressed Start)."""
        self._private_ok.add(user_id)

    def block_private(self, user_id: int) -> None:
        """Make private messages to ``user_id`` fail with 403 (never started or blocked)."""
        self._private_ok.discard(user_id)

    def delete_message(self, chat_id: int, message_id: int) -> None:
        """Forget a message, as if it was deleted in the chat."""
        self._messages.pop((chat_id, message_id), None)

    def calls_to(self, method: str) -> list[ApiCall]:
        """The recorded calls of ``method`` (case-insensitive)."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    async def wait_for_sent(
        self,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[SentMessage]:
        """Wait until at least ``count`` messages were sent; returns all sent messages."""
        await self._wait_until(lambda: len(self.sent_messages) >= count, timeout, "sent messages")
        return list(self.sent_messages)

    async def wait_for_call(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> ApiCall:
        """Wait until ``method`` was called ``count`` times; returns the latest call."""
        await self._wait_until(
            lambda: len(self.calls_to(method)) >= count, timeout, f"{method} calls"
        )
        return self.calls_to(method)[-1]

    async def wait_for_callback_answer(
        self,
        query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> JSON:
        """Wait until the callback query ``query_id`` was answered; returns the answer."""
        await self._wait_until(
            lambda: query_id in self.callback_answers, timeout, f"an answer to {query_id}"
        )
        return self.callback_answers[query_id]

    async def wait_for_webhook_deliveries(
        self,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[int]:
        """Wait until ``count`` pushed updates were POSTed to the webhook; returns statuses."""
        await self._wait_until(
            lambda: len(self.webhook_deliveries) >= count, timeout, "webhook deliveries"
        )
        return list(self.webhook_deliveries)

    async def post_webhook_update(
        self,
        update: Mapping[str, Any],
        *,
        secret_token: str | None = None,
        url: str | None = None,
    ) -> int:
        """POST ``update`` to the webhook as Telegram would; returns the HTTP status.

        Uses the registered webhook URL and secret unless overridden; an ``update_id`` is
        assigned if missing.
        """
        payload: JSON = dict(update)
        if "update_id" not in payload:
            payload["update_id"] = self._next_update_id
            self._next_update_id += 1
            self._observe(payload)
        target = url or self.webhook_url
        if not target:
            raise RuntimeError("no webhook registered")
        secret = self.webhook_secret if secret_token is None else secret_token
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        if self._client is None:
            self._client = ClientSession(timeout=ClientTimeout(total=10))
        async with self._client.post(target, json=payload, headers=headers) as response:
            await response.read()
            return response.status

    # -- internals ---------------------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _wait_until(self, predicate: Callable[[], bool], limit: float, what: str) -> None:
        try:
            async with asyncio.timeout(limit), self._changed:
                await self._changed.wait_for(predicate)
        except TimeoutError:
            raise AssertionError(f"timed out after {limit}s waiting for {what}") from None

    async def _deliver_webhook(self, update: JSON) -> None:
        delay = self.webhook_retry_delay
        for _attempt in range(self.webhook_attempts):
            try:
                status = await self.post_webhook_update(update)
            except Exception as exc:  # recorded for the test to inspect
                status = -1
                self.calls.append(ApiCall("webhook-delivery-failed", {"error": repr(exc)}))
            self.webhook_deliveries.append(status)
            await self._notify()
            if 200 <= status < 300:
                return
            await asyncio.sleep(delay)
            delay *= 2

    def _observe(self, update: JSON) -> None:
        """Learn chats, users, messages and memberships from a pushed update."""
        for kind in ("message", "edited_message"):
            message = update.get(kind)
            if isinstance(message, dict):
                self._remember_message(message)
        for kind in ("my_chat_member", "chat_member"):
            changed = update.get(kind)
            if not isinstance(changed, dict):
                continue
            chat = changed["chat"]
            self._chats[chat["id"]] = chat
            new = changed["new_chat_member"]
            if new["user"]["id"] == self.bot_user["id"]:
                self._bot_status[chat["id"]] = new["status"]
                if chat["type"] == "private":
                    if new["status"] in _PRESENT:
                        self._private_ok.add(chat["id"])
                    else:
                        self._private_ok.discard(chat["id"])
            else:
                self._members[(chat["id"], new["user"]["id"])] = new
        query = update.get("callback_query")
        if isinstance(query, dict):
            self._open_callback_queries.add(str(query["id"]))
            message = query.get("message")
            if isinstance(message, dict) and message["chat"]["type"] != "private":
                self._members.setdefault(
                    (message["chat"]["id"], query["from"]["id"]),
                    {"status": "member", "user": query["from"]},
                )

    def _remember_message(self, message: JSON) -> None:
        chat = message["chat"]
        self._chats[chat["id"]] = chat
        self._messages[(chat["id"], message["message_id"])] = message
        if chat["type"] == "private":
            self._private_ok.add(chat["id"])
        sender = message.get("from")
        if isinstance(sender, dict) and chat["type"] != "private":
            self._members.setdefault(
                (chat["id"], sender["id"]), {"status": "member", "user": sender}
            )
        original = message.get("reply_to_message")
        if isinstance(original, dict):
            self._remember_message(original)

    async def _params(self, request: web.Request) -> JSON:
        raw: dict[str, Any] = dict(request.query)
        if request.body_exists:
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    raw.update(body)
            elif request.content_type in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            ):
                form = await request.post()
                for name, value in form.items():
                    if isinstance(value, str | bytes | bytearray):
                        raw[name] = value
                    else:
                        raw[name] = value.file.read()
        return {name: _decode_param(name, value) for name, value in raw.items()}

    async def _dispatch(self, request: web.Request) -> web.Response:
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)/?", request.path)
        if match is None:
            return _error_response(TelegramApiError(404, "Not Found"))
        if match.group(1) != self.token:
            return _error_response(TelegramApiError(401, "Unauthorized"))
        method = match.group(2)
        try:
            params = await self._params(request)
        except (ValueError, json.JSONDecodeError) as exc:
            return _error_response(TelegramApiError(400, f"Bad Request: {exc}"))
        self.calls.append(ApiCall(method, params))
        await self._notify()
        handler = getattr(self, f"_api_{method.lower()}", None)
        try:
            self._raise_injected(method)
            if handler is None:
                raise TelegramApiError(404, "Not Found")
            result = await handler(params)
        except TelegramApiError as exc:
            return _error_response(exc)
        return web.json_response({"ok": True, "result": result})

    def _raise_injected(self, method: str) -> None:
        for injected in self._injected:
            if injected.method == method.lower() and injected.remaining > 0:
                injected.remaining -= 1
                raise injected.error

    # -- Bot API methods ---------------------------------------------------------------------

    async def _api_getme(self, _params: JSON) -> JSON:
        return dict(self.bot_user)

    async def _api_logout(self, _params: JSON) -> bool:
        return True

    async def _api_close(self, _params: JSON) -> bool:
        return True

    async def _api_getupdates(self, params: JSON) -> list[JSON]:
        if self.webhook_url:
            raise TelegramApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._poll_generation += 1
        generation = self._poll_generation
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0.0, float(params.get("timeout") or 0))
        if params.get("allowed_updates") is not None:
            allowed = params["allowed_updates"]
            self.allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
        self._confirm(offset)

        def ready() -> bool:
            return (
                bool(self._deliverable(offset))
                or generation != self._poll_generation
                or self._closing
            )

        if timeout > 0 and not ready():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout), self._changed:
                    await self._changed.wait_for(ready)
        if generation != self._poll_generation:
            raise TelegramApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one "
                "bot instance is running",
            )
        return self._deliverable(offset)[:limit]

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]

    def _deliverable(self, offset: int) -> list[JSON]:
        # Updates of kinds the bot did not ask for are dropped, as Telegram does.
        self._pending = [
            u for u in self._pending if any(kind in self.allowed_updates for kind in u)
        ]
        return [u for u in self._pending if offset <= 0 or u["update_id"] >= offset]

    async def _api_deletewebhook(self, params: JSON) -> bool:
        self.webhook_url = None
        self.webhook_secret = None
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _api_setwebhook(self, params: JSON) -> bool:
        url = params.get("url") or ""
        if not url:
            return await self._api_deletewebhook(params)
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise TelegramApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook_url = str(url)
        self.webhook_secret = str(secret) if secret else None
        if params.get("allowed_updates") is not None:
            allowed = params["allowed_updates"]
            self.allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _api_getwebhookinfo(self, _params: JSON) -> JSON:
        return {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
            "allowed_updates": sorted(self.allowed_updates),
        }

    async def _api_setmycommands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise TelegramApiError(400, "Bad Request: commands must be a list")
        for command in commands:
            name = str(command.get("command", ""))
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise TelegramApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            description = str(command.get("description", ""))
            if not 1 <= len(description) <= 256:
                raise TelegramApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        language = params.get("language_code") or None
        if language is not None and not re.fullmatch(r"[a-z]{2}", str(language)):
            raise TelegramApiError(400, "Bad Request: LANG_CODE_INVALID")
        listed = [dict(command) for command in commands]
        self.command_settings.append((language, listed))
        if language is None:
            self.commands = listed
        else:
            self.commands_by_language[str(language)] = listed
        return True

    async def _api_getmycommands(self, params: JSON) -> list[JSON]:
        language = params.get("language_code") or None
        if language is None:
            return list(self.commands)
        return list(self.commands_by_language.get(str(language), []))

    async def _api_deletemycommands(self, params: JSON) -> bool:
        language = params.get("language_code") or None
        if language is None:
            self.commands = []
        else:
            self.commands_by_language.pop(str(language), None)
        return True

    async def _api_sendchataction(self, params: JSON) -> bool:
        self._chat_for_sending(params.get("chat_id"))
        return True

    async def _api_getchat(self, params: JSON) -> JSON:
        return self._chat_for_sending(params.get("chat_id"))

    async def _api_getchatmember(self, params: JSON) -> JSON:
        chat = self._chat_for_sending(params.get("chat_id"))
        user_id = int(params.get("user_id") or 0)
        if user_id == self.bot_user["id"]:
            status = self._bot_status.get(chat["id"], "member")
            return {"status": status, "user": dict(self.bot_user)}
        member = self._members.get((chat["id"], user_id))
        if member is None:
            raise TelegramApiError(400, "Bad Request: user not found")
        return dict(member)

    async def _api_getchatadministrators(self, params: JSON) -> list[JSON]:
        chat = self._chat_for_sending(params.get("chat_id"))
        return [
            {"status": "administrator", "user": user, "can_be_edited": False}
            for user in self.administrators.get(chat["id"], [])
        ]

    async def _api_deletemessage(self, params: JSON) -> bool:
        chat = self._chat_for_sending(params.get("chat_id"))
        key = (chat["id"], int(params.get("message_id") or 0))
        if self._messages.pop(key, None) is None:
            raise TelegramApiError(400, "Bad Request: message to delete not found")
        self.deleted_messages.append(key)
        return True

    async def _api_editmessagetext(self, params: JSON) -> JSON:
        chat = self._chat_for_sending(params.get("chat_id"))
        message = self._messages.get((chat["id"], int(params.get("message_id") or 0)))
        if message is None:
            raise TelegramApiError(400, "Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != self.bot_user["id"]:
            raise TelegramApiError(400, "Bad Request: message can't be edited")
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise TelegramApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > 4096:
            raise TelegramApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        if params.get("parse_mode"):
            raise TelegramApiError(400, "Bad Request: this fake only accepts plain text")
        if text == message.get("text"):
            raise TelegramApiError(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        message["text"] = text
        message["edit_date"] = int(time.time())
        self.edited_messages.append((chat["id"], message["message_id"], text))
        await self._notify()
        return dict(message)

    async def _api_sendmessage(self, params: JSON) -> JSON:
        chat = self._chat_for_sending(params.get("chat_id"))
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise TelegramApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > 4096:
            raise TelegramApiError(400, "Bad Request: message is too long")
        if params.get("parse_mode"):
            raise TelegramApiError(400, "Bad Request: this fake only accepts plain text")
        markup = params.get("reply_markup")
        if markup is not None:
            _check_inline_keyboard(markup)

        reply_parameters = params.get("reply_parameters") or {}
        reply_to = reply_parameters.get("message_id", params.get("reply_to_message_id"))
        allow_without = bool(
            reply_parameters.get(
                "allow_sending_without_reply", params.get("allow_sending_without_reply", False)
            )
        )
        original: JSON | None = None
        if reply_to is not None:
            original = self._messages.get((chat["id"], int(reply_to)))
            if original is None and not allow_without:
                raise TelegramApiError(400, "Bad Request: message to be replied not found")

        message: JSON = {
            "message_id": next(self._sent_message_ids),
            "from": dict(self.bot_user),
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        if original is not None:
            message["reply_to_message"] = original
        if params.get("message_thread_id") is not None:
            message["message_thread_id"] = params["message_thread_id"]
        if markup is not None:
            message["reply_markup"] = markup
        self._messages[(chat["id"], message["message_id"])] = message
        self.sent_messages.append(
            SentMessage(
                chat_id=chat["id"],
                text=text,
                reply_to_message_id=int(original["message_id"]) if original else None,
                params=params,
                message=message,
            )
        )
        await self._notify()
        return message

    async def _api_answercallbackquery(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_callback_queries:
            raise TelegramApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise TelegramApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._open_callback_queries.discard(query_id)
        self.callback_answers[query_id] = params
        await self._notify()
        return True

    def _chat_for_sending(self, chat_id: Any) -> JSON:
        if chat_id is None or chat_id == "":
            raise TelegramApiError(400, "Bad Request: chat_id is empty")
        if isinstance(chat_id, str):
            for candidate in self._chats.values():
                if candidate.get("username") and f"@{candidate['username']}" == chat_id:
                    return candidate
            raise TelegramApiError(400, "Bad Request: chat not found")
        if chat_id > 0:
            if chat_id not in self._private_ok:
                raise TelegramApiError(
                    403, "Forbidden: bot can't initiate conversation with a user"
                )
            known = self._chats.get(chat_id)
            return known or {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
        chat = self._chats.get(chat_id)
        if chat is None:
            raise TelegramApiError(400, "Bad Request: chat not found")
        status = self._bot_status.get(chat_id)
        if status == "kicked":
            raise TelegramApiError(403, f"Forbidden: bot was kicked from the {chat['type']} chat")
        if status == "left":
            raise TelegramApiError(
                403, f"Forbidden: bot is not a member of the {chat['type']} chat"
            )
        return chat


def _error_response(error: TelegramApiError) -> web.Response:
    return web.json_response(error.payload(), status=error.error_code)


def _check_inline_keyboard(markup: Any) -> None:
    """Refuse a keyboard Telegram would refuse: bad shape, empty labels, bad callback data."""
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise TelegramApiError(400, "Bad Request: can't parse inline keyboard button")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                raise TelegramApiError(400, "Bad Request: text buttons are unallowed")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                raise TelegramApiError(400, "Bad Request: BUTTON_DATA_INVALID")


# -- builders for update payloads --------------------------------------------------------------

ChatType = Literal["group", "supergroup", "private", "channel"]


def make_user(
    user_id: int | None = None,
    first_name: str = "Alice",
    *,
    last_name: str | None = None,
    username: str | None = None,
    is_bot: bool = False,
    language_code: str | None = "en",
) -> JSON:
    """A Telegram ``User``."""
    user: JSON = {
        "id": user_id if user_id is not None else next(_user_ids),
        "is_bot": is_bot,
        "first_name": first_name,
    }
    if last_name:
        user["last_name"] = last_name
    if username:
        user["username"] = username
    if language_code and not is_bot:
        user["language_code"] = language_code
    return user


def make_chat(
    chat_id: int = -1001234567890,
    *,
    kind: ChatType = "supergroup",
    title: str | None = "Hearth Test Group",
    username: str | None = None,
    is_forum: bool = False,
) -> JSON:
    """A Telegram group, supergroup or channel ``Chat`` (see ``private_chat`` for users)."""
    chat: JSON = {"id": chat_id, "type": kind}
    if title is not None and kind != "private":
        chat["title"] = title
    if username:
        chat["username"] = username
    if is_forum:
        chat["is_forum"] = True
    return chat


def private_chat(user: Mapping[str, Any]) -> JSON:
    """The private chat between the bot and ``user``."""
    chat: JSON = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    for key in ("last_name", "username"):
        if user.get(key):
            chat[key] = user[key]
    return chat


def entity(
    text: str,
    fragment: str,
    entity_type: str,
    *,
    occurrence: int = 0,
    **extra: Any,
) -> JSON:
    """An entity covering the ``occurrence``-th ``fragment`` of ``text``, in UTF-16 units."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(fragment, start + 1)
    return {
        "type": entity_type,
        "offset": utf16_len(text[:start]),
        "length": utf16_len(fragment),
        **extra,
    }


_MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}\b")
_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z][A-Za-z0-9_]{3,31})?")


def auto_entities(
    text: str, text_mentions: Mapping[str, Mapping[str, Any]] | None = None
) -> list[JSON]:
    """Entities Telegram would attach: ``/commands``, ``@mentions`` and given text mentions.

    ``text_mentions`` maps a fragment of ``text`` to the user it points at.
    """
    found: list[JSON] = []
    for match in _COMMAND_RE.finditer(text):
        found.append(_span(text, match.start(), match.end(), "bot_command"))
    for match in _MENTION_RE.finditer(text):
        found.append(_span(text, match.start(), match.end(), "mention"))
    for fragment, user in (text_mentions or {}).items():
        found.append(entity(text, fragment, "text_mention", user=dict(user)))
    return sorted(found, key=lambda item: int(item["offset"]))


def _span(text: str, start: int, end: int, entity_type: str) -> JSON:
    return {
        "type": entity_type,
        "offset": utf16_len(text[:start]),
        "length": utf16_len(text[start:end]),
    }


def make_message(
    chat: Mapping[str, Any],
    sender: Mapping[str, Any] | None,
    text: str | None = None,
    *,
    message_id: int | None = None,
    date: int | None = None,
    entities: Iterable[Mapping[str, Any]] | None = None,
    text_mentions: Mapping[str, Mapping[str, Any]] | None = None,
    caption: str | None = None,
    media: Literal["photo", "document", "video", "sticker"] | None = None,
    reply_to: Mapping[str, Any] | None = None,
    sender_chat: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSON:
    """A Telegram ``Message``.

    Entities for ``/commands`` and ``@mentions`` are computed as Telegram would unless
    ``entities`` is given; ``text_mentions`` adds text mentions. ``caption`` (with ``media``,
    default a photo) makes a media message; ``media`` alone makes one without any text.
    """
    message: JSON = {
        "message_id": message_id if message_id is not None else next(_message_ids),
        "date": date if date is not None else int(time.time()),
        "chat": dict(chat),
    }
    if sender is not None:
        message["from"] = dict(sender)
    if sender_chat is not None:
        message["sender_chat"] = dict(sender_chat)
    if text is not None:
        message["text"] = text
        found = list(entities) if entities is not None else auto_entities(text, text_mentions)
        if found:
            message["entities"] = [dict(e) for e in found]
    if caption is not None or media is not None:
        message.update(_media(media or "photo"))
    if caption is not None:
        message["caption"] = caption
        found = auto_entities(caption, text_mentions)
        if found:
            message["caption_entities"] = found
    if reply_to is not None:
        message["reply_to_message"] = dict(reply_to)
    if extra:
        message.update(extra)
    return message


def _media(kind: str) -> JSON:
    file_id = f"file-{next(_message_ids)}"
    base = {"file_id": file_id, "file_unique_id": f"u{file_id}"}
    if kind == "photo":
        return {"photo": [{**base, "width": 90, "height": 90, "file_size": 1000}]}
    if kind == "video":
        return {"video": {**base, "width": 640, "height": 480, "duration": 3}}
    if kind == "sticker":
        return {
            "sticker": {
                **base,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
        }
    return {"document": {**base, "file_name": "notes.pdf", "mime_type": "application/pdf"}}


def message_update(message: Mapping[str, Any]) -> JSON:
    """An update carrying a new message."""
    return {"message": dict(message)}


def _reaction_type(emoji: str) -> JSON:
    if emoji.startswith("custom:"):
        return {"type": "custom_emoji", "custom_emoji_id": emoji.removeprefix("custom:")}
    return {"type": "emoji", "emoji": emoji}


def message_reaction_update(
    chat: Mapping[str, Any],
    user: Mapping[str, Any],
    message_id: int,
    *,
    old: Iterable[str] = (),
    new: Iterable[str] = (),
    date: int | None = None,
) -> JSON:
    """A ``message_reaction`` update: ``user``'s reactions on a message, before and after."""
    return {
        "message_reaction": {
            "chat": dict(chat),
            "message_id": message_id,
            "user": dict(user),
            "date": date if date is not None else int(time.time()),
            "old_reaction": [_reaction_type(emoji) for emoji in old],
            "new_reaction": [_reaction_type(emoji) for emoji in new],
        }
    }


def callback_query_update(
    message: Mapping[str, Any],
    user: Mapping[str, Any],
    data: str | None,
    *,
    query_id: str | None = None,
) -> JSON:
    """An update: ``user`` pressed a button with callback ``data`` under ``message``."""
    query: JSON = {
        "id": query_id if query_id is not None else f"cq-{next(_message_ids)}",
        "from": dict(user),
        "message": dict(message),
        "chat_instance": f"ci{message['chat']['id']}",
    }
    if data is not None:
        query["data"] = data
    return {"callback_query": query}


def edited_message_update(
    message: Mapping[str, Any], *, text: str | None = None, edit_date: int | None = None
) -> JSON:
    """An update carrying an edit of ``message`` (new ``text`` re-computes the entities)."""
    edited = dict(message)
    if text is not None:
        edited["text"] = text
        found = auto_entities(text)
        edited.pop("entities", None)
        if found:
            edited["entities"] = found
    edited["edit_date"] = edit_date if edit_date is not None else int(message["date"]) + 30
    return {"edited_message": edited}


def _chat_member(user: Mapping[str, Any], status: str) -> JSON:
    member: JSON = {"status": status, "user": dict(user)}
    if status == "kicked":
        member["until_date"] = 0
    if status == "administrator":
        member.update(
            {
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": False,
                "can_restrict_members": False,
                "can_promote_members": False,
                "can_change_info": False,
                "can_invite_users": True,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
            }
        )
    return member


def chat_member_update(
    chat: Mapping[str, Any],
    member: Mapping[str, Any],
    *,
    old_status: str,
    new_status: str,
    by: Mapping[str, Any] | None = None,
    date: int | None = None,
    kind: Literal["chat_member", "my_chat_member"] = "chat_member",
) -> JSON:
    """A ``chat_member`` (or ``my_chat_member``) update moving ``member`` between statuses."""
    return {
        kind: {
            "chat": dict(chat),
            "from": dict(by or member),
            "date": date if date is not None else int(time.time()),
            "old_chat_member": _chat_member(member, old_status),
            "new_chat_member": _chat_member(member, new_status),
        }
    }


def member_joined_update(
    chat: Mapping[str, Any], member: Mapping[str, Any], *, by: Mapping[str, Any] | None = None
) -> JSON:
    """A ``chat_member`` update: ``member`` joined (or was added by ``by``)."""
    return chat_member_update(chat, member, old_status="left", new_status="member", by=by)


def member_left_update(
    chat: Mapping[str, Any], member: Mapping[str, Any], *, by: Mapping[str, Any] | None = None
) -> JSON:
    """A ``chat_member`` update: ``member`` left (or was removed by ``by``)."""
    return chat_member_update(chat, member, old_status="member", new_status="left", by=by)


def bot_added_update(
    chat: Mapping[str, Any],
    bot: Mapping[str, Any],
    *,
    by: Mapping[str, Any],
    as_admin: bool = False,
) -> JSON:
    """A ``my_chat_member`` update: ``by`` added the bot to ``chat``."""
    return chat_member_update(
        chat,
        bot,
        old_status="left",
        new_status="administrator" if as_admin else "member",
        by=by,
        kind="my_chat_member",
    )


def bot_removed_update(
    chat: Mapping[str, Any],
    bot: Mapping[str, Any],
    *,
    by: Mapping[str, Any],
    kicked: bool = True,
) -> JSON:
    """A ``my_chat_member`` update: ``by`` removed the bot from ``chat``."""
    return chat_member_update(
        chat,
        bot,
        old_status="member",
        new_status="kicked" if kicked else "left",
        by=by,
        kind="my_chat_member",
    )


def new_chat_members_update(
    chat: Mapping[str, Any],
    members: Iterable[Mapping[str, Any]],
    *,
    by: Mapping[str, Any] | None = None,
    message_id: int | None = None,
) -> JSON:
    """The ``new_chat_members`` service message (``by`` added them; else they joined)."""
    joined = [dict(member) for member in members]
    message = make_message(chat, by or joined[0], message_id=message_id)
    message["new_chat_members"] = joined
    message["new_chat_member"] = joined[0]
    message["new_chat_participant"] = joined[0]
    return message_update(message)


def left_chat_member_update(
    chat: Mapping[str, Any],
    member: Mapping[str, Any],
    *,
    by: Mapping[str, Any] | None = None,
    message_id: int | None = None,
) -> JSON:
    """The ``left_chat_member`` service message (``by`` removed them; else they left)."""
    message = make_message(chat, by or member, message_id=message_id)
    message["left_chat_member"] = dict(member)
    message["left_chat_participant"] = dict(member)
    return message_update(message)
