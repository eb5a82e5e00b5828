"""``/metrics`` (Prometheus) and ``/healthz`` over HTTP, on the app's event loop.

Off unless ``HEARTH_METRICS_PORT`` is set; it listens on ``HEARTH_METRICS_LISTEN``
(``127.0.0.1`` by default, so only the machine itself can read it).
"""

from __future__ import annotations

import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bots.health import HealthChecker
from bots.http_listener import HttpListener
from bots.metrics import HearthMetrics

log = logging.getLogger(__name__)


class OpsServer:
    """A small aiohttp server for ``/metrics`` and ``/healthz``."""

    def __init__(
        self, metrics: HearthMetrics, health: HealthChecker, *, host: str, port: int
    ) -> None:
        self._metrics = metrics
        self._health = health
        self._listener = HttpListener(host, port)

    @property
    def port(self) -> int:
        """The port listened on (the one asked for, or the one given for port 0)."""
        return self._listener.port

    async def start(self) -> None:
        """Start listening; raises ``OSError`` when the address is taken."""
        if self._listener.running:
            return
        app = web.Application()
        app.router.add_get("/metrics", self._serve_metrics)
        app.router.add_get("/healthz", self._serve_health)
        await self._listener.start(app)
        log.info("metrics and health checks on http://%s:%d/", self._listener.host, self.port)

    async def stop(self) -> None:
        """Stop listening; safe to call twice."""
        await self._listener.stop()

    async def _serve_metrics(self, _request: web.Request) -> web.Response:
        await self._health.check()  # refreshes the store and pending-embedding gauges
        response = web.Response(body=self._metrics.exposition())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    async def _serve_health(self, _request: web.Request) -> web.Response:
        report = await self._health.check()
        return web.json_response(report.as_json(), status=200 if report.ok else 503)
