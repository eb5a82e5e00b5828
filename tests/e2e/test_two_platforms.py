"""Telegram and Discord served by one Hearth process: linking, shared settings, isolation."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bots.app import Hearth
from bots.settings import HearthSettings
from tests.e2e.platform_drivers import DiscordDriver, TelegramDriver
from tests.e2e.two_platforms import running_hearth, two_platform_settings
from tests.fakes.discord_api import MANAGE_GUILD, MEMBER_PERMISSIONS, FakeDiscord
from tests.fakes.discord_fixtures import TestServer
from tests.fakes.telegram_api import FakeTelegramApi
from twins.labels import TWIN_MARK

pytestmark = pytest.mark.wire


@pytest.fixture
def settings(
    tmp_path: Path, fake_telegram: FakeTelegramApi, fake_discord: FakeDiscord
) -> HearthSettings:
    return two_platform_settings(tmp_path, fake_telegram, fake_discord)


@pytest.fixture
async def both(
    settings: HearthSettings,
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
    fake_telegram: FakeTelegramApi,
    fake_discord: FakeDiscord,
    discord_server: TestServer,
) -> AsyncIterator[tuple[TelegramDriver, DiscordDriver, Hearth]]:
    async with running_hearth(settings, embedder, tmp_path) as hearth:
        await fake_telegram.wait_for_call("getUpdates", timeout=20)
        await fake_discord.wait_until_identified(timeout=20)
        yield TelegramDriver(fake_telegram), DiscordDriver(fake_discord, discord_server), hearth


async def test_linked_accounts_share_one_twin_switch(
    both: tuple[TelegramDriver, DiscordDriver, Hearth], fake_telegram: FakeTelegramApi
) -> None:
    telegram, discord, hearth = both
    fake_telegram.allow_private(int(telegram.user_id("bob")))
    await telegram.post("bob", "For beginners I recommend the Fern Creek loop", minutes_ago=120)
    await telegram.command("bob", "twin", "on")
    await telegram.command("bob", "link")
    sent = await telegram.replies(2)
    code_reply = fake_telegram.sent_messages[1]
    assert code_reply.chat_id == int(telegram.user_id("bob"))  # the code went privately
    code = re.search(r"[A-Z2-9]{5}-[A-Z2-9]{5}", sent[1].text)
    assert code is not None
    await discord.command("bob", "link", code.group(0))
    [linked] = await discord.replies(1)
    assert linked.text.startswith("Linked: your accounts (discord, telegram)")
    assert discord.fake.followups[0].ephemeral  # personal answers are private on Discord

    await telegram.post("alice", "which beginner trail?", mention="bob")
    answers = await telegram.replies(3)
    assert answers[-1].text.startswith(TWIN_MARK)

    await discord.command("bob", "twin", "off")
    await discord.replies(2)
    await telegram.post("alice", "and which trail in winter?", mention="bob")
    await telegram.post("alice", "marker")

    async def stored() -> int:
        return await hearth.storage.count_messages()

    for _ in range(200):
        if await stored() >= 4:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    assert len(fake_telegram.sent_messages) == 3  # no twin answer after /twin off on Discord


async def test_discord_settings_need_manage_server(
    both: tuple[TelegramDriver, DiscordDriver, Hearth],
    fake_discord: FakeDiscord,
    discord_server: TestServer,
) -> None:
    _, discord, _ = both
    await fake_discord.use_command(
        "settings",
        {"setting": "absence", "value": "30"},
        user=discord_server.alice,
        channel_id=discord_server.general,
        permissions=MEMBER_PERMISSIONS,
    )
    await fake_discord.use_command(
        "settings",
        {"setting": "absence", "value": "30"},
        user=discord_server.carol,
        channel_id=discord_server.general,
        permissions=MEMBER_PERMISSIONS | MANAGE_GUILD,
    )
    refused, saved = await discord.replies(2)
    assert "only this chat's admins" in refused.text
    assert saved.text.startswith("Saved.") and "30 minutes" in saved.text


async def test_one_platform_failing_does_not_stop_the_other(
    settings: HearthSettings,
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
    fake_telegram: FakeTelegramApi,
    fake_discord: FakeDiscord,
    discord_server: TestServer,
) -> None:
    fake_discord.close_on_identify = 4014  # Discord refuses the privileged intents
    async with running_hearth(settings, embedder, tmp_path, discord_first=True):
        telegram = TelegramDriver(fake_telegram)
        await telegram.command("alice", "help")
        [reply] = await telegram.replies(1)
        assert "/twin on" in reply.text


async def test_admins_get_a_digest_on_both_platforms(
    both: tuple[TelegramDriver, DiscordDriver, Hearth],
    fake_telegram: FakeTelegramApi,
    fake_discord: FakeDiscord,
    discord_server: TestServer,
) -> None:
    telegram, discord, hearth = both
    hike = [
        "Shall we hike Fern Creek on Saturday?",
        "Fern Creek hike sounds great",
        "We decided: Fern Creek hike at 8am",
        "I'll bring snacks for the hike",
        "Fern Creek trail map is on the park website",
    ]
    games = [
        "Board game night on Friday?",
        "Board games on Friday, yes please",
        "We decided: board games at my place on Friday",
        "I'll bring Catan",
        "Friday board games start at 7pm",
    ]
    for i, (a, b) in enumerate(zip(hike, games, strict=True)):
        who = ("alice", "bob", "carol")[i % 3]
        await telegram.post(who, a, minutes_ago=60 - i)
        await discord.post(who, b, minutes_ago=60 - i)
    for _ in range(200):
        if await hearth.storage.count_messages() >= 10:
            break
        await asyncio.sleep(0.05)
    fake_telegram.set_member_status(telegram.chat, telegram.users["carol"], "administrator")
    await telegram.command("carol", "digest", "now")
    await fake_discord.use_command(
        "digest",
        {"action": "now"},
        user=discord_server.carol,
        channel_id=discord_server.general,
        permissions=MEMBER_PERMISSIONS | MANAGE_GUILD,
    )
    telegram_digest = "\n".join(r.text for r in await telegram.replies(1))
    discord_digest = "\n".join(r.text for r in await discord.replies(1))
    assert "Fern Creek" in telegram_digest and "board game" not in telegram_digest.lower()
    assert "board games" in discord_digest.lower() and "Fern Creek" not in discord_digest


async def test_discord_suggests_time_zones_while_typing_a_digest_schedule(
    both: tuple[TelegramDriver, DiscordDriver, Hearth],
    fake_discord: FakeDiscord,
    discord_server: TestServer,
) -> None:
    await fake_discord.use_command(
        "digest",
        {"action": "tz shangh"},
        user=discord_server.carol,
        channel_id=discord_server.general,
        permissions=MEMBER_PERMISSIONS | MANAGE_GUILD,
        autocomplete_focus="action",
    )
    await fake_discord.wait_for_call("POST /interactions/{interaction_id}/{token}/callback")
    [callback] = fake_discord.interaction_callbacks
    choices = [c["value"] for c in callback.payload["data"]["choices"]]
    assert choices[0] == "tz Asia/Shanghai"
