"""Hearth's scheduler: digest, introduction and personal digest jobs in the app's database.

:class:`HearthScheduler` wraps APScheduler 3's ``AsyncIOScheduler`` (it runs on the app's
event loop) with a persistent ``SQLAlchemyJobStore`` in the table :data:`JOB_TABLE` of the
same database as the app, reached through a synchronous driver derived from the app's async
URL (:func:`sync_database_url`). Schedules therefore survive restarts, and every process on
the database sees the same jobs.

Jobs are :func:`jobs.scheduled_runs.run_digest`, :func:`~jobs.scheduled_runs.run_intros`
and :func:`~jobs.scheduled_runs.run_personal_digest` with plain arguments; they call the
runner registered with :func:`jobs.scheduled_runs.set_runner`. Each run holds a lease
(:mod:`jobs.run_lease`) keyed by its scheduled fire time, so with two processes on one
database only one of them posts.

Missed runs: a run missed while no process was up runs once on start if it is at most
``misfire_grace`` late (1 hour by default); several missed runs of a job are coalesced into
one; later than the grace window it is skipped. Either way the job then waits for its next
fire time.

Runs cut off: APScheduler 3 writes a job's next run time to the store before the job body
runs. Here the run's lease is claimed in that same transaction (:class:`_ClaimingJobStore`),
so the store never says "done with this fire time" without a row saying "this run is due and
held by this process". A run whose process was killed (or stopped before the run could
finish) is left open; :meth:`HearthScheduler.recover`, at start and every ``lease_ttl / 6``,
takes such runs over once their owner is gone (:mod:`jobs.run_lease`) and still within the
grace window, and runs them through the same claim → run → finish path, resuming after the
messages the cut-off attempt recorded as delivered.

What "exactly once" means here: every due run is started by one process at a time, is done
again after a kill at any instant until it finishes (within the grace window, at most
:data:`~jobs.run_lease.MAX_ATTEMPTS` times), and never re-sends a message whose delivery was
recorded. Telegram takes no idempotency key, so one window remains per message there (on
Discord each message carries a per-run key, :meth:`~jobs.scheduled_runs.Deliveries.idempotency_key`,
sent as an enforced nonce, and the window is closed): a kill
after its request left Hearth and before Hearth committed its delivery (one round trip to
the platform and one small database write: a few milliseconds against a local API, up to a
few hundred against Telegram's) sends that message again on resume. That errs towards
"twice" over "never": a missing digest is the worse failure. A run that raised is not
retried: it may have posted part of its output.

Job ids are ``"<kind>:<chat_id>"``, e.g. ``digest:-1001234``; a personal digest's is
``"personal:<member_id>"``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
)
from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.executors.base import run_coroutine_job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.util import datetime_to_utc_timestamp, iscoroutinefunction_partial
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from jobs.clock import SYSTEM_CLOCK, Clock
from jobs.run_lease import (
    DEFAULT_TTL,
    LEASE_TABLE,
    Claim,
    RunLeases,
    insert_claim,
    key_moment,
    period_key,
)
from jobs.schedule_spec import IntroCadence, ScheduleError, ScheduleSpec
from jobs.scheduled_runs import (
    UPKEEP_ID,
    JobKind,
    RunContext,
    run_digest,
    run_intros,
    run_personal_digest,
    run_upkeep,
    use_run_context,
)

logger = logging.getLogger(__name__)

JOB_TABLE = "hearth_scheduled_jobs"
"""The job store's table, created by APScheduler on start when missing (by whichever
process gets there first)."""
DEFAULT_MISFIRE_GRACE = timedelta(hours=1)
DEFAULT_POLL_INTERVAL = timedelta(minutes=1)
UPKEEP_SCHEDULE = ScheduleSpec.daily(4, 0)
"""Upkeep runs every night at 04:00 UTC."""


def sync_database_url(url: str) -> str:
    """The synchronous URL for the app's async one, for APScheduler's job store.

    ``sqlite+aiosqlite:///path`` becomes ``sqlite:///path`` and
    ``postgresql+asyncpg://…`` becomes ``postgresql+psycopg://…``. In-memory SQLite is
    refused: its contents are not shared between connections.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:") or "mode=memory" in str(parsed.query):
            raise ValueError("the job store needs a SQLite file, not an in-memory database")
        driver = "sqlite"
    elif backend == "postgresql":
        driver = "postgresql+psycopg"
    else:
        raise ValueError(f"the scheduler needs SQLite or PostgreSQL, not {backend}")
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def job_id(chat_id: int, kind: JobKind) -> str:
    """The job-store id of a chat's job, e.g. ``digest:-1001234`` (a member's: ``personal:7``)."""
    return f"{JobKind(kind).value}:{chat_id}"


