"""HearthScheduler, scheduled job functions and run leases, on SQLite and PostgreSQL.

Nothing here sleeps: fire times are checked as computed values, job functions are called
directly with a manual clock, and missed runs are set up by writing a past ``next_run_time``
into the job store before a scheduler starts, then awaiting the run's report.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy import delete, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bots.storage.database import create_engine
from jobs.clock import ManualClock, SystemClock
from jobs.run_lease import LEASE_TABLE, RunLeases, create_lease_table, period_key, run_leases
from jobs.schedule_spec import IntroCadence, ScheduleSpec
from jobs.scheduled_runs import (
    RUNNERS,
    JobKind,
    NoRunnerError,
    RunContext,
    run_digest,
    run_intros,
    run_personal_digest,
    set_runner,
)
from jobs.scheduler import (
    JOB_TABLE,
    HearthScheduler,
    RunOutcome,
    RunReport,
    job_id,
    parse_job_id,
    sync_database_url,
)

WAIT = 10.0
"""Upper bound, in seconds, for awaiting a report; runs normally report in milliseconds."""


@dataclass
class Database:
    url: str
    engine: AsyncEngine


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """The migrated test database with the lease table, and no jobs or leases in it.

    Tables the test created are dropped afterwards, so the shared PostgreSQL database still
    matches the app's migrations for the tests that compare them.
    """
    engine = create_engine(database_url)
    before = await table_names(engine)
    await create_lease_table(engine)

    async def clear() -> None:
        async with engine.begin() as connection:
            for table in (JOB_TABLE, LEASE_TABLE):
                if table in before:
                    await connection.execute(text(f"DELETE FROM {table}"))
                else:
                    await connection.execute(text(f"DROP TABLE IF EXISTS {table}"))

    async with engine.begin() as connection:
        await connection.execute(delete(run_leases))
        if JOB_TABLE in before:
            await connection.execute(text(f"DELETE FROM {JOB_TABLE}"))
    try:
        yield Database(database_url, engine)
    finally:
        await clear()
        await engine.dispose()


class FakeRunner:
    """Records what it was asked to post; can be made to fail or to wait."""

    def __init__(self) -> None:
        self.digests: list[tuple[int, datetime, datetime]] = []
        self.intros: list[int] = []
        self.personal: list[tuple[int, datetime, datetime]] = []
        self.fail = False
        self.gate: asyncio.Event | None = None

    async def run_digest(self, chat_id: int, period_start: datetime, period_end: datetime) -> None:
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise RuntimeError("the chat is gone")
        self.digests.append((chat_id, period_start, period_end))

    async def run_intros(self, chat_id: int) -> None:
        self.intros.append(chat_id)

    async def run_personal_digest(
        self, member_id: int, period_start: datetime, period_end: datetime
    ) -> None:
        self.personal.append((member_id, period_start, period_end))


@pytest.fixture
def runner() -> Iterator[FakeRunner]:
    fake = FakeRunner()
    previous = set_runner(fake)
    yield fake
    set_runner(previous)


def collect(scheduler: HearthScheduler) -> asyncio.Queue[RunReport]:
    reports: asyncio.Queue[RunReport] = asyncio.Queue()
    scheduler.add_listener(reports.put_nowait)
    return reports


async def settle() -> None:
    """Let already-scheduled callbacks and tasks run (no waiting on time)."""
    for _ in range(20):
        await asyncio.sleep(0)


def set_next_run(url: str, chat_id: int, kind: JobKind, when: datetime) -> None:
    """Rewrite a stored job's next run time, as if the process had been down since then."""
    store = SQLAlchemyJobStore(url=sync_database_url(url), tablename=JOB_TABLE)
    try:
        job = store.lookup_job(job_id(chat_id, kind))
        assert job is not None
        job.next_run_time = when
        store.update_job(job)
    finally:
        store.shutdown()


async def stored_job(db: Database, chat_id: int, spec: ScheduleSpec) -> None:
    """Put a digest job in the store with a scheduler that is then shut down."""
    scheduler = HearthScheduler(db.url, engine=db.engine, poll_interval=None)
    await scheduler.start()
    await scheduler.schedule_digest(chat_id, spec)
    await scheduler.shutdown()


# --- plain helpers ----------------------------------------------------------------------------


