"""A real ``hearth run`` process against the Telegram fake, for fault tests and benchmarks.

``HearthProcess`` starts the installed ``hearth`` command with its own data folder and
SQLite file, can kill it (SIGKILL) or stop it (SIGTERM) and start it again on the same
data. ``HashEmbeddingsApi`` is a small OpenAI-compatible ``/v1/embeddings`` endpoint
over ``HashEmbedder``: the process embeds through its real HTTP embedder, quickly, so
that a test can push thousands of messages. ``ingest_counts`` reads the SQLite file the
way an operator would (read-only, while the process runs).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from memory.hash_embedder import HashEmbedder
from tests.fakes.telegram_api import FakeTelegramApi

HASH_DIMENSION = 64


class HashEmbeddingsApi:
    """``POST /v1/embeddings`` answered with hash vectors, on 127.0.0.1."""

    def __init__(self) -> None:
        self._embedder = HashEmbedder(HASH_DIMENSION)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.requests = 0

    @property
    def url(self) -> str:
        """The base URL to give as ``EMBEDDING_URL``."""
        return f"http://127.0.0.1:{self.port}/v1"

    async def start(self) -> None:
        """Listen at a free port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/v1/embeddings", self._embeddings)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]

    async def close(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _embeddings(self, request: web.Request) -> web.Response:
        body = await request.json()
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        self.requests += 1
        vectors = await self._embedder.embed_passages([str(t) for t in texts])
        data = [
            {"object": "embedding", "index": i, "embedding": list(v)} for i, v in enumerate(vectors)
        ]
        return web.json_response({"object": "list", "data": data, "model": body.get("model")})


@dataclass(frozen=True)
class IngestCounts:
    """What the SQLite file holds: messages, distinct platform ids, embedded messages."""

    stored: int
    distinct: int
    embedded: int

    @property
    def doubled(self) -> int:
        """Messages stored more than once (should be 0: the table is unique per chat)."""
        return self.stored - self.distinct


def ingest_counts(database: Path) -> IngestCounts:
    """Count messages in the SQLite file (read-only; zeros before it exists)."""
    if not database.exists():
        return IngestCounts(0, 0, 0)
    try:
        with contextlib.closing(
            sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
        ) as db:
            row = db.execute(
                "SELECT count(*), count(DISTINCT chat_id || ':' || platform_message_id), "
                "count(embedded_at) FROM messages"
            ).fetchone()
    except sqlite3.OperationalError:  # not migrated yet
        return IngestCounts(0, 0, 0)
    return IngestCounts(int(row[0]), int(row[1]), int(row[2]))


class HearthProcess:
    """``hearth run`` on Telegram (the fake), restartable on the same data folder."""

    def __init__(
        self,
        telegram: FakeTelegramApi,
        data_dir: Path,
        *,
        embeddings: HashEmbeddingsApi | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.database = data_dir / "hearth.db"
        self.log_path = data_dir / "process.log"
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM_", "DISCORD_", "DATABASE_", "EMBEDDING_", "HEARTH_"))
        }
        env.update(
            TELEGRAM_BOT_TOKEN=telegram.token,
            TELEGRAM_API_URL=telegram.base_url,
            TELEGRAM_POLL_TIMEOUT="1",
            HEARTH_DATA_DIR=str(data_dir),
            HEARTH_PLATFORM_CONNECT_WAIT_SECONDS="10",
            PYTHONUNBUFFERED="1",
        )
        if embeddings is not None:
            env.update(EMBEDDING_URL=embeddings.url, EMBEDDING_DIMENSION=str(HASH_DIMENSION))
        env.update(extra_env or {})
        self.env = env
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    async def start(self) -> None:
        """Start the process (appending its output to ``process.log``)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        try:
            self.process = await asyncio.create_subprocess_exec(
                str(Path(sys.executable).parent / "hearth"),
                "run",
                env=self.env,
                cwd=self.data_dir,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        finally:
            log.close()
        self.starts += 1

    @property
    def running(self) -> bool:
        """Whether the process has started and not ended."""
        return self.process is not None and self.process.returncode is None

    async def kill(self) -> int:
        """SIGKILL the process; returns its exit code."""
        return await self._signal(signal.SIGKILL)

    async def stop(self, timeout: float = 60.0) -> int:  # noqa: ASYNC109
        """SIGTERM the process and wait for it; returns its exit code."""
        return await self._signal(signal.SIGTERM, timeout)

    async def _signal(self, sig: signal.Signals, timeout: float = 30.0) -> int:  # noqa: ASYNC109
        process = self.process
        if process is None:
            raise RuntimeError("the process was not started")
        if process.returncode is None:
            process.send_signal(sig)
        try:
            return await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
            output = self.output()
            raise AssertionError(f"hearth did not stop after {sig.name}:\n{output}") from None

    def output(self, tail: int = 6000) -> str:
        """The end of what the process printed (for assertion messages)."""
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-tail:]

    def counts(self) -> IngestCounts:
        """Messages in the process's SQLite file now."""
        return ingest_counts(self.database)

    async def wait_until(
        self,
        predicate: Any,
        timeout: float,  # noqa: ASYNC109
        what: str,
        poll: float = 0.2,
    ) -> IngestCounts:
        """Poll ``counts()`` until ``predicate(counts)`` holds; fails with the log tail."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            counts = self.counts()
            if predicate(counts):
                return counts
            if not self.running and self.process is not None:
                raise AssertionError(f"hearth ended while waiting for {what}:\n{self.output()}")
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out waiting for {what} ({counts}):\n{self.output()}")
            await asyncio.sleep(poll)
