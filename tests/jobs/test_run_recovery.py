"""Runs cut off by a kill or a stop run once when Hearth is back, on SQLite and PostgreSQL.

A kill is simulated in-process by dropping a scheduler the way a SIGKILL would leave it:
its tasks are cancelled before they write anything more, and nothing is released. A fresh
scheduler (another owner, as a restarted process is) then starts on the same database.
Heartbeat expiry is driven by a :class:`~jobs.clock.ManualClock`; nothing here sleeps.
"""

from __future__ import annotations

import asyncio
import functools
import os
import socket
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy import inspect

from bots.storage.database import create_engine
from jobs.clock import ManualClock
from jobs.run_lease import (
    DEFAULT_TTL,
    MAX_ATTEMPTS,
    LeaseLostError,
    RunLeases,
    default_owner,
    owner_is_gone,
    period_key,
    run_leases,
)
from jobs.schedule_spec import ScheduleSpec
from jobs.scheduled_runs import JobKind, current_deliveries, set_runner
from jobs.scheduler import JOB_TABLE, HearthScheduler, RunOutcome, job_id, sync_database_url
from tests.jobs import test_scheduler as base
from tests.jobs.test_scheduler import WAIT, Database, collect, set_next_run, settle, stored_job

db = base.db
CHAT = 61


@functools.cache
def spec() -> ScheduleSpec:
    """A daily digest schedule that fell due 10 minutes before the module's first test.

    Its next fire time is a day away, so no run falls due while a test runs and no
    later one is coalesced with the run a test makes due, whatever the time of day.
    """
    fell_due = datetime.now(UTC) - timedelta(minutes=10)
    return ScheduleSpec.daily(fell_due.hour, fell_due.minute)


class PostingRunner:
    """Posts each digest in ``parts`` messages through the run's deliveries, as the app does.

    ``hold_before`` keeps a run from posting; ``hold_after`` stops it after its first message.
    """

    def __init__(self, parts: int = 1) -> None:
        self.parts = parts
        self.posted: list[tuple[int, datetime, int]] = []
        """(chat, period end, part index) of every message posted."""
        self.started = asyncio.Event()
        self.after_first = asyncio.Event()
        self.hold_before: asyncio.Event | None = None
        self.hold_after: asyncio.Event | None = None
        self.fail = False

    async def run_digest(self, chat_id: int, period_start: datetime, period_end: datetime) -> None:
        self.started.set()
        deliveries = current_deliveries()
        if self.hold_before is not None:
            await self.hold_before.wait()
        if self.fail:
            raise RuntimeError("the chat is gone")
        for index in range(deliveries.skip, self.parts):
            self.posted.append((chat_id, period_end, index))
            await deliveries.record()
            if index == 0:
                self.after_first.set()
                if self.hold_after is not None:
                    await self.hold_after.wait()

    async def run_intros(self, chat_id: int) -> None:
        raise AssertionError("no introductions here")

    async def run_personal_digest(
        self, member_id: int, period_start: datetime, period_end: datetime
    ) -> None:
        raise AssertionError("no personal digests here")

    def ends(self) -> list[datetime]:
        return [end.astimezone(UTC) for _, end, _ in self.posted]


@pytest.fixture
def posting() -> Iterator[PostingRunner]:
    runner = PostingRunner()
    previous = set_runner(runner)
    yield runner
    set_runner(previous)


def due_now() -> datetime:
    """The last fire time of :func:`spec`, minutes ago (within the grace window)."""
    fire = spec().previous_fire_time(datetime.now(UTC))
    assert fire is not None
    return fire.astimezone(UTC)


def later_clock(by: timedelta = DEFAULT_TTL + timedelta(seconds=1)) -> ManualClock:
    """A clock for the next process: the killed one's heartbeat is older than the TTL."""
    return ManualClock(datetime.now(UTC) + by)


async def crash(scheduler: HearthScheduler) -> None:
    """Drop ``scheduler`` as SIGKILL would: cancel everything, write and release nothing."""
    aps = scheduler._scheduler
    executor = scheduler._executor
    scheduler._scheduler = None
    tasks = [*scheduler._background, *scheduler._recovering]
    tasks += executor.pending() if executor is not None else []
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    aps.shutdown(wait=False)
    for _ in range(100):
        if not aps.running:
            break
        await asyncio.sleep(0)