def parse_job_id(value: str) -> tuple[JobKind, int] | None:
    """The kind and chat (or member) id in a job id; ``None`` for ids Hearth did not make."""
    kind, _, chat = value.partition(":")
    try:
        return JobKind(kind), int(chat)
    except ValueError:
        return None


class RunOutcome(StrEnum):
    """What became of one scheduled run in this process."""

    RAN = "ran"
    """This process won the lease and the runner finished."""
    CLAIMED_ELSEWHERE = "claimed_elsewhere"
    """Another process had claimed the run; nothing was done here."""
    MISSED = "missed"
    """The run was later than the grace window and was skipped."""
    FAILED = "failed"
    """The job raised (the runner, the lease or a malformed schedule)."""


@dataclass(frozen=True, slots=True)
class RunReport:
    """One scheduled run, reported to listeners added with :meth:`HearthScheduler.add_listener`."""

    kind: JobKind
    chat_id: int
    """The chat's id; the member's id for a personal digest."""
    scheduled_at: datetime
    outcome: RunOutcome
    error: BaseException | None = None
    recovered: bool = False
    """The run was taken over from a process that was cut off (:meth:`HearthScheduler.recover`)."""


@dataclass(frozen=True, slots=True)
class ScheduledJob:
    """A chat's (or a member's) scheduled job as listed by :meth:`HearthScheduler.jobs`."""

    kind: JobKind
    chat_id: int
    """The chat's id; the member's id for a personal digest."""
    schedule: ScheduleSpec | IntroCadence
    next_run: datetime | None

    def describe(self) -> str:
        """Human text of the schedule, e.g. ``every day at 09:00 (UTC)``."""
        return self.schedule.describe()


@dataclass(slots=True)
class _StagedClaim:
    """A run the executor accepted, to be claimed when APScheduler advances its job."""

    kind: str
    chat_id: int
    key: str
    writing: bool = False
    """A job-store transaction is inserting this claim now."""
    written: bool = False
    """The claim was attempted in a committed job-store transaction."""
    claim: Claim | None = None
    """The claim, when that insert went in (``None`` with ``written``: the row existed)."""


class _StagedClaims:
    """Runs submitted and not yet started, by job id (the executor's and the store's)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_job: dict[str, list[_StagedClaim]] = {}

    def stage(self, job_id: str, staged: list[_StagedClaim]) -> None:
        with self._lock:
            self._by_job.setdefault(job_id, []).extend(staged)

    def begin_write(self, job_id: str) -> list[_StagedClaim]:
        """The job's claims no transaction has written yet, now marked as being written."""
        with self._lock:
            found = [c for c in self._by_job.get(job_id, []) if not (c.written or c.writing)]
            for claim in found:
                claim.writing = True
            return found

    def end_write(self, staged: list[_StagedClaim], inserted: list[bool] | None) -> None:
        """Record the transaction's outcome (``None``: it failed and wrote nothing)."""
        with self._lock:
            for index, claim in enumerate(staged):
                claim.writing = False
                if inserted is not None:
                    claim.written = True
                    if inserted[index]:
                        claim.claim = Claim(claim.kind, claim.chat_id, claim.key)

    def take(self, job_id: str, key: str) -> _StagedClaim | None:
        with self._lock:
            staged = self._by_job.get(job_id, [])
            for index, claim in enumerate(staged):
                if claim.key == key:
                    del staged[index]
                    if not staged:
                        del self._by_job[job_id]
                    return claim
        return None

    def clear(self) -> None:
        with self._lock:
            self._by_job.clear()


