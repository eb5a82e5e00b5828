"""What the admin page counts of a chat's twins: answers, abstentions, rate-limit hits."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bots.app import Hearth
from bots.settings import HearthSettings
from bots.storage.admin_queries import AdminQueries
from tests.support import GROUP, RecordingSender, command, message


@pytest.fixture
def memory_kind() -> str:
    """The counts do not depend on the memory backend; one is enough."""
    return "edge"


@pytest.fixture
def settings(settings: HearthSettings) -> HearthSettings:
    """One answer per asker, two per chat."""
    return settings.model_copy(update={"twin_asker_limit": 1, "twin_chat_limit": 2})


async def test_abstentions_and_rate_limit_hits_are_recorded_per_chat(hearth: Hearth) -> None:
    sender = RecordingSender()
    await hearth.router.handle(
        message("bob", "For beginners I recommend the Fern Creek loop, 6 km", minutes_ago=120),
        sender,
    )
    await hearth.router.handle(command("bob", "twin", "on"), sender)
    async with asyncio.timeout(60):
        await hearth.worker.drain()
    for who, text in (
        ("alice", "@bob which trail for beginners?"),
        ("alice", "@bob and which one for experts?"),  # Alice's one answer is used up
        ("carol", "@bob what is the capital of Mongolia?"),  # nothing relevant
    ):
        await hearth.router.handle(message(who, text, mentions=("bob",)), sender)
    chat_id = await hearth.storage.ensure_chat(GROUP)
    queries = AdminQueries(hearth.storage.engine)
    activity = await queries.twin_activity(chat_id, datetime.now(UTC) - timedelta(days=1))
    assert (activity.answers, activity.abstentions, activity.limit_hits) == (2, 1, 1)
    later = await queries.twin_activity(chat_id, datetime.now(UTC) + timedelta(minutes=1))
    assert (later.answers, later.abstentions, later.limit_hits) == (0, 0, 0)
    # The nightly upkeep drops hits once they are old; today's stay.
    assert await hearth.storage.prune_twin_limit_hits(datetime.now(UTC) - timedelta(days=1)) == 0
    assert await hearth.storage.prune_twin_limit_hits(datetime.now(UTC) + timedelta(minutes=1)) == 1
    activity = await queries.twin_activity(chat_id, datetime.now(UTC) - timedelta(days=1))
    assert (activity.answers, activity.limit_hits) == (2, 0)
