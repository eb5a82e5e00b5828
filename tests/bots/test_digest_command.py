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
    assert sender.texts() == ["Sorry, only this chat's admins can ask for a digest."]
    await hearth.router.handle(
        replace(command("carol", "digest", "weekly"), sender_is_admin=True), sender
    )
    assert sender.texts()[-1] == "Usage: /digest now | /digest preview"


async def test_a_quiet_day_says_so(hearth: Hearth) -> None:
    sender = RecordingSender()
    await hearth.router.handle(
        replace(command("carol", "digest", "now"), sender_is_admin=True), sender
    )
    assert len(sender.replies) == 1
    assert len(sender.texts()[0]) < 300
