"""OpenAIEmbedder against a small local server that speaks ``/v1/embeddings``."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import numpy as np
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from memory.embedder import Embedder, EmbeddingError
from memory.hash_embedder import HashEmbedder
from memory.openai_embedder import OpenAIEmbedder

DIM = 16


@dataclass
class FakeEmbeddingsApi:
    """Records requests; answers with scaled hash vectors in reversed order."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    hasher: HashEmbedder = field(default_factory=lambda: HashEmbedder(DIM))

    async def embeddings(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        inputs = body["input"]
        data = [
            {
                "object": "embedding",
                "index": index,
                "embedding": [3.0 * x for x in self.hasher.embed(text)],
            }
            for index, text in enumerate(inputs)
        ]
        data.reverse()  # clients must order by "index"
        return web.json_response(
            {"object": "list", "data": data, "model": body["model"], "usage": {}}
        )

    @staticmethod
    async def failing(request: web.Request) -> web.Response:
        return web.json_response({"error": {"message": "model overloaded"}}, status=500)

    @staticmethod
    async def not_json(request: web.Request) -> web.Response:
        return web.Response(text="<html>gateway</html>", content_type="text/html")

    @staticmethod
    async def too_few(request: web.Request) -> web.Response:
        return web.json_response({"data": [{"index": 0, "embedding": [1.0] * DIM}]})

    @staticmethod
    async def zero(request: web.Request) -> web.Response:
        body = await request.json()
        data = [{"index": i, "embedding": [0.0] * DIM} for i in range(len(body["input"]))]
        return web.json_response({"data": data})


@pytest.fixture
def api() -> FakeEmbeddingsApi:
    return FakeEmbeddingsApi()


@pytest.fixture
async def server(api: FakeEmbeddingsApi) -> AsyncIterator[TestServer]:
    app = web.Application()
    app.router.add_post("/v1/embeddings", api.embeddings)
    app.router.add_post("/failing/v1/embeddings", api.failing)
    app.router.add_post("/html/v1/embeddings", api.not_json)
    app.router.add_post("/short/v1/embeddings", api.too_few)
    app.router.add_post("/zero/v1/embeddings", api.zero)
    test_server = TestServer(app)
    await test_server.start_server()
    yield test_server
    await test_server.close()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


def root(server: TestServer, prefix: str = "") -> str:
    return str(server.make_url(f"{prefix}/v1"))


async def test_embeds_in_order_and_normalises(
    server: TestServer, api: FakeEmbeddingsApi, http: httpx.AsyncClient
) -> None:
    embedder: Embedder = OpenAIEmbedder(root(server), "e5", dimension=DIM, client=http)
    texts = ["pizza tonight", "tax forms", "pizza place"]

    vectors = await embedder.embed_passages(texts)
    query = await embedder.embed_query("pizza")

    expected = [api.hasher.embed(t) for t in texts]
    np.testing.assert_allclose(vectors, expected, atol=1e-6)
    np.testing.assert_allclose(query, api.hasher.embed("pizza"), atol=1e-6)
    assert embedder.name == "e5"
    assert api.requests[0] == {"model": "e5", "input": texts}


async def test_batches_requests(
    server: TestServer, api: FakeEmbeddingsApi, http: httpx.AsyncClient
) -> None:
    embedder = OpenAIEmbedder(root(server), "e5", dimension=DIM, client=http, batch_size=2)

    vectors = await embedder.embed_passages([f"text {i}" for i in range(5)])

    assert len(vectors) == 5
    assert [len(r["input"]) for r in api.requests] == [2, 2, 1]
    assert await embedder.embed_passages([]) == []
    assert len(api.requests) == 3


async def test_probes_dimension_when_not_given(server: TestServer, http: httpx.AsyncClient) -> None:
    embedder = OpenAIEmbedder(root(server) + "/", "e5", client=http)

    with pytest.raises(EmbeddingError, match="EMBEDDING_DIMENSION"):
        _ = embedder.dimension
    assert await embedder.probe_dimension() == DIM
    assert embedder.dimension == DIM
    assert embedder.url == root(server) + "/embeddings"


async def test_learns_dimension_from_first_call(
    server: TestServer, http: httpx.AsyncClient
) -> None:
    embedder = OpenAIEmbedder(root(server), "e5", client=http)

    await embedder.embed_query("hello")

    assert embedder.dimension == DIM


async def test_sends_api_key_and_input_type(
    server: TestServer, api: FakeEmbeddingsApi, http: httpx.AsyncClient
) -> None:
    embedder = OpenAIEmbedder(
        root(server), "e5", api_key="sk-test", client=http, send_input_type=True
    )

    await embedder.embed_query("q")
    await embedder.embed_passages(["p"])

    assert api.headers[0]["Authorization"] == "Bearer sk-test"
    assert [r["input_type"] for r in api.requests] == ["query", "passage"]


async def test_no_auth_header_without_key(
    server: TestServer, api: FakeEmbeddingsApi, http: httpx.AsyncClient
) -> None:
    await OpenAIEmbedder(root(server), "e5", client=http).embed_query("q")

    assert "Authorization" not in api.headers[0]
    assert "input_type" not in api.requests[0]


async def test_http_error_raises(server: TestServer, http: httpx.AsyncClient) -> None:
    embedder = OpenAIEmbedder(root(server, "/failing"), "e5", client=http)

    with pytest.raises(EmbeddingError, match=r"HTTP 500.*model overloaded"):
        await embedder.embed_passages(["x"])


async def test_missing_route_raises(server: TestServer, http: httpx.AsyncClient) -> None:
    embedder = OpenAIEmbedder(str(server.make_url("/nope")), "e5", client=http)

    with pytest.raises(EmbeddingError, match="HTTP 404"):
        await embedder.embed_query("x")


async def test_bad_json_raises(server: TestServer, http: httpx.AsyncClient) -> None:
    embedder = OpenAIEmbedder(root(server, "/html"), "e5", client=http)

    with pytest.raises(EmbeddingError, match="malformed"):
        await embedder.embed_query("x")


async def test_wrong_count_raises(server: TestServer, http: httpx.AsyncClient) -> None:
    embedder = OpenAIEmbedder(root(server, "/short"), "e5", client=http)

    with pytest.raises(EmbeddingError, match="1 vectors for 3 texts"):
        await embedder.embed_passages(["a", "b", "c"])


async def test_zero_vector_raises(server: TestServer, http: httpx.AsyncClient) -> None:
    embedder = OpenAIEmbedder(root(server, "/zero"), "e5", client=http)

    with pytest.raises(EmbeddingError, match="zero"):
        await embedder.embed_query("x")


async def test_dimension_mismatch_raises(server: TestServer, http: httpx.AsyncClient) -> None:
    embedder = OpenAIEmbedder(root(server), "e5", dimension=1536, client=http)

    with pytest.raises(EmbeddingError, match="16-dimensional vectors, expected 1536"):
        await embedder.embed_query("x")


async def test_unreachable_endpoint_raises() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    embedder = OpenAIEmbedder(f"http://127.0.0.1:{port}/v1", "e5", timeout=2)
    try:
        with pytest.raises(EmbeddingError, match="failed"):
            await embedder.embed_query("x")
    finally:
        await embedder.close()


async def test_owned_client_is_closed(server: TestServer) -> None:
    embedder = OpenAIEmbedder(root(server), "e5")
    await embedder.embed_query("x")

    await embedder.close()

    with pytest.raises(EmbeddingError, match="closed"):
        await embedder.embed_query("x")
