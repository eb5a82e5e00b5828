"""The member page's timeline: the chat digests that featured the member, over HTTP.

Bob and Alice talk in Bob's chat and an admin posts ``/digest now``; Bob's timeline then
shows how the digest featured him, newest first, in English and Chinese, and his data export
holds the record. Carol, whom no digest featured, sees none of it.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import replace

import aiohttp

from tests.support import RecordingSender, command, message
from tests.web.conftest import WebWorld
from tests.web.test_web_pages import csrf_of, sign_in

DECISION = "We decided: Fern Creek hike, meet at the trailhead at 8am"
DAY = r"\w{3} \d{1,2} \w{3} \d{4}"


async def _digest_featuring_bob(world: WebWorld) -> None:
    router, sender = world.hearth.router, RecordingSender()
    for who, text, minutes in (
        ("alice", "Shall we hike Fern Creek on Saturday?", 300),
        ("bob", "Yes! Fern Creek hike on Saturday works for me", 290),
        ("bob", DECISION, 280),
        ("alice", "Trail map for the hike: https://example.org/fern-creek-map", 270),
        ("bob", "Does anyone know a good sourdough recipe?", 200),
    ):
        await router.handle(message(who, text, minutes_ago=minutes), sender)
    async with asyncio.timeout(60):
        await world.hearth.worker.drain()
    await router.handle(replace(command("alice", "digest", "now"), sender_is_admin=True), sender)
    assert any("Fern Creek" in text for text in sender.texts())


def _timeline(page: str) -> list[str]:
    found = re.search(r'<ol class="timeline" id="timeline".*?</ol>', page, re.S)
    assert found, page
    return re.findall(r"<li class=\"(\w+)\">(.*?)</li>", found.group(0), re.S)  # type: ignore[return-value]


async def test_my_timeline_shows_the_digests_that_featured_me(
    world: WebWorld, client: aiohttp.ClientSession
) -> None:
    await _digest_featuring_bob(world)
    page = await sign_in(world, client)
    entries = _timeline(page)
    kinds = [kind for kind, _ in entries]
    digest = [body for kind, body in entries if kind == "digest"]
    assert kinds[: len(digest)] == ["digest"] * len(digest)  # the newest, before the rest
    assert "twin" in kinds[len(digest) :]  # the fixture's twin answer, older
    shown = "\n".join(digest)
    assert re.search(
        rf"Featured in the digest of Test group on {DAY}: your decision “{DECISION}”", shown
    )
    assert re.search(
        rf"Featured in the digest of Test group on {DAY}: your open question "
        "“Does anyone know a good sourdough recipe\\?”",
        shown,
    )
    assert re.search(rf"Featured in the digest of Test group on {DAY}: topic ", shown)
    assert "the link you shared" not in shown  # Alice shared the map, not Bob
    assert 'href="https://t.me/' in shown

    async with client.get(world.base_url + "/me/export") as response:
        exported = json.loads(await response.text())["digest_features"]
    assert {row["account"] for row in exported} == {world.bob}
    assert {"decision", "question", "topic"} <= {row["kind"] for row in exported}
    assert any(row["title"] == DECISION for row in exported)

    async with client.post(
        world.base_url + "/language", data={"language": "zh", "csrf_token": csrf_of(page)}
    ) as response:
        chinese = "\n".join(
            body for kind, body in _timeline(await response.text()) if kind == "digest"
        )
    assert re.search(
        rf"\d{{4}}年\d{{1,2}}月\d{{1,2}}日 周.「Test group」的摘要提到了你：你的决定“{DECISION}”",
        chinese,
    )
    assert "Featured in the digest" not in chinese


async def test_a_member_no_digest_featured_sees_none(
    world: WebWorld, client: aiohttp.ClientSession
) -> None:
    await _digest_featuring_bob(world)
    page = await sign_in(world, client, "carol")
    assert not [kind for kind, _ in _timeline(page) if kind == "digest"]
    assert "Featured in the digest" not in page and DECISION not in page
    async with client.get(world.base_url + "/me/export") as response:
        assert json.loads(await response.text())["digest_features"] == []