def test_sync_url_follows_the_app_url() -> None:
    assert sync_database_url("sqlite+aiosqlite:////data/hearth.db") == "sqlite:////data/hearth.db"
    assert (
        sync_database_url("postgresql+asyncpg://bot:secret@db:5432/hearth")
        == "postgresql+psycopg://bot:secret@db:5432/hearth"
    )
    with pytest.raises(ValueError, match="SQLite file"):
        sync_database_url("sqlite+aiosqlite://")
    with pytest.raises(ValueError, match="SQLite file"):
        sync_database_url("sqlite+aiosqlite:///:memory:")
    with pytest.raises(ValueError, match="not mysql"):
        sync_database_url("mysql+aiomysql://db/hearth")


def test_job_ids_round_trip() -> None:
    assert job_id(-1001234, JobKind.DIGEST) == "digest:-1001234"
    assert parse_job_id("intros:42") == (JobKind.INTROS, 42)
    assert job_id(7, JobKind.PERSONAL_DIGEST) == "personal:7"
    assert parse_job_id("personal:7") == (JobKind.PERSONAL_DIGEST, 7)
    assert parse_job_id("backup:1") is None
    assert parse_job_id("digest:x") is None


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(datetime(2026, 5, 6, 9, tzinfo=UTC))
    assert clock.now() == datetime(2026, 5, 6, 9, tzinfo=UTC)
    assert clock.advance(timedelta(hours=1)) == datetime(2026, 5, 6, 10, tzinfo=UTC)
    clock.set(datetime(2026, 1, 1, tzinfo=UTC))
    assert clock.now().year == 2026 and clock.now().month == 1
    with pytest.raises(ValueError):
        ManualClock(datetime(2026, 5, 6))
    assert SystemClock().now().tzinfo is UTC


