"""The functions the job store schedules, and the one hook that connects them to the app.

The persistent job store keeps jobs as references to module-level functions with plain
arguments: :func:`run_digest` ``(chat_id, spec_json)``, :func:`run_intros`
``(chat_id, cadence_json)`` and :func:`run_personal_digest` ``(member_id, spec_json)``.
When one fires it

1. works out the run's scheduled fire time (given by :class:`~jobs.scheduler.HearthScheduler`
   through a :class:`RunContext`; when called directly, the schedule's last fire time by the
   context's clock),
2. holds the run in :class:`~jobs.run_lease.RunLeases`, keyed by that fire time (and the
   chat id, or the member id for a personal digest): the claim the scheduler wrote with the
   job's next run time, else a new claim, or a stale run taken over from a gone process,
3. if this process holds it, calls the registered :class:`JobRunner`, and records the run
   as finished, or as failed when the runner raised (a failed run is not tried again).

A run cut off (the process killed, or stopped before the run could finish) stays open and
is taken over later (:meth:`jobs.scheduler.HearthScheduler.recover`). The runner makes that
safe: it asks :func:`current_deliveries` how many messages an earlier attempt already
delivered, skips that many, and records each message it delivers right after the platform
accepted it.

The runner is the app's code that builds and posts digests and introductions. It is set once
at start-up with :func:`set_runner`; that registry is the only process-wide state here.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from jobs.clock import SYSTEM_CLOCK, Clock
from jobs.run_lease import Claim, RunLeases, period_key
from jobs.schedule_spec import IntroCadence, ScheduleSpec

logger = logging.getLogger(__name__)


class JobKind(StrEnum):
    """What a scheduled job does; also the lease kind and the job id prefix."""

    DIGEST = "digest"
    INTROS = "intros"
    PERSONAL_DIGEST = "personal"
    """A member's own digest, sent by direct message; keyed by member id, not chat id."""
    UPKEEP = "upkeep"
    """Nightly housekeeping for the whole process (pruning, compaction); keyed by 0."""


class JobRunner(Protocol):
    """The app's side of scheduled jobs: build and post the result to the chat."""

    async def run_digest(self, chat_id: int, period_start: datetime, period_end: datetime) -> None:
        """Post the digest of ``[period_start, period_end)`` (aware, in the chat's zone)."""
        ...

    async def run_intros(self, chat_id: int) -> None:
        """Post this round's introductions."""
        ...

    async def run_personal_digest(
        self, member_id: int, period_start: datetime, period_end: datetime
    ) -> None:
        """Send the member their digest of ``[period_start, period_end)`` by direct message."""
        ...

    async def run_upkeep(self) -> None:
        """Housekeeping: prune what is no longer needed, compact storage."""
        ...


class NoRunnerError(RuntimeError):
    """A job fired before the app registered its :class:`JobRunner`."""


class RunnerRegistry:
    """Holds the process's :class:`JobRunner`; the app sets it once at start-up."""

    def __init__(self) -> None:
        self._runner: JobRunner | None = None

    def set(self, runner: JobRunner | None) -> JobRunner | None:
        """Register ``runner`` (``None`` clears it); returns the one it replaces."""
        previous, self._runner = self._runner, runner
        return previous

    def get(self) -> JobRunner:
        """The registered runner; raises :class:`NoRunnerError` when there is none."""
        if self._runner is None:
            raise NoRunnerError(
                "no job runner registered; call jobs.scheduled_runs.set_runner() at start-up"
            )
        return self._runner


RUNNERS = RunnerRegistry()
"""The process-wide runner registry used by :func:`run_digest` and :func:`run_intros`."""


def set_runner(runner: JobRunner | None) -> JobRunner | None:
    """Register the app's runner for scheduled jobs (``None`` clears); returns the previous."""
    return RUNNERS.set(runner)


@dataclass(frozen=True, slots=True)
class RunContext:
    """What a job run needs besides its arguments: the leases, a clock and its fire time."""

    leases: RunLeases
    clock: Clock = SYSTEM_CLOCK
    scheduled_at: datetime | None = None
    """The fire time APScheduler scheduled this run for; ``None`` when called directly."""
    claim: Claim | None = None
    """The run's claim when the scheduler already holds it; ``None``: claim it now."""


class Deliveries:
    """What a scheduled run has delivered, for the runner to resume after a cut-off run.

    The runner skips the first :attr:`skip` messages it would send (an earlier attempt of
    this run delivered them) and awaits :meth:`record` right after each message the
    platform accepted. Outside a claimed run (a runner called directly) nothing is skipped
    and nothing recorded.
    """

    def __init__(self, leases: RunLeases | None = None, claim: Claim | None = None) -> None:
        self._leases = leases
        self._claim = claim
        self.skip = claim.delivered if claim is not None else 0
        """Messages an earlier attempt of this run already delivered."""

    def idempotency_key(self, index: int) -> str | None:
        """A key for the run's ``index``-th message, the same in every attempt of the run.

        A platform that enforces such keys (Discord) posts the message once even when a
        kill fell between its delivery and :meth:`record`. ``None`` outside a claimed run.
        """
        claim = self._claim
        if claim is None:
            return None
        seed = f"{claim.kind}:{claim.chat_id}:{claim.key}:{index}".encode()
        return hashlib.blake2b(seed, digest_size=10).hexdigest()

    async def record(self) -> None:
        """Count one more delivered message.

        Raises :class:`~jobs.run_lease.LeaseLostError` when another process took the run
        over meanwhile: the runner must then stop sending.
        """
        if self._leases is not None and self._claim is not None:
            claim = self._claim
            await self._leases.delivered(claim.kind, claim.chat_id, claim.key)


