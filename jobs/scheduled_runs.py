"""The functions the job store schedules, and the one hook that connects them to the app.

The persistent job store keeps jobs as references to module-level functions with plain
arguments: :func:`run_digest` ``(chat_id, spec_json)``, :func:`run_intros`
``(chat_id, cadence_json)`` and :func:`run_personal_digest` ``(member_id, spec_json)``.
When one fires it

1. works out the run's scheduled fire time (given by :class:`~jobs.scheduler.HearthScheduler`
   through a :class:`RunContext`; when called directly, the schedule's last fire time by the
   context's clock),
2. claims the run in :class:`~jobs.run_lease.RunLeases`, keyed by that fire time (and the
   chat id, or the member id for a personal digest), and
3. if this process won, calls the registered :class:`JobRunner`.

The runner is the app's code that builds and posts digests and introductions. It is set once
at start-up with :func:`set_runner`; that registry is the only process-wide state here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from jobs.clock import SYSTEM_CLOCK, Clock
from jobs.run_lease import RunLeases, period_key
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


_CONTEXT: ContextVar[RunContext | None] = ContextVar("hearth_run_context", default=None)


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
    """Claim the run ``(kind, slot, key)``; if this process won it, do ``work`` and finish."""
    if not await run.leases.claim(kind, slot, key):
        logger.info("%s %s at %s already claimed by another process", kind.value, slot, key)
        return False
    await work()
    await run.leases.finish(kind, slot, key)
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
