"""The web pages over real HTTP: sign-in links, CSRF, privacy, and the member's actions."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from bots.app import Hearth
from bots.settings import HearthSettings
from bots.storage.web_store import WebStore
from bots.web.sign_in import SignInLinks
from memory.edge_store import EdgeMemoryStore
from tests.support import GROUP, RecordingSender, command
from tests.web.conftest import WebWorld

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def sign_in(world: WebWorld, client: aiohttp.ClientSession, who: str = "bob") -> str:
    """Sign ``who`` in with a fresh /web link; the member page's HTML."""
    link = await world.sign_in_link(who)
    async with client.get(link) as response:
        assert response.status == 200
        assert "Sign in to Hearth" in await response.text()
    async with client.post(link) as response:
        assert response.status == 200, await response.text()
        assert str(response.url).endswith("/me")
        return await response.text()


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, html
    return found.group(1)


async def test_web_link_signs_in_once_and_shows_only_my_chats(
    world: WebWorld, client: aiohttp.ClientSession
) -> None:
    link = await world.sign_in_link()
    assert link.startswith(world.base_url + "/sign-in/")
    async with client.post(link) as response:
        page = await response.text()
    assert response.status == 200
    assert "Test group" in page and "Fern Creek" in page
    assert "Other group" not in page and "Peanuts" not in page and "peanuts" not in page
    cookie = response.history[0].headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    async with aiohttp.ClientSession() as stranger, stranger.post(link) as again:
        assert again.status == 410
        assert "already used" in await again.text()


async def test_expired_and_unknown_links_are_refused(
    world: WebWorld, client: aiohttp.ClientSession
) -> None:
    links = SignInLinks(WebStore(world.hearth.storage.engine), world.base_url)
    stale = await links.new_link(world.bob, now=datetime.now(UTC) - timedelta(minutes=11))
    async with client.post(stale) as response:
        assert response.status == 410
        assert "expired" in await response.text()
    async with client.post(world.base_url + "/sign-in/made-up-token") as response:
        assert response.status == 404
        assert "not valid" in await response.text()
    async with client.get(world.base_url + "/me") as response:
        assert response.status == 401  # still signed out


async def test_forms_without_the_session_csrf_token_are_refused(
    world: WebWorld, client: aiohttp.ClientSession
) -> None:
    page = await sign_in(world, client)
    token = csrf_of(page)
    for form in ({"action": "off"}, {"action": "off", "csrf_token": "forged"}):
        async with client.post(world.base_url + "/me/twin", data=form) as response:
            assert response.status == 403
            assert "Form refused" in await response.text()
    assert (await world.hearth.storage.profile(world.bob)).twin_active
    form = {"action": "off", "csrf_token": token}
    async with client.post(world.base_url + "/me/twin", data=form) as response:
        assert response.status == 200
        assert "Your twin is off everywhere" in await response.text()
    assert not (await world.hearth.storage.profile(world.bob)).twin_active


async def test_confirm_correct_and_delete_go_through_the_owner_review(
    world: WebWorld, client: aiohttp.ClientSession
) -> None:
    token = csrf_of(await sign_in(world, client))
    url = f"{world.base_url}/me/answers/{world.bob_answer}"
    async with client.post(url, data={"action": "confirm", "csrf_token": token}) as response:
        assert f"Confirmed #{world.bob_answer}." in await response.text()
    form = {"action": "correct", "correction": "Try Fern Creek early", "csrf_token": token}
    async with client.post(url, data=form) as response:
        assert "is corrected" in await response.text()
    view = await world.hearth.storage.twin_reply(world.bob_answer)
    assert view is not None and view.review == "corrected"
    assert view.correction == "Try Fern Creek early"
    # Carol's twin's answer is not Bob's to touch.
    other = f"{world.base_url}/me/answers/{world.carol_answer}"
    async with client.post(other, data={"action": "delete", "csrf_token": token}) as response:
        assert f"has no answer #{world.carol_answer}" in await response.text()
    carol_view = await world.hearth.storage.twin_reply(world.carol_answer)
    assert carol_view is not None and carol_view.review == "unreviewed"
    async with client.post(url, data={"action": "delete", "csrf_token": token}) as response:
        assert f"Marked #{world.bob_answer} as deleted" in await response.text()


