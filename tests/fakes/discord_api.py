"""A local fake of Discord's REST API and gateway for end-to-end tests.

``FakeDiscord`` is a small aiohttp server that plays Discord for one bot: the REST routes
discord.py calls for Hearth (login, application info, gateway discovery, messages, DMs,
interaction callbacks and followups, command registration) answer the way Discord does,
with JSON bodies of Content-Type exactly ``application/json`` and Discord-shaped errors
(``{"message": ..., "code": ...}``); the gateway websocket says HELLO, acknowledges
heartbeats, answers IDENTIFY with READY and one GUILD_CREATE per server of the shard,
answers member requests with a chunk, and can refuse IDENTIFY with a close code (4014
for disallowed intents, which it also sends by itself when a privileged intent is asked
for that the application's flags do not enable).

Point discord.py at it with ``discord.http.Route.BASE = fake.base_url`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)`` (the
fixtures in ``discord_fixtures`` do this with ``monkeypatch``). ``GET /gateway/bot``
returns the fake's own gateway URL, so sharded clients find it too. Frames are sent as
plain text, which discord.py accepts even when it asked for zstd-stream compression.

Test helpers dispatch gateway events (``post_message``, ``edit_message``,
``delete_message``, ``add_reaction``/``remove_reaction`` (to sessions that asked for the
reactions intent only), ``member_join``, ``member_leave``, ``create_thread``, ``join_guild``,
``leave_guild``, ``use_command``, ``dispatch``), record REST calls (``calls``,
``sent_messages``, ``interaction_callbacks``, ``followups``, ``command_puts``) and inject
failures (``inject_rate_limit``, ``inject_error``, ``block_dms``, ``close_on_identify``).
Channel history is served the way Discord serves it (``GET /channels/{id}/messages`` with
``before``, ``after``, ``around`` and ``limit``, newest first); ``post_message(...,
deliver=False)`` adds a message to a channel's history without dispatching it (posted
while the bot was not connected), ``archive_thread`` takes a thread out of what the
gateway sends, and ``drop_gateway`` closes the connections so that the client reconnects
(its RESUME is refused, so it starts a new session).
Builders (``make_user``, ``make_role``, ``make_text_channel``, ``make_guild``...) make
realistic payloads with snowflake ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import math
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

JSON = dict[str, Any]

DISCORD_EPOCH_MS = 1_420_070_400_000
API_PREFIX = "/api/v10"

DEFAULT_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.fake.hearth-test-token"
DEFAULT_BOT_ID = 1_100_000_000_000_000_001
DEFAULT_APPLICATION_ID = 1_100_000_000_000_000_001

# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
READ_MESSAGE_HISTORY = 1 << 16
USE_APPLICATION_COMMANDS = 1 << 31
MEMBER_PERMISSIONS = VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | USE_APPLICATION_COMMANDS

# Gateway intents and application flags that matter for privileged intents.
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_MESSAGE_REACTIONS = 1 << 10
INTENT_MESSAGE_CONTENT = 1 << 15
FLAG_GATEWAY_GUILD_MEMBERS = 1 << 14
FLAG_GATEWAY_GUILD_MEMBERS_LIMITED = 1 << 15
FLAG_GATEWAY_MESSAGE_CONTENT = 1 << 18
FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED = 1 << 19
DEFAULT_APP_FLAGS = FLAG_GATEWAY_GUILD_MEMBERS_LIMITED | FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED
"""An unverified application with both privileged intents switched on in the portal."""

EPHEMERAL = 1 << 6
SUPPRESS_EMBEDS = 1 << 2
MAX_CONTENT_LENGTH = 2000

SEND_MESSAGE = "POST /channels/{channel_id}/messages"
EDIT_MESSAGE = "PATCH /channels/{channel_id}/messages/{message_id}"
CHANNEL_HISTORY = "GET /channels/{channel_id}/messages"
GET_CHANNEL = "GET /channels/{channel_id}"
GET_MEMBER = "GET /guilds/{guild_id}/members/{user_id}"
ARCHIVED_THREADS = "GET /channels/{channel_id}/threads/archived/public"
MAX_HISTORY_PAGE = 100
CREATE_DM = "POST /users/@me/channels"
INTERACTION_CALLBACK = "POST /interactions/{interaction_id}/{token}/callback"
FOLLOWUP = "POST /webhooks/{application_id}/{token}"
EDIT_ORIGINAL = "PATCH /webhooks/{application_id}/{token}/messages/@original"
DELETE_ORIGINAL = "DELETE /webhooks/{application_id}/{token}/messages/@original"
GLOBAL_COMMANDS = "/applications/{application_id}/commands"
GUILD_COMMANDS = "/applications/{application_id}/guilds/{guild_id}/commands"

_sequence = itertools.count(1)


def snowflake(at: datetime | None = None) -> int:
    """A fresh, unique Discord id whose timestamp is ``at`` (now by default)."""
    moment = at or datetime.now(UTC)
    millis = int(moment.timestamp() * 1000) - DISCORD_EPOCH_MS
    return (millis << 22) | (next(_sequence) % (1 << 22))


def snowflake_time(value: int | str) -> datetime:
    """When the id ``value`` was made."""
    millis = (int(value) >> 22) + DISCORD_EPOCH_MS
    return datetime.fromtimestamp(millis / 1000, UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


# -- payload builders ------------------------------------------------------------------------


def make_user(
    user_id: int | None = None,
    username: str = "someone",
    *,
    global_name: str | None = None,
    bot: bool = False,
) -> JSON:
    """A user object; ``username`` is the unique account name, ``global_name`` the shown one."""
    return {
        "id": str(user_id if user_id is not None else snowflake()),
        "username": username,
        "discriminator": "0",
        "global_name": global_name,
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


def make_role(role_id: int, name: str, permissions: int, *, position: int = 0) -> JSON:
    """A role with the given permission bits."""
    return {
        "id": str(role_id),
        "name": name,
        "permissions": str(permissions),
        "position": position,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def make_member(
    user: Mapping[str, Any], *, roles: Iterable[int] = (), nick: str | None = None
) -> JSON:
    """A guild member object (with its user)."""
    return {
        "user": dict(user),
        "nick": nick,
        "roles": [str(role) for role in roles],
        "joined_at": _iso(datetime.now(UTC)),
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
    }


def make_text_channel(
    channel_id: int,
    guild_id: int,
    name: str,
    *,
    position: int = 0,
    overwrites: Sequence[Mapping[str, Any]] = (),
) -> JSON:
    """A server text channel; ``overwrites`` are permission overwrites."""
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": [dict(o) for o in overwrites],
        "topic": None,
        "nsfw": False,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "parent_id": None,
    }


def hide_from(role_or_member_id: int, *, member: bool = False) -> JSON:
    """A permission overwrite that denies viewing the channel."""
    return {
        "id": str(role_or_member_id),
        "type": 1 if member else 0,
        "allow": "0",
        "deny": str(VIEW_CHANNEL),
    }


def show_to(role_or_member_id: int, *, member: bool = False) -> JSON:
    """A permission overwrite that allows viewing the channel."""
    return {
        "id": str(role_or_member_id),
        "type": 1 if member else 0,
        "allow": str(VIEW_CHANNEL),
        "deny": "0",
    }


def make_thread(thread_id: int, guild_id: int, parent_id: int, name: str, *, owner_id: int) -> JSON:
    """A public thread in a text channel."""
    now = _iso(datetime.now(UTC))
    return {
        "id": str(thread_id),
        "type": 11,
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "owner_id": str(owner_id),
        "name": name,
        "last_message_id": None,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "rate_limit_per_user": 0,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": now,
            "locked": False,
            "create_timestamp": now,
        },
    }


def make_guild(
    guild_id: int,
    name: str,
    *,
    owner_id: int,
    channels: Sequence[JSON],
    members: Sequence[JSON],
    roles: Sequence[JSON] = (),
    everyone_permissions: int = MEMBER_PERMISSIONS,
    threads: Sequence[JSON] = (),
) -> JSON:
    """A complete GUILD_CREATE payload; ``member_count`` equals the members sent, so
    discord.py never needs to ask for member chunks."""
    return {
        "id": str(guild_id),
        "name": name,
        "icon": None,
        "owner_id": str(owner_id),
        "roles": [make_role(guild_id, "@everyone", everyone_permissions), *roles],
        "channels": list(channels),
        "threads": list(threads),
        "members": list(members),
        "member_count": len(members),
        "large": False,
        "unavailable": False,
        "joined_at": _iso(datetime.now(UTC)),
        "emojis": [],
        "stickers": [],
        "features": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "preferred_locale": "en-US",
        "premium_tier": 0,
        "system_channel_id": None,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "afk_timeout": 300,
    }


# -- records ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RestCall:
    """One REST request the bot made; ``route`` is the template, e.g. ``SEND_MESSAGE``."""

    method: str
    path: str
    route: str
    body: Any
    query: Mapping[str, str]
    at: float = field(default_factory=time.monotonic)
    host: str = ""
    """The Host the request was sent to (tells apart clients given different base URLs)."""


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A message the bot created with ``POST /channels/{id}/messages``."""

    channel_id: int
    payload: JSON
    message: JSON

    @property
    def content(self) -> str:
        """The text as sent."""
        return str(self.payload.get("content", ""))

    @property
    def message_id(self) -> int:
        """The id the fake gave the message."""
        return int(self.message["id"])


