"""Personal digest schedules and the reads a personal digest makes, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete

from bots.storage.database import create_engine
from bots.storage.personal_digest_store import PersonalDigestStore
from bots.storage.repository import Storage
from bots.storage.tables import MemberRow
from tests.support import GROUP, OTHER_GROUP, member, message


async def test_a_schedule_is_kept_and_goes_with_its_member(database_url: str) -> None:
    engine = create_engine(database_url)
    storage, store = Storage(engine), PersonalDigestStore(engine)
    try:
        bob = await storage.ensure_member(member("bob"))
        assert await store.schedule(bob) is None
        await store.set_schedule(bob, '{"kind":"off","tz":"UTC","v":1}')
        await store.set_schedule(bob, '{"kind":"daily","time":"08:00","tz":"UTC","v":1}')
        assert await store.schedule(bob) == '{"kind":"daily","time":"08:00","tz":"UTC","v":1}'
        async with engine.begin() as connection:
            await connection.execute(delete(MemberRow).where(MemberRow.id == bob))
        assert await store.schedule(bob) is None  # deleted with the member row
        assert await store.member(bob) is None
    finally:
        await engine.dispose()


async def test_the_chats_a_member_is_in_and_their_messages(database_url: str) -> None:
    engine = create_engine(database_url)
    storage, store = Storage(engine), PersonalDigestStore(engine)
    try:
        here = await storage.ingest_message(message("bob", "hello group", minutes_ago=60))
        elsewhere = await storage.ingest_message(
            message("bob", "hello other", chat=OTHER_GROUP, minutes_ago=5)
        )
        carol = await storage.ingest_message(message("carol", "hi bob", minutes_ago=4))
        bob = here.member_id
        chats = await store.member_chats(bob)
        assert [c.chat_id for c in chats] == [elsewhere.chat_id, here.chat_id]  # latest first
        assert chats[1].chat == GROUP
        await storage.record_membership(
            OTHER_GROUP, member("bob"), joined=False, at=datetime.now(UTC)
        )
        assert [c.chat_id for c in await store.member_chats(bob)] == [here.chat_id]
        await storage.set_chat_active(GROUP, False)
        assert await store.member_chats(bob) == []

        since = datetime.now(UTC) - timedelta(days=1)
        assert [m.text for m in await store.member_messages(bob, since, 10)] == [
            "hello other",
            "hello group",
        ]
        assert [
            m.text for m in await store.member_messages(bob, since, 10, chat_id=here.chat_id)
        ] == ["hello group"]
        later = datetime.now(UTC) + timedelta(minutes=1)
        assert await store.others_message_ids(here.chat_id, bob, since, later, 10) == [
            carol.message.id
        ]
        assert await store.authors([here.message.id, carol.message.id, 999_999]) == {
            here.message.id: bob,
            carol.message.id: carol.member_id,
        }
        found = await store.member(bob)
        assert found is not None and found == replace(member("bob"), display_name="Bob")
    finally:
        await engine.dispose()
