"""Process roles: ``hearth run`` (adapters and router) and ``hearth worker`` (embedding only).

One ``hearth run`` with the embedded default (SQLite and Qdrant Edge) does everything.
On PostgreSQL with a Qdrant server, any number of ``hearth worker`` processes embed
what the bot processes store, claiming batches so that each message is embedded once;
``HEARTH_EMBEDDING=off`` then keeps the bot processes from embedding. The scheduler runs
in the ``hearth run`` processes, where digests can be posted; its claims make each run
happen once however many processes there are.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from bots.embedding_worker import Claims, EmbeddingWorker
from bots.health import HealthChecker
from bots.metrics import HearthMetrics
from bots.ops_server import OpsServer
from bots.settings import HearthSettings
from bots.storage.database import create_engine, migrate
from bots.storage.repository import Storage
from memory.embedder import Embedder
from memory.factory import build_embedder, build_memory_store, resolve_dimension
from memory.store import MemoryStore

log = logging.getLogger(__name__)

WORKER_POLL_SECONDS = 1.0
"""How often a ``hearth worker`` looks for messages the bot processes stored."""


class RoleError(ValueError):
    """The settings do not allow this process role; the message says what to change."""


def is_postgresql(url: str) -> bool:
    """Whether ``url`` names a PostgreSQL database."""
    return url.startswith(("postgresql", "postgres:"))


def check_role(settings: HearthSettings, role: str) -> None:
    """Refuse a role the storage cannot share: workers need PostgreSQL and a Qdrant server.

    Qdrant Edge lives in one process's files, so only the process that opened it can
    embed; SQLite is the single-process default.
    """
    shared = is_postgresql(settings.resolved_database_url()) and bool(settings.qdrant_url)
    if role == "worker" and not shared:
        raise RoleError(
            "hearth worker needs DATABASE_URL on PostgreSQL and QDRANT_URL (a Qdrant server): "
            "the embedded default (SQLite and Qdrant Edge) is one process, and hearth run "
            "embeds there itself"
        )
    if role == "run" and settings.embedding == "off" and not shared:
        raise RoleError(
            "HEARTH_EMBEDDING=off leaves embedding to hearth worker processes, which need "
            "DATABASE_URL on PostgreSQL and QDRANT_URL; with the embedded default leave "
            "HEARTH_EMBEDDING on"
        )


def worker_claims(settings: HearthSettings, role: str = "run") -> Claims | None:
    """Claims where several processes embed into one memory; ``None`` where one process does.

    A ``hearth worker`` always claims. ``hearth run`` claims on PostgreSQL with a Qdrant
    server (workers or other bot processes may embed beside it); with Qdrant Edge each
    process has memory of its own and embeds every message into it.
    """
    shared = is_postgresql(settings.resolved_database_url()) and bool(settings.qdrant_url)
    if role != "worker" and not shared:
        return None
    return Claims(hold=timedelta(seconds=settings.embedding_claim_seconds))


@dataclass
class WorkerProcess:
    """What ``hearth worker`` runs: storage, memory and the embedding worker, no adapters."""

    storage: Storage
    memory: MemoryStore
    embedder: Embedder
    worker: EmbeddingWorker
    ops_server: OpsServer | None = None

    @classmethod
    async def build(
        cls,
        settings: HearthSettings,
        *,
        embedder: Embedder | None = None,
        memory: MemoryStore | None = None,
    ) -> WorkerProcess:
        """Check the role, connect (migrating the database), open memory, start embedding.

        ``embedder`` and ``memory`` override the ones the settings select (memory then
        need not be a Qdrant server: tests share one store between workers).
        """
        if memory is None:
            check_role(settings, "worker")
        elif not is_postgresql(settings.resolved_database_url()):
            raise RoleError("hearth worker needs DATABASE_URL on PostgreSQL")
        metrics = HearthMetrics()
        engine = create_engine(settings.resolved_database_url())
        await migrate(engine)
        storage = Storage(engine)
        embedder = embedder or build_embedder(settings)
        memory = memory or build_memory_store(settings, await resolve_dimension(embedder))
        await memory.open()
        worker = EmbeddingWorker(
            storage,
            embedder,
            memory,
            batch_size=settings.embedding_batch_size,
            import_batch_size=settings.embedding_import_batch_size,
            metrics=metrics,
            poll_seconds=WORKER_POLL_SECONDS,
            claims=worker_claims(settings, "worker"),
        )
        process = cls(storage, memory, embedder, worker)
        if settings.metrics_port is not None:
            health = HealthChecker(storage, memory, worker, metrics)
            server = OpsServer(
                metrics, health, host=settings.metrics_listen, port=settings.metrics_port
            )
            try:
                await server.start()
            except BaseException:
                await process.close()
                raise
            process.ops_server = server
        worker.start()
        return process

    async def serve(self, stop: asyncio.Event) -> None:
        """Embed until ``stop`` is set."""
        log.info("embedding worker running")
        await stop.wait()

    async def close(self) -> None:
        """Stop embedding (claims in hand are given back) and release everything."""
        if self.ops_server is not None:
            await self.ops_server.stop()
        await self.worker.stop()
        await self.memory.close()
        await self.storage.close()
