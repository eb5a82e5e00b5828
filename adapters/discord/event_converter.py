"""Translate discord.py messages, members, guilds and interactions into neutral events."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import discord

from adapters.addressing import Span, text_for_hearth
from adapters.discord.commands import SlashCommandSpec
from adapters.model import (
    BotStatusEvent,
    Chat,
    ChatKind,
    Command,
    Member,
    MembershipChange,
    MembershipEvent,
    Mention,
    Message,
    MessageDeleted,
    Platform,
    ReactionEvent,
    utc,
)

PERMALINK = "https://discord.com/channels/{guild}/{channel}/{message}"
THREAD_TITLE_SEPARATOR = " › "

_USER_MENTION = re.compile(r"<@!?(\d{15,25})>")
_TEXT_MESSAGE_TYPES = frozenset({discord.MessageType.default, discord.MessageType.reply})

AnyUser = discord.User | discord.Member | discord.ClientUser
"""Whoever discord.py reports as an author or invoker."""


def to_member(user: discord.abc.User, *, locale: str | None = None) -> Member:
    """The neutral member: the name shown in the server, and the unique account username.

    ``locale`` is the member's app language where Discord tells it (interactions).
    """
    return Member(
        platform=Platform.DISCORD,
        platform_user_id=str(user.id),
        display_name=user.display_name,
        username=user.name,
        is_bot=user.bot,
        locale=locale,
    )


def interaction_member(interaction: discord.Interaction[Any]) -> Member:
    """Who used an interaction, with the language their Discord app is set to."""
    return to_member(interaction.user, locale=interaction.locale.value)


def permalink(guild_id: int | None, channel_id: int, message_id: int) -> str:
    """A link that opens the message in Discord (``@me`` for direct messages)."""
    guild = "@me" if guild_id is None else str(guild_id)
    return PERMALINK.format(guild=guild, channel=channel_id, message=message_id)


def chat_for(channel: object, *, guild_id: int | None, private_title: str | None = None) -> Chat:
    """The neutral chat for a channel or thread.

    Server channels and threads are groups (each thread is a chat of its own, titled
    ``parent › thread``); direct messages are private chats titled ``private_title``.
    Channels discord.py has not cached are still groups when they belong to a server.
    """
    if isinstance(channel, discord.Thread):
        parent = channel.parent
        title = (
            f"{parent.name}{THREAD_TITLE_SEPARATOR}{channel.name}"
            if parent is not None
            else channel.name
        )
        return Chat(Platform.DISCORD, str(channel.id), ChatKind.GROUP, title)
    if isinstance(channel, discord.DMChannel):
        dm_title = private_title
        if dm_title is None and channel.recipient is not None:
            dm_title = channel.recipient.display_name
        return Chat(Platform.DISCORD, str(channel.id), ChatKind.PRIVATE, dm_title)
    if isinstance(channel, discord.abc.GuildChannel):
        return Chat(Platform.DISCORD, str(channel.id), ChatKind.GROUP, channel.name)
    if isinstance(channel, discord.GroupChannel):
        return Chat(Platform.DISCORD, str(channel.id), ChatKind.GROUP, channel.name)
    channel_id = getattr(channel, "id", None)
    if not isinstance(channel_id, int):
        raise ValueError(f"not a Discord channel: {channel!r}")
    kind = ChatKind.GROUP if guild_id is not None else ChatKind.PRIVATE
    return Chat(
        Platform.DISCORD,
        str(channel_id),
        kind,
        private_title if kind is ChatKind.PRIVATE else None,
    )


def readable_text_channels(
    guild: discord.Guild, member: discord.Member | None = None
) -> list[discord.TextChannel]:
    """The guild's text channels the bot can read (and ``member`` too, when given)."""
    me = guild.me
    channels: list[discord.TextChannel] = []
    for channel in guild.text_channels:
        if me is not None and not channel.permissions_for(me).view_channel:
            continue
        if member is not None and not channel.permissions_for(member).view_channel:
            continue
        channels.append(channel)
    return channels