_CONTEXT: ContextVar[RunContext | None] = ContextVar("hearth_run_context", default=None)
_DELIVERIES: ContextVar[Deliveries | None] = ContextVar("hearth_run_deliveries", default=None)


def current_deliveries() -> Deliveries:
    """The current run's :class:`Deliveries` (a detached one outside a claimed run)."""
    return _DELIVERIES.get() or Deliveries()


@contextmanager
def use_run_context(context: RunContext) -> Iterator[None]:
    """Make ``context`` the current run context inside the ``with`` block."""
    token = _CONTEXT.set(context)
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def _context(given: RunContext | None) -> RunContext:
    context = given or _CONTEXT.get()
    if context is None:
        raise RuntimeError("scheduled jobs run under HearthScheduler or with context=RunContext(…)")
    return context


def _fire_time(context: RunContext, schedule: ScheduleSpec | IntroCadence) -> datetime:
    if context.scheduled_at is not None:
        return context.scheduled_at
    fire = schedule.previous_fire_time(context.clock.now())
    if fire is None:
        raise ValueError("an off schedule never runs")
    return fire


async def _once(
    run: RunContext, kind: JobKind, slot: int, key: str, work: Callable[[], Awaitable[None]]
) -> bool:
    """Hold the run ``(kind, slot, key)``; if this process does, do ``work`` and finish.

    A run that raises is recorded as failed; one that is cancelled (a stop that could not
    wait for it) stays open, to be resumed.
    """
    claim = run.claim
    if claim is None or (claim.kind, claim.chat_id, claim.key) != (kind.value, slot, key):
        claim = await run.leases.claim(kind.value, slot, key)
    if claim is None:
        logger.info("%s %s at %s already claimed by another process", kind.value, slot, key)
        return False
    if claim.resumed:
        logger.info(
            "resuming %s %s at %s (attempt %d, %d message(s) already delivered)",
            kind.value,
            slot,
            key,
            claim.attempt,
            claim.delivered,
        )
    token = _DELIVERIES.set(Deliveries(run.leases, claim))
    try:
        await work()
    except asyncio.CancelledError:
        raise
    except Exception:
        try:
            await run.leases.fail(kind.value, slot, key)
        except Exception:
            logger.exception("could not record that %s %s at %s failed", kind.value, slot, key)
        raise
    finally:
        _DELIVERIES.reset(token)
    await run.leases.finish(kind.value, slot, key)
    return True


async def _run_period(
    kind: JobKind,
    slot: int,
    spec_json: str,
    context: RunContext | None,
    work: Callable[[JobRunner, datetime, datetime], Awaitable[None]],
) -> bool:
    """Run ``work`` once for ``[previous fire time, this fire time)`` of the schedule."""
    run = _context(context)
    runner = RUNNERS.get()
    spec = ScheduleSpec.from_json(spec_json)
    fire = _fire_time(run, spec)
    start, end = spec.period_ending(fire)
    return await _once(run, kind, slot, period_key(fire), lambda: work(runner, start, end))


async def run_digest(chat_id: int, spec_json: str, *, context: RunContext | None = None) -> bool:
    """The scheduled digest job; ``True`` when this process ran it, ``False`` when another did.

    The period is ``[previous fire time, this fire time)`` of the schedule.
    """
    return await _run_period(
        JobKind.DIGEST,
        chat_id,
        spec_json,
        context,
        lambda runner, start, end: runner.run_digest(chat_id, start, end),
    )


async def run_intros(chat_id: int, cadence_json: str, *, context: RunContext | None = None) -> bool:
    """The scheduled introductions job; ``True`` when this process ran it."""
    run = _context(context)
    runner = RUNNERS.get()
    key = period_key(_fire_time(run, IntroCadence.from_json(cadence_json)))
    return await _once(run, JobKind.INTROS, chat_id, key, lambda: runner.run_intros(chat_id))


async def run_personal_digest(
    member_id: int, spec_json: str, *, context: RunContext | None = None
) -> bool:
    """The scheduled personal digest job; ``True`` when this process ran it.

    Like :func:`run_digest`, keyed by the member instead of a chat.
    """
    return await _run_period(
        JobKind.PERSONAL_DIGEST,
        member_id,
        spec_json,
        context,
        lambda runner, start, end: runner.run_personal_digest(member_id, start, end),
    )


UPKEEP_ID = 0
"""The id slot of the upkeep job (there is one, for the whole deployment)."""


async def run_upkeep(slot: int, spec_json: str, *, context: RunContext | None = None) -> bool:
    """The scheduled upkeep job; ``True`` when this process ran it."""
    run = _context(context)
    runner = RUNNERS.get()
    key = period_key(_fire_time(run, ScheduleSpec.from_json(spec_json)))
    return await _once(run, JobKind.UPKEEP, slot, key, runner.run_upkeep)