def test_period_key_is_utc_to_the_second() -> None:
    from zoneinfo import ZoneInfo

    shanghai = datetime(2026, 5, 6, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert period_key(shanghai) == "2026-05-06T01:00:00Z"
    assert period_key(shanghai) == period_key(shanghai.astimezone(UTC))
    with pytest.raises(ValueError):
        period_key(datetime(2026, 5, 6))


async def test_runner_registry() -> None:
    previous = set_runner(None)
    try:
        with pytest.raises(NoRunnerError, match="set_runner"):
            RUNNERS.get()
        fake = FakeRunner()
        assert set_runner(fake) is None
        assert RUNNERS.get() is fake
        assert set_runner(None) is fake
    finally:
        set_runner(previous)


# --- job functions with a manual clock --------------------------------------------------------


async def test_digest_job_claims_its_period_once(db: Database, runner: FakeRunner) -> None:
    spec = ScheduleSpec.daily(9, 0, tz="Asia/Shanghai")
    clock = ManualClock(datetime(2026, 5, 6, 1, 30, tzinfo=UTC))  # 09:30 in Shanghai
    context = RunContext(RunLeases(db.engine, clock=clock), clock)

    assert await run_digest(7, spec.to_json(), context=context)
    assert runner.digests == [
        (7, datetime(2026, 5, 5, 1, tzinfo=UTC), datetime(2026, 5, 6, 1, tzinfo=UTC))
    ]
    assert not await run_digest(7, spec.to_json(), context=context)
    assert len(runner.digests) == 1

    lease = await context.leases.get(JobKind.DIGEST, 7, "2026-05-06T01:00:00Z")
    assert lease is not None
    assert lease.owner == context.leases.owner
    assert lease.claimed_at == clock.now()
    assert lease.finished_at == clock.now()

    clock.advance(timedelta(days=1))
    assert await run_digest(7, spec.to_json(), context=context)
    assert runner.digests[-1][1:] == (
        datetime(2026, 5, 6, 1, tzinfo=UTC),
        datetime(2026, 5, 7, 1, tzinfo=UTC),
    )
    assert await run_digest(8, spec.to_json(), context=context), "another chat has its own key"


async def test_intro_job_claims_its_round_once(db: Database, runner: FakeRunner) -> None:
    cadence = IntroCadence("biweekly", tz="Europe/Berlin")
    clock = ManualClock(datetime(2026, 5, 5, tzinfo=UTC))
    context = RunContext(RunLeases(db.engine, clock=clock), clock)
    assert await run_intros(3, cadence.to_json(), context=context)
    assert not await run_intros(3, cadence.to_json(), context=context)
    fire = cadence.previous_fire_time(clock.now())
    assert fire is not None
    assert await context.leases.get(JobKind.INTROS, 3, period_key(fire)) is not None
    assert runner.intros == [3]


async def test_personal_digest_job_is_keyed_by_member(db: Database, runner: FakeRunner) -> None:
    spec = ScheduleSpec.daily(8, 0, tz="Asia/Shanghai")
    scheduler = HearthScheduler(db.url, engine=db.engine, poll_interval=None)
    await scheduler.start()
    try:
        assert await scheduler.schedule_personal_digest(7, spec) is not None
        await scheduler.schedule_digest(7, spec)
        listed = {(job.kind, job.chat_id): job for job in await scheduler.jobs()}
        assert set(listed) == {(JobKind.PERSONAL_DIGEST, 7), (JobKind.DIGEST, 7)}
        assert listed[JobKind.PERSONAL_DIGEST, 7].schedule == spec
        assert await scheduler.schedule_personal_digest(7, ScheduleSpec.off()) is None
        assert await scheduler.next_run(7, JobKind.PERSONAL_DIGEST) is None
        assert await scheduler.next_run(7, JobKind.DIGEST) is not None
    finally:
        await scheduler.shutdown()

    clock = ManualClock(datetime(2026, 5, 6, 0, 30, tzinfo=UTC))  # 08:30 in Shanghai
    context = RunContext(RunLeases(db.engine, clock=clock), clock)
    assert await run_personal_digest(7, spec.to_json(), context=context)
    assert not await run_personal_digest(7, spec.to_json(), context=context)
    assert await run_digest(7, spec.to_json(), context=context), "a chat 7 has its own lease"
    assert runner.personal == [
        (7, datetime(2026, 5, 5, 0, tzinfo=UTC), datetime(2026, 5, 6, 0, tzinfo=UTC))
    ]
    assert await context.leases.get(JobKind.PERSONAL_DIGEST, 7, "2026-05-06T00:00:00Z")


async def test_two_processes_firing_the_same_run_post_once(
    db: Database, runner: FakeRunner
) -> None:
    other = create_engine(db.url)
    try:
        spec = ScheduleSpec.every(timedelta(hours=12))
        fire = datetime(2026, 5, 6, 12, tzinfo=UTC)
        contexts = [
            RunContext(RunLeases(engine, owner=f"process-{n}"), scheduled_at=fire)
            for n, engine in enumerate((db.engine, other))
        ]
        won = await asyncio.gather(
            *(run_digest(11, spec.to_json(), context=context) for context in contexts),
            *(run_intros(11, IntroCadence("weekly").to_json(), context=c) for c in contexts),
        )
        assert sorted(won[:2]) == [False, True]
        assert sorted(won[2:]) == [False, True]
        assert runner.digests == [(11, fire - timedelta(hours=12), fire)]
        assert runner.intros == [11]
    finally:
        await other.dispose()


async def test_a_job_without_runner_claims_nothing(db: Database) -> None:
    previous = set_runner(None)
    try:
        clock = ManualClock(datetime(2026, 5, 6, 12, tzinfo=UTC))
        context = RunContext(RunLeases(db.engine, clock=clock), clock)
        with pytest.raises(NoRunnerError):
            await run_digest(5, ScheduleSpec.daily(9).to_json(), context=context)
        key = period_key(datetime(2026, 5, 6, 9, tzinfo=UTC))
        assert await context.leases.get(JobKind.DIGEST, 5, key) is None
    finally:
        set_runner(previous)


async def test_a_job_needs_a_run_context(runner: FakeRunner) -> None:
    with pytest.raises(RuntimeError, match="RunContext"):
        await run_digest(5, ScheduleSpec.daily(9).to_json())


async def test_leases_are_exclusive_and_prunable(db: Database) -> None:
    clock = ManualClock(datetime(2026, 5, 1, tzinfo=UTC))
    mine = RunLeases(db.engine, owner="a", clock=clock)
    theirs = RunLeases(db.engine, owner="b", clock=clock)
    assert await mine.claim("digest", 1, "k1")
    assert not await theirs.claim("digest", 1, "k1")
    assert await theirs.claim("digest", 1, "k2")
    await theirs.finish("digest", 1, "k1")  # not theirs: no effect
    lease = await mine.get("digest", 1, "k1")
    assert lease is not None and lease.owner == "a" and lease.finished_at is None
    clock.advance(timedelta(days=40))
    assert await mine.claim("digest", 1, "k3")
    assert await mine.prune(timedelta(days=30)) == 2
    assert await mine.get("digest", 1, "k3") is not None
    assert await mine.table_exists()


# --- the scheduler ----------------------------------------------------------------------------


async def test_schedules_survive_a_restart(db: Database, runner: FakeRunner) -> None:
    daily = ScheduleSpec.daily(9, 0, tz="Asia/Shanghai")
    monthly = IntroCadence("monthly", tz="Europe/Berlin")
    first = HearthScheduler(db.url, poll_interval=None)
    await first.start()
    before = datetime.now(UTC)
    next_digest = await first.schedule_digest(-100, daily)
    next_intros = await first.schedule_intros(-100, monthly)
    assert next_digest == daily.next_fire_time(before)
    assert next_intros == monthly.next_fire_time(before)
    assert await first.next_run(-100, JobKind.DIGEST) == next_digest
    await first.shutdown()
    assert not first.running

    second = HearthScheduler(db.url, engine=db.engine, poll_interval=None)
    await second.start()
    try:
        listed = {(job.kind, job.chat_id): job for job in await second.jobs()}
        assert set(listed) == {(JobKind.DIGEST, -100), (JobKind.INTROS, -100)}
        assert listed[JobKind.DIGEST, -100].schedule == daily
        assert listed[JobKind.DIGEST, -100].next_run == next_digest
        assert listed[JobKind.INTROS, -100].describe() == monthly.describe()
        assert await second.next_run(-100, JobKind.INTROS) == next_intros

        weekly = ScheduleSpec.weekly(4, 18)
        assert await second.schedule_digest(-100, weekly) == weekly.next_fire_time(
            datetime.now(UTC)
        )
        assert len(await second.jobs()) == 2, "rescheduling replaces the job"
        assert await second.schedule_digest(-100, ScheduleSpec.off()) is None
        assert await second.next_run(-100, JobKind.DIGEST) is None
        assert not await second.cancel(-100, JobKind.DIGEST)
        assert await second.cancel(-100, JobKind.INTROS)
        assert await second.jobs() == []
    finally:
        await second.shutdown()
    assert runner.digests == [] and runner.intros == []


async def test_rescheduling_the_same_spec_keeps_the_next_run(
    db: Database, runner: FakeRunner
) -> None:
    spec = ScheduleSpec.daily(9, 0, tz="Asia/Shanghai")
    scheduler = HearthScheduler(db.url, engine=db.engine, poll_interval=None)
    await scheduler.start()
    try:
        await scheduler.schedule_digest(5, spec)
        later = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3, minutes=7)
        set_next_run(db.url, 5, JobKind.DIGEST, later)
        assert await scheduler.schedule_digest(5, spec) == later
        assert await scheduler.schedule_digest(5, spec.with_tz("UTC")) != later
    finally:
        await scheduler.shutdown()


