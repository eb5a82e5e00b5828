"""Catching up on what Discord channels said while Hearth was not connected.

Discord does not redeliver messages to a bot that was offline, and a gateway session
that cannot be resumed loses the events of the gap too. So whenever a shard starts a new
session (first start, restart, or a reconnect that was not a clean RESUME: a resumed
session replays what it missed by itself), every channel Hearth stored messages from is
read from the last stored message on, oldest first, and each message is handed over the
way a live one is (marked ``recovered``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

import aiohttp
import discord

from adapters.discord.channels import HistoryChannel, can_read_history, lookup_channel
from adapters.discord.event_converter import EventConverter
from adapters.model import Message, Platform
from adapters.ports import ResumePoint, StoredHistory

logger = logging.getLogger(__name__)

Deliver = Callable[[Message], Awaitable[None]]
"""Hands a recovered message to the handler and returns once it was handled."""

Step = Callable[[], Awaitable[None]]

TRANSIENT_ERRORS = (discord.HTTPException, aiohttp.ClientError, OSError, TimeoutError)
"""Errors of a Discord request that may pass if tried again."""


class HistoryCatchUp:
    """Recovers the messages each shard's channels got while the shard was disconnected.

    When a shard's session starts, ``snapshot(shard_id)`` gives a step that must run in
    turn with the live events (the adapter queues it with them), so the resume points are
    read before any message of the new session is stored. ``shard_ready(shard_id)`` then
    catches up that shard's channels in the background once discord.py has loaded its
    servers: one channel and one request at a time (discord.py waits out rate limits),
    each message handed over through ``deliver``, which waits until the handler took it,
    so live events keep flowing in between. Per channel and catch-up at most
    ``max_messages`` are fetched, the oldest first; channels whose last stored message is
    older than ``max_age`` are left alone.
    """

    def __init__(
        self,
        client: discord.Client,
        history: StoredHistory,
        converter: EventConverter,
        deliver: Deliver,
        *,
        max_messages: int,
        max_age: timedelta,
    ) -> None:
        if max_messages < 1:
            raise ValueError("max_messages must be at least 1")
        self._client = client
        self._history = history
        self._converter = converter
        self._deliver = deliver
        self._max_messages = max_messages
        self._max_age = max_age
        self._snapshots: dict[int, asyncio.Future[Sequence[ResumePoint]]] = {}
        self._ready: set[int] = set()
        self._busy: set[int] = set()
        """Shards whose new session has not been caught up yet."""
        self._task: asyncio.Task[None] | None = None

    def snapshot(self, shard_id: int) -> Step:
        """The step that reads where ``shard_id``'s new session resumes each channel."""
        taken: asyncio.Future[Sequence[ResumePoint]] = asyncio.get_running_loop().create_future()
        self._snapshots[shard_id] = taken
        self._busy.add(shard_id)

        async def take() -> None:
            points: Sequence[ResumePoint] = ()
            try:
                points = await self._history.begin_catch_up(
                    Platform.DISCORD, since=datetime.now(UTC) - self._max_age
                )
            except Exception:
                logger.exception(
                    "could not read where to resume Discord channels (shard %d); messages "
                    "missed while disconnected are recovered at the next start",
                    shard_id,
                )
            if not taken.done():
                taken.set_result(points)

        return take

    def shard_ready(self, shard_id: int) -> None:
        """Catch up ``shard_id``'s channels in the background (after its snapshot)."""
        self._ready.add(shard_id)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="hearth-discord-catch-up")

    @property
    def busy(self) -> bool:
        """Whether a catch-up is under way."""
        return self._task is not None and not self._task.done()

    async def close(self) -> None:
        """Stop catching up; what was not handed over yet is fetched at the next start."""
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for taken in self._snapshots.values():
            taken.cancel()
        self._snapshots.clear()
        self._ready.clear()
        self._busy.clear()

    async def _run(self) -> None:
        while self._ready:
            shard_id = min(self._ready)
            self._ready.discard(shard_id)
            taken = self._snapshots.get(shard_id)
            if taken is None:
                continue
            try:
                await self._catch_up_shard(shard_id, await taken)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("catching up on Discord shard %d failed", shard_id)
            if self._snapshots.get(shard_id) is taken:  # no newer session meanwhile
                self._busy.discard(shard_id)

    async def _catch_up_shard(self, shard_id: int, points: Sequence[ResumePoint]) -> None:
        checked = recovered = channels = 0
        for point in points:
            channel = await self._channel(point)
            if channel is None:
                continue
            owner = channel.guild.shard_id
            if owner != shard_id:
                # Another shard's channel. Unless that shard is catching up itself, it has
                # received the channel live since its session began: nothing to keep.
                if owner not in self._busy:
                    await self._history.catch_up_done(point.chat)
                continue
            checked += 1
            count = await self._catch_up_channel(channel, point)
            recovered += count
            channels += 1 if count else 0
        if checked:
            logger.info(
                "Discord catch-up done (shard %d): %d missed messages recovered in %d of %d "
                "channels",
                shard_id,
                recovered,
                channels,
                checked,
            )

    async def _channel(self, point: ResumePoint) -> HistoryChannel | None:
        """The channel to read, or ``None`` when it cannot be read (now or ever)."""
        chat = point.chat
        try:
            channel_id = int(chat.platform_chat_id)
        except ValueError:
            logger.warning("stored Discord chat id %r is not a channel id", chat.platform_chat_id)
            await self._history.catch_up_done(chat)
            return None
        try:
            channel = await lookup_channel(self._client, channel_id)
        except (discord.NotFound, discord.Forbidden) as exc:
            logger.info(
                "channel %s (%s) is gone or closed to Hearth; its missed messages cannot "
                "be recovered (%s)",
                chat.title,
                channel_id,
                exc.text or exc.status,
            )
            await self._history.catch_up_done(chat)
            return None
        except TRANSIENT_ERRORS as exc:
            logger.warning(
                "could not look up channel %s (%s) to recover missed messages: %s",
                chat.title,
                channel_id,
                exc,
            )
            return None
        if not isinstance(channel, HistoryChannel):
            logger.info("channel %s (%s) has no message history to read", chat.title, channel_id)
            await self._history.catch_up_done(chat)
            return None
        if not can_read_history(channel):
            logger.info(
                "Hearth can no longer read the history of channel %s (%s); its missed "
                "messages cannot be recovered",
                chat.title,
                channel_id,
            )
            await self._history.catch_up_done(chat)
            return None
        return channel

    async def _catch_up_channel(self, channel: HistoryChannel, point: ResumePoint) -> int:
        """Hand over what ``channel`` got after the resume point; returns how many."""
        after = point.after_message_id
        if not after.isdigit():
            logger.warning("stored Discord message id %r is not a message id", after)
            await self._history.catch_up_done(point.chat)
            return 0
        fetched = handed = 0
        cut_short = False
        try:
            async for message in channel.history(
                limit=self._max_messages + 1, after=discord.Object(int(after)), oldest_first=True
            ):
                if fetched >= self._max_messages:
                    cut_short = True
                    break
                fetched += 1
                event = self._convert(message)
                if event is not None:
                    await self._deliver(event)
                    handed += 1
        except (discord.NotFound, discord.Forbidden) as exc:
            logger.info(
                "could not read the history of channel %s (%s): %s",
                channel.name,
                channel.id,
                exc.text or exc.status,
            )
            await self._history.catch_up_done(point.chat)
            return handed
        except TRANSIENT_ERRORS as exc:
            logger.warning(
                "recovering missed messages of channel %s (%s) stopped after %d: %s; the rest "
                "is fetched at the next start or reconnect",
                channel.name,
                channel.id,
                handed,
                exc,
            )
            return handed
        await self._history.catch_up_done(point.chat)
        if fetched:
            logger.info(
                "recovered %d messages posted in channel %s (%s) while disconnected "
                "(%d read from its history)",
                handed,
                channel.name,
                channel.id,
                fetched,
            )
        if cut_short:
            logger.warning(
                "channel %s (%s) got more than %d messages while Hearth was disconnected: the "
                "oldest %d were recovered, the newer ones were not (raise "
                "DISCORD_RECOVERY_MAX_MESSAGES to recover more)",
                channel.name,
                channel.id,
                self._max_messages,
                self._max_messages,
            )
        return handed

    def _convert(self, message: discord.Message) -> Message | None:
        try:
            return self._converter.message(message, recovered=True)
        except Exception:
            logger.exception(
                "could not convert recovered message %s in channel %s",
                message.id,
                message.channel.id,
            )
            return None
