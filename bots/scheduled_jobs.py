"""The app's side of scheduled jobs: chat digests, introductions and personal digests.

Every message a scheduled run sends is recorded as delivered right after the platform
accepted it (:func:`jobs.scheduled_runs.current_deliveries`). A run that was cut off and is
taken over rebuilds its output and skips the messages already delivered; a round of
introductions that was partly posted is not planned again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from adapters.model import Chat, OutgoingReply, Platform
from adapters.ports import DeliveryError, ReplySender
from bots.digests import ChatDigests
from bots.intro_rounds import IntroRounds
from bots.metered_sender import metered
from bots.metrics import HearthMetrics
from bots.personal_digests import PersonalDigests
from bots.reply_languages import ReplyLanguages
from bots.storage.repository import Storage
from bots.upkeep import Upkeep
from jobs.scheduled_runs import JobKind, current_deliveries
from locales import using

log = logging.getLogger(__name__)

CONNECT_WAIT = timedelta(minutes=2)
"""How long a due post waits for its platform's adapter to connect."""
CONNECT_POLL_SECONDS = 0.2


class PlatformUnavailableError(RuntimeError):
    """A scheduled post is due on a platform this process is not connected to."""


class ScheduledJobs:
    """The app's ``jobs.scheduled_runs.JobRunner``: digests, introductions, personal digests
    and upkeep, posted through the platform senders.

    ``senders`` is filled as adapters start; a post due on a platform that has not
    connected within ``connect_wait`` fails with a clear error instead of posting.
    Each run is counted in ``metrics`` by kind, and so is each failed one. Runs are
    not inside the router, so each sets its reply language itself: a chat's posts follow
    the chat (``languages.for_chat``: its setting, else what it writes), a personal digest
    follows the member.
    """

    def __init__(
        self,
        storage: Storage,
        digests: ChatDigests,
        senders: Mapping[Platform, ReplySender],
        intros: IntroRounds,
        *,
        connect_wait: timedelta = CONNECT_WAIT,
        personal: PersonalDigests,
        upkeep: Upkeep,
        metrics: HearthMetrics | None = None,
        languages: ReplyLanguages | None = None,
    ) -> None:
        self._storage = storage
        self._digests = digests
        self._senders = senders
        self._intros = intros
        self._connect_wait = connect_wait
        self._personal = personal
        self._upkeep = upkeep
        self._metrics = metrics or HearthMetrics()
        self._languages = languages or ReplyLanguages(storage)

    async def run_upkeep(self) -> None:
        """Nightly housekeeping (nothing is posted)."""
        with self._counted(JobKind.UPKEEP):
            await self._upkeep.run()

    @contextmanager
    def _counted(self, kind: JobKind) -> Iterator[None]:
        """Count the run of ``kind`` in the block, as failed when it raises."""
        try:
            yield
        except Exception:
            self._metrics.job_finished(kind, failed=True)
            raise
        self._metrics.job_finished(kind, failed=False)

    async def sender_for(self, platform: Platform) -> ReplySender | None:
        """The platform's sender, waiting up to ``connect_wait`` for its adapter to connect.

        Runs missed while Hearth was down fire as the scheduler starts, which can be
        before the adapters have connected; waiting keeps those runs from being lost.
        """
        deadline = asyncio.get_running_loop().time() + self._connect_wait.total_seconds()
        while (sender := self._senders.get(platform)) is None:
            if asyncio.get_running_loop().time() >= deadline:
                return None
            await asyncio.sleep(CONNECT_POLL_SECONDS)
        return metered(sender, self._metrics)

    async def run_digest(self, chat_id: int, period_start: datetime, period_end: datetime) -> None:
        """Build the digest of ``[period_start, period_end)`` and post it in the chat."""
        with self._counted(JobKind.DIGEST):
            await self._digest(chat_id, period_start, period_end)

    async def _digest(self, chat_id: int, period_start: datetime, period_end: datetime) -> None:
        found = await self._chat_and_sender(chat_id, "digest")
        if found is None:
            return
        chat, sender = found
        with using(await self._languages.for_chat(chat)):
            composed = await self._digests.compose(
                chat_id,
                period_end,
                period_end - period_start,
                chat_title=chat.title,
                quiet_line=await self._storage.digest_quiet_line(chat_id),
            )
        parts = composed.parts
        if not parts:
            log.info("quiet period in chat %s: no digest posted", chat_id)
            return
        sent = await _send_in_turn(sender, [OutgoingReply(chat=chat, text=p) for p in parts])
        log.info("posted the digest of chat %s (%d of %d part(s))", chat_id, sent, len(parts))
        if sent:  # none sent now: an earlier attempt posted every part and recorded them
            await self._digests.record_featured(chat_id, composed.digest)

    async def run_intros(self, chat_id: int) -> None:
        """Make this round's introductions in the chat and post them."""
        with self._counted(JobKind.INTROS):
            found = await self._chat_and_sender(chat_id, "introductions")
            if found is None:
                return
            chat, sender = found
            deliveries = current_deliveries()
            if deliveries.skip:
                log.warning(
                    "the introductions of chat %s were partly posted before a stop; "
                    "the round is not planned again",
                    chat_id,
                )
                return
            with using(await self._languages.for_chat(chat)):
                await self._intros.post(
                    chat, chat_id, sender, datetime.now(UTC), sent=deliveries.record
                )

    async def run_personal_digest(
        self, member_id: int, period_start: datetime, period_end: datetime
    ) -> None:
        """Send the member their digest of ``[period_start, period_end)`` by direct message.

        Nothing is sent when nothing in the period is for them.
        """
        with self._counted(JobKind.PERSONAL_DIGEST):
            await self._personal_digest(member_id, period_start, period_end)

    async def _personal_digest(
        self, member_id: int, period_start: datetime, period_end: datetime
    ) -> None:
        with using(await self._languages.for_member(member_id)):
            delivery = await self._personal.scheduled(member_id, period_start, period_end)
        if delivery is None:
            return
        platform = delivery.member.platform
        sender = await self.sender_for(platform)
        if sender is None:
            raise PlatformUnavailableError(
                f"a personal digest for {platform.value} member {member_id} is due, "
                "but that platform is not connected"
            )
        replies = [
            OutgoingReply(
                chat=delivery.chat,
                text=part,
                private=True,
                recipient=delivery.member,
                note_if_undeliverable=False,  # no note in the group every day
            )
            for part in delivery.parts
        ]
        try:
            sent = await _send_in_turn(sender, replies)
        except DeliveryError:
            log.warning(
                "member %s does not accept direct messages; their digest was not sent",
                member_id,
            )
            return
        log.info("sent member %s their digest (%d of %d part(s))", member_id, sent, len(replies))

    async def _chat_and_sender(self, chat_id: int, what: str) -> tuple[Chat, ReplySender] | None:
        chat = await self._storage.chat(chat_id)
        if chat is None:
            log.warning("%s for unknown chat %s skipped", what, chat_id)
            return None
        sender = await self.sender_for(chat.platform)
        if sender is None:
            raise PlatformUnavailableError(
                f"{what} for {chat.platform.value} chat {chat.platform_chat_id} are due, "
                "but that platform is not connected"
            )
        return chat, sender


async def _send_in_turn(sender: ReplySender, replies: Sequence[OutgoingReply]) -> int:
    """Send ``replies`` in order, after those an earlier attempt of the run delivered.

    Each delivery is recorded as soon as the platform accepted it. Returns how many were
    sent now.
    """
    deliveries = current_deliveries()
    for index, reply in enumerate(replies):
        if index < deliveries.skip:
            continue
        await sender.send(replace(reply, idempotency_key=deliveries.idempotency_key(index)))
        await deliveries.record()
    return max(len(replies) - deliveries.skip, 0)