async def test_missed_runs_within_grace_run_once_on_start(db: Database, runner: FakeRunner) -> None:
    spec = ScheduleSpec.every(timedelta(minutes=30))
    await stored_job(db, 21, spec)
    latest = spec.previous_fire_time(datetime.now(UTC))
    assert latest is not None
    missed = latest - timedelta(minutes=30)
    set_next_run(db.url, 21, JobKind.DIGEST, missed)  # two runs were missed

    scheduler = HearthScheduler(db.url, poll_interval=None)
    reports = collect(scheduler)
    await scheduler.start()
    try:
        report = await asyncio.wait_for(reports.get(), WAIT)
        assert report.outcome is RunOutcome.RAN
        assert report.scheduled_at == latest, "coalesced to the latest"
        assert runner.digests == [(21, missed, latest)]
        next_run = await scheduler.next_run(21, JobKind.DIGEST)
        assert next_run is not None and next_run > datetime.now(UTC)
        await settle()
        assert reports.empty()
    finally:
        await scheduler.shutdown()

    again = HearthScheduler(db.url, engine=db.engine, poll_interval=None)
    reports = collect(again)
    await again.start()
    await settle()
    await again.shutdown()
    assert reports.empty(), "a restart does not run it again"
    assert len(runner.digests) == 1


