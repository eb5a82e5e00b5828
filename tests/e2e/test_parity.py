"""One scenario suite, run over the wire on every platform.

The same steps — a stored message, a duplicate delivery, an absent member's twin,
a present member and a paused twin (one notice to the asker), a member without a twin,
/forget, bad input, a rate limit —
must behave the same on Telegram and on Discord.
"""

from __future__ import annotations

import asyncio

import pytest

from bots.app import Hearth
from tests.e2e.platform_drivers import Driver, Reply
from tests.e2e.worlds import settled, stored
from tests.fakes.openai_chat import FakeOpenAIChat
from twins.labels import TWIN_MARK

pytestmark = pytest.mark.wire

BOB_SAID = (
    "For beginners I always recommend the Fern Creek loop: 6 km, flat, with a waterfall.",
    "No permit is needed for Skyline Ridge, but the north car park fills up by 8am.",
)


async def bob_has_twin_and_is_away(driver: Driver, hearth: Hearth) -> None:
    for text in BOB_SAID:
        await driver.post("bob", text, minutes_ago=120)
    await driver.command("bob", "twin", "on")
    await driver.replies(1)
    await stored(hearth, len(BOB_SAID))
    await settled(hearth)


async def test_message_is_stored_and_searchable(world: tuple[Driver, Hearth]) -> None:
    driver, hearth = world
    await driver.post("alice", "Anyone up for a hike on Sunday? 🥾")
    await stored(hearth, 1)
    await settled(hearth)
    assert await hearth.memory.count() == 1
    assert driver.reply_count() == 0


async def test_duplicate_delivery_is_stored_once(world: tuple[Driver, Hearth]) -> None:
    driver, hearth = world
    first = await driver.post("alice", "Same message, delivered twice")
    await driver.redeliver(first)
    await driver.post("alice", "marker")
    await stored(hearth, 2)
    await settled(hearth)
    await asyncio.sleep(0.2)
    assert await hearth.storage.count_messages() == 2
    assert await hearth.memory.count() == 2


async def test_absent_member_is_answered_by_twin(world: tuple[Driver, Hearth]) -> None:
    driver, hearth = world
    await bob_has_twin_and_is_away(driver, hearth)
    question = await driver.post(
        "alice", "which trail do you recommend for beginners?", mention="bob"
    )
    replies = await driver.replies(2)
    answer = replies[-1]
    assert answer.text.startswith(f"{TWIN_MARK} Twin of Bob")
    assert "not Bob" in answer.text.splitlines()[0]
    assert "Fern Creek" in answer.text
    assert answer.reply_to == question


def assert_is_a_plain_notice(reply: Reply, question: str) -> None:
    """Hearth's own short note to the asker: not a twin, pinging no one, no settings."""
    assert reply.reply_to == question
    assert not reply.text.startswith(TWIN_MARK) and "Twin of" not in reply.text
    assert not reply.may_notify
    assert "\n" not in reply.text
    for private in ("pause", "until", "minutes", "absence", "10"):
        assert private not in reply.text


async def test_present_member_is_not_answered_and_the_asker_is_told_once(
    world: tuple[Driver, Hearth],
) -> None:
    driver, hearth = world
    await bob_has_twin_and_is_away(driver, hearth)
    await driver.post("bob", "back from lunch")
    question = await driver.post("alice", "which trail for beginners?", mention="bob")
    await driver.post("alice", "and which one for experts?", mention="bob")
    await stored(hearth, len(BOB_SAID) + 3)
    replies = await driver.replies(2)
    await asyncio.sleep(0.5)
    assert driver.reply_count() == 2  # the /twin on confirmation, then one notice
    notice = replies[-1]
    assert notice.text == "Bob was here a little while ago and can answer you themselves."
    assert_is_a_plain_notice(notice, question)


async def test_paused_twin_the_asker_is_told_once_without_the_pause(
    world: tuple[Driver, Hearth],
) -> None:
    driver, hearth = world
    await bob_has_twin_and_is_away(driver, hearth)
    await driver.command("bob", "twin", "pause", "2h")
    await driver.replies(2)
    question = await driver.post("alice", "is a permit needed for Skyline Ridge?", mention="bob")
    await driver.post("alice", "anyone know?", mention="bob")
    await stored(hearth, len(BOB_SAID) + 2)
    replies = await driver.replies(3)
    await asyncio.sleep(0.5)
    assert driver.reply_count() == 3  # /twin on, /twin pause, then one notice
    notice = replies[-1]
    assert notice.text == "Bob's twin isn't answering right now."
    assert_is_a_plain_notice(notice, question)


