"""A round-robin proxy in front of ``hearth run`` replicas in Telegram webhook mode."""

from __future__ import annotations

import itertools
from collections import Counter

from aiohttp import ClientSession, web

from tests.fakes.telegram_api import free_tcp_port


class RoundRobinProxy:
    """Forwards each webhook POST to the next replica; loses some answers on purpose.

    For every fourth update, the first answer is replaced by a 502 after the replica
    handled it (as when a connection drops), so Telegram sends it again: to the other
    replica, next in turn.
    """

    def __init__(self, ports: list[int]) -> None:
        self._targets = itertools.cycle(ports)
        self._seen: set[int] = set()
        self.port = free_tcp_port()
        self.lost = 0
        self.forwards: Counter[int] = Counter()
        self._runner: web.AppRunner | None = None
        self._client: ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram/webhook"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/telegram/webhook", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self._client = ClientSession()

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._client is not None
        body = await request.read()
        update_id = int((await request.json())["update_id"])
        port = next(self._targets)
        self.forwards[port] += 1
        async with self._client.post(
            f"http://127.0.0.1:{port}/telegram/webhook", data=body, headers=request.headers
        ) as answer:
            status = answer.status
        first = update_id not in self._seen
        self._seen.add(update_id)
        if first and status == 200 and update_id % 4 == 0:
            self.lost += 1
            return web.Response(status=502)
        return web.Response(status=status)
