"""Long polling that confirms a Telegram update only after Hearth has taken it.

python-telegram-bot's own polling confirms a batch (asks for the next offset) as soon as
it is queued in memory, before any handler runs, so a crash loses the queued updates.
Here each update is handled to the end (stored, or kept as unreadable) before the next
one, and the offset given to ``getUpdates`` only ever covers handled updates: Telegram
keeps the rest for 24 hours and hands them out again after a restart. At most one batch
(``limit`` updates) is held in memory at a time.

The position is also saved in an ``IngestLedger`` after commands and at the end of each
batch, so an update handled just before a kill is not handled a second time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import Bot
from telegram.error import InvalidToken, TelegramError
from telegram.warnings import PTBUserWarning

from adapters.backoff import Backoff, until_stored
from adapters.model import Platform
from adapters.ports import IngestLedger
from adapters.telegram.raw_updates import describe_error, update_id_of

log = logging.getLogger(__name__)

# Updates are fetched as raw JSON so that one malformed update cannot fail its whole
# batch; the library warns that a typed method exists for the endpoint.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.get_updates'", category=PTBUserWarning)

TakeUpdate = Callable[[object], Awaitable[bool]]
"""Handles one raw update; returns whether the position must be saved at once."""


class PollerStopped(Exception):
    """Raised inside a wait when the poller is asked to stop."""


class UpdatePoller:
    """Fetches updates with ``getUpdates`` and hands them, one by one, to ``take``."""

    def __init__(
        self,
        bot: Bot,
        take: TakeUpdate,
        ledger: IngestLedger,
        *,
        ledger_key: str,
        timeout: int,
        allowed_updates: Sequence[str],
        request_timeout: float,
        limit: int = 100,
        max_backoff: float = 30.0,
    ) -> None:
        self._bot = bot
        self._take = take
        self._ledger = ledger
        self._key = ledger_key
        self._timeout = timeout
        self._allowed_updates = list(allowed_updates)
        self._request_timeout = request_timeout
        self._limit = limit
        self._max_backoff = max_backoff
        self._offset: int | None = None
        self._saved: int | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Load the saved position and start polling in the background."""
        self._offset = self._saved = await self._ledger.load_cursor(Platform.TELEGRAM, self._key)
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name="hearth-telegram-polling")

    async def stop(self, grace: float = 20.0) -> None:
        """Finish the update in hand (up to ``grace`` seconds), save the position, confirm."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stop.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), grace)
        except TimeoutError:
            log.warning("the update in hand did not finish within %.0fs; it will come again", grace)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._save_position()
        await self._confirm()

    async def wait(self, delay: float) -> None:
        """Sleep ``delay`` seconds; raises ``PollerStopped`` as soon as a stop is asked."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), delay)
        if self._stop.is_set():
            raise PollerStopped

    async def _run(self) -> None:
        backoff = Backoff(maximum=self._max_backoff)
        while not self._stop.is_set():
            try:
                batch = await self._fetch()
            except PollerStopped:
                return
            except (TelegramError, ValueError, TypeError) as error:
                delay = backoff.next_delay()
                level = logging.WARNING if backoff.failures == 1 else logging.DEBUG
                if isinstance(error, InvalidToken):
                    level = logging.ERROR
                log.log(
                    level,
                    "getUpdates failed (%s); trying again in %.1fs",
                    describe_error(error),
                    delay,
                )
                try:
                    await self.wait(delay)
                except PollerStopped:
                    return
                continue
            if backoff.failures:
                log.info("getUpdates works again after %d failed tries", backoff.failures)
                backoff.reset()
            before = self._offset
            try:
                await self._take_batch(batch)
            except PollerStopped:
                return
            await self._save_position()
            if batch and self._offset == before:
                # Nothing in the batch carried a usable update id: do not ask again at once.
                log.warning("getUpdates returned %d updates without usable ids", len(batch))
                try:
                    await self.wait(backoff.next_delay())
                except PollerStopped:
                    return

    async def _fetch(self) -> list[Any]:
        """One long poll, cut short by a stop."""
        request = asyncio.ensure_future(
            self._bot.do_api_request(
                "get_updates",
                api_kwargs={
                    "offset": self._offset,
                    "limit": self._limit,
                    "timeout": self._timeout,
                    "allowed_updates": self._allowed_updates,
                },
                read_timeout=self._request_timeout + self._timeout,
            )
        )
        stopping = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({request, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not request.done():
            request.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await request
            raise PollerStopped
        result = request.result()
        if not isinstance(result, list):
            raise TypeError(f"getUpdates answered {type(result).__name__}, not a list")
        return result

    async def _take_batch(self, batch: list[Any]) -> None:
        backoff = Backoff(maximum=self._max_backoff)
        for raw in batch:
            if self._stop.is_set():
                raise PollerStopped
            update_id = update_id_of(raw)
            if update_id is not None and self._offset is not None and update_id < self._offset:
                continue  # handled before a restart; Telegram had not been told yet
            save_now = await self._take_until_stored(raw, backoff)
            if update_id is not None:
                self._offset = max(self._offset or 0, update_id + 1)
            if save_now:
                await self._save_position()

    async def _take_until_stored(self, raw: object, backoff: Backoff) -> bool:
        """Hand ``raw`` over, waiting out storage outages (the update stays unconfirmed)."""
        what = f"update {update_id_of(raw)}, unconfirmed,"
        return await until_stored(lambda: self._take(raw), backoff, self.wait, what, log)

    async def _save_position(self) -> None:
        offset = self._offset
        if offset is None or offset == self._saved:
            return
        try:
            await self._ledger.save_cursor(Platform.TELEGRAM, self._key, offset)
        except Exception as error:  # the platform's own offset still protects the updates
            log.warning("could not save the Telegram position %s: %s", offset, error)
            return
        self._saved = offset

    async def _confirm(self) -> None:
        """Tell Telegram that everything before the offset is handled (on a clean stop)."""
        if self._offset is None:
            return
        try:
            await self._bot.do_api_request(
                "get_updates",
                api_kwargs={"offset": self._offset, "limit": 1, "timeout": 0},
                read_timeout=self._request_timeout,
            )
        except TelegramError as error:
            log.debug("could not confirm updates on stop: %s", error)
