"""Messages recovered from history after downtime: stored and searchable, but an old one
wakes no twin and does not count as the member being back."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from adapters.model import Message
from bots.app import Hearth
from bots.mention_responder import STALE_AFTER, is_stale
from tests.support import RecordingSender, command, message
from twins.labels import TWIN_MARK


@pytest.fixture
def memory_kind() -> str:
    """These flows do not depend on the memory backend; one is enough."""
    return "edge"


def recovered(original: Message) -> Message:
    return replace(original, recovered=True)


async def bob_away_with_twin(hearth: Hearth, sender: RecordingSender) -> None:
    await hearth.router.handle(
        message(
            "bob", "For beginners I recommend the Fern Creek loop, 6 km and flat", minutes_ago=120
        ),
        sender,
    )
    await hearth.router.handle(command("bob", "twin", "on"), sender)
    async with asyncio.timeout(60):
        await hearth.worker.drain()
    sender.replies.clear()


def test_only_old_recovered_messages_are_stale() -> None:
    minutes = STALE_AFTER.total_seconds() / 60
    assert is_stale(recovered(message("alice", "hi", minutes_ago=minutes + 1)))
    assert not is_stale(recovered(message("alice", "hi", minutes_ago=minutes - 1)))
    assert not is_stale(message("alice", "hi", minutes_ago=minutes * 10))


async def test_an_old_recovered_mention_is_stored_but_wakes_no_twin(hearth: Hearth) -> None:
    sender = RecordingSender()
    await bob_away_with_twin(hearth, sender)
    old_question = recovered(
        message("alice", "@bob which trail for beginners?", mentions=("bob",), minutes_ago=30)
    )
    await hearth.router.handle(old_question, sender)
    async with asyncio.timeout(60):
        await hearth.worker.drain()

    assert sender.replies == []
    assert await hearth.storage.count_messages() == 2
    assert await hearth.memory.count() == 2

    # The same question recovered a minute after it was asked is answered as usual.
    fresh_question = recovered(
        message("alice", "@bob which trail for beginners?", mentions=("bob",), minutes_ago=1)
    )
    await hearth.router.handle(fresh_question, sender)
    assert [r.rendered()[: len(TWIN_MARK)] for r in sender.replies] == [TWIN_MARK]


async def test_an_old_recovered_message_is_not_the_owner_coming_back(hearth: Hearth) -> None:
    sender = RecordingSender()
    await bob_away_with_twin(hearth, sender)
    await hearth.router.handle(
        message("alice", "@bob which trail for beginners?", mentions=("bob",)), sender
    )
    assert len(sender.replies) == 1  # the twin answered

    # Bob posted while Hearth was down; that message is recovered long after.
    await hearth.router.handle(recovered(message("bob", "I was here", minutes_ago=20)), sender)
    assert len(sender.replies) == 1

    # His next live message gets the report of what his twin said.
    await hearth.router.handle(message("bob", "back now"), sender)
    report = sender.replies[-1]
    assert report.private
    assert "which trail for beginners?" in report.text
