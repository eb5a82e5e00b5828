"""What the router passes back when a message cannot be stored, and the size limit."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.model import Platform
from adapters.ports import EventRejected, StoreUnavailable
from bots.app import Hearth
from bots.settings import HearthSettings
from memory.edge_store import EdgeMemoryStore
from tests.support import RecordingSender, message


@pytest.fixture
async def sqlite_hearth(tmp_path: Path, embedder) -> AsyncIterator[Hearth]:  # type: ignore[no-untyped-def]
    """A Hearth whose SQLite file lives in its own folder (so the folder can vanish)."""
    settings = HearthSettings(
        HEARTH_DATA_DIR=tmp_path,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'db' / 'hearth.db'}",
        HEARTH_MAX_MESSAGE_CHARS=1000,
    )
    memory = EdgeMemoryStore(tmp_path / "edge", embedder.dimension)
    app = await Hearth.build(settings, embedder=embedder, memory=memory)
    yield app
    await app.close()


async def test_database_outage_is_passed_back_and_nothing_is_lost(
    sqlite_hearth: Hearth, tmp_path: Path
) -> None:
    sender = RecordingSender()
    await sqlite_hearth.router.handle(message("alice", "before the outage"), sender)
    # The disk holding the database goes away (unmounted, moved): no connection opens.
    await sqlite_hearth.storage.engine.dispose()
    (tmp_path / "db").rename(tmp_path / "db-away")
    during = message("alice", "during the outage")
    with pytest.raises(StoreUnavailable):
        await sqlite_hearth.router.handle(during, sender)

    (tmp_path / "db-away").rename(tmp_path / "db")
    await sqlite_hearth.router.handle(during, sender)  # the adapter delivers it again
    assert await sqlite_hearth.storage.count_messages() == 2
    # Received once each: the try that storage refused is not counted.
    received = sqlite_hearth.metrics.value("hearth_updates_received_total", platform="telegram")
    assert received == 2
    assert sender.replies == []


async def test_long_message_is_stored_cut_to_the_limit(
    sqlite_hearth: Hearth, caplog: pytest.LogCaptureFixture
) -> None:
    sender = RecordingSender()
    with caplog.at_level(logging.WARNING, logger="bots.router"):
        await sqlite_hearth.router.handle(message("alice", "word " * 20_000), sender)
    member = await sqlite_hearth.storage.find_chat_member(1, Platform.TELEGRAM, username="alice")
    assert member is not None
    [text] = await sqlite_hearth.storage.member_texts(1, member.member_id)
    assert len(text) == 1000
    assert any(
        "100000 characters; storing the first 1000" in r.getMessage() for r in caplog.records
    )


async def test_a_message_that_can_never_be_stored_is_rejected(
    postgres_database: str,
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    settings = HearthSettings(HEARTH_DATA_DIR=tmp_path, DATABASE_URL=postgres_database)
    memory = EdgeMemoryStore(tmp_path / "edge", embedder.dimension)
    hearth = await Hearth.build(settings, embedder=embedder, memory=memory)
    try:
        sender = RecordingSender()
        before = await hearth.storage.count_messages()  # the database is shared by the session
        # PostgreSQL refuses an id longer than its column: retrying would fail the same way.
        with pytest.raises(EventRejected):
            await hearth.router.handle(message("alice", "odd id", message_id="x" * 100), sender)
        await hearth.router.handle(message("alice", "the next one"), sender)
        assert await hearth.storage.count_messages() == before + 1
    finally:
        await hearth.close()
