"""Scheduled posts cut off by a kill: taken over, they send only what was not delivered.

A run "cut off" is one whose lease another owner claimed (and maybe counted deliveries on)
and then went silent; the app's runner takes it over once that owner's heartbeat expired.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bots.app import Hearth
from jobs.clock import ManualClock
from jobs.run_lease import DEFAULT_TTL, Claim, RunLeases, period_key
from jobs.schedule_spec import IntroCadence, parse_digest_schedule
from jobs.scheduled_runs import Deliveries, JobKind, RunContext, run_digest, run_intros
from tests.bots.test_digest_command import chat_about_a_hike
from tests.bots.test_intros import chat_and_opt_in
from tests.support import RecordingSender

DAY = timedelta(days=1)


@pytest.fixture
def memory_kind() -> str:
    return "edge"


async def cut_off(hearth: Hearth, kind: JobKind, fire: datetime, delivered: int) -> None:
    """Another process claimed the run at ``fire``, delivered ``delivered`` messages, died."""
    gone = RunLeases(hearth.storage.engine, owner="killed", clock=ManualClock(fire))
    assert await gone.claim(kind.value, 1, period_key(fire))
    for _ in range(delivered):
        await gone.delivered(kind.value, 1, period_key(fire))


def after_the_ttl(hearth: Hearth, fire: datetime) -> RunContext:
    clock = ManualClock(fire + DEFAULT_TTL + timedelta(seconds=1))
    return RunContext(RunLeases(hearth.storage.engine, clock=clock), clock, scheduled_at=fire)


async def test_a_digest_cut_off_is_posted_once(hearth: Hearth) -> None:
    sender = RecordingSender()
    await chat_about_a_hike(hearth, sender)
    hearth.senders[sender.platform] = sender
    fire = datetime.now(UTC).replace(second=0, microsecond=0)
    spec = parse_digest_schedule(f"daily {fire:%H:%M}")

    await cut_off(hearth, JobKind.DIGEST, fire, delivered=0)  # killed before its post
    context = after_the_ttl(hearth, fire)
    assert await run_digest(1, spec.to_json(), context=context)
    assert len(sender.replies) == 1 and "Fern Creek" in sender.texts()[0]
    lease = await context.leases.get(JobKind.DIGEST, 1, period_key(fire))
    assert lease is not None and lease.finished_at is not None
    assert (lease.delivered, lease.attempts) == (1, 2)

    yesterday = fire - timedelta(days=1)
    await cut_off(hearth, JobKind.DIGEST, yesterday, delivered=1)  # killed after its post
    context = after_the_ttl(hearth, yesterday)
    assert await run_digest(1, spec.to_json(), context=context)
    assert len(sender.replies) == 1, "what was delivered is not sent again"
    lease = await context.leases.get(JobKind.DIGEST, 1, period_key(yesterday))
    assert lease is not None and lease.finished_at is not None


async def test_introductions_cut_off_count_their_messages_and_are_not_planned_again(
    hearth: Hearth,
) -> None:
    sender = RecordingSender()
    await chat_and_opt_in(hearth, sender)
    hearth.senders[sender.platform] = sender
    cadence = IntroCadence("weekly")
    fire = cadence.previous_fire_time(datetime.now(UTC))
    assert fire is not None

    await cut_off(hearth, JobKind.INTROS, fire, delivered=0)
    context = after_the_ttl(hearth, fire)
    assert await run_intros(1, cadence.to_json(), context=context)
    posted = len(sender.replies)
    assert posted >= 1 and "👋 Meet" in "\n".join(sender.texts())
    lease = await context.leases.get(JobKind.INTROS, 1, period_key(fire))
    assert lease is not None and lease.delivered == posted

    earlier = fire - timedelta(days=7)
    await cut_off(hearth, JobKind.INTROS, earlier, delivered=1)  # partly posted
    assert await run_intros(1, cadence.to_json(), context=after_the_ttl(hearth, earlier))
    assert len(sender.replies) == posted


async def test_a_resumed_digest_resends_a_part_under_the_same_key(hearth: Hearth) -> None:
    # The kill fell after the platform took the post but before Hearth recorded it: the
    # resumed run sends it again under the key of the first attempt, so a platform that
    # enforces keys (Discord's nonce) posts it once.
    sender = RecordingSender()
    await chat_about_a_hike(hearth, sender)
    hearth.senders[sender.platform] = sender
    fire = datetime.now(UTC).replace(second=0, microsecond=0)
    spec = parse_digest_schedule(f"daily {fire:%H:%M}")
    first_attempt = Deliveries(None, Claim(JobKind.DIGEST.value, 1, period_key(fire)))

    other_day = Deliveries(None, Claim(JobKind.DIGEST.value, 1, period_key(fire - DAY)))

    await cut_off(hearth, JobKind.DIGEST, fire, delivered=0)
    assert await run_digest(1, spec.to_json(), context=after_the_ttl(hearth, fire))

    [resumed] = [reply.idempotency_key for reply in sender.replies]
    assert resumed == first_attempt.idempotency_key(0)
    assert resumed is not None and len(resumed) <= 20
    assert other_day.idempotency_key(0) != resumed
    assert first_attempt.idempotency_key(1) != resumed
    assert Deliveries().idempotency_key(0) is None  # outside a claimed run