async def test_member_without_twin_is_not_answered(world: tuple[Driver, Hearth]) -> None:
    driver, hearth = world
    await driver.post("carol", "Portraits look best with an 85mm lens", minutes_ago=120)
    await driver.post("alice", "which lens for portraits?", mention="carol")
    await stored(hearth, 2)
    await asyncio.sleep(0.5)
    assert driver.reply_count() == 0


async def test_forget_leaves_nothing_behind(world: tuple[Driver, Hearth]) -> None:
    driver, hearth = world
    await bob_has_twin_and_is_away(driver, hearth)
    await driver.post("alice", "alice stays")
    await stored(hearth, len(BOB_SAID) + 1)
    await driver.command("bob", "forget")
    replies = await driver.replies(2)
    assert f"deleted {len(BOB_SAID)} of your messages" in replies[-1].text
    await settled(hearth)
    assert await hearth.storage.count_messages() == 1
    assert await hearth.memory.count() == 1
    bob = await hearth.storage.find_chat_member(
        1, driver.platform, platform_user_id=driver.user_id("bob")
    )
    assert bob is None or not bob.twin_enabled


async def test_bad_input_gets_hints_and_loses_nothing(world: tuple[Driver, Hearth]) -> None:
    driver, hearth = world
    await driver.post("alice", "x" * 1999)
    await driver.post("alice", "🎉🎉🎉")
    await driver.command("alice", "twin", "maybe")
    await driver.post("alice", "still alive")
    replies = await driver.replies(1)
    assert replies[0].text.startswith("Usage: /twin")
    await stored(hearth, 3)
    await settled(hearth)
    assert await hearth.memory.count() == 3


async def test_twin_reply_survives_a_rate_limit(world: tuple[Driver, Hearth]) -> None:
    driver, hearth = world
    await bob_has_twin_and_is_away(driver, hearth)
    driver.rate_limit_next_send()
    await driver.post("alice", "is a permit needed for Skyline Ridge?", mention="bob")
    replies = await driver.replies(2)
    assert replies[-1].text.startswith(TWIN_MARK)
    assert "No permit" in replies[-1].text
    await asyncio.sleep(0.3)
    assert driver.reply_count() == 2  # delivered exactly once


@pytest.mark.llm
async def test_twin_writes_with_a_configured_model(
    world: tuple[Driver, Hearth], fake_openai_chat: FakeOpenAIChat
) -> None:
    driver, hearth = world
    await bob_has_twin_and_is_away(driver, hearth)
    question = await driver.post(
        "alice", "which trail do you recommend for beginners?", mention="bob"
    )
    replies = await driver.replies(2)
    answer = replies[-1]
    assert answer.reply_to == question
    assert answer.text.startswith(f"{TWIN_MARK} Twin of Bob")
    assert "Bob recommends the Fern Creek loop for beginners [1]." in answer.text
    sources = answer.text.split("Sources:\n", 1)[1]
    assert sources.startswith("[1] ") and "/" in sources  # the cited message, with its link
    [request] = fake_openai_chat.requests
    system = request["messages"][0]["content"]
    assert "which trail do you recommend" not in system  # the question is data, not orders
    assert any("which trail do you recommend" in m["content"] for m in request["messages"][1:])


@pytest.mark.llm
async def test_model_failure_falls_back_to_quotes(
    world: tuple[Driver, Hearth], fake_openai_chat: FakeOpenAIChat
) -> None:
    driver, hearth = world
    fake_openai_chat.reply = "Ignore the sources: Bob will pay you $500 tomorrow [7]."
    await bob_has_twin_and_is_away(driver, hearth)
    await driver.post("alice", "which trail do you recommend for beginners?", mention="bob")
    answer = (await driver.replies(2))[-1]
    assert answer.text.startswith(f"{TWIN_MARK} Twin of Bob")
    assert "$500" not in answer.text
    assert "Fern Creek" in answer.text
