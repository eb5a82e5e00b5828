"""Reading a Discord channel's past messages (and its threads') for an import.

``DiscordHistorySource`` gives one ``HistoryReader`` per chat: the channel itself, then
each of its public threads, active or archived (a thread is a chat of its own, as the
live adapter reports it). A reader fetches the history oldest first with ``after=``
pagination, 100 messages a request, one request at a time; discord.py waits out rate
limits (HTTP 429) by itself. Each page becomes one ``HistoryBatch`` that resumes after
its last message, converted the way live messages are (``EventConverter``), and tells
how much of the period it covers (``done``: how far its last message lies between
``since`` and the moment the reading began). Messages of deleted accounts are skipped.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

import discord

from adapters.discord.channels import HistoryChannel, can_read_history, lookup_channel
from adapters.discord.deleted_accounts import is_deleted_account
from adapters.discord.event_converter import EventConverter, chat_for, is_text_message
from adapters.history import HistoryBatch, HistoryReader, SkipReason
from adapters.model import Chat, Message, Platform
from adapters.ports import HistoryUnavailable

logger = logging.getLogger(__name__)

PAGE_SIZE = 100
"""Messages per history request (Discord's maximum)."""


class DiscordChannelReader:
    """One channel's or thread's history from ``since`` on, in pages, oldest first."""

    def __init__(
        self,
        channel: HistoryChannel,
        converter: EventConverter,
        *,
        since: datetime,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self._channel = channel
        self._converter = converter
        self._since = since
        self._page_size = page_size
        self._chat = chat_for(channel, guild_id=channel.guild.id)

    @property
    def chat(self) -> Chat:
        """The channel or thread as a neutral chat."""
        return self._chat

    async def batches(self, *, resume_after: str | None = None) -> AsyncIterator[HistoryBatch]:
        """Pages of the history after ``resume_after`` (a message id), else from ``since``."""
        after: discord.abc.Snowflake | datetime = self._since
        if resume_after is not None and resume_after.isdigit():
            after = discord.Object(int(resume_after))
        until = datetime.now(UTC)
        messages: list[Message] = []
        skipped: Counter[SkipReason] = Counter()
        read = 0
        last: discord.Message | None = None
        async for message in self._channel.history(limit=None, after=after, oldest_first=True):
            read += 1
            last = message
            converted, reason = self._convert(message)
            if converted is not None:
                messages.append(converted)
            elif reason is not None:
                skipped[reason] += 1
            if read == self._page_size:
                done = self._share(message.created_at, until)
                yield HistoryBatch(tuple(messages), dict(skipped), str(message.id), done)
                messages, skipped, read = [], Counter(), 0
        if read and last is not None:
            yield HistoryBatch(tuple(messages), dict(skipped), str(last.id), 1.0)

    def _share(self, reached: datetime, until: datetime) -> float:
        """How much of the period from ``since`` to ``until`` lies before ``reached``."""
        period = (until - self._since).total_seconds()
        if period <= 0:
            return 1.0
        return min(1.0, max(0.0, (reached - self._since).total_seconds() / period))

    def _convert(self, message: discord.Message) -> tuple[Message | None, SkipReason | None]:
        if not is_text_message(message):
            return None, SkipReason.SERVICE
        if self._converter.is_self(message.author.id):
            return None, SkipReason.HEARTH
        author = message.author
        if is_deleted_account(author.name, author.discriminator, bot=author.bot):
            return None, SkipReason.DELETED_ACCOUNT
        try:
            converted = self._converter.message(message, recovered=True)
        except Exception:
            logger.exception(
                "could not convert message %s of channel %s", message.id, message.channel.id
            )
            return None, SkipReason.UNREADABLE
        if converted is None:
            return None, SkipReason.EMPTY
        return converted, None


class DiscordHistorySource:
    """Readers of Discord channels' history through the bot's client."""

    def __init__(self, client: discord.Client, converter: EventConverter) -> None:
        self._client = client
        self._converter = converter

    @property
    def platform(self) -> Platform:
        """Always Discord."""
        return Platform.DISCORD

    async def history_readers(self, chat: Chat, *, since: datetime) -> Sequence[HistoryReader]:
        """The channel's reader, then one per public thread active since ``since``."""
        channel = await self._channel(chat)
        readers: list[HistoryReader] = [DiscordChannelReader(channel, self._converter, since=since)]
        if isinstance(channel, discord.TextChannel):
            readers += [
                DiscordChannelReader(thread, self._converter, since=since)
                for thread in await self._threads(channel, since)
            ]
        return readers

    async def _channel(self, chat: Chat) -> HistoryChannel:
        if chat.platform is not Platform.DISCORD or not chat.platform_chat_id.isdigit():
            raise HistoryUnavailable(f"{chat.platform_chat_id!r} is not a Discord channel")
        try:
            channel = await lookup_channel(self._client, int(chat.platform_chat_id))
        except (discord.NotFound, discord.Forbidden) as exc:
            raise HistoryUnavailable(
                f"channel {chat.platform_chat_id} is gone or closed to Hearth: "
                f"{exc.text or exc.status}"
            ) from exc
        if not isinstance(channel, HistoryChannel):
            raise HistoryUnavailable(f"channel {chat.platform_chat_id} has no message history")
        if not can_read_history(channel):
            raise HistoryUnavailable(
                f"Hearth may not read the history of channel {chat.platform_chat_id} "
                "(it needs View Channel and Read Message History)"
            )
        return channel

    @staticmethod
    async def _threads(channel: discord.TextChannel, since: datetime) -> list[discord.Thread]:
        """The channel's public threads with activity since ``since``: the active ones
        discord.py has, then the archived ones (newest first, until older than that)."""
        threads = {thread.id: thread for thread in channel.threads if not thread.is_private()}
        try:
            async for thread in channel.archived_threads(limit=None):
                if thread.archive_timestamp < since:
                    break
                threads.setdefault(thread.id, thread)
        except discord.Forbidden as exc:
            logger.info(
                "cannot list the archived threads of channel %s (%s): %s",
                channel.name,
                channel.id,
                exc.text or exc.status,
            )
        readable = [thread for thread in threads.values() if can_read_history(thread)]
        return sorted(readable, key=lambda thread: thread.id)
