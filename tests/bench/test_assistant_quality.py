"""The assistant benchmark's loader: a labelled set stored as the bot stores it, ids mapped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bench import assistant_quality
from bench.assistant_quality import folder_outcomes, open_storage, store_chat
from bench.data.digest_set import build, dump, refs_json
from bench.digest_sets import load_set
from bots.storage.repository import Storage
from bots.storage.tables import MemberRow, MessageRow
from memory.edge_store import EdgeMemoryStore
from memory.hash_embedder import HashEmbedder
from memory.store import MemoryStore
from tests.benchdata.test_digest_set import LOOSE, write_set


def labelled_set(folder: Path) -> Path:
    folder.mkdir()
    rows, chats = build(write_set(folder), LOOSE)
    (folder / "messages.json").write_text(dump(rows), encoding="utf-8")
    (folder / "refs.json").write_text(dump(refs_json(chats)), encoding="utf-8")
    return folder


async def test_a_chat_is_stored_with_vectors_and_its_ids_mapped(tmp_path: Path) -> None:
    [chat] = load_set(labelled_set(tmp_path / "set"))
    storage = await open_storage(tmp_path)
    memory = EdgeMemoryStore(tmp_path / "memory", 384)
    await memory.open()
    try:
        stored = await store_chat(
            chat, storage, memory, HashEmbedder(384), folder=Path("set"), cache=None
        )
        said = [m for m in chat.messages if not m.is_join]
        assert await storage.count_messages(chat_id=stored.chat_id) == len(said)
        assert await memory.count(chat_id=stored.chat_id) == len(said)
        assert await storage.pending_messages(10) == []
        assert sorted(stored.message_ids) == sorted(m.message_id for m in said)
        vectors = await memory.vectors(list(stored.message_ids.values()))
        assert len(vectors) == len(said)
        for sender, member_id in stored.member_ids.items():
            name = next(m.sender_name for m in chat.messages if m.sender_id == sender)
            assert await storage.member_name(member_id) == name
        assert "zh:li2" in stored.member_ids  # joined before writing
        assert stored.now == max(m.sent_at for m in chat.messages) + timedelta(minutes=1)
    finally:
        await memory.close()
        await storage.close()


@dataclass(frozen=True)
class Reply:
    text: str
    known: bool
    source_message_ids: tuple[int, ...] = ()
    suggested_member_ids: tuple[int, ...] = ()


class Unsure:
    """A stand-in for the assistant (built on another branch) that never knows."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.asked: list[tuple[str, str, datetime | None]] = []
        self.texts: dict[int, str] = {}
        self.names: dict[int, str] = {}

    async def ask(
        self, chat_id: int, asker_member_id: int, question: str, *, now: datetime | None = None
    ) -> Reply:
        self.asked.append((await self.storage.member_name(asker_member_id), question, now))
        async with self.storage.engine.connect() as conn:
            messages = await conn.execute(select(MessageRow.id, MessageRow.text))
            self.texts = {row.id: row.text for row in messages}
            members = await conn.execute(select(MemberRow.id, MemberRow.display_name))
            self.names = {row.id: row.display_name for row in members}
        return Reply("I don't know", known=False)


async def test_every_question_is_asked_by_its_member_and_scored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[Unsure] = []

    def build_assistant(storage: Storage, _memory: MemoryStore, _embedder: object) -> Unsure:
        made.append(Unsure(storage))
        return made[-1]

    monkeypatch.setattr(assistant_quality, "build_assistant", build_assistant)
    folder = labelled_set(tmp_path / "set")
    outcomes = await folder_outcomes(folder, HashEmbedder(384), None)
    [assistant] = made
    [chat] = load_set(folder)
    last = max(m.sent_at for m in chat.messages)
    assert assistant.asked == [
        ("小周", "谁喜欢跑步？", last + timedelta(minutes=1)),
        ("Ana", "When is the get-together?", last + timedelta(minutes=1)),
        ("王磊", "有人养过乌龟吗？", last + timedelta(minutes=1)),
    ]
    assert [(o.expected.kind, o.passed, o.wrongly_unknown) for o in outcomes] == [
        ("who", False, True),
        ("decide", False, True),
        ("unknown", True, False),
    ]
    [who, decide, _] = (o.expected for o in outcomes)
    assert {assistant.names[i] for i in who.member_ids} == {"Ana", "李娜"}
    assert [assistant.texts[i] for i in decide.message_ids] == ["改为周日下午三点，周六下雨"]