def readable_text(
    message: discord.Message, bot: BotIdentity | None = None, bot_spans: Sequence[Span] = ()
) -> str:
    """The message text with user mentions (``<@id>``) shown as ``@username``.

    Stored memory and twin quotes then read as people wrote them; mentions of
    users Discord did not resolve stay as they are. ``bot_spans`` are where ``bot`` is
    mentioned in the content; those follow ``adapters.addressing``: left out at the start
    and end of the text, shown as ``@<bot display name>`` inside it.
    """
    users = {user.id: user for user in message.mentions}

    def name(match: re.Match[str]) -> str:
        user = users.get(int(match.group(1)))
        return f"@{user.name}" if user is not None else match.group(0)

    content = message.content
    if bot is not None and bot_spans:
        content = text_for_hearth(content, bot_spans, lambda _: f"@{bot.display_name}")
    return _USER_MENTION.sub(name, content)


def is_text_message(message: discord.Message) -> bool:
    """Whether ``message`` is a member's text post (not a join, pin, thread start...)."""
    return message.type in _TEXT_MESSAGE_TYPES


def looks_content_stripped(message: discord.Message) -> bool:
    """Whether a server message arrived without any of its content.

    Discord blanks content, attachments, embeds and components of server messages when the
    Message Content intent is off (except messages that mention the bot); a real message
    always has at least one of them.
    """
    return bool(
        message.guild is not None
        and message.type in _TEXT_MESSAGE_TYPES
        and not message.content
        and not message.attachments
        and not message.embeds
        and not message.stickers
        and not message.components
        and message.poll is None
        and not message.message_snapshots
    )


@dataclass(frozen=True, slots=True)
class BotIdentity:
    """Who the bot is on Discord, as reported at login."""

    user_id: int
    username: str
    display_name: str
    application_id: int | None = None

    @property
    def member(self) -> Member:
        """The bot as a neutral member."""
        return Member(
            platform=Platform.DISCORD,
            platform_user_id=str(self.user_id),
            display_name=self.display_name,
            username=self.username,
            is_bot=True,
        )


