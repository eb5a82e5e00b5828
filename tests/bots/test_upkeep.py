"""Nightly upkeep: scheduled with Hearth, run once per night, prunes only what is old."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bots.app import Hearth
from bots.storage.intro_store import IntroStore
from bots.storage.web_store import SignInOutcome, WebStore
from bots.upkeep import Upkeep
from jobs.clock import ManualClock
from jobs.run_lease import RunLeases, period_key
from jobs.scheduled_runs import UPKEEP_ID, JobKind, RunContext, run_upkeep
from jobs.scheduler import UPKEEP_SCHEDULE
from tests.support import RecordingSender, message


@pytest.fixture
def memory_kind() -> str:
    return "edge"


async def test_hearth_schedules_upkeep_and_it_runs_once_per_night(hearth: Hearth) -> None:
    next_run = await hearth.scheduler.next_run(UPKEEP_ID, JobKind.UPKEEP)
    assert next_run is not None and (next_run.hour, next_run.minute) == (4, 0)
    night = datetime.now(UTC).replace(hour=4, minute=0, second=0, microsecond=0)
    context = RunContext(hearth.scheduler.leases, clock=ManualClock(night + timedelta(hours=1)))
    assert await run_upkeep(UPKEEP_ID, UPKEEP_SCHEDULE.to_json(), context=context)
    assert not await run_upkeep(UPKEEP_ID, UPKEEP_SCHEDULE.to_json(), context=context)
    lease = await hearth.scheduler.leases.get(JobKind.UPKEEP, UPKEEP_ID, period_key(night))
    assert lease is not None and lease.finished_at is not None


async def test_upkeep_prunes_only_what_is_old(hearth: Hearth) -> None:
    sender = RecordingSender()
    for who in ("alice", "bob"):
        await hearth.router.handle(message(who, f"hello from {who}"), sender)
    now = datetime.now(UTC)
    engine = hearth.storage.engine
    old_leases = RunLeases(engine, clock=ManualClock(now - timedelta(days=120)))
    assert await old_leases.claim(JobKind.DIGEST, 1, "old-run")
    assert await hearth.scheduler.leases.claim(JobKind.DIGEST, 1, "recent-run")
    await hearth.storage.create_link_code(1, "a" * 64, now - timedelta(minutes=1))
    await hearth.storage.create_link_code(2, "b" * 64, now + timedelta(minutes=9))
    web = WebStore(engine)
    await web.create_sign_in(1, "c" * 64, now - timedelta(minutes=1))
    await web.create_sign_in(2, "d" * 64, now + timedelta(minutes=9))
    intros = IntroStore(engine)
    await intros.record_round(1, now - timedelta(days=400), {(1, 2): 0.5})
    await intros.record_round(1, now - timedelta(days=7), {(1, 2): 0.4})

    upkeep = Upkeep(hearth.storage, intros, hearth.scheduler.leases, hearth.memory, hearth.profiles)
    report = await upkeep.run(now)

    assert (report.leases, report.link_codes, report.sign_ins, report.intro_groups) == (1, 1, 1, 1)
    assert await hearth.scheduler.leases.get(JobKind.DIGEST, 1, "old-run") is None
    assert await hearth.scheduler.leases.get(JobKind.DIGEST, 1, "recent-run") is not None
    assert await intros.past_rounds(1, 10) == [[[1, 2]]]
    assert (await web.redeem_sign_in("c" * 64, now))[0] is SignInOutcome.UNKNOWN
    assert await web.redeem_sign_in("d" * 64, now) == (SignInOutcome.SIGNED_IN, 2)
    again = await upkeep.run(now)
    assert (again.leases, again.link_codes, again.sign_ins, again.intro_groups) == (0, 0, 0, 0)
