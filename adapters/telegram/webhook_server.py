"""The webhook listener: answers Telegram only after the update has been taken.

Telegram retries a webhook request that fails or is not answered with 2xx, so the
answer waits until Hearth has stored the update (or kept it as unreadable): 200 then,
503 while storage is out (Telegram tries again later), 403 for a wrong secret token.
Requests are taken one at a time, in the order they arrive. Behind a load balancer an
update sent again may reach another replica while the first still handles it: that one
answers 503 too (``UpdateInProgress``), and the resend after it is confirmed once done.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from adapters.ports import StoreUnavailable

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class UpdateInProgress(RuntimeError):
    """Another process is handling this update now; the platform should send it again."""


class WebhookServer:
    """An aiohttp server on ``listen:port`` that passes each POSTed update to ``take``."""

    def __init__(
        self,
        take: Callable[[object], Awaitable[object]],
        *,
        listen: str,
        port: int,
        path: str,
        secret: str | None,
    ) -> None:
        self._take = take
        self._listen = listen
        self._port = port
        self._path = "/" + path.lstrip("/")
        self._secret = secret
        self._lock = asyncio.Lock()
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Start listening."""
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_post(self._path, self._on_post)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._listen, self._port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner

    async def stop(self) -> None:
        """Stop listening; a request being handled is finished first."""
        runner, self._runner = self._runner, None
        if runner is not None:
            async with self._lock:
                pass  # the update in hand is finished; later requests are answered 503
            await runner.cleanup()

    async def _on_post(self, request: web.Request) -> web.Response:
        if self._secret is not None and not hmac.compare_digest(
            request.headers.get(SECRET_HEADER, ""), self._secret
        ):
            log.warning("refused a webhook request without the right secret token")
            return web.Response(status=403)
        body = await request.read()
        raw: object
        try:
            raw = json.loads(body)
        except ValueError:
            raw = body.decode("utf-8", errors="replace")
        async with self._lock:
            if self._runner is None:
                return web.Response(status=503)
            try:
                await self._take(raw)
            except UpdateInProgress as busy:
                log.info("update %s is being handled by another replica; asked for later", busy)
                return web.Response(status=503)
            except StoreUnavailable as error:
                log.error("storage is unavailable (%s); Telegram will send the update again", error)
                return web.Response(status=503)
        return web.Response(status=200)