def stored_next_run(url: str) -> datetime | None:
    store = SQLAlchemyJobStore(url=sync_database_url(url), tablename=JOB_TABLE)
    try:
        job = store.lookup_job(job_id(CHAT, JobKind.DIGEST))
        assert job is not None
        return job.next_run_time  # type: ignore[no-any-return]
    finally:
        store.shutdown()


async def scheduler_started(db: Database, clock: ManualClock | None = None) -> HearthScheduler:
    scheduler = HearthScheduler(
        db.url, engine=db.engine, poll_interval=None, **({"clock": clock} if clock else {})
    )
    await scheduler.start()
    return scheduler


async def due_job(db: Database, chat_id: int = CHAT, fire: datetime | None = None) -> datetime:
    """Store ``chat_id``'s digest job, due at ``fire`` (by default :func:`due_now`)."""
    await stored_job(db, chat_id, spec())
    fire = fire or due_now()
    set_next_run(db.url, chat_id, JobKind.DIGEST, fire)
    return fire


async def run_until(
    db: Database, event: asyncio.Event, clock: ManualClock | None = None
) -> HearthScheduler:
    """Start a scheduler (a restarted process), wait for ``event``, let the run settle and
    shut the scheduler down; returns it."""
    scheduler = await scheduler_started(db, clock)
    try:
        await asyncio.wait_for(event.wait(), WAIT)
        await settle()
    finally:
        await scheduler.shutdown()
    return scheduler


async def run_cut_off(
    db: Database,
    posting: PostingRunner,
    *,
    after_post: bool,
    chat_id: int = CHAT,
    fire: datetime | None = None,
) -> datetime:
    """A scheduler fires a due run and is killed before (or just after) its first post."""
    fire = await due_job(db, chat_id, fire)
    hold = asyncio.Event()
    if after_post:
        posting.hold_after = hold
    else:
        posting.hold_before = hold
    first = await scheduler_started(db)
    await asyncio.wait_for((posting.after_first if after_post else posting.started).wait(), WAIT)
    await crash(first)
    posting.hold_before = posting.hold_after = None
    posting.started.clear()
    return fire


# --- the kill at the fire moment -----------------------------------------------------------------


async def test_the_claim_is_written_with_the_advance_so_a_kill_there_runs_once(
    db: Database, posting: PostingRunner
) -> None:
    await stored_job(db, CHAT, spec())
    first = await scheduler_started(db)
    fire = due_now()
    set_next_run(db.url, CHAT, JobKind.DIGEST, fire)
    # What APScheduler does when the run falls due: submit it, store the next run time.
    first._scheduler._process_jobs()
    await crash(first)  # killed before the job body ran at all
    assert not posting.started.is_set()

    next_run = stored_next_run(db.url)
    assert next_run is not None and next_run > datetime.now(UTC), "the job was advanced"
    lease = await first.leases.get(JobKind.DIGEST, CHAT, period_key(fire))
    assert lease is not None and lease.open, "and its run was claimed in the same transaction"
    assert (lease.owner, lease.delivered, lease.attempts) == (first.leases.owner, 0, 1)

    second = HearthScheduler(db.url, engine=db.engine, poll_interval=None, clock=later_clock())
    reports = collect(second)
    await second.start()
    try:
        report = await asyncio.wait_for(reports.get(), WAIT)
        assert (report.outcome, report.recovered, report.scheduled_at) == (
            RunOutcome.RAN,
            True,
            fire,
        )
    finally:
        await second.shutdown()
    assert posting.ends() == [fire]

    third = await scheduler_started(db, later_clock(2 * DEFAULT_TTL))
    await settle()
    assert await third.recover() == 0
    await third.shutdown()
    assert posting.ends() == [fire], "a restart after the finished run does nothing"
    lease = await third.leases.get(JobKind.DIGEST, CHAT, period_key(fire))
    assert lease is not None and lease.finished_at is not None and lease.attempts == 2


async def test_a_run_killed_before_its_post_runs_once(db: Database, posting: PostingRunner) -> None:
    fire = await run_cut_off(db, posting, after_post=False)
    assert posting.posted == []

    second = await scheduler_started(db, later_clock(timedelta(seconds=5)))
    assert await second.recover() == 0, "the owner's heartbeat is still fresh"
    await second.shutdown()

    await run_until(db, posting.started, later_clock())
    assert posting.ends() == [fire]


