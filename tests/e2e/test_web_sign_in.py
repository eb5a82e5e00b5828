"""``/web`` typed in a group, over the wire, to a signed-in browser.

A member types ``/web`` in a Telegram group, uses the slash command in a Discord server
or types it in the playground; the real client libraries carry the command to Hearth and
the one-time link back to wherever the platform delivers private messages. An HTTP client
then opens the link, signs in, and uses the member page and the admin dashboard.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest
from yarl import URL

from adapters.model import Platform
from bots.app import Hearth
from bots.playground import run_playground
from bots.settings import HearthSettings
from bots.web.sessions import COOKIE_NAME
from memory.embedder import Embedder
from tests.e2e.platform_drivers import DiscordDriver, TelegramDriver
from tests.e2e.two_platforms import running_hearth, two_platform_settings
from tests.fakes.discord_api import GET_MEMBER, MANAGE_GUILD, MEMBER_PERMISSIONS, FakeDiscord
from tests.fakes.discord_fixtures import TestServer
from tests.fakes.telegram_api import FakeTelegramApi

pytestmark = pytest.mark.wire

LINK = re.compile(r"https?://\S+/sign-in/[\w-]+")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ADMIN_CHAT = re.compile(r'<a href="/admin/(\d+)">([^<]*)</a>')


@pytest.fixture
def settings(
    tmp_path: Path, fake_telegram: FakeTelegramApi, fake_discord: FakeDiscord
) -> HearthSettings:
    """Both platforms, and the web pages on a free port."""
    return two_platform_settings(tmp_path, fake_telegram, fake_discord, HEARTH_WEB_PORT=0)


async def wait_for(condition: Callable[[], object], what: str, timeout: float = 30) -> None:  # noqa: ASYNC109
    """Poll ``condition`` until it holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def base_url(hearth: Hearth) -> str:
    """Where the running Hearth serves its web pages."""
    assert hearth.web_server is not None
    return f"http://127.0.0.1:{hearth.web_server.port}"


