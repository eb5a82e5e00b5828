"""The Qdrant REST fake as a server for :class:`ServerMemoryStore`, over real HTTP: what a
cluster is asked for, passing failures retried, stores opened together, and the gaps it
reports instead of hiding."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from qdrant_client import AsyncQdrantClient, models
from qdrant_client.http.exceptions import UnexpectedResponse

from memory.records import MemoryScope
from memory.server_store import ServerMemoryStore
from tests.fakes.qdrant_api import FakeQdrantApi, version_checks_done
from tests.memory.conftest import DIM, axis, record

GROUP, ALICE = 10, 100


@pytest.fixture
async def fake() -> AsyncIterator[FakeQdrantApi]:
    server = FakeQdrantApi()
    await server.start()
    yield server
    await version_checks_done()
    await server.close()


@pytest.fixture
async def client(fake: FakeQdrantApi) -> AsyncIterator[AsyncQdrantClient]:
    made = AsyncQdrantClient(url=fake.url)
    yield made
    await made.close()


async def test_store_search_delete_and_count_go_over_http(
    fake: FakeQdrantApi, client: AsyncQdrantClient
) -> None:
    store = ServerMemoryStore(client, "m", DIM)
    await store.open()
    fern = record(1, GROUP, ALICE, axis(0), "Fern Creek loop")
    await store.upsert([fern])
    await store.upsert([record(2, GROUP, ALICE, axis(1)), fern])
    scope = MemoryScope.member_in_chat(ALICE, GROUP)

    [hit, _] = await store.search(axis(0), scope, 5)
    [word] = await store.search_keywords("fern", scope, 5)
    await store.delete_messages([2])

    assert (hit.message_id, word.message_id) == (1, 1)
    assert await store.count() == 1
    assert fake.local.count("m").count == 1  # the server's store, not a client-side copy
    assert fake.point_upserts("m") == {1: 2, 2: 1}
    for operation in ("exists", "create_collection", "upsert", "query", "delete", "count"):
        assert fake.requests[operation] >= 1, operation


async def test_hybrid_search_and_peer_scores_take_one_request_each(
    fake: FakeQdrantApi, client: AsyncQdrantClient
) -> None:
    store = ServerMemoryStore(client, "m", DIM)
    await store.open()
    await store.upsert(
        [
            record(1, GROUP, ALICE, axis(0), "Fern Creek loop"),
            record(2, GROUP, ALICE, axis(1), "sourdough starter"),
            record(3, GROUP, ALICE + 1, axis(0), "Fern Creek again"),
        ]
    )
    scope = MemoryScope.member_in_chat(ALICE, GROUP)
    before = fake.requests["query_batch"], fake.requests["query"]

    dense, keywords = await store.search_hybrid(axis(0), "fern creek", scope, 5)
    peers = await store.peer_scores(axis(0), "fern creek", GROUP, (ALICE,), 5)

    assert [h.message_id for h in dense] == [1, 2]
    assert [h.message_id for h in keywords] == [1]
    assert len(peers.dense) == 1 and len(peers.keywords) == 1
    assert (fake.requests["query_batch"], fake.requests["query"]) == (before[0] + 2, before[1])


async def test_new_collections_get_shards_replication_and_payload_indexes(
    fake: FakeQdrantApi, client: AsyncQdrantClient
) -> None:
    await ServerMemoryStore(client, "m", DIM, shards=6, replication=2).open()

    created = fake.created["m"]
    assert (created.shard_number, created.replication_factor) == (6, 2)
    assert created.sparse_vectors is not None and "keywords" in created.sparse_vectors
    assert created.hnsw_config is not None and created.hnsw_config.m == 0
    assert set(fake.indexes["m"]) == {"chat_id", "member_id", "sent_at"}
    info = await client.get_collection("m")
    assert (info.config.params.shard_number, info.config.params.replication_factor) == (6, 2)
    assert info.payload_schema["sent_at"].data_type == models.PayloadSchemaType.FLOAT
    # Opened again, the collection and its indexes are kept as they are.
    await ServerMemoryStore(client, "m", DIM, shards=3).open()
    assert fake.requests["create_collection"] == 1
    assert fake.requests["create_index"] == 3


async def test_stores_opened_at_once_share_one_collection(fake: FakeQdrantApi) -> None:
    clients = [AsyncQdrantClient(url=fake.url) for _ in range(3)]
    stores = [ServerMemoryStore(c, "m", DIM) for c in clients]
    try:
        await asyncio.gather(*(store.open() for store in stores))
        await stores[0].upsert([record(1, GROUP, ALICE, axis(0))])
        assert [await store.count() for store in stores] == [1, 1, 1]
    finally:
        for c in clients:
            await c.close()
    assert fake.requests["create_collection"] >= 1
    assert list(fake.created) == ["m"]


async def test_injected_503s_are_retried_then_given_up(
    fake: FakeQdrantApi, client: AsyncQdrantClient
) -> None:
    store = ServerMemoryStore(client, "m", DIM, retries=3, retry_delay=0.01)
    await store.open()

    fake.fail_next("upsert", 2)
    await store.upsert([record(1, GROUP, ALICE, axis(0))])
    assert fake.requests["upsert"] == 3
    assert fake.point_upserts("m") == {1: 1}  # failed tries were not applied

    fake.fail_next("upsert", 5)
    with pytest.raises(UnexpectedResponse) as failed:
        await store.upsert([record(2, GROUP, ALICE, axis(1))])
    assert failed.value.status_code == 503
    assert fake.requests["upsert"] == 3 + 4
    assert await store.count() == 1


async def test_errors_come_back_as_a_server_sends_them(
    fake: FakeQdrantApi, client: AsyncQdrantClient
) -> None:
    with pytest.raises(UnexpectedResponse) as missing:
        await client.count("nowhere")
    assert missing.value.status_code == 404
    assert "`nowhere` doesn't exist" in missing.value.content.decode()

    await ServerMemoryStore(client, "m", DIM).open()
    with pytest.raises(UnexpectedResponse) as again:
        await client.create_collection(
            "m", vectors_config=models.VectorParams(size=2, distance="Cosine")
        )
    assert again.value.status_code == 409

    with pytest.raises(UnexpectedResponse) as unserved:
        await client.scroll("m")
    assert unserved.value.status_code == 404
    assert "does not serve POST /collections/m/points/scroll" in unserved.value.content.decode()

    with pytest.raises(UnexpectedResponse) as unsupported:
        await client.count("m", shard_key_selector="eu")
    assert unsupported.value.status_code == 400
    assert "does not support shard_key" in unsupported.value.content.decode()

    async with httpx.AsyncClient(base_url=fake.url) as raw:
        garbled = await raw.put("/collections/m/points", json={"points": [{"id": "x"}]})
    assert garbled.status_code == 400
    assert garbled.json()["status"]["error"].startswith("Format error in JSON body")
