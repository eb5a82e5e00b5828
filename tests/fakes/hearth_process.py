"""A real ``hearth run`` (or ``hearth worker``) process against the Telegram fake or the
Discord fake, for fault tests and benchmarks.

``HearthProcess`` starts the installed ``hearth`` command with its own data folder and
SQLite file (or the ``DATABASE_URL`` given), can kill it (SIGKILL) or stop it (SIGTERM,
or any signal at a chosen moment) and start it again on the same data.
``HashEmbeddingsApi`` is a small OpenAI-compatible ``/v1/embeddings`` endpoint over
``HashEmbedder``: the process embeds through its real HTTP embedder, quickly, so that a
test can push thousands of messages.
``ingest_counts`` reads the SQLite file the way an operator would (read-only, while the
process runs).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from memory.hash_embedder import HashEmbedder
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.telegram_api import FakeTelegramApi

HASH_DIMENSION = 64
ENV_PREFIXES = ("TELEGRAM_", "DISCORD_", "DATABASE_", "EMBEDDING_", "QDRANT_", "LLM_", "HEARTH_")
"""Settings taken from the test's environment are dropped: the process gets only its own."""


class HashEmbeddingsApi:
    """``POST /v1/embeddings`` answered with hash vectors, on 127.0.0.1."""

    def __init__(self) -> None:
        self._embedder = HashEmbedder(HASH_DIMENSION)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.requests = 0
        self.texts: Counter[str] = Counter()
        """How often each text was embedded (to check nothing is embedded twice)."""

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
        self.texts.update(str(t) for t in texts)
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
    def pending(self) -> int:
        """Stored messages still waiting for their vectors."""
        return self.stored - self.embedded

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
    """``hearth run`` on Telegram and/or Discord (the fakes), restartable on the same data
    folder.

    ``telegram`` may be ``None`` for a Discord-only process; ``discord`` adds the Discord
    bot, reaching the fake through ``DISCORD_API_URL`` and ``DISCORD_GATEWAY_URL``
    (``discord_host`` replaces the fake's host in both, e.g. ``localhost``, so that the fake
    can tell this process's REST calls from another's by their ``host``).

    ``command`` picks another subcommand: ``worker`` runs ``hearth worker`` (embedding
    only; it needs PostgreSQL and a Qdrant server in ``extra_env``).

    The process runs in ``data_dir`` (SQLite and Qdrant Edge there) and appends its output
    to ``log_path`` (``process.log`` in the data folder unless given). Used as an async
    context manager, it is killed on the way out if it still runs.
    """

    def __init__(
        self,
        telegram: FakeTelegramApi | None,
        data_dir: Path,
        *,
        discord: FakeDiscord | None = None,
        discord_host: str | None = None,
        embeddings: HashEmbeddingsApi | None = None,
        extra_env: dict[str, str] | None = None,
        log_path: Path | None = None,
        command: str = "run",
    ) -> None:
        self.telegram = telegram
        self.command = command
        self.data_dir = data_dir
        self.database = data_dir / "hearth.db"
        self.log_path = log_path or data_dir / "process.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIXES)}
        env.update(
            HEARTH_DATA_DIR=str(data_dir),
            HEARTH_PLATFORM_CONNECT_WAIT_SECONDS="10",
            PYTHONUNBUFFERED="1",
        )
        if telegram is not None:
            env.update(
                TELEGRAM_BOT_TOKEN=telegram.token,
                TELEGRAM_API_URL=telegram.base_url,
                TELEGRAM_POLL_TIMEOUT="1",
            )
        if discord is not None:
            api_url, gateway_url = discord.base_url, discord.gateway_url
            if discord_host is not None:
                api_url = api_url.replace(discord.host, discord_host, 1)
                gateway_url = gateway_url.replace(discord.host, discord_host, 1)
            env.update(
                DISCORD_BOT_TOKEN=discord.token,
                DISCORD_API_URL=api_url,
                DISCORD_GATEWAY_URL=gateway_url,
            )
        if embeddings is not None:
            env.update(EMBEDDING_URL=embeddings.url, EMBEDDING_DIMENSION=str(HASH_DIMENSION))
        env.update(extra_env or {})
        self.env = env
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0
        self._polls_before_start = 0

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.running:
            await self.kill()

    async def start(self) -> None:
        """Start the process (appending its output to the log)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.telegram is not None:
            self._polls_before_start = len(self.telegram.calls_to("getUpdates"))
        log = self.log_path.open("ab")
        try:
            self.process = await asyncio.create_subprocess_exec(
                str(Path(sys.executable).parent / "hearth"),
                self.command,
                env=self.env,
                cwd=self.data_dir,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        finally:
            log.close()
        self.starts += 1

    async def wait_for_poll(self, timeout: float = 60.0) -> None:  # noqa: ASYNC109
        """Wait until the process started last asks Telegram for updates (its scheduler
        runs by then)."""
        if self.telegram is None:
            raise RuntimeError("this process runs without Telegram")
        count = self._polls_before_start + 1
        await self.telegram.wait_for_call("getUpdates", count=count, timeout=timeout)

    @property
    def running(self) -> bool:
        """Whether the process has started and not ended."""
        return self.process is not None and self.process.returncode is None

    def check_running(self) -> None:
        """Fail, with the end of the log, unless the process runs."""
        if not self.running:
            code = None if self.process is None else self.process.returncode
            raise AssertionError(f"hearth is not running (exit code {code}):\n{self.output()}")

    async def kill(self) -> int:
        """SIGKILL the process; returns its exit code."""
        return await self.stop(signal.SIGKILL, timeout=30.0)

    async def stop(
        self,
        sig: signal.Signals = signal.SIGTERM,
        *,
        at: float | None = None,
        timeout: float = 60.0,  # noqa: ASYNC109
    ) -> int:
        """Send ``sig`` (at the wall-clock time ``at``, else now) and wait for the process
        to end; returns its exit code.

        A timed signal is sent from a thread, so that this event loop, which also serves
        the fakes, keeps answering the process meanwhile.
        """
        process = self.process
        if process is None:
            raise RuntimeError("the process was not started")
        if process.returncode is None:
            if at is None:
                process.send_signal(sig)
            else:
                await asyncio.to_thread(_signal_at, process.pid, sig, at)
        try:
            return await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
            output = self.output()
            raise AssertionError(f"hearth did not stop after {sig.name}:\n{output}") from None

    def output(self, tail: int | None = 6000) -> str:
        """What the process printed, all of it or its last ``tail`` characters."""
        if not self.log_path.exists():
            return ""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return text if tail is None else text[-tail:]

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


def _signal_at(pid: int, sig: signal.Signals, moment: float) -> None:
    """Send ``sig`` to ``pid`` at the wall-clock time ``moment`` (a thread's precise sleep)."""
    delay = moment - time.time()
    if delay > 0:
        time.sleep(delay)
    os.kill(pid, sig)