def browser() -> aiohttp.ClientSession:
    """A browser of its own: keeps cookies (for 127.0.0.1 too)."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


def link_in(text: str) -> str:
    """The sign-in link in a message."""
    found = LINK.search(text)
    assert found, text
    return found.group(0)


async def sign_in(client: aiohttp.ClientSession, link: str) -> str:
    """Open the link (a button, the link kept), press the button; the member page."""
    async with client.get(link) as response:
        assert response.status == 200
        form = await response.text()
    assert 'id="sign-in"' in form and "Sign in to Hearth" in form
    assert not client.cookie_jar.filter_cookies(URL(link))  # nothing signed in by a GET
    async with client.post(link) as response:
        page = await response.text()
        assert response.status == 200, page
        assert response.url.path == "/me"
        assert COOKIE_NAME in response.history[0].cookies  # the redirect signs the browser in
    assert COOKIE_NAME in client.cookie_jar.filter_cookies(URL(link))
    assert "My Hearth" in page
    return page


def csrf_of(html: str) -> str:
    """The session's CSRF token in a page's forms."""
    found = CSRF.search(html)
    assert found, html
    return found.group(1)


async def test_telegram_web_link_arrives_privately_and_signs_in_to_member_and_admin_pages(
    settings: HearthSettings,
    tmp_path: Path,
    embedder: Embedder,
    fake_telegram: FakeTelegramApi,
) -> None:
    telegram = TelegramDriver(fake_telegram)
    group = telegram.chat["id"]
    telegram.make_admin("carol")
    async with running_hearth(settings, embedder, tmp_path) as hearth:
        await fake_telegram.wait_for_call("getUpdates", timeout=20)
        await wait_for(lambda: Platform.TELEGRAM in hearth.admin_checkers, "Telegram connected")
        base = base_url(hearth)
        await telegram.post("carol", "Who is up for the ridge trail on Saturday?")
        await telegram.post("bob", "Count me in for the ridge trail")
        # Carol never pressed Start in a private chat with Hearth: Telegram refuses, and
        # the group is told so without the link.
        await telegram.command("carol", "web")
        [note] = await fake_telegram.wait_for_sent(1, timeout=30)
        assert note.chat_id == group and "couldn't message you privately" in note.text
        assert "/sign-in/" not in note.text
        for who in ("carol", "bob"):
            fake_telegram.allow_private(telegram.users[who]["id"])
        await telegram.command("carol", "web")
        carol_says = (await fake_telegram.wait_for_sent(2, timeout=30))[-1]
        assert carol_says.chat_id == telegram.users["carol"]["id"]  # her private chat
        carol_link = link_in(carol_says.text)
        assert carol_link.startswith(base + "/sign-in/")

        async with browser() as carol:
            page = await sign_in(carol, carol_link)
            assert "Hikers" in page and 'id="admin-link"' in page
            async with carol.get(base + "/admin") as response:
                listing = await response.text()
            assert response.status == 200, listing
            assert [name for _, name in ADMIN_CHAT.findall(listing)] == ["Hikers"]
            asked = fake_telegram.calls_to("getChatMember")
            assert {str(call.params["user_id"]) for call in asked} == {telegram.user_id("carol")}
            [(chat_id, _)] = ADMIN_CHAT.findall(listing)
            async with carol.get(f"{base}/admin/{chat_id}") as response:
                dashboard = await response.text()
            assert response.status == 200 and "Hikers" in dashboard
            form = {"setting": "assistant", "value": "off", "csrf_token": csrf_of(dashboard)}
            async with carol.post(f"{base}/admin/{chat_id}/settings", data=form) as response:
                assert response.status == 200 and "Saved." in await response.text()
            assert not (await hearth.storage.chat_settings(int(chat_id))).assistant_enabled
            form["csrf_token"] = "forged"
            form["value"] = "on"
            async with carol.post(f"{base}/admin/{chat_id}/settings", data=form) as response:
                assert response.status == 403
            assert not (await hearth.storage.chat_settings(int(chat_id))).assistant_enabled

        async with browser() as stranger, stranger.post(carol_link) as again:
            assert again.status == 410 and "already used" in await again.text()

        await telegram.command("bob", "web")
        sent = await fake_telegram.wait_for_sent(3, timeout=30)
        bob_says = sent[-1]
        assert bob_says.chat_id == telegram.users["bob"]["id"]
        bob_link = link_in(bob_says.text)
        assert bob_link != carol_link
        async with browser() as bob:
            page = await sign_in(bob, bob_link)
            assert "Hikers" in page and 'id="admin-link"' not in page
            async with bob.get(f"{base}/admin/{chat_id}") as response:
                assert response.status == 403
                assert "can see its dashboard (Hikers)" in await response.text()
            async with bob.get(base + "/admin") as response:
                assert response.status == 403
            async with bob.post(bob_link) as response:
                assert response.status == 410  # used once already, by Bob himself

    in_group = [m for m in fake_telegram.sent_messages if m.chat_id == group]
    assert not any("/sign-in/" in m.text for m in in_group)
    assert not any("/sign-in/" in text for _, _, text in fake_telegram.edited_messages)


def discord_links(fake: FakeDiscord, *, private: bool) -> list[str]:
    """Sign-in links Hearth sent on Discord, in order: those only the member sees
    (ephemeral followups, direct messages) or those posted for all (``private=False``)."""
    sent = [(int(f.message["id"]), f.content, f.ephemeral) for f in fake.followups]
    sent += [
        (m.message_id, m.content, m.channel_id in fake.dm_channels) for m in fake.sent_messages
    ]
    return [
        link_in(text)
        for _, text, only_member in sorted(sent)
        if only_member == private and "/sign-in/" in text
    ]


async def test_discord_web_command_answers_privately_and_signs_in(
    settings: HearthSettings,
    tmp_path: Path,
    embedder: Embedder,
    fake_discord: FakeDiscord,
    discord_server: TestServer,
) -> None:
    discord = DiscordDriver(fake_discord, discord_server)
    async with running_hearth(settings, embedder, tmp_path, discord_first=True) as hearth:
        await fake_discord.wait_until_identified(timeout=20)
        await wait_for(lambda: Platform.DISCORD in hearth.admin_checkers, "Discord connected")
        base = base_url(hearth)
        await discord.post("carol", "Seed swap on Sunday at the community garden?")
        await discord.post("alice", "I'll bring tomato seedlings to the swap")
        for who, answers in (("carol", 1), ("alice", 2)):
            # Carol has Manage Server through her Staff role; the interaction carries it too.
            await fake_discord.use_command(
                "web",
                user=discord.users[who],
                channel_id=discord_server.general,
                permissions=MEMBER_PERMISSIONS | (MANAGE_GUILD if who == "carol" else 0),
            )
            await wait_for(
                lambda n=answers: len(discord_links(fake_discord, private=True)) >= n,  # type: ignore[misc]
                f"{who}'s link",
            )

        carol_link, alice_link = discord_links(fake_discord, private=True)
        # /web is a personal command: its answer is a followup only the member sees.
        followups = [f for f in fake_discord.followups if "/sign-in/" in f.content]
        assert [link_in(f.content) for f in followups] == [carol_link, alice_link]
        assert all(f.ephemeral for f in followups)
        assert not discord_links(fake_discord, private=False)

        async with browser() as carol:
            page = await sign_in(carol, carol_link)
            assert "general" in page and 'id="admin-link"' in page
            async with carol.get(base + "/admin") as response:
                listing = await response.text()
            assert response.status == 200, listing
            [(chat_id, name)] = ADMIN_CHAT.findall(listing)
            assert name.endswith("general")
            # Discord was asked for Carol as a member now (her Staff role has Manage Server).
            asked = [call.path for call in fake_discord.calls_to(GET_MEMBER)]
            assert any(path.endswith(f"/members/{discord_server.carol['id']}") for path in asked)
            async with carol.get(f"{base}/admin/{chat_id}") as response:
                dashboard = await response.text()
            assert response.status == 200
            form = {"setting": "assistant", "value": "off", "csrf_token": csrf_of(dashboard)}
            async with carol.post(f"{base}/admin/{chat_id}/settings", data=form) as response:
                assert response.status == 200 and "Saved." in await response.text()
            assert not (await hearth.storage.chat_settings(int(chat_id))).assistant_enabled

        async with browser() as alice:
            page = await sign_in(alice, alice_link)
            assert "general" in page and 'id="admin-link"' not in page
            async with alice.get(f"{base}/admin/{chat_id}") as response:
                assert response.status == 403
            async with alice.post(carol_link) as response:
                assert response.status == 410


async def test_playground_web_link_signs_in_while_the_playground_runs(
    tmp_path: Path,
    embedder: Embedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HEARTH_LANGUAGE", "en")  # the playground's own lines in English
    settings = HearthSettings(HEARTH_DATA_DIR=tmp_path, HEARTH_WEB_PORT=0)
    hearth = await Hearth.build(settings, embedder=embedder)
    reading, writing = os.pipe()
    typed = os.fdopen(reading, encoding="utf-8")
    printed = io.StringIO()
    playground = asyncio.create_task(
        run_playground(hearth, demo=False, input_stream=typed, output=printed)
    )
    try:
        await wait_for(lambda: "Member pages: http://127.0.0.1:" in printed.getvalue(), "banner")
        os.write(writing, b"alice: Anyone up for the ridge trail on Saturday?\nalice: /web\n")
        await wait_for(lambda: "/sign-in/" in printed.getvalue(), "the sign-in link")
        link = link_in(printed.getvalue())
        base = base_url(hearth)
        assert (
            link.startswith(base + "/sign-in/") and f"Member pages: {base}/" in printed.getvalue()
        )
        async with browser() as alice:
            page = await sign_in(alice, link)
            assert "Alice (playground)" in page and 'id="admin-link"' in page
            async with alice.get(base + "/me") as response:
                assert response.status == 200
                assert "Hearth demo group" in await response.text()
            async with alice.get(base + "/admin") as response:
                listing = await response.text()
            assert response.status == 200
            assert [name for _, name in ADMIN_CHAT.findall(listing)] == ["Hearth demo group"]
        async with browser() as stranger, stranger.post(link) as again:
            assert again.status == 410
    finally:
        os.close(writing)
        async with asyncio.timeout(30):
            await playground
        typed.close()
        await hearth.close()
