"""The reputation section of the member page over real HTTP: figures, rules, privacy."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime

import aiohttp

from adapters.model import Message, ReactionEvent
from bots.reputation import PER_GIVER_CAP, WEIGHTS, Signal
from tests.support import RecordingSender, command, member, message
from tests.web.conftest import WebWorld
from tests.web.test_web_pages import csrf_of, sign_in

SECTION = re.compile(r'<section id="reputation".*?</section>', re.DOTALL)


def section(page: str) -> str:
    found = SECTION.search(page)
    assert found, page
    return found.group(0)


def figures(html: str, signal: Signal) -> tuple[int, int]:
    row = re.search(
        rf'<tr class="signal-{signal.value}">.*?<td class="count">(\d+)</td>'
        rf'<td class="points">(\d+)</td>',
        html,
        re.DOTALL,
    )
    assert row, html
    return int(row.group(1)), int(row.group(2))


async def recognise_bob(world: WebWorld) -> None:
    """Alice thanks Bob and reacts once, Carol reacts once, Dave reacts to ten posts."""
    router, sender = world.hearth.router, RecordingSender()
    posts: list[Message] = []
    for n in range(10):
        posts.append(message("bob", f"Trail tip {n}: bring water"))
        await router.handle(posts[-1], sender)
    thanks = replace(
        message("alice", "Thanks, that helped a lot!"),
        reply_to_message_id=posts[0].platform_message_id,
    )
    await router.handle(thanks, sender)

    def react(who: str, on: Message) -> ReactionEvent:
        return ReactionEvent(
            on.chat, member(who), on.platform_message_id, "👍", added=True, at=datetime.now(UTC)
        )

    await router.handle(react("alice", posts[0]), sender)
    await router.handle(react("carol", posts[1]), sender)
    for each in posts:
        await router.handle(react("dave", each), sender)
    await router.handle(react("bob", posts[2]), sender)  # his own: nothing


async def test_the_member_page_shows_reputation_figures_and_rules(
    world: WebWorld, client: aiohttp.ClientSession
) -> None:
    await recognise_bob(world)
    page = await sign_in(world, client)
    html = section(page)

    reaction_points = WEIGHTS[Signal.REACTION] * 2 + PER_GIVER_CAP  # Alice, Carol, Dave capped
    expected = WEIGHTS[Signal.THANKS] + reaction_points
    assert "Test group" in html
    assert f"Score: {expected} points" in html
    assert "recognised by 3 members" in html
    assert figures(html, Signal.THANKS) == (1, WEIGHTS[Signal.THANKS])
    assert figures(html, Signal.REACTION) == (12, reaction_points)
    assert figures(html, Signal.CONFIRMED_ANSWER) == (0, 0)
    assert figures(html, Signal.ANSWERED_QUESTION) == (0, 0)
    assert "1 member reached the most one member can add" in html
    assert f"One member can add at most {PER_GIVER_CAP} points" in html
    # Totals only: nobody who gave recognition is named.
    for name in ("Alice", "Carol", "Dave"):
        assert name not in html

    async with client.post(
        world.base_url + "/language", data={"language": "zh", "csrf_token": csrf_of(page)}
    ) as response:
        chinese = section(await response.text())
    assert "我的声望" in chinese
    assert f"得分：{expected} 分" in chinese
    assert f"最多只能为你加 {PER_GIVER_CAP} 分" in chinese


async def test_the_export_has_reactions_given_and_totals_received(
    world: WebWorld, client: aiohttp.ClientSession
) -> None:
    await recognise_bob(world)
    await sign_in(world, client)
    async with client.get(world.base_url + "/me/export") as response:
        data = json.loads(await response.text())
    assert data["reactions_given"] == []
    [received] = data["reactions_received"]
    assert received["emoji"] == "👍" and received["count"] == 12
    assert received["account"] == world.bob
    assert set(received) == {"chat", "account", "emoji", "count"}  # never who gave them


async def test_forget_by_a_giver_takes_their_recognition_off_the_page(
    world: WebWorld, client: aiohttp.ClientSession
) -> None:
    await recognise_bob(world)
    sender = RecordingSender()
    await world.hearth.router.handle(command("alice", "forget"), sender)
    html = section(await sign_in(world, client))

    # Alice's thank-you reply and her reaction are gone; Carol's and Dave's stay.
    assert figures(html, Signal.THANKS) == (0, 0)
    assert figures(html, Signal.REACTION) == (11, WEIGHTS[Signal.REACTION] + PER_GIVER_CAP)
    assert "recognised by 2 members" in html
