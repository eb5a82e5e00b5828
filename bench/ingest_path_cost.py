"""What the ingest path itself costs per message, beside the embedder, whatever the load.

On a machine shared with other work the embedder's speed changes from one minute to
the next, so rates are hard to compare between runs. CPU time is steadier: this
benchmark sends a burst of messages through the router with an embedder that costs
almost nothing (the hash embedder) and prints, per message, the process's CPU time
(all threads) and the SQL statements sent: first on the update path (router, SQL
commit; the worker stopped), then in the embedding worker (read, memory upsert, mark).
Every millisecond here is taken from the embedder's cores while messages arrive.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest_and_reply import CHAT, DEFAULT_DATA, RecordingSender, bench_settings, load_texts

from adapters.model import Member, Message, Platform
from bots.app import Hearth
from memory.hash_embedder import HashEmbedder


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of both steps")
    args = parser.parse_args()
    texts = load_texts(args.data)[: args.messages]
    with tempfile.TemporaryDirectory() as tmp:
        hearth = await Hearth.build(bench_settings(Path(tmp)), embedder=HashEmbedder(384))
        statements = [0]

        def count(*_: Any) -> None:
            statements[0] += 1

        event.listen(hearth.storage.engine.sync_engine, "before_cursor_execute", count)
        sender = RecordingSender()
        members = [Member(Platform.TELEGRAM, f"u{i}", f"User {i}", f"user{i}") for i in range(20)]
        now = datetime.now(UTC)
        for i, member in enumerate(members):  # each member and the chat seen once
            await hearth.router.handle(Message(CHAT, member, f"hello-{i}", "hello", now), sender)
        await hearth.worker.drain()
        await hearth.worker.stop()
        profile = cProfile.Profile()
        if args.profile:
            profile.enable()
        statements[0] = 0
        cpu, wall = time.process_time(), time.perf_counter()
        for i, text in enumerate(texts):
            message = Message(CHAT, members[i % 20], f"m-{i}", text, now - timedelta(seconds=i))
            await hearth.router.handle(message, sender)
        update_cpu, update_wall = time.process_time() - cpu, time.perf_counter() - wall
        update_statements, statements[0] = statements[0], 0
        cpu = time.process_time()
        hearth.worker.start()
        await hearth.worker.drain()
        worker_cpu = time.process_time() - cpu
        profile.disable()
        n = len(texts)
        print(
            f"update path: {1000 * update_cpu / n:.2f} ms CPU/message, "
            f"{update_statements / n:.2f} SQL statements/message, {n / update_wall:.0f} accepted/s"
        )
        print(
            f"embedding worker (hash embedder): {1000 * worker_cpu / n:.2f} ms CPU/message, "
            f"{statements[0] / n:.2f} SQL statements/message"
        )
        assert await hearth.memory.count() == n + len(members)
        await hearth.close()
        if args.profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    asyncio.run(main())