async def test_a_run_killed_after_its_post_is_not_posted_again(
    db: Database, posting: PostingRunner
) -> None:
    fire = await run_cut_off(db, posting, after_post=True)
    assert posting.ends() == [fire]
    second = await run_until(db, posting.started, later_clock())
    assert posting.ends() == [fire]
    lease = await second.leases.get(JobKind.DIGEST, CHAT, period_key(fire))
    assert lease is not None and lease.finished_at is not None and lease.delivered == 1


async def test_a_run_killed_between_its_parts_posts_only_the_rest(
    db: Database, posting: PostingRunner
) -> None:
    posting.parts = 3
    fire = await run_cut_off(db, posting, after_post=True)
    assert [index for *_, index in posting.posted] == [0]
    await run_until(db, posting.started, later_clock())
    assert [index for *_, index in posting.posted] == [0, 1, 2]
    assert set(posting.ends()) == {fire}


async def test_two_processes_take_a_cut_off_run_over_once(
    db: Database, posting: PostingRunner
) -> None:
    fire = await run_cut_off(db, posting, after_post=False)
    other = create_engine(db.url)
    try:
        clock = later_clock()
        schedulers = [
            HearthScheduler(db.url, engine=engine, poll_interval=None, clock=clock)
            for engine in (db.engine, other)
        ]
        await asyncio.gather(*(s.start() for s in schedulers))
        await asyncio.gather(*(s.recover() for s in schedulers))
        await asyncio.wait_for(posting.started.wait(), WAIT)
        await asyncio.gather(*(s.shutdown() for s in schedulers))
    finally:
        await other.dispose()
    assert posting.ends() == [fire]


async def test_a_run_of_an_exited_process_on_this_machine_is_taken_at_once(
    db: Database, posting: PostingRunner
) -> None:
    fire = await due_job(db)
    dead_pid = _exited_pid()
    posting.hold_before = asyncio.Event()
    first = HearthScheduler(db.url, engine=db.engine, poll_interval=None)
    scope = first.leases.owner.rsplit(":", 3)[2]
    first.leases.owner = f"{socket.gethostname()}:{dead_pid}:{scope}:0dead000"
    await first.start()
    await asyncio.wait_for(posting.started.wait(), WAIT)
    await crash(first)
    posting.hold_before = None

    await run_until(db, posting.after_first)  # the real clock: no heartbeat has expired
    assert posting.ends() == [fire]


async def test_a_stop_that_cannot_wait_releases_the_run_for_the_next_start(
    db: Database, posting: PostingRunner
) -> None:
    fire = await due_job(db)
    posting.hold_before = asyncio.Event()
    first = await scheduler_started(db)
    await asyncio.wait_for(posting.started.wait(), WAIT)
    await first.shutdown(within=timedelta(milliseconds=10))
    lease = await first.leases.get(JobKind.DIGEST, CHAT, period_key(fire))
    assert lease is not None and lease.open and lease.heartbeat_at is None
    posting.hold_before = None

    await run_until(db, posting.after_first)  # the real clock: released runs need no waiting
    assert posting.ends() == [fire]


async def test_a_failed_run_and_a_run_past_the_grace_window_are_left_alone(
    db: Database, posting: PostingRunner
) -> None:
    posting.fail = True
    fire = await due_job(db)
    failing = HearthScheduler(db.url, engine=db.engine, poll_interval=None)
    reports = collect(failing)
    await failing.start()
    assert (await asyncio.wait_for(reports.get(), WAIT)).outcome is RunOutcome.FAILED
    await failing.shutdown()
    lease = await failing.leases.get(JobKind.DIGEST, CHAT, period_key(fire))
    assert lease is not None and lease.failed_at is not None and lease.finished_at is None
    posting.fail = False
    later = await scheduler_started(db, later_clock())
    assert await later.recover() == 0
    await later.shutdown()

    # Cut off, then found only after the grace window: skipped, as a missed run is.
    posting.started.clear()
    await run_cut_off(db, posting, after_post=False, chat_id=CHAT + 1, fire=fire)
    too_late = await scheduler_started(db, later_clock(timedelta(hours=2)))
    assert await too_late.recover() == 0
    await too_late.shutdown()
    assert posting.posted == []


