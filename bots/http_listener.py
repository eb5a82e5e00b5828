"""One aiohttp application listening on one address, on the app's event loop."""

from __future__ import annotations

from aiohttp import web


class HttpListener:
    """Starts an aiohttp application on ``host:port`` and stops it."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self._port = port
        self._runner: web.AppRunner | None = None

    @property
    def running(self) -> bool:
        """Whether it is listening."""
        return self._runner is not None

    @property
    def port(self) -> int:
        """The port listened on (the one asked for, or the one given for port 0)."""
        if self._runner is not None:
            for address in self._runner.addresses:
                if isinstance(address, tuple) and len(address) >= 2:
                    return int(address[1])
        return self._port

    async def start(self, app: web.Application) -> None:
        """Serve ``app``; raises ``OSError`` when the address is taken."""
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self._port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner

    async def stop(self) -> None:
        """Stop listening; safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
