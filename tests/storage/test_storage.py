"""The repository and migrations on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from adapters.model import Platform
from bots.storage.database import create_engine, downgrade, migrate
from bots.storage.repository import Storage
from bots.storage.tables import Base
from tests.support import GROUP, OTHER_GROUP, member, message

OUTSIDE_MODELS = {"hearth_run_leases", "hearth_scheduled_jobs"}


def include_object(obj: object, name: str | None, type_: str, *_: object) -> bool:
    """The scheduler's own tables are not part of the models."""
    table = getattr(obj, "table", None)
    return (name if type_ == "table" else getattr(table, "name", None)) not in OUTSIDE_MODELS


@pytest.fixture
async def storage(database_url: str):  # type: ignore[no-untyped-def]
    store = Storage(create_engine(database_url))
    yield store
    await store.close()


async def test_migrations_match_the_models(database_url: str) -> None:
    engine = create_engine(database_url)

    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": False, "include_object": include_object}
        )
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as conn:
        assert await conn.run_sync(diff) == []
    await downgrade(engine)
    await migrate(engine)
    await engine.dispose()


async def test_message_ids_are_unique_per_chat(storage: Storage) -> None:
    first = await storage.ingest_message(message("alice", "hi", message_id="7"))
    again = await storage.ingest_message(message("alice", "hi", message_id="7"))
    elsewhere = await storage.ingest_message(
        message("alice", "hi", message_id="7", chat=OTHER_GROUP)
    )
    assert first.created and not again.created and elsewhere.created
    assert again.message.id == first.message.id
    assert await storage.count_messages() == 2


async def test_times_come_back_aware_in_utc(storage: Storage) -> None:
    shanghai = timezone(timedelta(hours=8))
    sent = datetime(2026, 3, 1, 20, 0, tzinfo=shanghai)
    msg = message("alice", "time check")
    msg = type(msg)(**{**{f: getattr(msg, f) for f in msg.__slots__}, "sent_at": sent})
    result = await storage.ingest_message(msg)
    [stored] = await storage.pending_messages(10)
    assert stored.sent_at == sent
    assert stored.sent_at.tzinfo == UTC
    assert result.message.sent_at == sent


async def test_usernames_resolve_case_insensitively_with_twin_state(storage: Storage) -> None:
    result = await storage.ingest_message(message("Bob", "hello", minutes_ago=30))
    await storage.set_twin_enabled(result.chat_id, result.member_id, True)
    found = await storage.find_chat_member(result.chat_id, Platform.TELEGRAM, username="@BOB")
    assert found is not None
    assert found.member_id == result.member_id
    assert found.twin_enabled
    assert found.last_message_at is not None
    other_chat = await storage.ensure_chat(OTHER_GROUP)
    elsewhere = await storage.find_chat_member(other_chat, Platform.TELEGRAM, username="bob")
    assert elsewhere is not None and not elsewhere.twin_enabled
    assert elsewhere.last_message_at is None


async def test_mark_embedded_skips_messages_edited_meanwhile(storage: Storage) -> None:
    await storage.ingest_message(message("alice", "first text", message_id="e"))
    [pending] = await storage.pending_messages(10)
    await storage.apply_edit(message("alice", "second text", message_id="e", edited=True))
    await storage.mark_embedded([pending], datetime.now(UTC))
    [still] = await storage.pending_messages(10)
    assert still.text == "second text"
    await storage.mark_embedded([still], datetime.now(UTC))
    assert await storage.pending_messages(10) == []


async def test_forget_removes_one_member_in_one_chat_only(storage: Storage) -> None:
    bob_here = await storage.ingest_message(message("bob", "bob here"))
    await storage.ingest_message(message("bob", "bob elsewhere", chat=OTHER_GROUP))
    await storage.ingest_message(message("carol", "carol here"))
    await storage.set_twin_enabled(bob_here.chat_id, bob_here.member_id, True)
    result = await storage.forget_member(bob_here.chat_id, bob_here.member_id)
    assert result.messages == 1
    assert result.message_ids == (bob_here.message.id,)
    assert await storage.count_messages(member_id=bob_here.member_id) == 1  # other chat kept
    assert await storage.count_messages() == 2
    assert not await storage.twin_enabled(bob_here.chat_id, bob_here.member_id)


async def test_membership_and_bot_status(storage: Storage) -> None:
    now = datetime.now(UTC)
    await storage.record_membership(GROUP, member("dave"), joined=True, at=now)
    chat_id = await storage.set_chat_active(GROUP, False)
    found = await storage.find_chat_member(chat_id, Platform.TELEGRAM, username="dave")
    assert found is not None and found.last_message_at is None
    settings = await storage.update_chat_settings(chat_id, twin_absence_minutes=30)
    assert settings.twin_absence_minutes == 30 and settings.twins_enabled


async def test_members_seen_before_a_period(storage: Storage) -> None:
    old = await storage.ingest_message(message("alice", "hello from last week", minutes_ago=3000))
    await storage.ingest_message(message("bob", "first words today", minutes_ago=10))
    today = await storage.ingest_message(message("alice", "and again today", minutes_ago=5))
    bob = (await storage.ingest_message(message("bob", "more", minutes_ago=1))).member_id
    start = datetime.now(UTC) - timedelta(days=1)
    members = [old.member_id, bob]
    assert await storage.members_seen_before(old.chat_id, members, start) == {old.member_id}
    assert await storage.members_seen_before(old.chat_id, [], start) == set()
    later = datetime.now(UTC) + timedelta(minutes=1)
    assert await storage.members_seen_before(today.chat_id, members, later) == {
        old.member_id,
        bob,
    }


async def test_a_period_is_read_from_its_start_or_its_end_within_a_limit(storage: Storage) -> None:
    for minutes_ago in range(10, 0, -1):
        await storage.ingest_message(
            message("alice", f"note {minutes_ago}", minutes_ago=minutes_ago)
        )
    chat = await storage.ensure_chat(GROUP)
    now = datetime.now(UTC)
    start, end = now - timedelta(hours=1), now + timedelta(minutes=1)

    first = await storage.period_messages(chat, start, end, 3)
    last = await storage.period_messages(chat, start, end, 3, newest=True)

    assert [m.text for m in first] == ["note 10", "note 9", "note 8"]
    assert [m.text for m in last] == ["note 3", "note 2", "note 1"]  # still oldest first
