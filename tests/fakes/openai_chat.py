"""A tiny OpenAI-compatible chat endpoint (``POST /v1/chat/completions``) for wire tests."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from tests.fakes.telegram_api import free_tcp_port


@dataclass
class FakeOpenAIChat:
    """Answers every chat completion with ``reply`` and records the requests."""

    reply: str = "Bob recommends the Fern Creek loop for beginners [1]."
    requests: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ""

    async def completions(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        return web.json_response(
            {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fake"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": self.reply},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 300, "completion_tokens": 12, "total_tokens": 312},
            }
        )


@pytest.fixture
async def fake_openai_chat() -> AsyncIterator[FakeOpenAIChat]:
    """A running fake OpenAI-compatible endpoint on 127.0.0.1."""
    fake = FakeOpenAIChat()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", fake.completions)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_tcp_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    fake.base_url = f"http://127.0.0.1:{port}/v1"
    yield fake
    await runner.cleanup()
