"""The Discord ``PlatformAdapter``: a sharded gateway client on the application's loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import discord
from discord import app_commands

from adapters.backoff import Backoff, until_stored
from adapters.discord.admin_check import discord_is_admin
from adapters.discord.backfill import DiscordHistorySource
from adapters.discord.commands import (
    AutocompleteQuery,
    SlashCommandSpec,
    SlashOption,
    SpecTranslator,
    build_app_command,
    commands_match,
)
from adapters.discord.endpoints import use_endpoints
from adapters.discord.event_converter import (
    BotIdentity,
    EventConverter,
    interaction_member,
    looks_content_stripped,
)
from adapters.discord.history_catch_up import TRANSIENT_ERRORS, HistoryCatchUp, Step
from adapters.discord.reply_sender import DiscordReplySender, safe_mentions
from adapters.history import HistoryReader
from adapters.model import (
    Chat,
    Command,
    Event,
    Member,
    MembershipEvent,
    Message,
    MessageDeleted,
    Platform,
    ReactionEvent,
)
from adapters.ports import EventHandler, EventRejected, StoredHistory
from locales import N_, tr_marked, using

logger = logging.getLogger(__name__)

PORTAL_INTENTS = "Discord Developer Portal -> your application -> Bot -> Privileged Gateway Intents"
MESSAGE_CONTENT_HELP = f"{PORTAL_INTENTS} -> Message Content Intent"
MEMBERS_HELP = f"{PORTAL_INTENTS} -> Server Members Intent"
AUTOCOMPLETE_TIMEOUT = 2.5
"""Seconds an autocomplete source may take (Discord gives up after three)."""
COMMAND_UNAVAILABLE = N_("This command is not available right now.")
"""The answer to a slash command that failed before Hearth could take it."""

_Converted = Event | Sequence[Event] | None


@dataclass(slots=True)
class _Delivery:
    """An event waiting for the handler; ``handled`` is resolved once it was handed over."""

    event: Event
    interaction_id: str | None = None
    handled: asyncio.Future[None] | None = None


class DiscordStartError(RuntimeError):
    """The Discord adapter could not connect and become ready."""


class DiscordIntentsError(DiscordStartError):
    """Discord refused the privileged gateway intents (close code 4014)."""


def hearth_intents(*, message_content: bool = True, members: bool = True) -> discord.Intents:
    """The gateway intents Hearth asks for: servers (channels, threads), server and direct
    messages, reactions in servers (not privileged), and the privileged Message Content and
    Server Members intents unless turned off. Nothing else (no typing, presences or voice)."""
    return discord.Intents(
        guilds=True,
        guild_messages=True,
        guild_reactions=True,
        dm_messages=True,
        message_content=message_content,
        members=members,
    )


class _HearthTree(app_commands.CommandTree["_HearthClient"]):
    """A command tree that answers commands it cannot run instead of leaving them hanging."""

    async def on_error(
        self, interaction: discord.Interaction[_HearthClient], error: app_commands.AppCommandError
    ) -> None:
        command = interaction.command.name if interaction.command is not None else "?"
        logger.error(
            "slash command /%s (interaction %s, channel %s) failed: %s",
            command,
            interaction.id,
            interaction.channel_id,
            error,
            exc_info=error,
        )
        if interaction.response.is_done():
            return
        try:
            # Outside the router: answer in the member's app language.
            with using(interaction.locale.value):
                text = tr_marked(COMMAND_UNAVAILABLE)
            await interaction.response.send_message(text, ephemeral=True)
        except TRANSIENT_ERRORS as exc:
            logger.warning("could not answer failed interaction %s: %s", interaction.id, exc)


class _HearthClient(discord.AutoShardedClient):
    """discord.py's sharded client, forwarding the events Hearth uses to the adapter."""

    def __init__(self, adapter: DiscordAdapter, options: Mapping[str, Any]) -> None:
        # Hearth never joins voice channels: skip discord.py's warnings about voice libraries.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        super().__init__(**options)
        self.adapter = adapter
        self.tree = _HearthTree(self)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # Discord allows one IDENTIFY per few seconds; discord.py waits 5 s before each new
        # session after the first.
        if not initial:
            await asyncio.sleep(self.adapter._reidentify_delay)

    async def on_shard_connect(self, shard_id: int) -> None:
        self.adapter._session_started(shard_id)

    async def on_shard_ready(self, shard_id: int) -> None:
        self.adapter._shard_ready(shard_id)

    async def on_message(self, message: discord.Message) -> None:
        self.adapter._received_message(message)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        self.adapter._received_edit(payload)

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        self.adapter._received_delete(payload)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        self.adapter._received_reaction(payload, added=True)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        self.adapter._received_reaction(payload, added=False)

    async def on_member_join(self, member: discord.Member) -> None:
        self.adapter._received_join(member)

    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        self.adapter._received_leave(payload)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        self.adapter._received_guild(guild, added=True)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        self.adapter._received_guild(guild, added=False)


