"""Whether Hearth's stores are healthy: the database answers, vector memory takes writes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from bots.embedding_worker import EmbeddingWorker
from bots.metrics import HearthMetrics
from bots.storage.repository import Storage
from memory.store import MemoryStore, MemoryStoreError, check_writable

CHECK_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class StoreStatus:
    """One store's health: ``problem`` says what is wrong, ``None`` when nothing is."""

    name: str
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the store is healthy."""
        return self.problem is None


@dataclass(frozen=True, slots=True)
class HealthReport:
    """The stores' health and how many messages wait for vector memory."""

    stores: tuple[StoreStatus, ...]
    pending_embeddings: int | None

    @property
    def ok(self) -> bool:
        """Whether every store is healthy."""
        return all(store.ok for store in self.stores)

    def as_json(self) -> dict[str, Any]:
        """The small JSON body of ``/healthz``."""
        body: dict[str, Any] = {
            "status": "ok" if self.ok else "degraded",
            "stores": {s.name: "ok" if s.ok else "degraded" for s in self.stores},
        }
        problems = {s.name: s.problem for s in self.stores if s.problem is not None}
        if problems:
            body["problems"] = problems
        if self.pending_embeddings is not None:
            body["pending_embeddings"] = self.pending_embeddings
        return body


class HealthChecker:
    """Checks the database (``SELECT 1``) and vector memory, and updates the metrics.

    Memory is degraded while the embedding worker cannot write to it, and, for a
    store that can check its disk (Qdrant Edge), while a write would be refused.
    """

    def __init__(
        self,
        storage: Storage,
        memory: MemoryStore,
        worker: EmbeddingWorker,
        metrics: HearthMetrics,
        *,
        timeout: float = CHECK_TIMEOUT_SECONDS,
    ) -> None:
        self._storage = storage
        self._memory = memory
        self._worker = worker
        self._metrics = metrics
        self._timeout = timeout

    async def check(self) -> HealthReport:
        """Check every store now; also sets ``hearth_store_up`` and the pending gauge."""
        database = StoreStatus("database", await self._problem(self._storage.ping()))
        memory = StoreStatus("memory", self._worker.outage)
        if memory.ok:
            memory = StoreStatus("memory", await self._problem(check_writable(self._memory)))
        pending: int | None = None
        if database.ok:
            try:
                async with asyncio.timeout(self._timeout):
                    pending = await self._storage.count_pending_messages()
            except Exception:  # the ping just passed: a failure here is reported next time
                pending = None
        if pending is not None:
            self._metrics.embeddings_pending.set(pending)
        for store in (database, memory):
            self._metrics.set_store_up(store.name, store.ok)
        return HealthReport((database, memory), pending)

    async def _problem(self, probe: Awaitable[object]) -> str | None:
        try:
            async with asyncio.timeout(self._timeout):
                await probe
        except TimeoutError:
            return f"no answer within {self._timeout:.0f}s"
        except MemoryStoreError as error:
            return str(error)
        except Exception as error:
            return f"{type(error).__name__}: {error}"
        return None
