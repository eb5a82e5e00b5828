"""The Qdrant server store on a cluster: shard and replication settings for new
collections, payload indexes for the filtered fields, retries of passing failures."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from qdrant_client import AsyncQdrantClient
from qdrant_client.http.exceptions import UnexpectedResponse

from bots.settings import HearthSettings
from memory.factory import build_memory_store
from memory.server_store import ServerMemoryStore
from tests.memory.conftest import DIM, axis, record


class RecordingClient(AsyncQdrantClient):
    """qdrant-client's local mode that keeps the options collections were created with
    and can fail the next requests like an overloaded or restarting server."""

    def __init__(self) -> None:
        super().__init__(location=":memory:")
        self.created: list[dict[str, Any]] = []
        self.failures: list[Exception] = []
        self.upserts = 0
        self.indexes: dict[str, Any] = {}

    async def create_collection(self, collection_name: str, **options: Any) -> bool:
        self.created.append(options)
        return await super().create_collection(collection_name, **options)

    async def create_payload_index(
        self, collection_name: str, field_name: str, field_schema: Any = None, **options: Any
    ) -> Any:
        # Local mode keeps no payload indexes: the request itself is what a server gets.
        self.indexes[field_name] = field_schema
        return await super().create_payload_index(
            collection_name, field_name, field_schema=field_schema, **options
        )

    async def upsert(self, collection_name: str, points: Any, **options: Any) -> Any:
        self.upserts += 1
        if self.failures:
            raise self.failures.pop(0)
        return await super().upsert(collection_name, points, **options)


def overloaded(status: int) -> UnexpectedResponse:
    return UnexpectedResponse(status, "busy", b"{}", httpx.Headers())


@pytest.fixture
async def client() -> AsyncIterator[RecordingClient]:
    made = RecordingClient()
    yield made
    await made.close()


async def test_new_collections_get_the_configured_shards_and_replication(
    client: RecordingClient,
) -> None:
    store = ServerMemoryStore(client, "m", DIM, shards=6, replication=2)
    await store.open()
    assert client.created[0]["shard_number"] == 6
    assert client.created[0]["replication_factor"] == 2
    # Opened again, the existing collection is kept as it is.
    await ServerMemoryStore(client, "m", DIM, shards=3).open()
    assert len(client.created) == 1


async def test_the_filtered_fields_have_payload_indexes(client: RecordingClient) -> None:
    await ServerMemoryStore(client, "m", DIM).open()
    assert set(client.indexes) == {"chat_id", "member_id", "sent_at"}
    assert client.indexes["chat_id"].type.value == "integer"
    assert client.indexes["sent_at"].type.value == "float"


async def test_passing_failures_are_retried_and_others_are_not(client: RecordingClient) -> None:
    store = ServerMemoryStore(client, "m", DIM, retries=3, retry_delay=0.01)
    await store.open()
    client.failures = [overloaded(503), httpx.ConnectError("refused"), overloaded(429)]
    await store.upsert([record(1, 10, 100, axis(0))])
    assert client.upserts == 4 and await store.count() == 1
    client.failures = [overloaded(400)]
    with pytest.raises(UnexpectedResponse):
        await store.upsert([record(2, 10, 100, axis(1))])
    assert client.upserts == 5  # a bad request is not sent again
    client.failures = [overloaded(503)] * 5
    with pytest.raises(UnexpectedResponse):
        await store.upsert([record(3, 10, 100, axis(2))])
    assert client.upserts == 5 + 4  # the first try and three retries


@pytest.mark.filterwarnings("ignore:Failed to obtain server version")
async def test_settings_reach_the_server_store() -> None:
    settings = HearthSettings.model_validate(
        {
            "QDRANT_URL": "http://127.0.0.1:9",
            "QDRANT_SHARDS": "4",
            "QDRANT_REPLICATION": "3",
            "QDRANT_RETRIES": "2",
        }
    )
    store = build_memory_store(settings, DIM)
    assert isinstance(store, ServerMemoryStore)
    assert (store._shards, store._replication, store._retries) == (4, 3, 2)
    await store.close()
    for thread in threading.enumerate():  # the client's version check, warning in the test
        if "compatibility" in thread.name:
            await asyncio.to_thread(thread.join, 5)
