"""``/metrics`` (Prometheus) and ``/healthz`` over HTTP, on the app's event loop.

Off unless ``HEARTH_METRICS_PORT`` is set; it listens on ``HEARTH_METRICS_LISTEN``
(``127.0.0.1`` by default, so only the machine itself can read it).
"""

from __future__ import annotations

import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bots.health import HealthChecker
from bots.metrics import HearthMetrics

log = logging.getLogger(__name__)


class OpsServer:
    """A small aiohttp server for ``/metrics`` and ``/healthz``."""

    def __init__(
        self, metrics: HearthMetrics, health: HealthChecker, *, host: str, port: int
    ) -> None:
        self._metrics = metrics
        self._health = health
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None

    @property
    def port(self) -> int:
        """The port listened on (the one asked for, or the one given for port 0)."""
        if self._runner is not None:
            for address in self._runner.addresses:
                if isinstance(address, tuple) and len(address) >= 2:
                    return int(address[1])
        return self._port

    async def start(self) -> None:
        """Start listening; raises ``OSError`` when the address is taken."""
        if self._runner is not None:
            return
        app = web.Application()
        app.router.add_get("/metrics", self._serve_metrics)
        app.router.add_get("/healthz", self._serve_health)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._host, self._port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        log.info("metrics and health checks on http://%s:%d/", self._host, self.port)

    async def stop(self) -> None:
        """Stop listening; safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _serve_metrics(self, _request: web.Request) -> web.Response:
        await self._health.check()  # refreshes the store and pending-embedding gauges
        response = web.Response(body=self._metrics.exposition())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    async def _serve_health(self, _request: web.Request) -> web.Response:
        report = await self._health.check()
        return web.json_response(report.as_json(), status=200 if report.ok else 503)
