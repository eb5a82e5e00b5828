"""`/digest now` and `/digest preview`: a digest of the last day from stored messages."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bots.app import Hearth
from tests.support import RecordingSender, command, message


@pytest.fixture
def memory_kind() -> str:
    return "edge"


async def chat_about_a_hike(hearth: Hearth, sender: RecordingSender) -> None:
    lines = [
        ("alice", "Shall we hike Fern Creek on Saturday?", 300),
        ("bob", "Yes! Fern Creek hike on Saturday works for me", 290),
        ("carol", "We decided: Fern Creek hike, meet at the trailhead at 8am", 280),
        ("bob", "Trail map for the hike: https://example.org/fern-creek-map", 270),
        ("alice", "Does anyone know a good sourdough recipe?", 200),
        ("carol", "Old news from last week", 60 * 24 * 8),
    ]
    for who, text, minutes in lines:
        await hearth.router.handle(message(who, text, minutes_ago=minutes), sender)
    async with asyncio.timeout(60):
        await hearth.worker.drain()
    sender.replies.clear()


async def test_admin_gets_a_digest_of_the_last_day(hearth: Hearth) -> None:
    sender = RecordingSender()
    await chat_about_a_hike(hearth, sender)
    await hearth.router.handle(
        replace(command("carol", "digest", "now"), sender_is_admin=True), sender
    )
    text = "\n".join(sender.texts())
    assert not any(r.private for r in sender.replies)
    assert "Fern Creek" in text
    assert "https://example.org/fern-creek-map" in text
    assert "sourdough recipe" in text  # nobody answered it
    assert "Old news" not in text  # outside the last 24 hours
    assert all(len(t) <= 2000 for t in sender.texts())


async def test_preview_is_private_and_others_are_refused(hearth: Hearth) -> None:
    sender = RecordingSender()
    await chat_about_a_hike(hearth, sender)
    await hearth.router.handle(
        replace(command("carol", "digest", "preview"), sender_is_admin=True), sender
    )
    assert sender.replies and all(r.private for r in sender.replies)
    sender.replies.clear()
    await hearth.router.handle(command("alice", "digest", "now"), sender)
    assert sender.texts() == ["Sorry, only this chat's admins can manage digests."]
    await hearth.router.handle(command("carol", "digest"), sender)
    assert sender.texts()[-1].startswith("Usage: /digest now | preview | status")


async def test_a_quiet_day_says_so(hearth: Hearth) -> None:
    sender = RecordingSender()
    await hearth.router.handle(
        replace(command("carol", "digest", "now"), sender_is_admin=True), sender
    )
    assert len(sender.replies) == 1
    assert len(sender.texts()[0]) < 300


async def test_admins_schedule_digests_and_they_survive_a_restart(
    hearth: Hearth,
    settings,
    embedder,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from jobs.scheduled_runs import JobKind

    sender = RecordingSender()
    admin = replace(command("carol", "digest"), sender_is_admin=True)
    await hearth.router.handle(replace(admin, args=("daily", "09:00")), sender)
    assert sender.texts()[-1].startswith("Digest scheduled every day at 09:00 (UTC). Next: ")
    await hearth.router.handle(replace(admin, args=("tz", "Asia/Shanghai")), sender)
    assert "(Asia/Shanghai)" in sender.texts()[-1]
    for bad in (("daily", "25:00"), ("tz", "Mars/Base"), ("every", "5m"), ("sometimes",)):
        await hearth.router.handle(replace(admin, args=bad), sender)
        assert sender.texts()[-1].startswith("Sorry: "), bad
    await hearth.router.handle(command("alice", "digest", "status"), sender)
    assert "every day at 09:00 (Asia/Shanghai)" in sender.texts()[-1]
    await hearth.router.handle(command("alice", "settings"), sender)
    assert (
        "Digest every day at 09:00 (Asia/Shanghai); a quiet period gets none."
        in (sender.texts()[-1])
    )
    await hearth.router.handle(command("alice", "digest", "off"), sender)
    assert "only this chat's admins" in sender.texts()[-1]
    chat_id = 1
    assert await hearth.scheduler.next_run(chat_id, JobKind.DIGEST) is not None
    await hearth.close()

    from tests.bots.conftest import make_memory

    again = await Hearth.build(
        settings, embedder=embedder, memory=make_memory("edge", tmp_path, embedder.dimension)
    )
    try:
        assert await again.scheduler.next_run(chat_id, JobKind.DIGEST) is not None
        await again.router.handle(replace(admin, args=("off",)), sender)
        assert sender.texts()[-1].startswith("Scheduled digests are off")
        assert await again.scheduler.next_run(chat_id, JobKind.DIGEST) is None
    finally:
        await again.close()


async def test_a_scheduled_digest_is_posted_once_through_the_platform(hearth: Hearth) -> None:
    from datetime import UTC, datetime, timedelta

    from bots.scheduled_jobs import PlatformUnavailableError
    from jobs.clock import ManualClock
    from jobs.schedule_spec import parse_digest_schedule
    from jobs.scheduled_runs import RunContext, run_digest

    sender = RecordingSender()
    await chat_about_a_hike(hearth, sender)
    fires = datetime.now(UTC) + timedelta(minutes=10)
    spec = parse_digest_schedule(f"daily {fires:%H:%M}")
    today = RunContext(hearth.scheduler.leases, clock=ManualClock(fires + timedelta(minutes=5)))
    with pytest.raises(PlatformUnavailableError):  # the chat's platform never connected
        await run_digest(1, spec.to_json(), context=today)

    # A run that fires while the platform is still connecting waits for it.
    await hearth.storage.set_digest_quiet_line(1, True)  # quiet periods post one line
    soon = RunContext(
        hearth.scheduler.leases, clock=ManualClock(fires + timedelta(days=2, minutes=5))
    )
    waiting = asyncio.create_task(run_digest(1, spec.to_json(), context=soon))
    await asyncio.sleep(0.05)
    assert not waiting.done() and not sender.replies
    hearth.senders[sender.platform] = sender
    assert await asyncio.wait_for(waiting, 10)
    assert sender.replies
    sender.replies.clear()
    tomorrow = RunContext(
        hearth.scheduler.leases, clock=ManualClock(fires + timedelta(days=1, minutes=5))
    )
    yesterday_run = RunContext(
        hearth.scheduler.leases, clock=ManualClock(fires + timedelta(minutes=6))
    )
    assert not await run_digest(1, spec.to_json(), context=yesterday_run)  # claimed before
    assert await run_digest(1, spec.to_json(), context=tomorrow)
    posted = len(sender.replies)
    assert posted >= 1 and not any(r.private for r in sender.replies)
    assert not await run_digest(1, spec.to_json(), context=tomorrow)
    assert len(sender.replies) == posted  # the same run never posts twice


async def test_todays_scheduled_digest_covers_the_day(hearth: Hearth) -> None:
    from datetime import UTC, datetime, timedelta

    from jobs.clock import ManualClock
    from jobs.schedule_spec import parse_digest_schedule
    from jobs.scheduled_runs import RunContext, run_digest

    sender = RecordingSender()
    await chat_about_a_hike(hearth, sender)
    hearth.senders[sender.platform] = sender
    fires = datetime.now(UTC) + timedelta(minutes=10)
    spec = parse_digest_schedule(f"daily {fires:%H:%M}")
    context = RunContext(hearth.scheduler.leases, clock=ManualClock(fires + timedelta(minutes=5)))
    assert await run_digest(1, spec.to_json(), context=context)
    text = "\n".join(sender.texts())
    assert "Fern Creek" in text and "Old news" not in text


async def test_quiet_periods_post_nothing_unless_asked(hearth: Hearth) -> None:
    from datetime import UTC, datetime, timedelta

    from jobs.clock import ManualClock
    from jobs.schedule_spec import parse_digest_schedule
    from jobs.scheduled_runs import RunContext, run_digest

    sender = RecordingSender()
    hearth.senders[sender.platform] = sender
    await hearth.router.handle(message("alice", "just one message today"), sender)
    admin = replace(command("carol", "digest"), sender_is_admin=True)
    await hearth.router.handle(replace(admin, args=("daily", "09:00")), sender)
    await hearth.router.handle(command("alice", "digest", "status"), sender)
    assert "Quiet periods get no digest." in sender.texts()[-1]
    sender.replies.clear()
    fires = datetime.now(UTC) + timedelta(minutes=10)
    spec = parse_digest_schedule(f"daily {fires:%H:%M}")
    day = RunContext(hearth.scheduler.leases, clock=ManualClock(fires + timedelta(minutes=1)))
    assert await run_digest(1, spec.to_json(), context=day)
    assert sender.replies == []  # a quiet day: nothing posted

    await hearth.router.handle(replace(admin, args=("quiet", "line")), sender)
    assert sender.texts()[-1] == "A quiet period now gets a one-line digest."
    await hearth.router.handle(replace(admin, args=("quiet", "sometimes")), sender)
    assert sender.texts()[-1].startswith("Usage: /digest quiet")
    sender.replies.clear()
    next_day = RunContext(
        hearth.scheduler.leases, clock=ManualClock(fires + timedelta(days=1, minutes=1))
    )
    assert await run_digest(1, spec.to_json(), context=next_day)
    assert len(sender.replies) == 1 and "Quiet" in sender.texts()[0]


async def test_newcomers_are_told_from_introductions_and_earlier_messages(hearth: Hearth) -> None:
    sender = RecordingSender()
    lines = [
        ("dave", "Morning all, the coffee machine on floor two works again", 60 * 24 * 9),
        ("alice", "Shall we hike Fern Creek on Saturday?", 300),
        ("bob", "Yes! Fern Creek hike on Saturday works for me", 290),
        ("dave", "Hi all, I'm Dave, a designer from Lisbon", 280),
        ("erin", "Hi all, I'm Erin, a backend developer from Porto", 270),
        ("carol", "We decided: Fern Creek hike, meet at the trailhead at 8am", 260),
    ]
    for who, text, minutes in lines:
        await hearth.router.handle(message(who, text, minutes_ago=minutes), sender)
    async with asyncio.timeout(60):
        await hearth.worker.drain()
    sender.replies.clear()
    await hearth.router.handle(
        replace(command("carol", "digest", "now"), sender_is_admin=True), sender
    )
    text = "\n".join(sender.texts())
    newcomers = text.split("👋 New members", 1)[1].split("\n\n", 1)[0]
    assert "I'm Erin" in newcomers
    assert "Dave" not in newcomers  # he posted nine days ago
