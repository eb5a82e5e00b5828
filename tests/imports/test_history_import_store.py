"""Imported history in SQL: once per message, resumable runs, live messages embedded first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from sqlalchemy import select

from adapters.history import HistoryBatch, SkipReason
from adapters.model import Chat, Message
from bots.imports.history_import import HistoryImporter
from bots.storage.database import create_engine
from bots.storage.history_import_store import HistoryImportStore
from bots.storage.persona_store import PersonaStore
from bots.storage.repository import Storage
from bots.storage.tables import ChatRow
from tests.support import GROUP, OTHER_GROUP, member, message


class ListReader:
    """A reader over a list of messages, in batches of ``size``; may fail after a batch."""

    def __init__(self, messages: list[Message], size: int, *, fail_after: int | None = None):
        self._messages = messages
        self._size = size
        self._fail_after = fail_after

    @property
    def chat(self) -> Chat:
        return GROUP

    async def batches(self, *, resume_after: str | None = None) -> AsyncIterator[HistoryBatch]:
        ids = [m.platform_message_id for m in self._messages]
        start = ids.index(resume_after) + 1 if resume_after is not None else 0
        rest = self._messages[start:]
        for n, at in enumerate(range(0, len(rest), self._size)):
            if self._fail_after is not None and n == self._fail_after:
                raise ValueError("the file ends in the middle of a message")
            part = tuple(rest[at : at + self._size])
            yield HistoryBatch(
                part, {SkipReason.SERVICE: 1}, resume_after=part[-1].platform_message_id
            )


Stores = tuple[Storage, HistoryImportStore, PersonaStore]


@pytest.fixture
async def stores(database_url: str) -> AsyncIterator[Stores]:
    engine = create_engine(database_url)
    storage = Storage(engine)
    yield storage, HistoryImportStore(engine), PersonaStore(engine)
    await storage.close()


def history(count: int) -> list[Message]:
    names = ["ana", "bo", "cy"]
    return [
        message(names[i % 3], f"note {i}", message_id=str(100 + i), minutes_ago=1000 - i)
        for i in range(count)
    ]


async def test_each_message_is_stored_once_and_matched_to_live_members(
    stores: Stores,
) -> None:
    storage, store, personas = stores
    past = history(10)
    live = await storage.ingest_message(past[4])  # seen live before the import
    importer = HistoryImporter(store, personas)
    run = await importer.run(ListReader(past, 3), source="test", source_key="a")
    assert (run.status, run.stored, run.duplicates) == ("done", 9, 1)
    assert run.skipped == {"service": 4}
    assert await storage.count_messages() == 10
    again = await importer.run(ListReader(past, 4), source="test", source_key="a")
    assert (again.stored, again.duplicates) == (0, 10)
    assert await storage.count_messages() == 10
    bo = await storage.ensure_member(member("bo"))
    assert bo == live.member_id
    assert not await storage.twin_enabled(live.chat_id, bo)


async def test_an_import_adds_an_unseen_chat_inactive_and_leaves_a_known_one_as_it_is(
    stores: Stores,
) -> None:
    storage, store, _ = stores
    known = await storage.ensure_chat(GROUP)
    assert await store.chat_id(replace(GROUP, title="Old name in the export")) == known
    unseen = await store.chat_id(OTHER_GROUP)
    assert await store.chat_id(replace(OTHER_GROUP, title="Older name")) == unseen

    async def chats() -> dict[int, tuple[str | None, bool]]:
        async with storage.engine.connect() as conn:
            return {r.id: (r.title, r.active) for r in await conn.execute(select(ChatRow))}

    assert await chats() == {known: ("Test group", True), unseen: ("Other group", False)}
    assert await storage.ensure_chat(replace(GROUP, title="Renamed")) == known
    assert await storage.ensure_chat(replace(GROUP, title=None)) == known
    assert (await chats())[known] == ("Renamed", True)


async def test_a_failed_run_continues_after_its_last_batch(
    stores: Stores,
) -> None:
    storage, store, personas = stores
    past = history(12)
    importer = HistoryImporter(store, personas)
    with pytest.raises(ValueError, match="middle of a message"):
        await importer.run(ListReader(past, 5, fail_after=2), source="test", source_key="f")
    [failed] = await store.runs()
    assert (failed.status, failed.stored, failed.resume_after) == ("failed", 10, "109")
    run = await importer.run(ListReader(past, 5), source="test", source_key="f")
    assert run.id == failed.id
    assert (run.status, run.stored, run.duplicates) == ("done", 12, 0)
    assert await storage.count_messages() == 12


async def test_live_messages_are_embedded_before_imported_ones(
    stores: Stores,
) -> None:
    storage, store, personas = stores
    await HistoryImporter(store, personas).run(
        ListReader(history(6), 6), source="test", source_key="l"
    )
    now = await storage.ingest_message(message("bo", "said just now"))
    first = await storage.pending_messages(4)
    assert [m.id for m in first] == [now.message.id]
    imported = [m.text for m in await storage.pending_messages(10) if m.id != now.message.id]
    assert imported == []  # the live one stays first until it is embedded
    await storage.mark_embedded(first, now.message.sent_at)
    assert [m.text for m in await storage.pending_messages(3)] == ["note 0", "note 1", "note 2"]


async def test_imported_messages_count_into_the_persona_only_when_the_twin_is_on(
    stores: Stores,
) -> None:
    storage, store, personas = stores
    chat_id = await storage.ensure_chat(GROUP)
    ana = await storage.ensure_member(member("ana"))
    bo = await storage.ensure_member(member("bo"))
    await storage.set_twin_enabled(chat_id, ana, True)
    await HistoryImporter(store, personas).run(
        ListReader(history(9), 9), source="test", source_key="p"
    )
    ana_stats, _, ana_exists = await personas.get(ana, chat_id)
    _, _, bo_exists = await personas.get(bo, chat_id)
    assert ana_exists and ana_stats.messages == 3
    assert not bo_exists