async def test_a_cut_off_run_whose_schedule_was_removed_is_dropped(
    db: Database, posting: PostingRunner
) -> None:
    fire = await run_cut_off(db, posting, after_post=False)
    remover = await scheduler_started(db)
    assert await remover.cancel(CHAT, JobKind.DIGEST)
    await remover.shutdown()
    later = await scheduler_started(db, later_clock())
    assert await later.recover() == 0
    await later.shutdown()
    lease = await later.leases.get(JobKind.DIGEST, CHAT, period_key(fire))
    assert lease is not None and lease.failed_at is not None
    assert posting.posted == []


# --- leases -----------------------------------------------------------------------------------


async def test_a_run_is_started_at_most_max_attempts_times(db: Database) -> None:
    clock = ManualClock(datetime(2026, 5, 6, 9, tzinfo=UTC))
    owners = [RunLeases(db.engine, owner=f"p{n}", clock=clock) for n in range(MAX_ATTEMPTS + 1)]
    claim = await owners[0].claim("digest", 1, "k")
    assert claim is not None and not claim.resumed
    for attempt, leases in enumerate(owners[1:MAX_ATTEMPTS], start=2):
        assert await leases.claim("digest", 1, "k") is None, "the owner is not silent yet"
        clock.advance(DEFAULT_TTL + timedelta(seconds=1))
        taken = await leases.claim("digest", 1, "k")
        assert taken is not None and taken.attempt == attempt and taken.resumed
    clock.advance(DEFAULT_TTL + timedelta(seconds=1))
    assert await owners[-1].claim("digest", 1, "k") is None
    assert await owners[-1].stale(clock.now() - timedelta(days=1)) == []


async def test_a_run_taken_over_stops_its_old_owner(db: Database) -> None:
    clock = ManualClock(datetime(2026, 5, 6, 9, tzinfo=UTC))
    old = RunLeases(db.engine, owner="old", clock=clock)
    new = RunLeases(db.engine, owner="new", clock=clock)
    assert await old.claim("digest", 2, "k")
    assert await old.delivered("digest", 2, "k") == 1
    clock.advance(timedelta(seconds=30))
    assert await old.renew() == 1
    clock.advance(DEFAULT_TTL - timedelta(seconds=1))
    assert await new.claim("digest", 2, "k") is None, "renewed: still alive"
    clock.advance(timedelta(seconds=2))
    taken = await new.claim("digest", 2, "k")
    assert taken is not None and taken.delivered == 1 and taken.attempt == 2
    with pytest.raises(LeaseLostError):
        await old.delivered("digest", 2, "k")
    await old.finish("digest", 2, "k")  # no longer its run: no effect
    lease = await new.get("digest", 2, "k")
    assert lease is not None and lease.open and lease.owner == "new"
    assert await new.delivered("digest", 2, "k") == 2


def _exited_pid() -> int:
    """The process id of a process that has exited (and was reaped)."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_owner_is_gone_only_when_this_machine_can_tell() -> None:
    mine = default_owner()
    host, pid, scope, _ = mine.rsplit(":", 3)
    assert int(pid) == os.getpid()
    assert not owner_is_gone(mine), "this process is alive"
    if scope == "-":
        pytest.skip("this system cannot tell boot and pid namespace apart")
    assert owner_is_gone(f"{host}:{pid}:{scope}:earlier0"), "an earlier process with our pid"
    assert owner_is_gone(f"{host}:{_exited_pid()}:{scope}:exited00")
    assert not owner_is_gone(f"{host}:{os.getppid()}:{scope}:parent00")
    assert not owner_is_gone(f"{host}:{_exited_pid()}:0123456789ab:elsewhere")
    assert not owner_is_gone("process-1")


async def test_the_migrations_make_the_lease_table_of_the_model(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            columns = await connection.run_sync(
                lambda sync: {c["name"]: c for c in inspect(sync).get_columns(run_leases.name)}
            )
    finally:
        await engine.dispose()
    assert set(columns) == {column.name for column in run_leases.columns}
    for column in run_leases.columns:
        assert columns[column.name]["nullable"] == column.nullable, column.name
