"""Prometheus metrics: a registry per Hearth, and counters that move with what Hearth does."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from adapters.model import Chat, OutgoingReply, Platform, SentReply
from adapters.ports import DeliveryError
from bots.app import Hearth
from bots.metrics import HearthMetrics
from bots.scheduled_jobs import PlatformUnavailableError
from jobs.clock import ManualClock
from jobs.schedule_spec import parse_digest_schedule
from jobs.scheduled_runs import UPKEEP_ID, JobKind, RunContext, run_digest, run_upkeep
from jobs.scheduler import UPKEEP_SCHEDULE
from tests.support import RecordingSender, command, message


@pytest.fixture
def memory_kind() -> str:
    return "edge"


class RefusingSender(RecordingSender):
    """A platform that takes no reply (the bot was blocked or removed)."""

    async def send(self, reply: OutgoingReply) -> SentReply:
        raise DeliveryError("Forbidden: bot was kicked from the group chat")

    async def delete(self, chat: Chat, platform_message_id: str) -> bool:
        return False

    async def edit(self, chat: Chat, platform_message_id: str, text: str) -> bool:
        return False


def samples(metrics: HearthMetrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition, parsed back with the library's own parser."""
    text = metrics.exposition().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_each_hearth_has_its_own_registry_and_every_series_starts_at_zero() -> None:
    one, two = HearthMetrics(), HearthMetrics()
    one.update_received(Platform.TELEGRAM)
    one.job_finished(JobKind.DIGEST, failed=True)
    assert one.value("hearth_updates_received_total", platform="telegram") == 1
    assert two.value("hearth_updates_received_total", platform="telegram") == 0
    assert one.value("hearth_job_runs_total", kind="digest") == 1
    assert one.value("hearth_job_failures_total", kind="digest") == 1

    exported = samples(two)
    for platform in ("telegram", "discord", "playground"):
        for name in (
            "hearth_updates_received_total",
            "hearth_updates_stored_total",
            "hearth_updates_skipped_total",
            "hearth_delivery_errors_total",
        ):
            assert exported[(name, (("platform", platform),))] == 0
    for kind in ("digest", "intros", "personal", "upkeep"):
        assert exported[("hearth_job_runs_total", (("kind", kind),))] == 0
    for store in ("database", "memory"):
        assert exported[("hearth_store_up", (("store", store),))] == 1
    for name in (
        "hearth_embeddings_pending",
        "hearth_messages_embedded_total",
        "hearth_twin_answers_total",
        "hearth_twin_abstains_total",
    ):
        assert exported[(name, ())] == 0


async def test_received_stored_and_embedded_move_with_ingest(hearth: Hearth) -> None:
    sender = RecordingSender()
    first = message("alice", "Hello everyone, the meetup is on Friday")
    await hearth.router.handle(first, sender)
    await hearth.router.handle(first, sender)  # re-delivered: received, not stored again
    await hearth.router.handle(command("alice", "help"), sender)
    await hearth.router.handle(message("bob", "Friday works for me"), sender)
    metrics = hearth.metrics
    assert metrics.value("hearth_updates_received_total", platform="telegram") == 4
    assert metrics.value("hearth_updates_stored_total", platform="telegram") == 2
    assert metrics.value("hearth_updates_received_total", platform="discord") == 0
    async with asyncio.timeout(60):
        await hearth.worker.drain()
    assert metrics.value("hearth_messages_embedded_total") == 2
    await hearth.health.check()
    assert metrics.value("hearth_embeddings_pending") == 0


async def test_pending_embeddings_are_read_from_the_database(hearth: Hearth) -> None:
    await hearth.worker.stop()  # nothing gets embedded
    sender = RecordingSender()
    for i in range(3):
        await hearth.router.handle(message("alice", f"waiting message {i}"), sender)
    report = await hearth.health.check()
    assert report.pending_embeddings == 3
    assert hearth.metrics.value("hearth_embeddings_pending") == 3


async def test_twin_answers_and_abstains_are_counted(hearth: Hearth) -> None:
    sender = RecordingSender()
    await hearth.router.handle(
        message("bob", "For beginners I recommend the Fern Creek loop: flat.", minutes_ago=120),
        sender,
    )
    await hearth.router.handle(command("bob", "twin", "on"), sender)
    async with asyncio.timeout(60):
        await hearth.worker.drain()
    await hearth.router.handle(
        message("alice", "@bob which trail for beginners?", mentions=("bob",)), sender
    )
    assert hearth.metrics.value("hearth_twin_answers_total") == 1
    assert hearth.metrics.value("hearth_twin_abstains_total") == 0
    await hearth.router.handle(
        message("carol", "@bob what is the capital of Mongolia?", mentions=("bob",)), sender
    )
    assert hearth.metrics.value("hearth_twin_answers_total") == 1
    assert hearth.metrics.value("hearth_twin_abstains_total") == 1


async def test_delivery_errors_are_counted_by_platform(hearth: Hearth) -> None:
    await hearth.router.handle(command("alice", "help"), RefusingSender())
    await hearth.router.handle(command("alice", "help"), RefusingSender(Platform.DISCORD))
    assert hearth.metrics.value("hearth_delivery_errors_total", platform="telegram") >= 1
    assert hearth.metrics.value("hearth_delivery_errors_total", platform="discord") >= 1
    assert hearth.metrics.value("hearth_delivery_errors_total", platform="playground") == 0


async def test_scheduled_runs_and_failures_are_counted_by_kind(hearth: Hearth) -> None:
    sender = RecordingSender()
    await hearth.router.handle(message("alice", "Shall we hike Skyline Ridge on Saturday?"), sender)
    fires = datetime.now(UTC) + timedelta(minutes=10)
    spec = parse_digest_schedule(f"daily {fires:%H:%M}")
    leases = hearth.scheduler.leases
    today = RunContext(leases, clock=ManualClock(fires + timedelta(minutes=5)))
    with pytest.raises(PlatformUnavailableError):  # the chat's platform never connected
        await run_digest(1, spec.to_json(), context=today)
    metrics = hearth.metrics
    assert metrics.value("hearth_job_runs_total", kind="digest") == 1
    assert metrics.value("hearth_job_failures_total", kind="digest") == 1

    hearth.senders[Platform.TELEGRAM] = sender
    tomorrow = RunContext(leases, clock=ManualClock(fires + timedelta(days=1, minutes=5)))
    assert await run_digest(1, spec.to_json(), context=tomorrow)
    assert not await run_digest(1, spec.to_json(), context=tomorrow)  # claimed: not run
    assert metrics.value("hearth_job_runs_total", kind="digest") == 2
    assert metrics.value("hearth_job_failures_total", kind="digest") == 1

    night = datetime.now(UTC).replace(hour=4, minute=0, second=0, microsecond=0)
    context = RunContext(leases, clock=ManualClock(night + timedelta(hours=1)))
    assert await run_upkeep(UPKEEP_ID, UPKEEP_SCHEDULE.to_json(), context=context)
    assert metrics.value("hearth_job_runs_total", kind="upkeep") == 1
    assert metrics.value("hearth_job_failures_total", kind="upkeep") == 0