async def test_export_holds_my_data_and_nobody_elses(
    world: WebWorld, client: aiohttp.ClientSession
) -> None:
    await sign_in(world, client)
    async with client.get(world.base_url + "/me/export") as response:
        assert response.status == 200
        assert "attachment" in response.headers["Content-Disposition"]
        data = json.loads(await response.text())
    texts = [m["text"] for m in data["messages"]]
    assert "Fern Creek is the best beginner trail" in texts
    assert all("peanuts" not in text for text in texts)
    assert [a["number"] for a in data["twin_answers"]] == [world.bob_answer]
    assert data["chat_settings"][0]["twin_enabled"] is True


async def test_another_members_chat_cannot_be_forgotten_or_changed(
    world: WebWorld, client: aiohttp.ClientSession
) -> None:
    token = csrf_of(await sign_in(world, client))
    form = {"chat": str(world.carol_chat), "confirm": "yes", "csrf_token": token}
    async with client.post(world.base_url + "/me/forget", data=form) as response:
        assert "not one of yours" in await response.text()
    for form in (
        {"chat": str(world.carol_chat), "note": "hi", "csrf_token": token},
        {"chat": str(world.carol_chat), "action": "on", "csrf_token": token},
    ):
        path = "/me/note" if "note" in form else "/me/twin"
        async with client.post(world.base_url + path, data=form) as response:
            assert "not one of yours" in await response.text()
    storage = world.hearth.storage
    assert await storage.count_messages(chat_id=world.carol_chat, member_id=world.carol) == 1
    assert not await storage.twin_enabled(world.carol_chat, world.bob)


async def test_note_and_forget_my_chat(world: WebWorld, client: aiohttp.ClientSession) -> None:
    token = csrf_of(await sign_in(world, client))
    form = {"chat": str(world.bob_chat), "note": "I lead the Sunday hikes", "csrf_token": token}
    async with client.post(world.base_url + "/me/note", data=form) as response:
        page = await response.text()
    assert "Saved." in page and "I lead the Sunday hikes" in page
    form = {"chat": str(world.bob_chat), "csrf_token": token}
    async with client.post(world.base_url + "/me/forget", data=form) as response:
        assert "Nothing was deleted" in await response.text()
    assert await world.hearth.storage.count_messages(chat_id=world.bob_chat, member_id=world.bob)
    form["confirm"] = "yes"
    async with client.post(world.base_url + "/me/forget", data=form) as response:
        page = await response.text()
    assert "deleted 2 of your messages" in page
    assert not await world.hearth.storage.count_messages(
        chat_id=world.bob_chat, member_id=world.bob
    )
    async with client.get(world.base_url + "/me") as response:
        assert response.status == 401  # Bob's only account is gone with his last chat


async def test_forged_cookie_and_language_switch(
    world: WebWorld, client: aiohttp.ClientSession
) -> None:
    token = csrf_of(await sign_in(world, client))
    async with client.post(
        world.base_url + "/language", data={"language": "zh", "csrf_token": token}
    ) as response:
        page = await response.text()
    assert '<html lang="zh-Hans">' in page and "我的 Hearth" in page
    async with (
        aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True), cookies={"hearth_session": "e30.forged"}
        ) as forger,
        forger.get(world.base_url + "/me") as response,
    ):
        assert response.status == 401


async def test_web_command_says_when_the_pages_are_off(
    tmp_path: Path, database_url: str, embedder
) -> None:  # type: ignore[no-untyped-def]
    settings = HearthSettings(HEARTH_DATA_DIR=tmp_path, DATABASE_URL=database_url)
    memory = EdgeMemoryStore(tmp_path / "edge", embedder.dimension)
    hearth = await Hearth.build(settings, embedder=embedder, memory=memory)
    try:
        assert hearth.web_server is None
        sender = RecordingSender()
        await hearth.router.handle(command("bob", "web", chat=GROUP), sender)
    finally:
        await hearth.close()
    assert sender.replies[-1].private
    assert "not switched on" in sender.texts()[-1]
