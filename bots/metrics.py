"""Hearth's Prometheus metrics, kept in a registry of their own.

One :class:`HearthMetrics` is made per running Hearth and handed to the parts
that count (the router, the embedding worker, the mention responder, scheduled
jobs, reply senders). Its registry is not the library's global default, so
each test can make a fresh one and read values from it reliably.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

from adapters.model import Platform
from jobs.scheduled_runs import JobKind

STORES = ("database", "memory")
"""The stores whose health ``hearth_store_up`` reports."""


class HearthMetrics:
    """Counters and gauges of one Hearth process (exposed on ``/metrics``)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.updates_received = Counter(
            "hearth_updates_received",
            "Updates (messages, commands, membership changes) received from a platform.",
            ["platform"],
            registry=registry,
        )
        self.updates_stored = Counter(
            "hearth_updates_stored",
            "Group messages committed to the database for the first time.",
            ["platform"],
            registry=registry,
        )
        self.updates_skipped = Counter(
            "hearth_updates_skipped",
            "Updates that could not be read and were skipped (kept as raw JSON).",
            ["platform"],
            registry=registry,
        )
        self.embeddings_pending = Gauge(
            "hearth_embeddings_pending",
            "Stored messages not yet in vector memory.",
            registry=registry,
        )
        self.messages_embedded = Counter(
            "hearth_messages_embedded",
            "Messages embedded and written to vector memory (rate() gives the embed rate).",
            registry=registry,
        )
        self.twin_answers = Counter(
            "hearth_twin_answers",
            "Twin answers that quote or cite the member's messages.",
            registry=registry,
        )
        self.twin_abstains = Counter(
            "hearth_twin_abstains",
            "Twin answers that found nothing relevant (or could not search) and said so.",
            registry=registry,
        )
        self.job_runs = Counter(
            "hearth_job_runs",
            "Scheduled job runs this process carried out, failed ones included.",
            ["kind"],
            registry=registry,
        )
        self.job_failures = Counter(
            "hearth_job_failures",
            "Scheduled job runs that failed.",
            ["kind"],
            registry=registry,
        )
        self.delivery_errors = Counter(
            "hearth_delivery_errors",
            "Replies and posts a platform would not take after its retries.",
            ["platform"],
            registry=registry,
        )
        self.store_up = Gauge(
            "hearth_store_up",
            "Whether a store is healthy (1) or degraded (0).",
            ["store"],
            registry=registry,
        )
        # Every label value Hearth knows is exported from the start, at zero.
        for platform in Platform:
            for counter in (
                self.updates_received,
                self.updates_stored,
                self.updates_skipped,
                self.delivery_errors,
            ):
                counter.labels(platform=platform.value)
        for kind in JobKind:
            self.job_runs.labels(kind=kind.value)
            self.job_failures.labels(kind=kind.value)
        for store in STORES:
            self.store_up.labels(store=store).set(1)

    def update_received(self, platform: Platform) -> None:
        """Count one update that reached the router."""
        self.updates_received.labels(platform=platform.value).inc()

    def update_stored(self, platform: Platform) -> None:
        """Count one message newly committed to the database."""
        self.updates_stored.labels(platform=platform.value).inc()

    def update_skipped(self, platform: Platform) -> None:
        """Count one update that could not be read and was skipped."""
        self.updates_skipped.labels(platform=platform.value).inc()

    def delivery_failed(self, platform: Platform) -> None:
        """Count one reply the platform would not take."""
        self.delivery_errors.labels(platform=platform.value).inc()

    def job_finished(self, kind: JobKind, *, failed: bool) -> None:
        """Count one scheduled run of ``kind``, and whether it failed."""
        self.job_runs.labels(kind=kind.value).inc()
        if failed:
            self.job_failures.labels(kind=kind.value).inc()

    def set_store_up(self, store: str, up: bool) -> None:
        """Record whether ``store`` (``database`` or ``memory``) is healthy."""
        self.store_up.labels(store=store).set(1 if up else 0)

    def value(self, name: str, **labels: str) -> float:
        """The current value of a sample, e.g. ``value("hearth_job_runs_total", kind="digest")``.

        A sample never exported reads as 0.
        """
        found = self.registry.get_sample_value(name, labels)
        return 0.0 if found is None else found

    def exposition(self) -> bytes:
        """Every metric in Prometheus' text format."""
        return generate_latest(self.registry)
