"""Resume points for catching up on chat history after a disconnection, on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from adapters.model import Chat, ChatKind, Platform
from adapters.ports import StoredHistory
from bots.storage.database import create_engine, migrate
from bots.storage.repository import Storage
from tests.support import member, message

GENERAL = Chat(Platform.DISCORD, "9001", ChatKind.GROUP, "general")
LOUNGE = Chat(Platform.DISCORD, "9002", ChatKind.GROUP, "lounge")
QUIET = Chat(Platform.DISCORD, "9003", ChatKind.GROUP, "quiet")
DM = Chat(Platform.DISCORD, "9004", ChatKind.PRIVATE, "Alice")
TELEGRAM = Chat(Platform.TELEGRAM, "-100", ChatKind.GROUP, "elsewhere")
ALICE = member("alice", platform=Platform.DISCORD)


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[Storage]:
    engine = create_engine(database_url)
    await migrate(engine)
    store = Storage(engine)
    yield store
    await store.close()


async def store(storage: Storage, chat: Chat, message_id: str, minutes_ago: float) -> None:
    sender = ALICE if chat.platform is Platform.DISCORD else member("alice")
    await storage.ingest_message(
        message(sender, "hi", chat=chat, message_id=message_id, minutes_ago=minutes_ago)
    )


def since(days: float = 7) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


async def test_resume_after_the_newest_message_of_recent_active_group_chats(
    storage: Storage,
) -> None:
    history: StoredHistory = storage
    # Stored out of order: the newest by time was stored first (as a live message can be).
    await store(storage, GENERAL, "300", minutes_ago=1)
    await store(storage, GENERAL, "100", minutes_ago=30)
    await store(storage, GENERAL, "200", minutes_ago=20)
    await store(storage, LOUNGE, "50", minutes_ago=60)
    await store(storage, QUIET, "7", minutes_ago=60 * 24 * 10)
    await store(storage, TELEGRAM, "5", minutes_ago=1)
    await storage.ensure_chat(DM)
    gone = Chat(Platform.DISCORD, "9005", ChatKind.GROUP, "left")
    await store(storage, gone, "60", minutes_ago=5)
    await storage.set_chat_active(gone, False)

    points = await history.begin_catch_up(Platform.DISCORD, since=since())

    assert [(p.chat, p.after_message_id) for p in points] == [(GENERAL, "300"), (LOUNGE, "50")]
    assert datetime.now(UTC) - points[0].last_stored_at < timedelta(minutes=2)


async def test_a_catch_up_cut_short_resumes_from_the_same_point(storage: Storage) -> None:
    await store(storage, GENERAL, "100", minutes_ago=30)
    [first] = await storage.begin_catch_up(Platform.DISCORD, since=since())
    assert first.after_message_id == "100"

    # A live message arrives while catching up, then the process dies before it finishes.
    await store(storage, GENERAL, "900", minutes_ago=0)
    [again] = await storage.begin_catch_up(Platform.DISCORD, since=since())
    assert again.after_message_id == "100"
    assert await storage.catch_up_points(Platform.DISCORD) == [("9001", "100")]

    await storage.catch_up_done(GENERAL)
    [after_done] = await storage.begin_catch_up(Platform.DISCORD, since=since())
    assert after_done.after_message_id == "900"


async def test_points_of_chats_outside_the_window_are_dropped(storage: Storage) -> None:
    await store(storage, GENERAL, "100", minutes_ago=60 * 24 * 3)
    await storage.begin_catch_up(Platform.DISCORD, since=since())
    assert await storage.catch_up_points(Platform.DISCORD) == [("9001", "100")]

    assert await storage.begin_catch_up(Platform.DISCORD, since=since(days=1)) == []
    assert await storage.catch_up_points(Platform.DISCORD) == []
