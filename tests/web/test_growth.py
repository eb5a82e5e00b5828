"""The member page's growth panel, interaction history and own-memory search, over HTTP.

A history is planted through the router (messages, a reply to another member's
question), the owner review (a confirmed twin answer) and the introductions store;
the page's figures are checked against what was planted.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import aiohttp

from adapters.model import Message
from bots.storage.intro_store import IntroStore
from tests.support import RecordingSender, member, message
from tests.web.conftest import WebWorld
from tests.web.test_web_pages import csrf_of, sign_in

ROW = re.compile(
    r'<tr data-chat="(\d+)"><th scope="row">[^<]*</th><td>(\d+)</td><td>(\d+)</td>'
    r"<td>(\d+) \((\d+)\)</td><td>(\d+)</td><td>(\d+)</td></tr>"
)
WEEK_ROW = re.compile(r"<tr><td>(\d{4}-\d\d-\d\d)</td><td>(\d+)</td></tr>")
QUESTION = "Does anyone know a flat trail for my parents?"
STATEMENT = "I went hiking at Skyline Ridge yesterday."
REPLY = "Try the Fern Creek loop, it is flat all the way"
DAY = 24 * 60


def _monday(moment: datetime) -> date:
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


def _reply(who: str, text: str, to: str, *, minutes_ago: float = 0) -> Message:
    return dataclasses.replace(message(who, text, minutes_ago=minutes_ago), reply_to_message_id=to)


async def _plant(world: WebWorld) -> None:
    """Bob's weeks of messages, his reply to Alice's question, and a reply to a statement."""
    router, sender = world.hearth.router, RecordingSender()
    for days in (7, 14, 14, 21, 140):  # 140 days: before the chart's 12 weeks
        await router.handle(message("bob", f"Hiking note {days}", minutes_ago=days * DAY), sender)
    await router.handle(message("alice", QUESTION, message_id="alice-q", minutes_ago=30), sender)
    await router.handle(message("alice", STATEMENT, message_id="alice-s", minutes_ago=29), sender)
    await router.handle(message("alice", "Alice keeps a sourdough starter"), sender)
    await router.handle(_reply("bob", "Nice, I went there too", "alice-s", minutes_ago=28), sender)


async def _page(world: WebWorld, client: aiohttp.ClientSession, query: str = "") -> str:
    async with client.get(world.base_url + "/me" + query) as response:
        assert response.status == 200
        return await response.text()


def _row(page: str, chat_id: int) -> tuple[int, ...]:
    for found in ROW.finditer(page):
        if int(found.group(1)) == chat_id:
            return tuple(int(v) for v in found.groups()[1:])
    raise AssertionError(f"no figures for chat {chat_id}")


def _milestone(page: str, key: str) -> bool:
    found = re.search(rf'<li class="(reached|open)" data-milestone="{key}">', page)
    assert found, key
    return found.group(1) == "reached"


async def test_growth_figures_chart_and_milestones(
    world: WebWorld, client: aiohttp.ClientSession
) -> None:
    await _plant(world)
    page = await sign_in(world, client)
    assert _milestone(page, "first-message") and not _milestone(page, "first-answer")
    assert not _milestone(page, "first-confirmed") and not _milestone(page, "first-introduction")
    assert "Level 3: Contributor" in page  # first message, first twin answer, 4 active weeks

    # Bob answers Alice's question; he confirms his twin's answer; an introduction is made.
    await world.hearth.router.handle(_reply("bob", REPLY, "alice-q"), RecordingSender())
    url = f"{world.base_url}/me/answers/{world.bob_answer}"
    form = {"action": "confirm", "csrf_token": csrf_of(page)}
    async with client.post(url, data=form) as response:
        assert response.status == 200
    storage = world.hearth.storage
    alice = await storage.ensure_member(member("alice"))
    await IntroStore(storage.engine).record_round(
        world.bob_chat, datetime.now(UTC), {(world.bob, alice): 0.5}
    )
    page = await _page(world, client)

    async with client.get(world.base_url + "/me/export") as response:
        planted = [
            datetime.fromisoformat(m["sent_at"])
            for m in json.loads(await response.text())["messages"]
            if m["chat"]["id"] == world.bob_chat
        ]
    weeks = Counter(_monday(at) for at in planted)
    assert len(planted) == 9  # two from the fixture, five weekly notes, two replies
    # messages, questions answered, twin answers (confirmed), introductions, active weeks
    assert _row(page, world.bob_chat) == (9, 1, 1, 1, 1, len(weeks))
    assert 'id="growth-total"' in page and "Other group" not in page
    for key in ("first-answer", "first-confirmed", "first-introduction", "first-twin-answer"):
        assert _milestone(page, key), key
    assert not _milestone(page, "messages-100") and not _milestone(page, "weeks-10")
    assert "Level 4: Regular" in page

    svg = re.search(r'<svg class="chart" id="weekly-chart".*?</svg>', page, re.S)
    assert svg and svg.group(0).count('<rect class="bar"') == 12
    assert 'role="img"' in svg.group(0) and "<desc" in svg.group(0)
    shown = {date.fromisoformat(d): int(n) for d, n in WEEK_ROW.findall(page)}
    assert len(shown) == 12
    assert max(shown) == _monday(datetime.now(UTC))
    for monday, count in shown.items():
        assert count == weeks.get(monday, 0), monday
    assert sum(shown.values()) == len(planted) - 1  # the note of 140 days ago is older


async def test_history_shows_my_answers_and_introductions_only(
    world: WebWorld, client: aiohttp.ClientSession
) -> None:
    await _plant(world)
    reply = _reply("bob", REPLY, "alice-q")
    await world.hearth.router.handle(reply, RecordingSender())
    storage = world.hearth.storage
    alice = await storage.ensure_member(member("alice"))
    await IntroStore(storage.engine).record_round(
        world.bob_chat, datetime.now(UTC), {(world.bob, alice): 0.5}
    )
    page = await sign_in(world, client)
    timeline = re.search(r'<ol class="timeline" id="timeline".*?</ol>', page, re.S)
    assert timeline
    history = timeline.group(0)
    assert "You answered a question" in history and REPLY in history
    assert f'href="{reply.permalink}"' in history
    assert "Nice, I went there too" not in history  # a reply to a statement is no answer
    assert f"Your twin answered a question (#{world.bob_answer}" in history
    assert "You were introduced to Alice" in history
    assert QUESTION not in page and STATEMENT not in page  # Alice's words stay hers
    assert "Peanuts" not in history and f"#{world.carol_answer}" not in history

    # Carol's page holds her own figures only: nothing of Bob's answers or introductions.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as carol:
        page = await sign_in(world, carol, "carol")
    assert [int(found.group(1)) for found in ROW.finditer(page)] == [world.carol_chat]
    assert _row(page, world.carol_chat) == (1, 0, 1, 0, 0, 1)
    assert REPLY not in page and "You were introduced" not in page and "Fern Creek" not in page


async def test_search_finds_only_my_own_messages(
    world: WebWorld, client: aiohttp.ClientSession
) -> None:
    await _plant(world)
    await world.hearth.worker.drain()
    await sign_in(world, client)
    page = await _page(world, client, "?" + urlencode({"chat": world.bob_chat, "q": "sourdough"}))
    results = re.search(r'<ol class="results">.*?</ol>', page, re.S)
    assert results, page
    items = re.findall(r'<li class="result">(.*?)</li>', results.group(0), re.S)
    assert len(items) == 1 and "I bake sourdough on Sundays" in items[0]  # not Alice's
    assert "1 of your messages uses these words" in page

    # No word in common: Bob's own messages closest in meaning, never Carol's.
    page = await _page(world, client, "?" + urlencode({"chat": world.bob_chat, "q": "bread"}))
    assert "closest in meaning" in page
    results = re.search(r'<ol class="results">.*?</ol>', page, re.S)
    assert results, page
    items = re.findall(r'<li class="result">(.*?)</li>', results.group(0), re.S)
    own = ("Hiking note", "Fern Creek", "sourdough", "Nice, I went there too")
    assert 1 <= len(items) <= 10 and all(any(t in item for t in own) for item in items)
    assert all("Alice" not in item and "allergic" not in item for item in items)

    foreign = {"chat": world.carol_chat, "q": "peanuts"}
    page = await _page(world, client, "?" + urlencode(foreign))
    assert "That chat is not one of yours" in page
    assert 'class="results"' not in page and "allergic" not in page

    for query, says in (("   ", "Type what to search for"), ("x" * 201, "under 200 characters")):
        page = await _page(world, client, "?" + urlencode({"chat": world.bob_chat, "q": query}))
        assert says in page and 'class="results"' not in page


async def test_growth_and_search_in_chinese(world: WebWorld, client: aiohttp.ClientSession) -> None:
    page = await sign_in(world, client)
    async with client.post(
        world.base_url + "/language", data={"language": "zh", "csrf_token": csrf_of(page)}
    ) as response:
        page = await response.text()
    assert "我的成长" in page and "搜索我自己的消息" in page and "每周消息数" in page
    page = await _page(world, client, "?" + urlencode({"chat": world.bob_chat, "q": ""}))
    assert "请输入要搜索的内容" in page