class _ClaimingJobStore(SQLAlchemyJobStore):  # type: ignore[misc]
    """The SQLAlchemy job store, claiming a due run in the transaction that advances its job.

    APScheduler submits a due run to the executor, then stores the job's next run time.
    The executor stages the run's claim; :meth:`update_job` inserts it in the same
    transaction as the new next run time, so a kill leaves either both or neither.
    """

    def __init__(self, claims: _StagedClaims, leases: RunLeases, **options: Any) -> None:
        super().__init__(**options)
        self._claims = claims
        self._leases = leases

    def start(self, scheduler: Any, alias: str) -> None:
        """Open the store, creating its table unless it exists; a process that loses the
        race to create it (several started at once on a fresh database) goes on with the
        winner's table."""
        try:
            super().start(scheduler, alias)
        except DBAPIError:
            if not inspect(self.engine).has_table(self.jobs_t.name, schema=self.jobs_t.schema):
                raise
            logger.info("another process created the job table %s meanwhile", self.jobs_t.name)

    def update_job(self, job: Any) -> None:
        staged = self._claims.begin_write(job.id)
        if not staged:
            super().update_job(job)
            return
        owner, now = self._leases.owner, self._leases.now()
        update = (
            self.jobs_t.update()
            .values(
                next_run_time=datetime_to_utc_timestamp(job.next_run_time),
                job_state=pickle.dumps(job.__getstate__(), self.pickle_protocol),
            )
            .where(self.jobs_t.c.id == job.id)
        )
        inserted: list[bool] | None = None
        try:
            with self.engine.begin() as connection:
                won = [
                    insert_claim(
                        connection,
                        kind=claim.kind,
                        chat_id=claim.chat_id,
                        key=claim.key,
                        owner=owner,
                        now=now,
                    )
                    for claim in staged
                ]
                if connection.execute(update).rowcount == 0:
                    raise JobLookupError(job.id)
            inserted = won
        finally:
            self._claims.end_write(staged, inserted)


class _RunContextExecutor(AsyncIOExecutor):  # type: ignore[misc]
    """The asyncio executor, running each job run inside a :class:`RunContext`.

    APScheduler 3 does not pass a run's scheduled time to the job; this executor sets it,
    with the scheduler's leases and clock, in a context variable read by the job. It also
    stages each run's claim for :class:`_ClaimingJobStore` (runs already past the grace
    window are left to APScheduler, which reports them missed).
    """

    def __init__(
        self, context: Callable[[datetime, Claim | None], RunContext], claims: _StagedClaims
    ) -> None:
        super().__init__()
        self._context = context
        self._claims = claims

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        if not iscoroutinefunction_partial(job.func):
            super()._do_submit_job(job, run_times)
            return
        staged = self._stage(job, run_times)

        async def run_each() -> list[Any]:
            events: list[Any] = []
            for run_time in run_times:
                taken = self._claims.take(job.id, period_key(run_time))
                claim = taken.claim if taken is not None else None
                with use_run_context(self._context(run_time, claim)):
                    events.extend(
                        await run_coroutine_job(
                            job, job._jobstore_alias, [run_time], self._logger.name
                        )
                    )
            return events

        def done(future: asyncio.Future[list[Any]]) -> None:
            self._pending_futures.discard(future)
            try:
                events = future.result()
            except BaseException as error:
                self._run_job_error(job.id, error, error.__traceback__)
            else:
                self._run_job_success(job.id, events)

        task = self._eventloop.create_task(run_each())
        task.add_done_callback(done)
        self._pending_futures.add(task)
        self._claims.stage(job.id, staged)

    @staticmethod
    def _stage(job: Any, run_times: list[datetime]) -> list[_StagedClaim]:
        parsed = parse_job_id(job.id)
        if parsed is None:
            return []
        kind, slot = parsed
        now = datetime.now(UTC)
        grace = job.misfire_grace_time
        return [
            _StagedClaim(kind.value, slot, period_key(run_time))
            for run_time in run_times
            if grace is None or now - run_time <= timedelta(seconds=grace)
        ]

    def pending(self) -> list[asyncio.Future[Any]]:
        """The runs still in progress."""
        return list(self._pending_futures)


