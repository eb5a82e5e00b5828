"""Storing live messages: once each, in two statements, with the sender's state alongside."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, event, select

from adapters.model import Message
from bots.storage.database import create_engine
from bots.storage.recent_rows import RecentRows
from bots.storage.repository import Storage
from bots.storage.tables import ChatMemberRow, ChatRow, MemberRow
from tests.support import GROUP, OTHER_GROUP, member, message


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[Storage]:
    store = Storage(create_engine(database_url))
    yield store
    await store.close()


@contextmanager
def counting_statements(storage: Storage) -> Iterator[list[str]]:
    """The SQL statements sent to the database inside the block."""
    sent: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    engine = storage.engine.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


async def test_a_burst_is_stored_once_in_two_statements_a_message(storage: Storage) -> None:
    senders = ["alice", "bob", "carol"]
    for name in senders:  # first sight: the chat's and members' rows are written
        await storage.ingest_message(message(name, f"{name} arrives"))
    burst = [message(senders[i % 3], f"message {i}") for i in range(30)]
    with counting_statements(storage) as sent:
        results = [await storage.ingest_message(m) for m in burst]
    assert all(r.created for r in results)
    assert len({r.message.id for r in results}) == 30
    # The member's last-message time and the message itself; nothing else.
    assert len(sent) == 2 * len(burst), sent[:4]

    again = [await storage.ingest_message(m) for m in burst]  # re-delivered
    assert not any(r.created for r in again)
    assert [r.message for r in again] == [r.message for r in results]
    assert await storage.count_messages() == 33
    pending = await storage.pending_messages(100)
    assert sorted(m.text for m in pending) == sorted(
        [f"{n} arrives" for n in senders] + [m.text for m in burst]
    )


async def test_changed_names_and_titles_are_written(storage: Storage) -> None:
    first = await storage.ingest_message(message("alice", "hello"))
    renamed = replace(member("alice"), display_name="Alice Liddell", username="wonder")
    retitled = replace(GROUP, title="Garden club")
    await storage.ingest_message(replace(message(renamed, "new name"), chat=retitled))
    async with storage.engine.connect() as conn:
        name, username = (
            await conn.execute(
                select(MemberRow.display_name, MemberRow.username).where(
                    MemberRow.id == first.member_id
                )
            )
        ).one()
        title = await conn.scalar(select(ChatRow.title).where(ChatRow.id == first.chat_id))
    assert (name, username, title) == ("Alice Liddell", "wonder", "Garden club")


async def test_last_message_time_only_moves_forward(storage: Storage) -> None:
    now = datetime.now(UTC)

    def at(minutes_ago: int) -> Message:
        return replace(message("alice", "hi"), sent_at=now - timedelta(minutes=minutes_ago))

    first = await storage.ingest_message(at(10))
    await storage.ingest_message(at(30))  # recovered late: older than the last one
    await storage.ingest_message(at(20))

    async def last() -> datetime | None:
        async with storage.engine.connect() as conn:
            return await conn.scalar(
                select(ChatMemberRow.last_message_at).where(
                    ChatMemberRow.chat_id == first.chat_id,
                    ChatMemberRow.member_id == first.member_id,
                )
            )

    assert await last() == now - timedelta(minutes=10)
    await storage.ingest_message(at(1))
    assert await last() == now - timedelta(minutes=1)


async def test_the_sender_state_matches_the_lookups_it_saves(storage: Storage) -> None:
    async def check(m: Message) -> tuple[bool | None, bool | None]:
        result = await storage.ingest_message(m)
        profile = await storage.profile(result.member_id)
        assert result.twin_on == await storage.twin_enabled(result.chat_id, result.member_id)
        assert result.twin_news == bool(await storage.replies_to_report(profile.member_ids))
        return result.twin_on, result.twin_news

    assert await check(message("bob", "hello")) == (False, False)
    bob = await storage.ingest_message(message("bob", "twin on"))
    await storage.set_twin_enabled(bob.chat_id, bob.member_id, True)
    assert await check(message("bob", "again")) == (True, False)
    assert await check(message("bob", "elsewhere", chat=OTHER_GROUP)) == (False, False)

    # A reply of the twin of Bob's other account, linked to this one, waits for him.
    other = await storage.ingest_message(message(member("bob-discord"), "hi", chat=OTHER_GROUP))
    expires = datetime.now(UTC) + timedelta(minutes=5)
    await storage.create_link_code(bob.member_id, "code-hash", expires)
    await storage.redeem_link_code("code-hash", other.member_id, datetime.now(UTC))
    reply = await storage.record_twin_reply(
        chat_id=other.chat_id,
        member_id=other.member_id,
        asker_member_id=None,
        question_platform_id="q1",
        text="the answer",
        source_message_ids=[],
        status="sent",
    )
    assert await check(message("bob", "back")) == (True, True)
    await storage.mark_owner_notified([reply], datetime.now(UTC))
    assert await check(message("bob", "told")) == (True, False)


def test_recent_rows_hold_the_values_written_for_a_while() -> None:
    rows = RecentRows(ttl=60, size=2)
    rows.put("a", ("Alice",), 1)
    assert rows.get("a", ("Alice",)) == 1
    assert rows.get("a", ("Alice B",)) is None  # a changed name is written again
    rows.put("b", ("Bob",), 2)
    rows.put("c", ("Carol",), 3)  # the oldest goes
    assert rows.get("a", ("Alice",)) is None
    assert rows.get("c", ("Carol",)) == 3
    assert RecentRows(ttl=0).get("c", ("Carol",)) is None
    stale = RecentRows(ttl=0)
    stale.put("c", ("Carol",), 3)
    assert stale.get("c", ("Carol",)) is None  # expired: written again


async def test_a_member_row_removed_behind_its_back_is_written_again(storage: Storage) -> None:
    first = await storage.ingest_message(message("alice", "hello"))
    async with storage.engine.begin() as conn:
        await conn.execute(delete(MemberRow).where(MemberRow.id == first.member_id))
    again = await storage.ingest_message(message("alice", "still here"))
    assert again.created
    assert await storage.member_name(again.member_id) == "Alice"