class EventConverter:
    """Turns discord.py objects into neutral events; knows the bot to ignore its own posts."""

    def __init__(self, identity: BotIdentity | None = None) -> None:
        self.identity = identity

    def is_self(self, user_id: int) -> bool:
        """Whether ``user_id`` is the bot itself."""
        return self.identity is not None and user_id == self.identity.user_id

    # -- messages ---------------------------------------------------------------------------

    def message(
        self, message: discord.Message, *, edited: bool = False, recovered: bool = False
    ) -> Message | None:
        """A text message as a neutral ``Message``; ``None`` for what Hearth ignores.

        Ignored: the bot's own messages, system messages (joins, pins, thread starts...),
        messages without text (attachments or stickers alone). ``recovered`` marks a
        message fetched from the channel's history rather than received live.

        Addressed to Hearth: a message whose text mentions the bot (``<@id>``, ``<@!id>``;
        a mention of its managed role does not count), a reply to one of the bot's
        messages, and any direct message. The bot is left out of ``mentions`` and its
        mention out of the text as ``adapters.addressing`` says. Messages that mention the
        bot carry their content even without the Message Content intent.
        """
        if message.type not in _TEXT_MESSAGE_TYPES or self.is_self(message.author.id):
            return None
        # One scan of the user mentions: the text, the addressing and ``mentions`` read it.
        # Only the text counts for the addressing: Discord also lists the author of a
        # replied-to message among the mentions when the reply pings them.
        found = list(_USER_MENTION.finditer(message.content))
        bot_spans = [match.span() for match in found if self.is_self(int(match.group(1)))]
        text = readable_text(message, self.identity, bot_spans)
        if not text.strip():
            return None
        guild_id = message.guild.id if message.guild is not None else None
        author = to_member(message.author)
        chat = chat_for(
            message.channel,
            guild_id=guild_id,
            private_title=author.display_name if guild_id is None else None,
        )
        reply_to_id: str | None = None
        reply_to_member: Member | None = None
        replies_to_self = False
        reference = message.reference
        if (
            reference is not None
            and reference.type is discord.MessageReferenceType.reply
            and reference.message_id is not None
        ):
            reply_to_id = str(reference.message_id)
            original = reference.resolved
            if not isinstance(original, discord.Message):
                original = reference.cached_message
            if isinstance(original, discord.Message):
                reply_to_member = to_member(original.author)
                replies_to_self = self.is_self(original.author.id)
        return Message(
            chat=chat,
            sender=author,
            platform_message_id=str(message.id),
            text=text,
            sent_at=utc(message.created_at),
            mentions=self._mentions(message, found),
            reply_to_message_id=reply_to_id,
            reply_to_member=reply_to_member,
            permalink=permalink(guild_id, message.channel.id, message.id),
            edited_at=utc(message.edited_at) if edited else None,
            recovered=recovered,
            addressed_to_hearth=bool(bot_spans) or replies_to_self or chat.kind is ChatKind.PRIVATE,
        )

    def edit(self, update: discord.RawMessageUpdateEvent) -> Message | None:
        """An edited message (cached or not); ``None`` unless its text really changed.

        Discord also sends message updates for link previews and pins; those carry no edit
        time, or the same text as the cached copy.
        """
        message = update.message
        if message.edited_at is None:
            return None
        cached = update.cached_message
        if cached is not None and cached.content == message.content:
            return None
        return self.message(message, edited=True)

    def deleted(self, deletion: discord.RawMessageDeleteEvent, channel: object) -> MessageDeleted:
        """A deleted message; ``channel`` is the cached channel or thread, if any."""
        chat = chat_for(
            channel if channel is not None else _PartialChannel(deletion.channel_id),
            guild_id=deletion.guild_id,
        )
        return MessageDeleted(
            chat=chat, platform_message_id=str(deletion.message_id), at=datetime.now(UTC)
        )

    def reaction(
        self,
        payload: discord.RawReactionActionEvent,
        channel: object,
        user: discord.abc.User | None,
        *,
        added: bool,
    ) -> ReactionEvent | None:
        """A reaction put on a server message or taken back; ``None`` for the bot's own
        and for direct messages. ``channel`` and ``user`` are discord.py's cached copies,
        if any: Discord names the member only when a reaction is added, so a removal by a
        member not in the cache carries just their id."""
        if payload.guild_id is None or self.is_self(payload.user_id):
            return None
        if payload.member is not None:
            member = to_member(payload.member)
        elif user is not None:
            member = to_member(user)
        else:
            member = Member(Platform.DISCORD, str(payload.user_id), str(payload.user_id))
        chat = chat_for(
            channel if channel is not None else _PartialChannel(payload.channel_id),
            guild_id=payload.guild_id,
        )
        emoji = payload.emoji
        key = f"custom:{emoji.id}" if emoji.id is not None else emoji.name
        if not key:
            return None
        return ReactionEvent(
            chat=chat,
            member=member,
            platform_message_id=str(payload.message_id),
            emoji=key,
            added=added,
            at=datetime.now(UTC),
        )

    def _mentions(
        self, message: discord.Message, found: Sequence[re.Match[str]]
    ) -> tuple[Mention, ...]:
        """The user mentions ``found`` in the text (``<@id>``, ``<@!id>``), in order, each
        once, the bot left out."""
        users = {user.id: user for user in message.mentions}
        mentions: list[Mention] = []
        seen: set[int] = set()
        for match in found:
            user_id = int(match.group(1))
            user = users.get(user_id)
            if user is None or user_id in seen or self.is_self(user_id):
                continue
            seen.add(user_id)
            mentions.append(Mention(member=to_member(user)))
        return tuple(mentions)

    # -- membership -------------------------------------------------------------------------

    def member_joined(self, member: discord.Member) -> list[MembershipEvent]:
        """A member joined a server: one event per text channel both they and the bot see."""
        if self.is_self(member.id):
            return []
        at = utc(member.joined_at)
        person = to_member(member)
        return [
            MembershipEvent(
                chat=chat_for(channel, guild_id=member.guild.id),
                member=person,
                change=MembershipChange.JOINED,
                at=at,
            )
            for channel in readable_text_channels(member.guild, member)
        ]

    def member_left(
        self, guild: discord.Guild, user: discord.User | discord.Member
    ) -> list[MembershipEvent]:
        """A member left (or was removed from) a server: one event per text channel."""
        if self.is_self(user.id):
            return []
        at = datetime.now(UTC)
        person = to_member(user)
        cached = user if isinstance(user, discord.Member) else None
        return [
            MembershipEvent(
                chat=chat_for(channel, guild_id=guild.id),
                member=person,
                change=MembershipChange.LEFT,
                at=at,
            )
            for channel in readable_text_channels(guild, cached)
        ]

    def bot_added(self, guild: discord.Guild) -> list[BotStatusEvent]:
        """Hearth joined a server: one event per text channel it can read."""
        at = datetime.now(UTC)
        return [
            BotStatusEvent(chat=chat_for(channel, guild_id=guild.id), added=True, at=at)
            for channel in readable_text_channels(guild)
        ]

    def bot_removed(self, guild: discord.Guild) -> list[BotStatusEvent]:
        """Hearth left or was removed from a server: one event per text channel and thread."""
        at = datetime.now(UTC)
        channels: list[object] = [*guild.text_channels, *guild.threads]
        return [
            BotStatusEvent(chat=chat_for(channel, guild_id=guild.id), added=False, at=at)
            for channel in channels
        ]

    # -- interactions -----------------------------------------------------------------------

    def interaction_chat(self, interaction: discord.Interaction[Any]) -> Chat:
        """The chat an interaction was used in."""
        channel: object = interaction.channel
        if channel is None:
            if interaction.channel_id is None:
                raise ValueError(f"interaction {interaction.id} has no channel")
            channel = _PartialChannel(interaction.channel_id)
        private_title = interaction.user.display_name if interaction.guild_id is None else None
        return chat_for(channel, guild_id=interaction.guild_id, private_title=private_title)

    def command(
        self,
        spec: SlashCommandSpec,
        interaction: discord.Interaction[Any],
        values: Mapping[str, Any],
    ) -> Command:
        """A slash command as a neutral ``Command``.

        ``args`` are the given option values in the spec's order, as strings (options left
        out are skipped); ``platform_message_id`` is the interaction id, which routes the
        reply back to the interaction; ``sender_is_admin`` is Manage Server (or
        Administrator) in that channel, and ``False`` outside servers.
        """
        given = [
            (option.name, str(values[option.name]))
            for option in spec.options
            if values.get(option.name) is not None
        ]
        permissions = interaction.permissions
        is_admin = interaction.guild_id is not None and (
            permissions.manage_guild or permissions.administrator
        )
        raw_text = " ".join([f"/{spec.name}", *(f"{name}:{value}" for name, value in given)])
        return Command(
            chat=self.interaction_chat(interaction),
            sender=interaction_member(interaction),
            name=spec.name,
            args=tuple(value for _, value in given),
            platform_message_id=str(interaction.id),
            sent_at=utc(interaction.created_at),
            raw_text=raw_text,
            sender_is_admin=is_admin,
        )


@dataclass(frozen=True, slots=True)
class _PartialChannel:
    """A channel known only by id (not in discord.py's cache)."""

    id: int