@dataclass(frozen=True, slots=True)
class InteractionCallback:
    """An initial interaction response (``type`` 5 is a deferral)."""

    interaction_id: int
    payload: JSON

    @property
    def type(self) -> int:
        """The response type."""
        return int(self.payload["type"])

    @property
    def ephemeral(self) -> bool:
        """Whether the response is only shown to the invoker."""
        return bool(int((self.payload.get("data") or {}).get("flags", 0)) & EPHEMERAL)


@dataclass(frozen=True, slots=True)
class Followup:
    """A followup message sent through an interaction's webhook."""

    interaction_id: int
    payload: JSON
    message: JSON

    @property
    def content(self) -> str:
        """The text as sent."""
        return str(self.payload.get("content", ""))

    @property
    def ephemeral(self) -> bool:
        """Whether the followup is only shown to the invoker."""
        return bool(int(self.payload.get("flags", 0)) & EPHEMERAL)


@dataclass(slots=True)
class _Injected:
    route: str
    remaining: int
    respond: Callable[[], web.Response]


@dataclass(slots=True)
class _Session:
    ws: web.WebSocketResponse
    query: Mapping[str, str]
    shard: tuple[int, int] = (0, 1)
    identified: bool = False
    intents: int = 0
    session_id: str = ""
    sequence: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass(slots=True)
class _Interaction:
    interaction_id: int
    channel_id: int
    guild_id: int | None
    ephemeral_original: bool = False
    original: JSON | None = None