class DiscordAdapter:
    """A running Discord bot that hands neutral events to an ``EventHandler``.

    Runs on the caller's event loop: ``start`` logs in, registers the slash commands (only
    when they differ from what Discord has), connects the gateway (``AutoShardedClient``:
    Discord's recommended shard count unless ``shard_count`` is given; with ``shard_ids``
    only those shards, so several processes can split a bot's shards) and returns once
    the client is ready. Events are handed over one at a time in the order they arrived,
    each inside its own error boundary: a failing handler is logged with the event and
    never stops the client.

    Chats are server text channels and threads (each thread is a chat of its own) and
    direct messages. Membership changes and the bot joining or leaving a server are
    reported once per text channel concerned. Slash commands are acknowledged (deferred)
    at once and become ``Command`` events whose ``platform_message_id`` is the interaction
    id; replies to that id are sent as the interaction's followups.

    The privileged Message Content and Server Members intents are requested unless turned
    off; when the application's settings show them disabled, a start-up warning says where
    to enable them, and when Discord refuses them (close code 4014) ``start`` raises
    ``DiscordIntentsError`` with the same instructions.

    With ``history`` given, messages posted while the bot was not connected are recovered
    whenever a shard starts a new gateway session (see ``HistoryCatchUp``), in the
    background and interleaved with live events.
    """

    def __init__(
        self,
        token: str,
        *,
        application_id: int | None = None,
        command_specs: Sequence[SlashCommandSpec] = (),
        shard_count: int | None = None,
        shard_ids: Sequence[int] | None = None,
        guild_ids_for_commands: Sequence[int] | None = None,
        message_content_intent: bool = True,
        members_intent: bool = True,
        ready_timeout: float = 60.0,
        guild_ready_timeout: float = 2.0,
        stop_timeout: float = 10.0,
        max_retries: int = 3,
        retry_backoff: float = 0.5,
        max_messages: int | None = 1000,
        history: StoredHistory | None = None,
        catch_up_max_messages: int = 1000,
        catch_up_max_age: timedelta = timedelta(days=7),
        reidentify_delay: float = 5.0,
        api_url: str | None = None,
        gateway_url: str | None = None,
    ) -> None:
        """Configure the adapter; nothing connects until ``start``.

        ``command_specs`` are registered globally, or only in ``guild_ids_for_commands``
        when given (guild commands update instantly; handy for testing). ``ready_timeout``
        bounds the wait for the gateway's READY; ``guild_ready_timeout`` is how long
        discord.py waits for further servers before reporting ready. ``max_retries`` and
        ``retry_backoff`` (seconds, doubling) bound the retries of failed sends;
        ``stop_timeout`` how long ``stop`` lets queued events finish. ``max_messages`` is the
        size of discord.py's message cache (used to skip edits that did not change text).
        ``history`` (what Hearth stored) turns on recovering missed messages: at most
        ``catch_up_max_messages`` per channel each time (0 turns it off), only in channels
        whose last stored message is younger than ``catch_up_max_age``.
        ``reidentify_delay`` is how long a shard waits before starting a new session after a
        lost one (Discord limits how often a bot may identify). ``shard_ids`` (with
        ``shard_count``) are the shards this process connects; each gets only its own
        servers' events (direct messages come to shard 0). ``api_url`` (REST base, e.g. a
        rate-limit proxy) and ``gateway_url`` replace Discord's own when ``start`` runs, for
        the whole process (see ``use_endpoints``).
        """
        if shard_ids is not None:
            if shard_count is None:
                raise ValueError("shard_ids needs shard_count (the total number of shards)")
            if not shard_ids or any(not 0 <= i < shard_count for i in shard_ids):
                raise ValueError(f"shard_ids must be between 0 and {shard_count - 1}")
        names = [spec.name for spec in command_specs]
        if len(set(names)) != len(names):
            raise ValueError("command names must be unique")
        if catch_up_max_messages < 0:
            raise ValueError("catch_up_max_messages cannot be negative")
        self._token = token
        self._application_id = application_id
        self._specs = tuple(command_specs)
        self._shard_count = shard_count
        self._shard_ids = list(shard_ids) if shard_ids is not None else None
        self._command_guilds = tuple(guild_ids_for_commands or ())
        self._message_content = message_content_intent
        self._members = members_intent
        self._ready_timeout = ready_timeout
        self._guild_ready_timeout = guild_ready_timeout
        self._stop_timeout = stop_timeout
        self._max_retries = max_retries
        self._retry_backoff = retry_backoff
        self._max_messages = max_messages
        self._history = history
        self._catch_up_max_messages = catch_up_max_messages
        self._catch_up_max_age = catch_up_max_age
        self._reidentify_delay = reidentify_delay
        self._api_url = api_url
        self._gateway_url = gateway_url

        self._client: _HearthClient | None = None
        self._connect_task: asyncio.Task[None] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._queue: asyncio.Queue[_Delivery | Step] = asyncio.Queue()
        self._catch_up: HistoryCatchUp | None = None
        self._handler: EventHandler | None = None
        self._sender: DiscordReplySender | None = None
        self._identity: BotIdentity | None = None
        self._converter = EventConverter()
        self._accepting = False
        self._warned_empty_content = False

    # -- public surface ----------------------------------------------------------------------

    @property
    def platform(self) -> Platform:
        """Always Discord."""
        return Platform.DISCORD

    @property
    def running(self) -> bool:
        """Whether the adapter has started and not yet stopped."""
        return self._client is not None and self._accepting

    @property
    def catching_up(self) -> bool:
        """Whether messages missed while disconnected are being recovered right now."""
        return self._catch_up is not None and self._catch_up.busy

    @property
    def identity(self) -> BotIdentity:
        """The bot's user id, username, name and application id; available once started."""
        if self._identity is None:
            raise RuntimeError("the Discord adapter has not been started")
        return self._identity

    @property
    def bot_member(self) -> Member:
        """The bot itself as a neutral member; available once started."""
        return self.identity.member

    @property
    def sender(self) -> DiscordReplySender:
        """The reply sender for this bot; available once started."""
        if self._sender is None or not self._accepting:
            raise RuntimeError("the Discord adapter has not been started")
        return self._sender

    @property
    def client(self) -> discord.AutoShardedClient:
        """The underlying discord.py client (for diagnostics); available once started."""
        if self._client is None:
            raise RuntimeError("the Discord adapter has not been started")
        return self._client

    async def is_admin(self, chat: Chat, member: Member) -> bool | None:
        """Whether ``member`` owns ``chat``'s server or has Manage Server (or Administrator)
        there, with the member fetched now; None when Discord cannot be asked."""
        client = self._client if self._accepting else None
        return await discord_is_admin(client, chat, member)

    async def history_readers(self, chat: Chat, *, since: datetime) -> Sequence[HistoryReader]:
        """Readers of a channel's history since ``since`` (the channel, then its public
        threads), for an import; see ``DiscordHistorySource``. Needs a started adapter."""
        if self._client is None or not self._accepting:
            raise RuntimeError("the Discord adapter has not been started")
        source = DiscordHistorySource(self._client, self._converter)
        return await source.history_readers(chat, since=since)

    async def start(self, handler: EventHandler) -> None:
        """Log in, sync commands, connect and wait until ready; raises if that fails.

        Raises ``DiscordIntentsError`` when Discord refuses the privileged intents,
        ``DiscordStartError`` when the gateway does not become ready in time or closes,
        and discord.py's ``LoginFailure`` for a wrong token.
        """
        if self._client is not None:
            raise RuntimeError("the Discord adapter is already running")
        use_endpoints(self._api_url, self._gateway_url)
        client = _HearthClient(self, self._client_options())
        self._client = client
        self._handler = handler
        self._queue = asyncio.Queue()
        try:
            await client.login(self._token)
            user = client.user
            if user is None:
                raise DiscordStartError("Discord did not say who the bot is after login")
            self._identity = BotIdentity(
                user_id=user.id,
                username=user.name,
                display_name=user.display_name,
                application_id=client.application_id,
            )
            self._converter.identity = self._identity
            self._check_application_flags(client)
            self._sender = DiscordReplySender(
                client, max_retries=self._max_retries, retry_backoff=self._retry_backoff
            )
            await self._register_commands(client)
            await self._sync_commands(client)
            if self._history is not None and self._catch_up_max_messages > 0:
                self._catch_up = HistoryCatchUp(
                    client,
                    self._history,
                    self._converter,
                    self._hand_over,
                    max_messages=self._catch_up_max_messages,
                    max_age=self._catch_up_max_age,
                )
            self._accepting = True
            self._warned_empty_content = False
            self._worker = asyncio.create_task(self._work(), name="hearth-discord-events")
            self._connect_task = asyncio.create_task(
                client.connect(reconnect=True), name="hearth-discord-gateway"
            )
            await self._wait_until_ready(client, self._connect_task)
        except BaseException:
            logger.exception("starting the Discord adapter failed")
            await self._teardown()
            raise
        self._connect_task.add_done_callback(self._connection_ended)
        logger.info(
            "Discord adapter running as %s (%s) in %d servers on shard(s) %s of %s",
            self._identity.username,
            self._identity.user_id,
            len(client.guilds),
            ",".join(map(str, sorted(client.shards))),
            client.shard_count,
        )

    async def stop(self) -> None:
        """Let queued events finish (up to ``stop_timeout``), then disconnect; safe twice."""
        if self._client is None:
            return
        await self._teardown()
        logger.info("Discord adapter stopped")

    # -- start-up ----------------------------------------------------------------------------

    def _client_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "intents": hearth_intents(message_content=self._message_content, members=self._members),
            "shard_count": self._shard_count,
            "shard_ids": self._shard_ids,
            "chunk_guilds_at_startup": False,
            "guild_ready_timeout": self._guild_ready_timeout,
            "max_messages": self._max_messages,
            "allowed_mentions": safe_mentions(),
        }
        if self._application_id is not None:
            options["application_id"] = self._application_id
        return options

    def _check_application_flags(self, client: discord.Client) -> None:
        """Warn at start-up when the application's settings show a privileged intent off."""
        flags = client.application_flags
        if not isinstance(flags, discord.ApplicationFlags):
            logger.warning("Discord did not report the application's flags; cannot check intents")
            return
        if not self._message_content:
            logger.warning(
                "running without the Message Content intent: server messages arrive "
                "without text (only slash commands, DMs and messages mentioning the bot "
                "work). To use it, enable %s and turn message_content_intent on.",
                MESSAGE_CONTENT_HELP,
            )
        elif not (flags.gateway_message_content or flags.gateway_message_content_limited):
            logger.warning(
                "the Message Content intent is not enabled for this Discord application: "
                "Discord will refuse the connection or send server messages without text. "
                "Enable it: %s.",
                MESSAGE_CONTENT_HELP,
            )
        if self._members and not (
            flags.gateway_guild_members or flags.gateway_guild_members_limited
        ):
            logger.warning(
                "the Server Members intent is not enabled for this Discord application: "
                "Discord will refuse the connection. Enable it (%s), or turn it off in "
                "Hearth's Discord settings (joins and leaves then go unnoticed).",
                MEMBERS_HELP,
            )

    async def _wait_until_ready(
        self, client: discord.Client, connecting: asyncio.Task[None]
    ) -> None:
        ready = asyncio.create_task(client.wait_until_ready())
        try:
            done, _ = await asyncio.wait(
                {ready, connecting},
                timeout=self._ready_timeout,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            if not ready.done():
                ready.cancel()
        if ready in done:
            return
        if connecting in done:
            error = connecting.exception()
            if isinstance(error, discord.PrivilegedIntentsRequired):
                message = (
                    "Discord refused the privileged gateway intents Hearth asks for "
                    f"(close code 4014). Enable them: {MESSAGE_CONTENT_HELP}, and "
                    f"{MEMBERS_HELP}; or turn them off in Hearth's Discord settings."
                )
                logger.error("%s", message)
                raise DiscordIntentsError(message) from error
            raise DiscordStartError(
                f"the Discord gateway closed before it was ready: {error!r}"
            ) from error
        raise DiscordStartError(
            f"the Discord gateway was not ready within {self._ready_timeout:g}s"
        )

    async def _register_commands(self, client: _HearthClient) -> None:
        """Add the slash commands to the tree, with the translator that localises them."""
        await client.tree.set_translator(SpecTranslator())
        guilds = [discord.Object(id=guild_id) for guild_id in self._command_guilds]
        for spec in self._specs:
            command = build_app_command(spec, self._on_slash_command, self._on_autocomplete)
            if guilds:
                client.tree.add_command(command, guilds=guilds)
            else:
                client.tree.add_command(command)

    async def _sync_commands(self, client: _HearthClient) -> None:
        """Register the commands where they differ from Discord's; failures are logged."""
        if not self._specs:
            return
        application_id = client.application_id
        if application_id is None:
            logger.error("cannot register slash commands: the application id is unknown")
            return
        translator = client.tree.translator
        assert translator is not None, "set by _register_commands"
        targets: list[discord.Object | None] = (
            [discord.Object(id=guild_id) for guild_id in self._command_guilds]
            if self._command_guilds
            else [None]
        )
        for guild in targets:
            where = "globally" if guild is None else f"in guild {guild.id}"
            try:
                # What ``tree.sync`` sends: the payloads run through the translator.
                wanted = [
                    await command.get_translated_payload(client.tree, translator)
                    for command in client.tree.get_commands(
                        guild=guild, type=discord.AppCommandType.chat_input
                    )
                ]
                registered = await self._registered_commands(client, application_id, guild)
                if commands_match(wanted, registered):
                    logger.info("slash commands %s are up to date", where)
                    continue
                synced = await client.tree.sync(guild=guild)
                logger.info("registered %d slash commands %s", len(synced), where)
            except (discord.DiscordException, *TRANSIENT_ERRORS) as exc:
                logger.error("registering slash commands %s failed: %s", where, exc)

    @staticmethod
    async def _registered_commands(
        client: discord.Client, application_id: int, guild: discord.Object | None
    ) -> list[dict[str, Any]]:
        """The commands Discord has, with their full localisation dicts."""
        if guild is None:
            route = discord.http.Route(
                "GET", "/applications/{application_id}/commands", application_id=application_id
            )
        else:
            route = discord.http.Route(
                "GET",
                "/applications/{application_id}/guilds/{guild_id}/commands",
                application_id=application_id,
                guild_id=guild.id,
            )
        found = await client.http.request(route, params={"with_localizations": "true"})
        return list(found)

    # -- incoming events ---------------------------------------------------------------------

    def _queue_events(self, what: str, convert: Callable[[], _Converted]) -> None:
        """Convert one gateway event and queue the result; never raises."""
        if not self._accepting:
            logger.debug("dropping %s received while stopping", what)
            return
        try:
            converted = convert()
        except Exception:
            logger.exception("could not convert %s", what)
            return
        if converted is None:
            return
        events = [converted] if not isinstance(converted, Sequence) else list(converted)
        for event in events:
            self._queue.put_nowait(_Delivery(event))

    def _session_started(self, shard_id: int) -> None:
        """A shard began a new gateway session (not a resumed one): note where each channel
        resumes, in turn with the events of the session that follow."""
        if self._catch_up is not None and self._accepting:
            self._queue.put_nowait(self._catch_up.snapshot(shard_id))

    def _shard_ready(self, shard_id: int) -> None:
        if self._catch_up is not None and self._accepting:
            self._catch_up.shard_ready(shard_id)

    async def _hand_over(self, message: Message) -> None:
        """Queue a recovered message behind the live events; return once it was handled."""
        handled: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Delivery(message, handled=handled))
        await handled

    def _received_message(self, message: discord.Message) -> None:
        if (
            not self._warned_empty_content
            and not self._converter.is_self(message.author.id)
            and looks_content_stripped(message)
        ):
            self._warned_empty_content = True
            logger.warning(
                "a server message arrived without any content (message %s in channel %s): "
                "the Message Content intent looks disabled, so Hearth cannot read messages. "
                "Enable it: %s.",
                message.id,
                message.channel.id,
                MESSAGE_CONTENT_HELP,
            )
        self._queue_events(
            f"message {message.id} in channel {message.channel.id}",
            lambda: self._converter.message(message),
        )

    def _received_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        self._queue_events(
            f"edit of message {payload.message_id} in channel {payload.channel_id}",
            lambda: self._converter.edit(payload),
        )

    def _received_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        def convert() -> _Converted:
            client = self._client
            channel: object = None
            if client is not None:
                if payload.guild_id is not None:
                    guild = client.get_guild(payload.guild_id)
                    if guild is not None:
                        channel = guild.get_channel_or_thread(payload.channel_id)
                else:
                    channel = client.get_channel(payload.channel_id)
            return self._converter.deleted(payload, channel)

        self._queue_events(
            f"deletion of message {payload.message_id} in channel {payload.channel_id}", convert
        )

    def _received_reaction(self, payload: discord.RawReactionActionEvent, *, added: bool) -> None:
        def convert() -> _Converted:
            client = self._client
            channel: object = None
            user: discord.abc.User | None = None
            if client is not None:
                guild = client.get_guild(payload.guild_id) if payload.guild_id else None
                if guild is not None:
                    channel = guild.get_channel_or_thread(payload.channel_id)
                    user = guild.get_member(payload.user_id)
                user = user or client.get_user(payload.user_id)
            return self._converter.reaction(payload, channel, user, added=added)

        self._queue_events(
            f"reaction {'added to' if added else 'removed from'} message {payload.message_id}"
            f" in channel {payload.channel_id}",
            convert,
        )

    def _received_join(self, member: discord.Member) -> None:
        self._queue_events(
            f"join of user {member.id} in guild {member.guild.id}",
            lambda: self._converter.member_joined(member),
        )

    def _received_leave(self, payload: discord.RawMemberRemoveEvent) -> None:
        def convert() -> _Converted:
            client = self._client
            guild = client.get_guild(payload.guild_id) if client is not None else None
            if guild is None:
                return None
            return self._converter.member_left(guild, payload.user)

        self._queue_events(f"leave of user {payload.user.id} in guild {payload.guild_id}", convert)

    def _received_guild(self, guild: discord.Guild, *, added: bool) -> None:
        self._queue_events(
            f"{'addition to' if added else 'removal from'} guild {guild.id}",
            lambda: (
                self._converter.bot_added(guild) if added else self._converter.bot_removed(guild)
            ),
        )

    async def _on_slash_command(
        self,
        spec: SlashCommandSpec,
        interaction: discord.Interaction[Any],
        values: Mapping[str, Any],
    ) -> None:
        """Acknowledge a command at once, then queue it as a ``Command``."""
        sender = self._sender
        ephemeral = bool(spec.ephemeral)
        try:
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)
            deferred = True
        except (discord.DiscordException, *TRANSIENT_ERRORS) as exc:
            logger.warning(
                "could not acknowledge /%s (interaction %s): %s", spec.name, interaction.id, exc
            )
            deferred = False
        if sender is None or not self._accepting:
            logger.warning("dropping /%s (interaction %s): stopping", spec.name, interaction.id)
            return
        sender.track_interaction(interaction, ephemeral=ephemeral, deferred=deferred)
        try:
            command = self._converter.command(spec, interaction, values)
        except Exception:
            logger.exception("could not convert /%s (interaction %s)", spec.name, interaction.id)
            await sender.finish_interaction(str(interaction.id))
            return
        self._queue.put_nowait(_Delivery(command, str(interaction.id)))

    async def _on_autocomplete(
        self, option: SlashOption, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        source = option.autocomplete
        if source is None:
            return []
        try:
            query = AutocompleteQuery(
                current=current,
                chat=self._converter.interaction_chat(interaction),
                member=interaction_member(interaction),
            )
            async with asyncio.timeout(AUTOCOMPLETE_TIMEOUT):
                values = await source(query)
        except Exception:
            logger.exception(
                "autocomplete for option %s failed (interaction %s)", option.name, interaction.id
            )
            return []
        return [app_commands.Choice(name=value[:100], value=value[:100]) for value in values[:25]]

    # -- handing events over -----------------------------------------------------------------

    async def _work(self) -> None:
        """Hand queued events to the handler one at a time, each in its own boundary."""
        while True:
            item = await self._queue.get()
            try:
                if isinstance(item, _Delivery):
                    await self._deliver(item.event, item.interaction_id)
                else:
                    await item()
            except Exception:
                logger.exception("a queued Discord step failed")
            finally:
                if isinstance(item, _Delivery) and item.handled and not item.handled.done():
                    item.handled.set_result(None)
                self._queue.task_done()

    async def _deliver(self, event: Event, interaction_id: str | None) -> None:
        handler = self._handler
        sender = self._sender
        if handler is None or sender is None:
            return

        async def wait(delay: float) -> None:
            # Wait for storage, in order; if Hearth stops meanwhile, the next start
            # recovers the message from the channel's history.
            if not self._accepting:
                raise _StoppedWaiting
            await asyncio.sleep(delay)

        try:
            await until_stored(
                lambda: handler.handle(event, sender), Backoff(), wait, _describe(event), logger
            )
        except _StoppedWaiting:
            logger.warning("stopping while storage is down; %s is left", _describe(event))
        except EventRejected as error:
            logger.warning("could not store %s: %s", _describe(event), error)
        except Exception:
            logger.exception(
                "handler failed on %s%s in chat %s",
                type(event).__name__,
                _event_id(event),
                event.chat.platform_chat_id,
            )
        if interaction_id is not None:
            await sender.finish_interaction(interaction_id)

    def _connection_ended(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or not self._accepting:
            return
        error = task.exception()
        if error is None:
            logger.error("the Discord gateway connection ended; no more events will arrive")
        else:
            logger.error(
                "the Discord gateway connection failed; no more events will arrive",
                exc_info=error,
            )

    async def _teardown(self) -> None:
        client = self._client
        self._accepting = False
        if self._catch_up is not None:
            await self._catch_up.close()
            self._catch_up = None
        worker = self._worker
        if worker is not None:
            try:
                async with asyncio.timeout(self._stop_timeout):
                    await self._queue.join()
            except TimeoutError:
                logger.warning("%d Discord events were still queued at stop", self._queue.qsize())
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        if client is not None:
            try:
                await client.close()
            except Exception:
                logger.exception("closing the Discord client failed")
        connecting = self._connect_task
        if connecting is not None:
            try:
                async with asyncio.timeout(self._stop_timeout):
                    await connecting
            except (asyncio.CancelledError, TimeoutError):
                connecting.cancel()
            except Exception as exc:
                logger.debug("the Discord gateway task ended with %r", exc)
        self._client = None
        self._connect_task = None
        self._worker = None
        self._handler = None
        self._sender = None


class _StoppedWaiting(Exception):
    """The adapter is stopping: give up waiting for storage."""


def _describe(event: Event) -> str:
    return f"{type(event).__name__}{_event_id(event)} in chat {event.chat.platform_chat_id}"


def _event_id(event: Event) -> str:
    """A short reference to the event for logs (with a leading space), or nothing."""
    if isinstance(event, Command):
        return f" (interaction {event.platform_message_id})"
    if isinstance(event, Message | MessageDeleted | ReactionEvent):
        return f" (message {event.platform_message_id})"
    if isinstance(event, MembershipEvent):
        return f" (user {event.member.platform_user_id})"
    return ""