async def test_missed_runs_beyond_grace_are_skipped(db: Database, runner: FakeRunner) -> None:
    far_hour = (datetime.now(UTC) + timedelta(hours=12)).hour
    await stored_job(db, 22, ScheduleSpec.daily(far_hour, 0))
    missed = datetime.now(UTC) - timedelta(hours=2)
    set_next_run(db.url, 22, JobKind.DIGEST, missed)

    scheduler = HearthScheduler(db.url, engine=db.engine, poll_interval=None)
    reports = collect(scheduler)
    await scheduler.start()
    try:
        report = await asyncio.wait_for(reports.get(), WAIT)
        assert (report.kind, report.chat_id, report.outcome) == (
            JobKind.DIGEST,
            22,
            RunOutcome.MISSED,
        )
        next_run = await scheduler.next_run(22, JobKind.DIGEST)
        assert next_run is not None and next_run > datetime.now(UTC)
        await settle()
        assert reports.empty()
    finally:
        await scheduler.shutdown()
    assert runner.digests == []
    lease = await RunLeases(db.engine).get(JobKind.DIGEST, 22, period_key(missed))
    assert lease is None


async def test_two_schedulers_on_one_database_post_once(db: Database, runner: FakeRunner) -> None:
    spec = ScheduleSpec.every(timedelta(hours=1))
    await stored_job(db, 31, spec)
    fire = spec.previous_fire_time(datetime.now(UTC))
    assert fire is not None
    set_next_run(db.url, 31, JobKind.DIGEST, fire)

    first = HearthScheduler(db.url, poll_interval=None)
    second = HearthScheduler(db.url, poll_interval=None)
    reports: asyncio.Queue[RunReport] = asyncio.Queue()
    for scheduler in (first, second):
        scheduler.add_listener(reports.put_nowait)
    await asyncio.gather(first.start(), second.start())
    try:
        report = await asyncio.wait_for(reports.get(), WAIT)
        assert report.outcome is RunOutcome.RAN
        await settle()
        assert reports.empty()
        assert runner.digests == [(31, fire - timedelta(hours=1), fire)]

        # Both schedulers fire the same run at once, as two processes that both fetched the
        # due job would: the lease lets exactly one through.
        recent = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
        for scheduler in (first, second):
            job = scheduler._scheduler.get_job(job_id(31, JobKind.DIGEST))
            assert scheduler._executor is not None
            scheduler._executor.submit_job(job, [recent])
        outcomes = {(await asyncio.wait_for(reports.get(), WAIT)).outcome for _ in range(2)}
        assert outcomes == {RunOutcome.RAN, RunOutcome.CLAIMED_ELSEWHERE}
        assert len(runner.digests) == 2
        assert runner.digests[-1][0::2] == (31, recent)
    finally:
        await asyncio.gather(first.shutdown(), second.shutdown())


async def test_a_failing_runner_is_reported_and_not_retried(
    db: Database, runner: FakeRunner
) -> None:
    runner.fail = True
    spec = ScheduleSpec.every(timedelta(hours=2))
    await stored_job(db, 41, spec)
    missed = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    set_next_run(db.url, 41, JobKind.DIGEST, missed)
    scheduler = HearthScheduler(db.url, engine=db.engine, poll_interval=None)
    reports = collect(scheduler)
    await scheduler.start()
    try:
        report = await asyncio.wait_for(reports.get(), WAIT)
    finally:
        await scheduler.shutdown()
    assert report.outcome is RunOutcome.FAILED
    assert isinstance(report.error, RuntimeError)
    lease = await RunLeases(db.engine).get(JobKind.DIGEST, 41, period_key(missed))
    assert lease is not None and lease.finished_at is None


async def test_shutdown_waits_for_a_run_in_progress(db: Database, runner: FakeRunner) -> None:
    runner.gate = asyncio.Event()
    await stored_job(db, 51, ScheduleSpec.every(timedelta(hours=1)))
    missed = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    set_next_run(db.url, 51, JobKind.DIGEST, missed)
    scheduler = HearthScheduler(db.url, engine=db.engine, poll_interval=None)
    await scheduler.start()
    for _ in range(200):
        if scheduler._executor is not None and scheduler._executor.pending():
            break
        await asyncio.sleep(0)
    stopping = asyncio.ensure_future(scheduler.shutdown())
    await settle()
    assert not stopping.done()
    runner.gate.set()
    await asyncio.wait_for(stopping, WAIT)
    assert [chat for chat, _, _ in runner.digests] == [51]


async def test_scheduler_needs_start_and_the_lease_table(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bare.db'}"
    scheduler = HearthScheduler(url, poll_interval=None)
    with pytest.raises(RuntimeError, match="start"):
        await scheduler.schedule_digest(1, ScheduleSpec.daily(9))
    with pytest.raises(RuntimeError, match="hearth_run_leases"):
        await scheduler.start()
    await scheduler.shutdown()
    with pytest.raises(ValueError, match="misfire_grace"):
        HearthScheduler(url, misfire_grace=timedelta(0))