class DiscordHTTPError(Exception):
    """Raised inside a route handler to answer with a Discord error."""

    def __init__(self, status: int, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


def _json_response(
    status: int, body: Any, headers: Mapping[str, str] | None = None
) -> web.Response:
    """A JSON answer with Content-Type exactly ``application/json`` (discord.py checks)."""
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(status=status, body=json.dumps(body).encode(), headers=all_headers)


def _error_response(error: DiscordHTTPError) -> web.Response:
    return _json_response(error.status, {"message": error.message, "code": error.code})


def _rate_limited(retry_after: float, *, is_global: bool) -> web.Response:
    reset = time.time() + retry_after
    headers = {
        "Via": "1.1 google",
        "Retry-After": str(math.ceil(retry_after)),
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{reset:.3f}",
        "X-RateLimit-Reset-After": f"{retry_after:.3f}",
        "X-RateLimit-Bucket": "fake-bucket",
        "X-RateLimit-Scope": "global" if is_global else "user",
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    body = {
        "message": "You are being rate limited.",
        "retry_after": retry_after,
        "global": is_global,
        "code": 0,
    }
    return _json_response(429, body, headers)


class FakeDiscord:
    """A fake Discord (REST API and gateway) for one bot; start it, point discord.py at it."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_id: int = DEFAULT_BOT_ID,
        application_id: int = DEFAULT_APPLICATION_ID,
        bot_username: str = "hearth",
        bot_name: str = "Hearth",
        application_flags: int = DEFAULT_APP_FLAGS,
        shard_count: int = 1,
        host: str = "127.0.0.1",
    ) -> None:
        self.token = token
        self.application_id = application_id
        self.application_flags = application_flags
        self.shard_count = shard_count
        self.host = host
        self.port = 0
        self.bot_user = make_user(bot_id, bot_username, global_name=bot_name, bot=True)
        self.owner_user = make_user(None, "hearth_owner", global_name="Owner")

        self.guilds: dict[int, JSON] = {}
        self.messages: dict[int, JSON] = {}
        self.dm_channels: dict[int, JSON] = {}
        self.commands: dict[int | None, list[JSON]] = {}
        self.calls: list[RestCall] = []
        self.sent_messages: list[SentMessage] = []
        self._nonced: dict[tuple[int, str], JSON] = {}
        self.interaction_callbacks: list[InteractionCallback] = []
        self.followups: list[Followup] = []
        self.edited_originals: list[tuple[int, JSON]] = []
        self.deleted_originals: list[int] = []
        self.identify_payloads: list[JSON] = []
        self.dispatched: list[tuple[str, JSON]] = []
        self.echo_sent_messages = True
        """Dispatch MESSAGE_CREATE for the bot's own messages, as Discord does."""
        self.close_on_identify: int | None = None
        """Close the gateway with this code instead of answering IDENTIFY."""
        self.deleted_messages: list[int] = []
        self.edited_messages: list[tuple[int, str]] = []
        """``(message id, new content)`` of every edit the bot made, in order."""
        self.enforce_privileged_intents = True
        """Close with 4014 when IDENTIFY asks for a privileged intent the flags do not allow."""
        self.history_delay = 0.0
        """Seconds each channel history page takes to answer (to stop a client midway)."""
        self.answer_identify = True
        """Set to ``False`` to leave IDENTIFY unanswered (no READY ever comes)."""

        self._channel_guild: dict[int, int] = {}
        self._archived_threads: dict[int, JSON] = {}
        self._interactions: dict[str, _Interaction] = {}
        self._blocked_dms: set[int] = set()
        self._injected: list[_Injected] = []
        self._sessions: list[_Session] = []
        self._changed = asyncio.Condition()
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: web.AppRunner | None = None
        self._routes: list[tuple[str, re.Pattern[str], str, Callable[..., Any], bool]] = []
        self._add_routes()

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The value for ``discord.http.Route.BASE``."""
        return f"http://{self.host}:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """The gateway URL (for ``DiscordWebSocket.DEFAULT_GATEWAY`` and ``/gateway/bot``)."""
        return f"ws://{self.host}:{self.port}/gateway"

    async def start(self) -> None:
        """Listen on ``host`` at a free port."""
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{path:.*}", self._rest)
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
        """Close gateway sessions, finish background dispatches and stop the server."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for session in list(self._sessions):
            with contextlib.suppress(Exception):
                await session.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    # -- servers -----------------------------------------------------------------------------

    def add_guild(self, guild: JSON) -> JSON:
        """Register a server the bot is in (sent in READY and GUILD_CREATE on connect)."""
        guild_id = int(guild["id"])
        self.guilds[guild_id] = guild
        for channel in [*guild.get("channels", []), *guild.get("threads", [])]:
            self._channel_guild[int(channel["id"])] = guild_id
        if not any(m["user"]["id"] == self.bot_user["id"] for m in guild.get("members", [])):
            guild.setdefault("members", []).append(make_member(self.bot_user))
            guild["member_count"] = len(guild["members"])
        return guild

    def guild_of(self, channel_id: int) -> int | None:
        """The server a channel or thread belongs to (``None`` for DMs and unknown ids)."""
        return self._channel_guild.get(int(channel_id))

    def member_json(self, guild_id: int, user_id: int | str) -> JSON | None:
        """The member object of a user in a server, if they are in it."""
        for member in self.guilds[guild_id].get("members", []):
            if member["user"]["id"] == str(user_id):
                return dict(member)
        return None

    def set_member_roles(self, guild_id: int, user_id: int | str, roles: Iterable[int]) -> None:
        """Give a server member exactly ``roles`` (what the member endpoint returns next;
        no gateway event is sent)."""
        for member in self.guilds[guild_id].get("members", []):
            if member["user"]["id"] == str(user_id):
                member["roles"] = [str(role) for role in roles]
                return
        raise KeyError(f"no member {user_id} in guild {guild_id}")

    def shard_of(self, guild_id: int) -> int:
        """Which shard a server belongs to."""
        return (guild_id >> 22) % self.shard_count

    # -- gateway helpers ---------------------------------------------------------------------

    @property
    def gateway_sessions(self) -> int:
        """How many gateway sessions are identified right now."""
        return sum(1 for session in self._sessions if session.identified)

    async def wait_until_identified(self, count: int = 1, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until ``count`` gateway sessions have been answered with READY."""
        await self._wait_until(lambda: self.gateway_sessions >= count, timeout, "IDENTIFY")

    async def dispatch(
        self, event: str, data: Mapping[str, Any], *, guild_id: int | None = None
    ) -> None:
        """Send a gateway DISPATCH to the session(s) concerned (by server, else all)."""
        payload = dict(data)
        sessions = [s for s in self._sessions if s.identified]
        if guild_id is not None:
            sessions = [s for s in sessions if s.shard[0] == self.shard_of(guild_id)]
        if not sessions:
            raise AssertionError(f"no identified gateway session to receive {event}")
        self.dispatched.append((event, payload))
        for session in sessions:
            await self._send_dispatch(session, event, payload)

    async def post_message(
        self,
        channel_id: int,
        author: Mapping[str, Any],
        content: str,
        *,
        mentions: Sequence[Mapping[str, Any]] = (),
        reply_to: Mapping[str, Any] | None = None,
        attachments: Sequence[Mapping[str, Any]] = (),
        embeds: Sequence[Mapping[str, Any]] = (),
        message_type: int | None = None,
        at: datetime | None = None,
        deliver: bool = True,
    ) -> JSON:
        """Dispatch MESSAGE_CREATE for a message by ``author``; returns its payload.

        With ``deliver=False`` the message only joins the channel's history, as one posted
        while the bot was not connected (no gateway session needed).
        """
        message = self.build_message(
            channel_id,
            author,
            content,
            mentions=mentions,
            reply_to=reply_to,
            attachments=attachments,
            embeds=embeds,
            message_type=message_type,
            at=at,
        )
        self.messages[int(message["id"])] = message
        if deliver:
            await self.dispatch("MESSAGE_CREATE", message, guild_id=self.guild_of(channel_id))
        return message

    async def edit_message(self, message: Mapping[str, Any], content: str) -> JSON:
        """Dispatch MESSAGE_UPDATE (a full message, as Discord sends) with new text."""
        edited = copy.deepcopy(dict(message))
        edited["content"] = content
        edited["edited_timestamp"] = _iso(datetime.now(UTC))
        self.messages[int(edited["id"])] = edited
        await self.dispatch(
            "MESSAGE_UPDATE", edited, guild_id=self.guild_of(int(edited["channel_id"]))
        )
        return edited

    async def delete_message(self, message: Mapping[str, Any]) -> None:
        """Dispatch MESSAGE_DELETE for ``message``."""
        data: JSON = {"id": message["id"], "channel_id": message["channel_id"]}
        guild_id = self.guild_of(int(message["channel_id"]))
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
        self.messages.pop(int(message["id"]), None)
        await self.dispatch("MESSAGE_DELETE", data, guild_id=guild_id)

    async def add_reaction(
        self, message: Mapping[str, Any], user: Mapping[str, Any], emoji: str
    ) -> int:
        """Dispatch MESSAGE_REACTION_ADD: ``user`` reacted with ``emoji`` (a unicode emoji,
        or ``name:id`` for a custom one). Like Discord, only sessions that asked for the
        guild reactions intent get it; returns how many did."""
        guild_id = self.guild_of(int(message["channel_id"]))
        data = self._reaction_data(message, user, emoji, guild_id)
        data["message_author_id"] = str(message["author"]["id"])
        data["burst_colors"] = []
        if guild_id is not None:
            member = self.member_json(guild_id, user["id"])
            data["member"] = member if member is not None else make_member(user)
        return await self._dispatch_reaction("MESSAGE_REACTION_ADD", data, guild_id)

    async def remove_reaction(
        self, message: Mapping[str, Any], user: Mapping[str, Any], emoji: str
    ) -> int:
        """Dispatch MESSAGE_REACTION_REMOVE (Discord names only the user's id there)."""
        guild_id = self.guild_of(int(message["channel_id"]))
        data = self._reaction_data(message, user, emoji, guild_id)
        return await self._dispatch_reaction("MESSAGE_REACTION_REMOVE", data, guild_id)

    @staticmethod
    def _reaction_data(
        message: Mapping[str, Any], user: Mapping[str, Any], emoji: str, guild_id: int | None
    ) -> JSON:
        name, _, emoji_id = emoji.partition(":")
        data: JSON = {
            "user_id": str(user["id"]),
            "channel_id": str(message["channel_id"]),
            "message_id": str(message["id"]),
            "emoji": {"id": emoji_id or None, "name": name},
            "burst": False,
            "type": 0,
        }
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
        return data

    async def _dispatch_reaction(self, event: str, data: JSON, guild_id: int | None) -> int:
        sessions = [
            s
            for s in self._sessions
            if s.identified
            and s.intents & INTENT_GUILD_MESSAGE_REACTIONS
            and (guild_id is None or s.shard[0] == self.shard_of(guild_id))
        ]
        self.dispatched.append((event, data))
        for session in sessions:
            await self._send_dispatch(session, event, data)
        return len(sessions)

    async def member_join(
        self, guild_id: int, user: Mapping[str, Any], *, roles: Iterable[int] = ()
    ) -> JSON:
        """Dispatch GUILD_MEMBER_ADD; the member is remembered in the server."""
        member = make_member(user, roles=roles)
        self.guilds[guild_id]["members"].append(member)
        await self.dispatch(
            "GUILD_MEMBER_ADD", {**member, "guild_id": str(guild_id)}, guild_id=guild_id
        )
        return member

    async def member_leave(self, guild_id: int, user: Mapping[str, Any]) -> None:
        """Dispatch GUILD_MEMBER_REMOVE; the member is forgotten."""
        members = self.guilds[guild_id]["members"]
        members[:] = [m for m in members if m["user"]["id"] != user["id"]]
        await self.dispatch(
            "GUILD_MEMBER_REMOVE",
            {"guild_id": str(guild_id), "user": dict(user)},
            guild_id=guild_id,
        )

    async def create_thread(self, parent_id: int, name: str, *, owner: Mapping[str, Any]) -> JSON:
        """Dispatch THREAD_CREATE for a new public thread under ``parent_id``."""
        guild_id = self.guild_of(parent_id)
        assert guild_id is not None, "threads live in server channels"
        thread = make_thread(snowflake(), guild_id, parent_id, name, owner_id=int(owner["id"]))
        self.guilds[guild_id].setdefault("threads", []).append(thread)
        self._channel_guild[int(thread["id"])] = guild_id
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True}, guild_id=guild_id)
        return thread

    def archive_thread(self, thread_id: int) -> JSON:
        """Archive a thread (as Discord does after inactivity): it is no longer sent with
        its server on connect, but can still be fetched and read."""
        guild_id = self.guild_of(thread_id)
        assert guild_id is not None, "not a known thread"
        threads: list[JSON] = self.guilds[guild_id].setdefault("threads", [])
        thread = next(t for t in threads if int(t["id"]) == thread_id)
        threads.remove(thread)
        thread["thread_metadata"]["archived"] = True
        thread["thread_metadata"]["archive_timestamp"] = _iso(datetime.now(UTC))
        self._archived_threads[thread_id] = thread
        return thread

    async def drop_gateway(self, code: int = 4000, *, shard: int | None = None) -> int:
        """Close every gateway connection (or only ``shard``'s) with ``code`` (4000: unknown
        error, resumable); returns how many were closed. The client reconnects and tries to
        RESUME, which the fake refuses, so it identifies again and gets a new session."""
        dropped = 0
        for session in [s for s in self._sessions if s.identified]:
            if shard is not None and session.shard[0] != shard:
                continue
            session.identified = False
            await session.ws.close(code=code, message=b"Unknown error.")
            dropped += 1
        await self._notify()
        return dropped

    async def wait_for_identify(self, count: int, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until IDENTIFY was answered ``count`` times in all (and a session is live)."""
        await self._wait_until(
            lambda: len(self.identify_payloads) >= count and self.gateway_sessions >= 1,
            timeout,
            f"{count} IDENTIFY",
        )

    def channel_json(self, channel_id: int) -> JSON | None:
        """A server channel, thread (archived ones too) or DM channel, as Discord shows it."""
        dm = self.dm_channels.get(channel_id)
        if dm is not None:
            return dict(dm)
        archived = self._archived_threads.get(channel_id)
        if archived is not None:
            return copy.deepcopy(archived)
        guild_id = self.guild_of(channel_id)
        if guild_id is None or guild_id not in self.guilds:
            return None
        guild = self.guilds[guild_id]
        for channel in [*guild.get("channels", []), *guild.get("threads", [])]:
            if int(channel["id"]) == channel_id:
                return {**copy.deepcopy(channel), "guild_id": str(guild_id)}
        return None

    def history(self, channel_id: int) -> list[JSON]:
        """Every message of a channel, oldest first."""
        found = [m for m in self.messages.values() if int(m["channel_id"]) == channel_id]
        return sorted(found, key=lambda m: int(m["id"]))

    async def join_guild(self, guild: JSON) -> None:
        """The bot is added to a server: GUILD_CREATE after READY (without ``unavailable``,
        which marks servers coming back from an outage)."""
        self.add_guild(guild)
        joined = {key: value for key, value in guild.items() if key != "unavailable"}
        await self.dispatch("GUILD_CREATE", joined, guild_id=int(guild["id"]))

    async def leave_guild(self, guild_id: int) -> None:
        """The bot is removed from a server: GUILD_DELETE without ``unavailable``."""
        self.guilds.pop(guild_id, None)
        await self.dispatch("GUILD_DELETE", {"id": str(guild_id)}, guild_id=guild_id)

    def dm_channel_for(self, user: Mapping[str, Any]) -> JSON:
        """The DM channel between the bot and ``user`` (created on first use)."""
        for channel in self.dm_channels.values():
            if channel["recipients"][0]["id"] == user["id"]:
                return channel
        channel = {
            "id": str(snowflake()),
            "type": 1,
            "recipients": [dict(user)],
            "last_message_id": None,
        }
        self.dm_channels[int(channel["id"])] = channel
        return channel

    async def post_dm(self, user: Mapping[str, Any], content: str) -> JSON:
        """Dispatch MESSAGE_CREATE for a direct message from ``user`` to the bot."""
        channel = self.dm_channel_for(user)
        return await self.post_message(int(channel["id"]), user, content)

    async def use_command(
        self,
        name: str,
        options: Mapping[str, str | int] | None = None,
        *,
        user: Mapping[str, Any],
        channel_id: int,
        permissions: int = MEMBER_PERMISSIONS,
        command_guild_id: int | None = None,
        autocomplete_focus: str | None = None,
        locale: str = "en-US",
    ) -> JSON:
        """Dispatch INTERACTION_CREATE for ``/name`` with ``options`` used in a channel.

        In a server channel the invoker is sent as a member whose resolved permissions are
        ``permissions``; in a DM channel as a user. Set ``command_guild_id`` for commands
        registered in that guild only. With ``autocomplete_focus`` the interaction is an
        autocomplete request for that option instead. ``locale`` is the language of the
        invoker's Discord app (the interaction's ``locale``).
        """
        guild_id = self.guild_of(channel_id)
        interaction_id = snowflake()
        token = f"itoken-{uuid.uuid4().hex}"
        registered = {c["name"]: c for c in self.commands.get(command_guild_id, [])}
        declared = {o["name"]: o for o in registered.get(name, {}).get("options", [])}
        data_options = []
        for option_name, value in (options or {}).items():
            option_type = declared.get(option_name, {}).get(
                "type", 4 if isinstance(value, int) else 3
            )
            entry: JSON = {"name": option_name, "type": option_type, "value": value}
            if option_name == autocomplete_focus:
                entry["focused"] = True
            data_options.append(entry)
        command_data: JSON = {
            "id": str(registered.get(name, {}).get("id", snowflake())),
            "name": name,
            "type": 1,
            "options": data_options,
        }
        if command_guild_id is not None:
            command_data["guild_id"] = str(command_guild_id)
        payload: JSON = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": 4 if autocomplete_focus is not None else 2,
            "data": command_data,
            "channel_id": str(channel_id),
            "token": token,
            "version": 1,
            "locale": locale,
            "app_permissions": str(MEMBER_PERMISSIONS),
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild_id is not None:
            guild = self.guilds[guild_id]
            channel = next(
                c
                for c in [*guild["channels"], *guild.get("threads", [])]
                if int(c["id"]) == channel_id
            )
            member = self.member_json(guild_id, user["id"]) or make_member(user)
            member["permissions"] = str(permissions)
            payload.update(
                guild_id=str(guild_id),
                guild={"id": str(guild_id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                channel=channel,
                member=member,
                authorizing_integration_owners={"0": str(guild_id)},
                context=0,
            )
        else:
            payload.update(
                user=dict(user),
                channel=self.dm_channels.get(channel_id) or self.dm_channel_for(user),
                authorizing_integration_owners={"0": str(guild_id or 0)},
                context=1,
            )
        self._interactions[token] = _Interaction(interaction_id, channel_id, guild_id)
        await self.dispatch("INTERACTION_CREATE", payload, guild_id=guild_id)
        return payload

    # -- failures ----------------------------------------------------------------------------

    def inject_rate_limit(
        self,
        count: int = 1,
        retry_after: float = 0.5,
        *,
        route: str = SEND_MESSAGE,
        is_global: bool = False,
    ) -> None:
        """Answer the next ``count`` requests of ``route`` with HTTP 429 and ``retry_after``."""
        self._injected.append(
            _Injected(route, count, lambda: _rate_limited(retry_after, is_global=is_global))
        )

    def inject_error(
        self,
        route: str,
        count: int = 1,
        *,
        status: int = 503,
        message: str = "Service Unavailable",
        code: int = 0,
    ) -> None:
        """Answer the next ``count`` requests of ``route`` with a Discord error."""
        error = DiscordHTTPError(status, message, code)
        self._injected.append(_Injected(route, count, lambda: _error_response(error)))

    def block_dms(self, user_id: int | str) -> None:
        """Make direct messages to ``user_id`` fail with 403 / 50007, as closed DMs do."""
        self._blocked_dms.add(int(user_id))

    # -- waiting -----------------------------------------------------------------------------

    def calls_to(self, route: str) -> list[RestCall]:
        """The recorded calls of a route template such as ``SEND_MESSAGE``."""
        return [call for call in self.calls if call.route == route]

    async def wait_for_sent(self, count: int, timeout: float = 5.0) -> list[SentMessage]:  # noqa: ASYNC109
        """Wait until at least ``count`` channel messages were sent; returns all of them."""
        await self._wait_until(lambda: len(self.sent_messages) >= count, timeout, "sent messages")
        return list(self.sent_messages)

    async def wait_for_followups(self, count: int, timeout: float = 5.0) -> list[Followup]:  # noqa: ASYNC109
        """Wait until at least ``count`` followups were sent; returns all of them."""
        await self._wait_until(lambda: len(self.followups) >= count, timeout, "followups")
        return list(self.followups)

    async def wait_for_call(self, route: str, count: int = 1, timeout: float = 5.0) -> RestCall:  # noqa: ASYNC109
        """Wait until ``route`` was called ``count`` times; returns the latest call."""
        await self._wait_until(
            lambda: len(self.calls_to(route)) >= count, timeout, f"{route} calls"
        )
        return self.calls_to(route)[-1]

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _wait_until(self, predicate: Callable[[], bool], limit: float, what: str) -> None:
        try:
            async with asyncio.timeout(limit), self._changed:
                await self._changed.wait_for(predicate)
        except TimeoutError:
            raise AssertionError(f"timed out after {limit}s waiting for {what}") from None

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- gateway -----------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        session = _Session(ws, dict(request.query))
        self._sessions.append(session)
        try:
            await self._send(
                session, {"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None}
            )
            async for frame in ws:
                if frame.type is not WSMsgType.TEXT:
                    continue
                await self._gateway_op(session, json.loads(frame.data))
        finally:
            self._sessions.remove(session)
            await self._notify()
        return ws

    async def _send(self, session: _Session, payload: JSON) -> None:
        async with session.lock:
            if not session.ws.closed:
                await session.ws.send_str(json.dumps(payload))

    async def _send_dispatch(self, session: _Session, event: str, data: JSON) -> None:
        async with session.lock:
            session.sequence += 1
            frame = {"op": 0, "t": event, "s": session.sequence, "d": data}
            if not session.ws.closed:
                await session.ws.send_str(json.dumps(frame))

    async def _gateway_op(self, session: _Session, payload: JSON) -> None:
        op = payload.get("op")
        data: JSON = payload.get("d") or {}
        if op == 1:
            await self._send(session, {"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(session, data)
        elif op == 6:
            await self._send(session, {"op": 9, "d": False, "s": None, "t": None})
        elif op == 8:
            guild_id = int(data["guild_id"])
            members = self.guilds.get(guild_id, {}).get("members", [])
            chunk = {
                "guild_id": str(guild_id),
                "members": members,
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [],
                "nonce": data.get("nonce"),
            }
            await self._send_dispatch(session, "GUILD_MEMBERS_CHUNK", chunk)

    async def _identify(self, session: _Session, data: JSON) -> None:
        self.identify_payloads.append(data)
        await self._notify()
        if data.get("token") != self.token:
            await session.ws.close(code=4004, message=b"Authentication failed.")
            return
        if self.close_on_identify is not None:
            await session.ws.close(code=self.close_on_identify, message=b"Disallowed intent(s).")
            return
        if not self.answer_identify:
            return
        intents = int(data.get("intents", 0))
        flags = self.application_flags
        content_ok = flags & (FLAG_GATEWAY_MESSAGE_CONTENT | FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED)
        members_ok = flags & (FLAG_GATEWAY_GUILD_MEMBERS | FLAG_GATEWAY_GUILD_MEMBERS_LIMITED)
        if self.enforce_privileged_intents and (
            (intents & INTENT_MESSAGE_CONTENT and not content_ok)
            or (intents & INTENT_GUILD_MEMBERS and not members_ok)
        ):
            await session.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        shard = data.get("shard") or [0, 1]
        session.shard = (int(shard[0]), int(shard[1]))
        session.intents = intents
        session.session_id = uuid.uuid4().hex
        session.identified = True
        mine = [g for g in self.guilds if self.shard_of(g) == session.shard[0]]
        ready = {
            "v": 10,
            "user": self.bot_user,
            "guilds": [{"id": str(g), "unavailable": True} for g in mine],
            "session_id": session.session_id,
            "resume_gateway_url": self.gateway_url,
            "shard": list(session.shard),
            "application": {"id": str(self.application_id), "flags": self.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
        }
        await self._send_dispatch(session, "READY", ready)
        for guild_id in mine:
            await self._send_dispatch(session, "GUILD_CREATE", self.guilds[guild_id])
        await self._notify()

    # -- REST --------------------------------------------------------------------------------

    def _route(
        self, method: str, template: str, handler: Callable[..., Any], *, query: bool = False
    ) -> None:
        """Serve ``method template``; with ``query`` the handler also gets the query string."""
        pattern = re.escape(template)
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", pattern)
        self._routes.append(
            (method, re.compile(f"^{pattern}$"), f"{method} {template}", handler, query)
        )

    def _add_routes(self) -> None:
        self._route("GET", "/users/@me", self._get_me)
        self._route("GET", "/oauth2/applications/@me", self._get_application)
        self._route("GET", "/gateway/bot", self._get_gateway_bot)
        self._route("GET", "/gateway", self._get_gateway)
        self._route("GET", GLOBAL_COMMANDS, self._get_commands, query=True)
        self._route("PUT", GLOBAL_COMMANDS, self._put_commands)
        self._route("GET", GUILD_COMMANDS, self._get_commands, query=True)
        self._route("PUT", GUILD_COMMANDS, self._put_commands)
        self._route("POST", "/channels/{channel_id}/messages", self._create_message)
        self._route("GET", "/channels/{channel_id}/messages", self._history, query=True)
        self._route("GET", "/channels/{channel_id}", self._get_channel)
        self._route("GET", "/guilds/{guild_id}/members/{user_id}", self._get_member)
        self._route(
            "GET",
            "/channels/{channel_id}/threads/archived/public",
            self._archived_public_threads,
            query=True,
        )
        self._route(
            "DELETE", "/channels/{channel_id}/messages/{message_id}", self._delete_channel_message
        )
        self._route(
            "PATCH", "/channels/{channel_id}/messages/{message_id}", self._edit_channel_message
        )
        self._route("POST", "/users/@me/channels", self._create_dm)
        self._route("POST", "/interactions/{interaction_id}/{token}/callback", self._callback)
        self._route("POST", "/webhooks/{application_id}/{token}", self._followup)
        self._route(
            "PATCH", "/webhooks/{application_id}/{token}/messages/@original", self._edit_original
        )
        self._route(
            "DELETE", "/webhooks/{application_id}/{token}/messages/@original", self._delete_original
        )

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        for method, pattern, route, handler, wants_query in self._routes:
            match = pattern.match(path)
            if match is None or method != request.method:
                continue
            body: Any = None
            if request.body_exists:
                raw = await request.read()
                if request.content_type == "application/json":
                    body = json.loads(raw)
            self.calls.append(
                RestCall(request.method, path, route, body, dict(request.query), host=request.host)
            )
            await self._notify()
            needs_token = not route.split(" ", 1)[1].startswith(("/webhooks", "/interactions"))
            if needs_token and request.headers.get("Authorization") != f"Bot {self.token}":
                return _error_response(DiscordHTTPError(401, "401: Unauthorized"))
            for injected in self._injected:
                if injected.route == route and injected.remaining > 0:
                    injected.remaining -= 1
                    return injected.respond()
            params: dict[str, Any] = dict(match.groupdict())
            if wants_query:
                params["query"] = dict(request.query)
            try:
                result = await handler(body, **params)
            except DiscordHTTPError as error:
                return _error_response(error)
            if result is None:
                return web.Response(status=204)
            return _json_response(200, result)
        self.calls.append(
            RestCall(request.method, path, "unknown", None, dict(request.query), host=request.host)
        )
        return _error_response(DiscordHTTPError(404, "404: Not Found"))

    async def _get_me(self, _body: Any) -> JSON:
        return dict(self.bot_user)

    async def _get_application(self, _body: Any) -> JSON:
        return {
            "id": str(self.application_id),
            "name": self.bot_user["global_name"],
            "icon": None,
            "description": "",
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "bot": dict(self.bot_user),
            "owner": dict(self.owner_user),
            "verify_key": "0" * 64,
            "team": None,
            "flags": self.application_flags,
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "approximate_guild_count": len(self.guilds),
        }

    async def _get_gateway_bot(self, _body: Any) -> JSON:
        return {
            "url": self.gateway_url,
            "shards": self.shard_count,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 0,
                "max_concurrency": 1,
            },
        }

    async def _get_gateway(self, _body: Any) -> JSON:
        return {"url": self.gateway_url}

    @property
    def command_puts(self) -> list[RestCall]:
        """The bulk-overwrite calls (global and per guild) that registered commands."""
        return [call for call in self.calls if call.method == "PUT" and "commands" in call.path]

    async def _get_commands(
        self,
        _body: Any,
        application_id: str,
        guild_id: str | None = None,
        query: Mapping[str, str] | None = None,
    ) -> list[JSON]:
        """The registered commands; like Discord, the localisation dicts only
        ``with_localizations=true`` (otherwise none are returned)."""
        self._check_application(application_id)
        key = int(guild_id) if guild_id is not None else None
        commands = copy.deepcopy(self.commands.get(key, []))
        if (query or {}).get("with_localizations", "").lower() != "true":
            for command in commands:
                _drop_localizations(command)
        return commands

    async def _put_commands(
        self, body: Any, application_id: str, guild_id: str | None = None
    ) -> list[JSON]:
        self._check_application(application_id)
        if not isinstance(body, list):
            raise DiscordHTTPError(400, "Invalid Form Body", 50035)
        key = int(guild_id) if guild_id is not None else None
        stored = []
        for command in body:
            if not re.fullmatch(r"[-_a-z0-9]{1,32}", str(command.get("name", ""))):
                raise DiscordHTTPError(400, "Invalid Form Body", 50035)
            _check_localizations(command)
            entry = copy.deepcopy(command)
            entry.update(
                id=str(snowflake()), application_id=application_id, version=str(snowflake())
            )
            if guild_id is not None:
                entry["guild_id"] = guild_id
            if entry.get("default_member_permissions") is not None:
                entry["default_member_permissions"] = str(entry["default_member_permissions"])
            stored.append(entry)
        self.commands[key] = stored
        return copy.deepcopy(stored)

    def _check_application(self, application_id: str) -> None:
        if int(application_id) != self.application_id:
            raise DiscordHTTPError(403, "Missing Access", 50001)

    async def _delete_channel_message(self, _body: Any, channel_id: str, message_id: str) -> None:
        message = self.messages.get(int(message_id))
        if message is None or message["channel_id"] != channel_id:
            raise DiscordHTTPError(404, "Unknown Message", 10008)
        del self.messages[int(message_id)]
        self.deleted_messages.append(int(message_id))
        await self._notify()

    async def _edit_channel_message(self, body: Any, channel_id: str, message_id: str) -> JSON:
        """Discord: only the author may change a message's content; MESSAGE_UPDATE follows."""
        message = self.messages.get(int(message_id))
        if message is None or message["channel_id"] != channel_id:
            raise DiscordHTTPError(404, "Unknown Message", 10008)
        payload = dict(body or {})
        if "content" in payload:
            if message["author"]["id"] != self.bot_user["id"]:
                raise DiscordHTTPError(403, "Cannot edit a message authored by another user", 50005)
            content = str(payload["content"] or "")
            if len(content) > MAX_CONTENT_LENGTH:
                raise DiscordHTTPError(400, "Invalid Form Body", 50035)
            message["content"] = content
        message["edited_timestamp"] = _iso(datetime.now(UTC))
        self.edited_messages.append((int(message_id), str(message["content"])))
        await self._notify()
        if self.echo_sent_messages:
            self._spawn(
                self.dispatch(
                    "MESSAGE_UPDATE",
                    copy.deepcopy(message),
                    guild_id=self.guild_of(int(channel_id)),
                )
            )
        return copy.deepcopy(message)

    async def _create_message(self, body: Any, channel_id: str) -> JSON:
        channel = int(channel_id)
        payload = dict(body or {})
        content = str(payload.get("content") or "")
        if len(content) > MAX_CONTENT_LENGTH:
            raise DiscordHTTPError(400, "Invalid Form Body", 50035)
        if not content:
            raise DiscordHTTPError(400, "Cannot send an empty message", 50006)
        dm = self.dm_channels.get(channel)
        if dm is not None and int(dm["recipients"][0]["id"]) in self._blocked_dms:
            raise DiscordHTTPError(403, "Cannot send messages to this user", 50007)
        if dm is None and self.guild_of(channel) is None:
            raise DiscordHTTPError(404, "Unknown Channel", 10003)
        reference = payload.get("message_reference")
        reply_to = None
        if reference:
            reply_to = self.messages.get(int(reference["message_id"]))
            if reply_to is None and reference.get("fail_if_not_exists", True):
                raise DiscordHTTPError(400, "Unknown message", 10008)
        nonce = payload.get("nonce")
        if nonce is not None and payload.get("enforce_nonce"):
            # Discord: the same author and nonce within a few minutes gives the earlier message.
            earlier = self._nonced.get((channel, str(nonce)))
            if earlier is not None:
                return earlier
        message = self.build_message(
            channel, self.bot_user, content, reply_to=reply_to, flags=int(payload.get("flags") or 0)
        )
        if nonce is not None:
            message["nonce"] = str(nonce)
            self._nonced[(channel, str(nonce))] = message
        self.messages[int(message["id"])] = message
        self.sent_messages.append(SentMessage(channel, payload, message))
        if self.echo_sent_messages:
            self._spawn(self.dispatch("MESSAGE_CREATE", message, guild_id=self.guild_of(channel)))
        return message

    async def _get_member(self, _body: Any, guild_id: str, user_id: str) -> JSON:
        if int(guild_id) not in self.guilds:
            raise DiscordHTTPError(404, "Unknown Guild", 10004)
        member = self.member_json(int(guild_id), user_id)
        if member is None:
            raise DiscordHTTPError(404, "Unknown Member", 10007)
        return member

    async def _get_channel(self, _body: Any, channel_id: str) -> JSON:
        channel = self.channel_json(int(channel_id))
        if channel is None:
            raise DiscordHTTPError(404, "Unknown Channel", 10003)
        return channel

    async def _archived_public_threads(
        self, _body: Any, channel_id: str, query: Mapping[str, str]
    ) -> JSON:
        """A channel's archived public threads, most recently archived first, archived
        before ``before`` (an ISO timestamp) when given, ``limit`` (2-100) at a time."""
        if self.channel_json(int(channel_id)) is None:
            raise DiscordHTTPError(404, "Unknown Channel", 10003)
        limit = int(query.get("limit", "50"))
        if not 2 <= limit <= 100:
            raise DiscordHTTPError(400, "Invalid Form Body", 50035)
        threads = sorted(
            (
                t
                for t in self._archived_threads.values()
                if t["parent_id"] == channel_id
                and (
                    "before" not in query
                    or t["thread_metadata"]["archive_timestamp"] < query["before"]
                )
            ),
            key=lambda t: t["thread_metadata"]["archive_timestamp"],
            reverse=True,
        )
        page = [copy.deepcopy(t) for t in threads[:limit]]
        return {"threads": page, "members": [], "has_more": len(threads) > limit}

    async def _history(self, _body: Any, channel_id: str, query: Mapping[str, str]) -> list[JSON]:
        """Up to ``limit`` (1-100, default 50) messages, newest first, as Discord answers:
        the newest ones, the ones right before ``before`` or right after ``after``, or the
        ones around ``around`` (only one of the three may be given)."""
        if self.channel_json(int(channel_id)) is None:
            raise DiscordHTTPError(404, "Unknown Channel", 10003)
        try:
            limit = int(query.get("limit", "50"))
            anchors = {k: int(query[k]) for k in ("before", "after", "around") if k in query}
        except ValueError:
            raise DiscordHTTPError(400, "Invalid Form Body", 50035) from None
        if not 1 <= limit <= MAX_HISTORY_PAGE or len(anchors) > 1:
            raise DiscordHTTPError(400, "Invalid Form Body", 50035)
        if self.history_delay:
            await asyncio.sleep(self.history_delay)
        messages = self.history(int(channel_id))
        if "after" in anchors:
            page = [m for m in messages if int(m["id"]) > anchors["after"]][:limit]
        elif "before" in anchors:
            page = [m for m in messages if int(m["id"]) < anchors["before"]][-limit:]
        elif "around" in anchors:
            older = [m for m in messages if int(m["id"]) <= anchors["around"]]
            newer = [m for m in messages if int(m["id"]) > anchors["around"]]
            page = older[-(limit - limit // 2) :] + newer[: limit // 2]
        else:
            page = messages[-limit:]
        return [copy.deepcopy(m) for m in reversed(page)]

    async def _create_dm(self, body: Any) -> JSON:
        recipient = str((body or {}).get("recipient_id"))
        user = None
        for guild in self.guilds.values():
            for member in guild.get("members", []):
                if member["user"]["id"] == recipient:
                    user = member["user"]
        if user is None:
            raise DiscordHTTPError(400, "Invalid Recipient(s)", 50033)
        return dict(self.dm_channel_for(user))

    def _interaction(self, token: str) -> _Interaction:
        interaction = self._interactions.get(token)
        if interaction is None:
            raise DiscordHTTPError(404, "Unknown Webhook", 10015)
        return interaction

    async def _callback(self, body: Any, interaction_id: str, token: str) -> JSON:
        interaction = self._interaction(token)
        if interaction.interaction_id != int(interaction_id):
            raise DiscordHTTPError(404, "Unknown interaction", 10062)
        if any(c.interaction_id == interaction.interaction_id for c in self.interaction_callbacks):
            raise DiscordHTTPError(400, "Interaction has already been acknowledged.", 40060)
        callback = InteractionCallback(interaction.interaction_id, dict(body or {}))
        self.interaction_callbacks.append(callback)
        interaction.ephemeral_original = callback.ephemeral
        await self._notify()
        return {
            "interaction": {
                "id": interaction_id,
                "type": 2,
                "response_message_loading": callback.type == 5,
                "response_message_ephemeral": callback.ephemeral,
            },
            "resource": {"type": callback.type},
        }

    async def _followup(self, body: Any, application_id: str, token: str) -> JSON:
        self._check_application(application_id)
        interaction = self._interaction(token)
        payload = dict(body or {})
        content = str(payload.get("content") or "")
        if len(content) > MAX_CONTENT_LENGTH:
            raise DiscordHTTPError(400, "Invalid Form Body", 50035)
        message = self.build_message(
            interaction.channel_id,
            self.bot_user,
            content,
            flags=int(payload.get("flags") or 0),
            message_type=20,
        )
        message["webhook_id"] = application_id
        message["application_id"] = application_id
        self.followups.append(Followup(interaction.interaction_id, payload, message))
        await self._notify()
        return message

    async def _edit_original(self, body: Any, application_id: str, token: str) -> JSON:
        self._check_application(application_id)
        interaction = self._interaction(token)
        payload = dict(body or {})
        flags = EPHEMERAL if interaction.ephemeral_original else 0
        message = self.build_message(
            interaction.channel_id,
            self.bot_user,
            str(payload.get("content") or ""),
            flags=flags,
            message_type=20,
        )
        interaction.original = message
        self.edited_originals.append((interaction.interaction_id, payload))
        await self._notify()
        return message

    async def _delete_original(self, _body: Any, application_id: str, token: str) -> None:
        self._check_application(application_id)
        interaction = self._interaction(token)
        self.deleted_originals.append(interaction.interaction_id)
        await self._notify()

    # -- messages ----------------------------------------------------------------------------

    def build_message(
        self,
        channel_id: int,
        author: Mapping[str, Any],
        content: str,
        *,
        mentions: Sequence[Mapping[str, Any]] = (),
        reply_to: Mapping[str, Any] | None = None,
        attachments: Sequence[Mapping[str, Any]] = (),
        embeds: Sequence[Mapping[str, Any]] = (),
        flags: int = 0,
        message_type: int | None = None,
        at: datetime | None = None,
    ) -> JSON:
        """A message payload in ``channel_id`` as Discord sends it (not dispatched).

        ``at`` back-dates the message: Discord derives a message's time from its id.
        """
        message_id = snowflake(at)
        guild_id = self.guild_of(channel_id)
        message: JSON = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "author": dict(author),
            "content": content,
            "timestamp": _iso(snowflake_time(message_id)),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [dict(a) for a in attachments],
            "embeds": [dict(e) for e in embeds],
            "pinned": False,
            "type": message_type if message_type is not None else (19 if reply_to else 0),
            "flags": flags,
            "components": [],
        }
        if guild_id is not None:
            message["guild_id"] = str(guild_id)
            member = self.member_json(guild_id, author["id"])
            if member is not None:
                member.pop("user", None)
                message["member"] = member
        for user in mentions:
            mentioned = dict(user)
            if guild_id is not None:
                member = self.member_json(guild_id, user["id"])
                if member is not None:
                    member.pop("user", None)
                    mentioned["member"] = member
            message["mentions"].append(mentioned)
        if reply_to is not None:
            message["message_reference"] = {
                "type": 0,
                "message_id": reply_to["id"],
                "channel_id": reply_to["channel_id"],
                **({"guild_id": str(guild_id)} if guild_id is not None else {}),
            }
            referenced = dict(reply_to)
            referenced.pop("referenced_message", None)
            referenced.pop("member", None)
            message["referenced_message"] = referenced
        return message


DISCORD_LOCALES = frozenset(
    "id da de en-GB en-US es-ES es-419 fr hr it lt hu nl no pl pt-BR ro fi sv-SE vi tr cs el "
    "bg ru uk hi th zh-CN ja zh-TW ko".split()
)
"""The locale codes Discord accepts in localisation dicts."""


def _localized_name_ok(name: Any) -> bool:
    """Discord's rule for (localised) names: 1-32 letters, digits, ``-``, ``_`` or ``'``,
    lower case where the script has cases."""
    return (
        isinstance(name, str)
        and 1 <= len(name) <= 32
        and all(char.isalnum() or char in "-_'" for char in name)
        and name == name.lower()
    )


def _check_localizations(entry: Mapping[str, Any], *, choice: bool = False) -> None:
    """Refuse localisation dicts Discord would refuse (bad locale, name or length)."""
    for key, limit in (
        ("name_localizations", 32 if not choice else 100),
        ("description_localizations", 100),
    ):
        texts = entry.get(key)
        if texts is None:
            continue
        if not isinstance(texts, dict) or not set(texts) <= DISCORD_LOCALES:
            raise DiscordHTTPError(400, "Invalid Form Body", 50035)
        for text in texts.values():
            if not isinstance(text, str) or not 1 <= len(text) <= limit:
                raise DiscordHTTPError(400, "Invalid Form Body", 50035)
            if key == "name_localizations" and not choice and not _localized_name_ok(text):
                raise DiscordHTTPError(400, "Invalid Form Body", 50035)
    for option in entry.get("options") or []:
        _check_localizations(option)
    for item in entry.get("choices") or []:
        _check_localizations(item, choice=True)


def _drop_localizations(entry: JSON) -> None:
    entry.pop("name_localizations", None)
    entry.pop("description_localizations", None)
    for option in entry.get("options") or []:
        _drop_localizations(option)
    for item in entry.get("choices") or []:
        _drop_localizations(item)


def user_mention(user: Mapping[str, Any], *, nickname_form: bool = False) -> str:
    """How a user mention looks in message text: ``<@id>`` (or the older ``<@!id>``)."""
    return f"<@!{user['id']}>" if nickname_form else f"<@{user['id']}>"