class HearthScheduler:
    """Schedules chats' digests and introductions and members' digests, on the app's event loop.

    Schedules are persistent, and runs cut off are taken over (see the module notes).

    ``database_url`` is the app's async URL (``sqlite+aiosqlite`` or ``postgresql+asyncpg``).
    ``engine`` is the app's async engine for the lease table (one is made from the URL if
    not given, and disposed on shutdown). ``poll_interval`` makes the scheduler look at the
    job store that often even when it expects nothing, so it notices jobs another process
    added; ``None`` turns that off. ``lease_ttl`` is how long a process that holds a run may
    stay silent before another takes the run over; this one renews its runs and looks for
    runs to take over every ``lease_ttl / 6``.
    """

    def __init__(
        self,
        database_url: str,
        *,
        engine: AsyncEngine | None = None,
        clock: Clock = SYSTEM_CLOCK,
        misfire_grace: timedelta = DEFAULT_MISFIRE_GRACE,
        poll_interval: timedelta | None = DEFAULT_POLL_INTERVAL,
        lease_ttl: timedelta = DEFAULT_TTL,
        table_name: str = JOB_TABLE,
    ) -> None:
        if misfire_grace < timedelta(seconds=1):
            raise ValueError("misfire_grace must be at least one second")
        self._sync_url = sync_database_url(database_url)
        self._own_engine = engine is None
        self._engine = engine or _async_engine(database_url)
        self._clock = clock
        self._grace_seconds = int(misfire_grace.total_seconds())
        self._poll_interval = poll_interval
        self._table_name = table_name
        self.leases = RunLeases(self._engine, clock=clock, ttl=lease_ttl)
        self._claims = _StagedClaims()
        self._scheduler: Any = None
        self._executor: _RunContextExecutor | None = None
        self._background: list[asyncio.Task[None]] = []
        self._recovering: set[asyncio.Task[None]] = set()
        self._listeners: list[Callable[[RunReport], None]] = []

    @property
    def running(self) -> bool:
        """Whether :meth:`start` ran and :meth:`shutdown` has not."""
        return self._scheduler is not None and bool(self._scheduler.running)

    @property
    def misfire_grace(self) -> timedelta:
        """How late a missed run may still run."""
        return timedelta(seconds=self._grace_seconds)

    def add_listener(self, listener: Callable[[RunReport], None]) -> None:
        """Call ``listener`` (on the event loop) after every scheduled run, or skipped run."""
        self._listeners.append(listener)

    async def start(self) -> None:
        """Open the job store (creating its table if needed) and start firing jobs.

        Raises ``RuntimeError`` when the lease table is missing (the app's migrations
        create it). Due runs missed while no process was up run now, within the grace
        window, and so do runs a stopped or killed process left unfinished (:meth:`recover`).
        """
        if self._scheduler is not None:
            raise RuntimeError("the scheduler was already started")
        if not await self.leases.table_exists():
            raise RuntimeError(
                f"table {LEASE_TABLE} is missing: run the database migrations first "
                "(see jobs.run_lease)"
            )
        loop = asyncio.get_running_loop()
        self._executor = _RunContextExecutor(self._run_context, self._claims)
        store = _ClaimingJobStore(
            self._claims,
            self.leases,
            engine=_sync_engine(self._sync_url),
            tablename=self._table_name,
        )
        scheduler = AsyncIOScheduler(
            event_loop=loop,
            timezone=UTC,
            jobstores={"default": store},
            executors={"default": self._executor},
            job_defaults={
                "coalesce": True,
                "misfire_grace_time": self._grace_seconds,
                "max_instances": 1,
            },
        )
        scheduler.add_listener(
            self._on_event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED
        )
        await asyncio.to_thread(scheduler.start)
        self._scheduler = scheduler
        await self.recover()
        tick = max(self.leases.ttl.total_seconds() / 6, 0.01)
        self._background.append(loop.create_task(self._keep_leases(tick)))
        if self._poll_interval is not None:
            seconds = self._poll_interval.total_seconds()
            self._background.append(loop.create_task(self._poll(seconds)))

    async def recover(self) -> int:
        """Take over, and run once, each run a gone process left unfinished.

        Only runs scheduled within the grace window are taken; the run resumes after the
        messages the cut-off attempt recorded as delivered. A run whose job no longer
        exists is closed as failed. Returns how many runs were started.
        """
        scheduler = self._require_started()
        started = 0
        for lease in await self.leases.stale(self._clock.now() - self.misfire_grace):
            try:
                kind = JobKind(lease.kind)
            except ValueError:
                continue
            job = await asyncio.to_thread(scheduler.get_job, job_id(lease.chat_id, kind))
            claim = await self.leases.take_over(lease)
            if claim is None:
                continue
            if job is None:
                logger.warning(
                    "%s %s at %s was cut off and is no longer scheduled: dropped",
                    lease.kind,
                    lease.chat_id,
                    lease.period_key,
                )
                await self.leases.fail(lease.kind, lease.chat_id, lease.period_key)
                continue
            logger.info(
                "taking over %s %s at %s from %s",
                kind.value,
                lease.chat_id,
                lease.period_key,
                lease.owner,
            )
            task = asyncio.get_running_loop().create_task(
                self._run_recovered(job, kind, lease.chat_id, claim)
            )
            self._recovering.add(task)
            task.add_done_callback(self._recovering.discard)
            started += 1
        return started

    async def shutdown(self, *, wait: bool = True, within: timedelta | None = None) -> None:
        """Stop firing jobs; with ``wait``, let runs in progress finish, else cancel them.

        ``within`` bounds the wait. Runs still in progress then are cancelled
        and their leases released, so the next start (of any process) resumes them at once.
        """
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is None:
            if self._own_engine:
                await self._engine.dispose()
            return
        for task in self._background:
            task.cancel()
        for task in self._background:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._background.clear()
        if scheduler.running:
            scheduler.pause()
        pending = [*self._recovering, *(self._executor.pending() if self._executor else [])]
        if wait and pending:
            seconds = None if within is None else within.total_seconds()
            _, left = await asyncio.wait(pending, timeout=seconds)
        else:
            left = set(pending)
        for run in left:
            run.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if scheduler.running:
            scheduler.shutdown(wait=False)
            # AsyncIOScheduler shuts down in a loop callback: let it run.
            for _ in range(100):
                if not scheduler.running:
                    break
                await asyncio.sleep(0)
        self._executor = None
        self._claims.clear()
        try:
            released = await self.leases.release()
        except Exception:
            logger.exception("could not release the runs this process was doing")
        else:
            if released:
                logger.info("%d run(s) cut off by the stop will resume on the next start", released)
        if self._own_engine:
            await self._engine.dispose()

    async def schedule_digest(self, chat_id: int, spec: ScheduleSpec) -> datetime | None:
        """Schedule (or replace, or with an ``off`` spec cancel) a chat's digest.

        Returns the next run time (UTC), or ``None`` when off. Scheduling the spec the job
        already has changes nothing, so re-applying stored settings at start-up is safe.
        """
        return await self._schedule(chat_id, JobKind.DIGEST, spec, run_digest)

    async def schedule_intros(self, chat_id: int, cadence: IntroCadence) -> datetime | None:
        """Schedule (or replace, or with ``off`` cancel) a chat's introductions."""
        return await self._schedule(chat_id, JobKind.INTROS, cadence, run_intros)

    async def schedule_personal_digest(self, member_id: int, spec: ScheduleSpec) -> datetime | None:
        """Schedule (or replace, or with ``off`` cancel) a member's personal digest.

        The job id is ``personal:<member_id>``; like :meth:`schedule_digest`, the same spec
        again changes nothing.
        """
        return await self._schedule(member_id, JobKind.PERSONAL_DIGEST, spec, run_personal_digest)

    async def schedule_upkeep(self, spec: ScheduleSpec = UPKEEP_SCHEDULE) -> datetime | None:
        """Schedule the nightly upkeep (one job for every process on the database)."""
        return await self._schedule(UPKEEP_ID, JobKind.UPKEEP, spec, run_upkeep)

    async def cancel(self, chat_id: int, kind: JobKind) -> bool:
        """Remove a chat's job; ``False`` when there was none."""
        scheduler = self._require_started()
        try:
            await asyncio.to_thread(scheduler.remove_job, job_id(chat_id, kind))
        except JobLookupError:
            return False
        return True

    async def next_run(self, chat_id: int, kind: JobKind) -> datetime | None:
        """When a chat's job runs next (UTC); ``None`` when it has none."""
        scheduler = self._require_started()
        job = await asyncio.to_thread(scheduler.get_job, job_id(chat_id, kind))
        if job is None:
            return None
        return _aware(job.next_run_time)

    async def jobs(self) -> list[ScheduledJob]:
        """Every job in the store (chats' and members'), soonest first."""
        scheduler = self._require_started()
        found: list[ScheduledJob] = []
        for job in await asyncio.to_thread(scheduler.get_jobs):
            parsed = parse_job_id(job.id)
            if parsed is None or len(job.args) != 2:
                continue
            kind, chat_id = parsed
            try:
                schedule: ScheduleSpec | IntroCadence = (
                    ScheduleSpec.from_json(job.args[1])
                    if kind in (JobKind.DIGEST, JobKind.PERSONAL_DIGEST, JobKind.UPKEEP)
                    else IntroCadence.from_json(job.args[1])
                )
            except ScheduleError:
                logger.warning("job %s holds a schedule that cannot be read", job.id)
                continue
            found.append(ScheduledJob(kind, chat_id, schedule, _aware(job.next_run_time)))
        return found

    async def _schedule(
        self,
        chat_id: int,
        kind: JobKind,
        schedule: ScheduleSpec | IntroCadence,
        function: Callable[..., Any],
    ) -> datetime | None:
        scheduler = self._require_started()
        trigger = schedule.to_trigger()
        if trigger is None:
            await self.cancel(chat_id, kind)
            return None
        arguments = (chat_id, schedule.to_json())
        existing = await asyncio.to_thread(scheduler.get_job, job_id(chat_id, kind))
        if existing is not None and tuple(existing.args) == arguments:
            return _aware(existing.next_run_time)
        job = await asyncio.to_thread(
            scheduler.add_job,
            function,
            trigger=trigger,
            args=arguments,
            id=job_id(chat_id, kind),
            name=f"{kind.value} for {_owner(kind)} {chat_id}",
            replace_existing=True,
        )
        return _aware(job.next_run_time)

    def _require_started(self) -> Any:
        if self._scheduler is None:
            raise RuntimeError("start() the scheduler first")
        return self._scheduler

    def _run_context(self, scheduled_at: datetime, claim: Claim | None = None) -> RunContext:
        return RunContext(
            leases=self.leases, clock=self._clock, scheduled_at=scheduled_at, claim=claim
        )

    async def _run_recovered(self, job: Any, kind: JobKind, slot: int, claim: Claim) -> None:
        fire = key_moment(claim.key)
        error: BaseException | None = None
        with use_run_context(self._run_context(fire, claim)):
            try:
                ran = await job.func(*job.args, **job.kwargs)
            except Exception as raised:
                logger.exception("the resumed %s %s at %s failed", kind.value, slot, claim.key)
                outcome, error = RunOutcome.FAILED, raised
            else:
                outcome = RunOutcome.RAN if ran else RunOutcome.CLAIMED_ELSEWHERE
        self._report(RunReport(kind, slot, fire, outcome, error, recovered=True))

    async def _keep_leases(self, seconds: float) -> None:
        """Renew this process's runs and take over runs left by gone processes."""
        while True:
            await asyncio.sleep(seconds)
            try:
                await self.leases.renew()
                await self.recover()
            except Exception:
                logger.exception("run leases could not be renewed or recovered; trying again")

    async def _poll(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            if self._scheduler is not None:
                self._scheduler.wakeup()

    def _on_event(self, event: Any) -> None:
        parsed = parse_job_id(event.job_id)
        if parsed is None:
            return
        kind, chat_id = parsed
        error = None
        if event.code == EVENT_JOB_MISSED:
            outcome = RunOutcome.MISSED
        elif event.code == EVENT_JOB_ERROR:
            outcome, error = RunOutcome.FAILED, event.exception
        else:
            outcome = RunOutcome.RAN if event.retval else RunOutcome.CLAIMED_ELSEWHERE
        self._report(
            RunReport(
                kind, chat_id, _aware(event.scheduled_run_time) or self._clock.now(), outcome, error
            )
        )

    def _report(self, report: RunReport) -> None:
        for listener in self._listeners:
            try:
                listener(report)
            except Exception:
                logger.exception("run listener failed for %s %s", report.kind, report.chat_id)


def _owner(kind: JobKind) -> str:
    return "member" if kind is JobKind.PERSONAL_DIGEST else "chat"


def _aware(moment: datetime | None) -> datetime | None:
    """``moment`` in UTC (APScheduler gives trigger-zone or UTC datetimes)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _async_engine(url: str) -> AsyncEngine:
    if make_url(url).get_backend_name() == "sqlite":
        return create_async_engine(url, connect_args={"timeout": 30})
    return create_async_engine(url, pool_pre_ping=True)


def _sync_engine(url: str) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        return create_sync_engine(url, connect_args={"timeout": 30})
    return create_sync_engine(url, pool_pre_ping=True)
