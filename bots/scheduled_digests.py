"""The app's side of scheduled jobs: post a chat's digest when its schedule fires."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from adapters.model import OutgoingReply, Platform
from adapters.ports import ReplySender
from bots.digests import ChatDigests
from bots.storage.repository import Storage

log = logging.getLogger(__name__)


class PlatformUnavailableError(RuntimeError):
    """A scheduled post is due on a platform this process is not connected to."""


class ScheduledDigests:
    """A ``jobs.scheduled_runs.JobRunner`` that posts digests through the platform senders.

    ``senders`` is filled as adapters start, so a job for a platform that is not
    running fails with a clear error (the run lease records it) instead of posting.
    """

    def __init__(
        self, storage: Storage, digests: ChatDigests, senders: Mapping[Platform, ReplySender]
    ) -> None:
        self._storage = storage
        self._digests = digests
        self._senders = senders

    async def run_digest(self, chat_id: int, period_start: datetime, period_end: datetime) -> None:
        """Build the digest of ``[period_start, period_end)`` and post it in the chat."""
        chat = await self._storage.chat(chat_id)
        if chat is None:
            log.warning("digest for unknown chat %s skipped", chat_id)
            return
        sender = self._senders.get(chat.platform)
        if sender is None:
            raise PlatformUnavailableError(
                f"digest for {chat.platform.value} chat {chat.platform_chat_id} is due, "
                "but that platform is not connected"
            )
        parts = await self._digests.render(
            chat_id,
            period_end,
            period_end - period_start,
            chat_title=chat.title,
            quiet_line=await self._storage.digest_quiet_line(chat_id),
        )
        if not parts:
            log.info("quiet period in chat %s: no digest posted", chat_id)
            return
        for part in parts:
            await sender.send(OutgoingReply(chat=chat, text=part))
        log.info("posted the digest of chat %s (%d part(s))", chat_id, len(parts))

    async def run_intros(self, chat_id: int) -> None:
        """Introductions are not scheduled by this version; nothing to post."""
        log.warning("introductions for chat %s are not available yet; skipped", chat_id)
