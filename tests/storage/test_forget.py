"""/forget in SQL: every copy of the member's words goes, nobody else's, and the files agree."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from adapters.model import Platform, UnreadableUpdate
from bots.owner_review import describe
from bots.storage.database import create_engine, migrate
from bots.storage.ingest_ledger_store import IngestLedgerStore
from bots.storage.records import TwinReplyView
from bots.storage.repository import Storage
from tests.support import GROUP, OTHER_GROUP, message
from tests.traces import everything_in_sql, files_holding, secret_words


@pytest.fixture
async def storage(database_url: str):  # type: ignore[no-untyped-def]
    store = Storage(create_engine(database_url))
    yield store
    await store.close()


async def ask(
    storage: Storage, asker: str, twin_of: str, question: str, *, chat=GROUP, status="sent"
) -> int:  # type: ignore[no-untyped-def]
    """``asker`` asks ``twin_of``'s twin ``question``; the twin answers. The reply's id."""
    asked = await storage.ingest_message(message(asker, question, chat=chat))
    owner = await storage.ingest_message(message(twin_of, f"{twin_of} said something", chat=chat))
    return await storage.record_twin_reply(
        chat_id=asked.chat_id,
        member_id=owner.member_id,
        asker_member_id=asked.member_id,
        question_platform_id=asked.message.platform_message_id,
        question_text=question,
        text=f"{twin_of}'s twin answers: {question}",
        source_message_ids=[owner.message.id],
        status=status,
    )


async def view(storage: Storage, reply_id: int) -> TwinReplyView:
    found = await storage.twin_reply(reply_id)
    assert found is not None
    return found


async def test_forget_erases_the_members_questions_and_the_answers_to_them(
    storage: Storage,
) -> None:
    english, chinese = secret_words()
    to_bob = await ask(storage, "alice", "bob", f"@bob is {english} the password?")
    to_carol = await ask(storage, "alice", "carol", f"@carol {chinese}是什么？", status="draft")
    await storage.review_twin_reply(to_bob, review="corrected", correction=f"no, {english} isn't")
    bobs_question = await ask(storage, "bob", "carol", "@carol which trail?")
    elsewhere = await ask(storage, "alice", "bob", "@bob lunch?", chat=OTHER_GROUP)
    alice = await storage.ingest_message(message("alice", "still here"))
    assert english in await everything_in_sql(storage.engine)

    result = await storage.forget_member(alice.chat_id, alice.member_id)

    assert result.questions_erased == 2
    everything = await everything_in_sql(storage.engine)
    assert english not in everything and chinese not in everything
    erased = await view(storage, to_bob)
    assert (erased.question_text, erased.text, erased.correction) == (None, "", None)
    assert (erased.asker_name, erased.erased, erased.status) == (None, "asker", "sent")
    assert (await view(storage, to_carol)).status == "discarded"  # nothing left to approve
    assert describe(erased).endswith(
        "someone asked (question removed at the asker's request, with its answer)"
    )
    # Other members' questions, and Alice's in another chat, are untouched.
    kept = await view(storage, bobs_question)
    assert (kept.question_text, kept.asker_name) == ("@carol which trail?", "Bob")
    assert kept.erased is None
    assert "Bob asked “@carol which trail?” → “carol's twin answers" in describe(kept)
    other_chat = await view(storage, elsewhere)
    assert (other_chat.question_text, other_chat.asker_name) == ("@bob lunch?", "Alice")
    assert await storage.count_messages(member_id=alice.member_id) == 1  # OTHER_GROUP's


async def test_forget_erases_the_members_answers_elsewhere_that_quote_deleted_messages(
    storage: Storage,
) -> None:
    english, _ = secret_words()
    here = await storage.ingest_message(message("bob", f"my code word is {english}"))
    there = await storage.ingest_message(message("bob", "lunch at noon", chat=OTHER_GROUP))
    asker = await storage.ingest_message(message("alice", "@bob code?", chat=OTHER_GROUP))

    async def answer(sources: list[int], reply: str) -> int:
        return await storage.record_twin_reply(
            chat_id=there.chat_id,
            member_id=there.member_id,
            asker_member_id=asker.member_id,
            question_platform_id=asker.message.platform_message_id,
            question_text="@bob code?",
            text=reply,
            source_message_ids=sources,
            status="sent",
        )

    quoting = await answer([here.message.id, there.message.id], f"Bob said: “{english}”")
    not_quoting = await answer([there.message.id], "Bob said: “lunch at noon”")

    result = await storage.forget_member(here.chat_id, here.member_id)

    assert (result.messages, result.answers_erased) == (1, 1)
    assert english not in await everything_in_sql(storage.engine)
    erased = await view(storage, quoting)
    assert (erased.text, erased.erased, erased.question_text) == ("", "sources", "@bob code?")
    assert "(answer removed: it quoted messages you deleted" in describe(erased)
    assert (await view(storage, not_quoting)).text == "Bob said: “lunch at noon”"


async def test_deleted_rows_leave_the_sqlite_files(tmp_path: Path) -> None:
    english, chinese = secret_words()
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'hearth.db'}")
    await migrate(engine)
    storage = Storage(engine)
    try:
        for n in range(200):  # enough rows that the member's sit between others' pages
            await storage.ingest_message(message("carol", f"carol's ordinary message {n}"))
            if n % 50 == 7:
                await storage.ingest_message(message("alice", f"I hid {english} and {chinese}"))
        await ask(storage, "alice", "bob", f"@bob where is {english}?")
        alice = await storage.ingest_message(message("alice", "bye"))
        async with engine.connect() as connection:
            mode = await connection.scalar(text("PRAGMA secure_delete"))
        assert mode == 1
        assert files_holding(tmp_path, english, chinese)

        await storage.forget_member(alice.chat_id, alice.member_id)
        assert await storage.shred_deleted()

        assert files_holding(tmp_path, english, chinese) == []
        assert (tmp_path / "hearth.db-wal").stat().st_size == 0
        assert await storage.count_messages() == 200 + 1  # Carol's, and Bob's answer source
    finally:
        await storage.close()
    assert files_holding(tmp_path, english, chinese) == []


async def test_forget_deletes_the_members_updates_kept_unread(storage: Storage) -> None:
    alice = await storage.ingest_message(message("alice", "hello"))
    ledger = IngestLedgerStore(storage.engine)
    for sender in ("id-alice", "id-bob", None):
        await ledger.record_unreadable(
            UnreadableUpdate(
                platform=Platform.TELEGRAM,
                platform_update_id="1",
                raw=f'{{"message": {{"text": "from {sender}"}}}}',
                error="TypeError: bad",
                received_at=datetime.now(UTC),
                sender_platform_user_id=sender,
            )
        )

    await storage.forget_member(alice.chat_id, alice.member_id)

    kept = await ledger.unreadable()
    assert [u.sender_platform_user_id for u in kept] == ["id-bob", None]
