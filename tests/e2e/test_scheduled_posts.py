"""Scheduled digests and introductions posted through both platforms, across restarts.

Admins set schedules by command over the wire; Hearth stops; the due runs are moved to a
few minutes ago, as if the process had been down when they fell due; on the next start
they are posted once, through the real client libraries to the fake platform APIs, and a
further restart posts nothing again.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bots.settings import HearthSettings
from jobs.scheduled_runs import JobKind
from tests.e2e.platform_drivers import DiscordDriver, TelegramDriver
from tests.e2e.two_platforms import running_hearth, two_platform_settings
from tests.fakes.discord_api import MANAGE_GUILD, MEMBER_PERMISSIONS, FakeDiscord
from tests.fakes.discord_fixtures import TestServer
from tests.fakes.telegram_api import FakeTelegramApi
from tests.jobs.test_scheduler import set_next_run

pytestmark = pytest.mark.wire

HIKERS = {
    "alice": [
        "Hiked the ridge trail above the lake this morning, the alpine views were unreal",
        "Anyone know if the mountain pass is clear of snow for backpacking yet?",
        "New trekking poles and hiking boots broke in nicely on the summit climb",
    ],
    "bob": [
        "The summit trail was muddy but the mountain hike was worth it",
        "My hiking boots finally fell apart after years of trail walking",
        "Camping near the alpine lake after a long trek up the ridge",
    ],
    "carol": [
        "Baked a sourdough loaf with a crispy crust, the starter is finally active",
        "What is your favourite recipe for homemade pasta dough?",
        "Roasting garlic and tomatoes for a rich pasta sauce tonight",
    ],
}

BOARD_GAMES = [
    "Board game night on Friday at my place?",
    "Board games on Friday, yes please",
    "We decided: board games on Friday at 7pm",
    "I'll bring Catan and some snacks",
    "Can someone bring a second copy of the board game rules?",
]


@pytest.fixture
def settings(
    tmp_path: Path, fake_telegram: FakeTelegramApi, fake_discord: FakeDiscord
) -> HearthSettings:
    return two_platform_settings(tmp_path, fake_telegram, fake_discord)


async def wait_for(condition, what: str, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]  # noqa: ASYNC109
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def test_schedules_set_by_command_post_once_after_a_restart(
    settings: HearthSettings,
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
    fake_telegram: FakeTelegramApi,
    fake_discord: FakeDiscord,
    discord_server: TestServer,
) -> None:
    telegram = TelegramDriver(fake_telegram)
    discord = DiscordDriver(fake_discord, discord_server)
    # The daily digest falls due a few minutes ago, so its day-long period holds every
    # message posted below, whatever the time of day the test runs at.
    due = (datetime.now(UTC) - timedelta(minutes=5)).replace(second=0, microsecond=0)
    at = f"{due:%H:%M}"
    fake_telegram.set_member_status(telegram.chat, telegram.users["carol"], "administrator")
    async with running_hearth(settings, embedder, tmp_path) as hearth:
        await fake_telegram.wait_for_call("getUpdates", timeout=20)
        await fake_discord.wait_until_identified(timeout=20)
        for member, (who, lines) in enumerate(HIKERS.items()):
            for i, text in enumerate(lines):
                # hours apart through the day: remarks, not one exchange between the hikers
                await telegram.post(who, text, minutes_ago=1300 - 150 * (3 * i + member))
            await telegram.command(who, "intros", "me", "on")
        for i, text in enumerate(BOARD_GAMES):
            await discord.post(("alice", "bob", "carol")[i % 3], text, minutes_ago=90 - i)
        await telegram.command("carol", "digest", "daily", at)
        await telegram.command("alice", "intros", "monthly")  # not an admin
        await telegram.command("carol", "intros", "weekly")
        await fake_discord.use_command(
            "digest",
            {"action": f"daily {at}"},
            user=discord_server.carol,
            channel_id=discord_server.general,
            permissions=MEMBER_PERMISSIONS | MANAGE_GUILD,
        )
        await wait_for(
            lambda: len(fake_telegram.sent_messages) >= 6 and fake_discord.followups,
            "the command answers",
        )
        texts = [m.text for m in fake_telegram.sent_messages]
        assert any(t.startswith(f"Digest scheduled every day at {at}") for t in texts)
        assert any(t.startswith("Introductions scheduled every Monday at 10:00") for t in texts)
        assert any(t.startswith("Sorry, only this chat's admins") for t in texts)
        assert not any("first Monday" in t for t in texts)
        assert fake_discord.followups[-1].content.startswith("Digest scheduled every day")
        jobs = {
            (job.kind, job.chat_id)
            for job in await hearth.scheduler.jobs()
            if job.kind is not JobKind.UPKEEP
        }
        assert len(jobs) == 3
        async with asyncio.timeout(60):
            await hearth.worker.drain()

    for kind, chat_id in jobs:
        set_next_run(settings.resolved_database_url(), chat_id, kind, due)
    telegram_before = len(fake_telegram.sent_messages)
    discord_before = len(fake_discord.sent_messages)

    async with running_hearth(settings, embedder, tmp_path) as hearth:
        await wait_for(
            lambda: (
                len(fake_telegram.sent_messages) >= telegram_before + 2
                and len(fake_discord.sent_messages) >= discord_before + 1
            ),
            "the scheduled digests and introductions",
            timeout=60,
        )
        posted = [m.text for m in fake_telegram.sent_messages[telegram_before:]]
        digest = next(t for t in posted if "Hikers" in t or "ridge" in t.lower())
        intros = next(t for t in posted if "👋 Meet" in t)
        assert "@alice_t" in intros and "@bob_t" in intros and "Why:" in intros
        assert "board game" not in digest.lower()
        discord_digest = fake_discord.sent_messages[discord_before].content
        assert "board games" in discord_digest.lower() and "ridge" not in discord_digest
        for kind, chat_id in jobs:
            next_run = await hearth.scheduler.next_run(chat_id, kind)
            assert next_run is not None and next_run > datetime.now(UTC)
        assert any(kind is JobKind.INTROS for kind, _ in jobs)
        telegram_after = len(fake_telegram.sent_messages)
        discord_after = len(fake_discord.sent_messages)

    async with running_hearth(settings, embedder, tmp_path):
        await fake_telegram.wait_for_call("getUpdates", count=3, timeout=20)
        await asyncio.sleep(1.0)  # room for a wrongly repeated run to post
    assert len(fake_telegram.sent_messages) == telegram_after
    assert len(fake_discord.sent_messages) == discord_after


async def test_discord_members_opt_in_and_an_admin_makes_a_round(
    settings: HearthSettings,
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
    fake_telegram: FakeTelegramApi,
    fake_discord: FakeDiscord,
    discord_server: TestServer,
) -> None:
    discord = DiscordDriver(fake_discord, discord_server)
    async with running_hearth(settings, embedder, tmp_path) as hearth:
        await fake_discord.wait_until_identified(timeout=20)
        for member, (who, lines) in enumerate(HIKERS.items()):
            for i, text in enumerate(lines):
                await discord.post(who, text, minutes_ago=1300 - 150 * (3 * i + member))
            await discord.command(who, "intros", "me on")
        await wait_for(lambda: len(fake_discord.followups) >= 3, "the opt-in answers")
        assert all(f.ephemeral or "privately" in f.content for f in fake_discord.followups)
        async with asyncio.timeout(60):
            await hearth.worker.drain()
        await discord.command("alice", "intros", "now")  # Manage Server is needed
        await wait_for(lambda: len(fake_discord.followups) >= 4, "the refusal")
        assert fake_discord.followups[-1].content.startswith("Sorry, only this chat's admins")
        before = len(fake_discord.sent_messages)
        await fake_discord.use_command(
            "intros",
            {"action": "now"},
            user=discord_server.carol,
            channel_id=discord_server.general,
            permissions=MEMBER_PERMISSIONS | MANAGE_GUILD,
        )
        await wait_for(lambda: len(fake_discord.sent_messages) > before, "the introductions")
        posted = fake_discord.sent_messages[before].content
        [meet] = [line for line in posted.splitlines() if line.startswith("👋 Meet")]
        assert meet == "👋 Meet Ali and Bob!"  # the two hikers (Alice's server nickname)
        assert posted.count("https://discord.com/channels/") == 2  # one message of each
        await wait_for(lambda: len(fake_discord.followups) >= 5, "the admin's answer")
        assert fake_discord.followups[-1].content == "Made 1 introduction."
