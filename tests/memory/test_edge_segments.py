"""Qdrant Edge segments stay bounded, and a shard written before the bound keeps its data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from qdrant_edge import (
    Distance,
    EdgeConfig,
    EdgeShard,
    EdgeSparseVectorParams,
    EdgeVectorParams,
    HnswIndexConfig,
    IntegerIndexParams,
    Modifier,
    Point,
    SparseVector,
    UpdateOperation,
)

from memory._payload import INDEXED_FIELDS, to_payload
from memory.edge_rewrite import CONFIG_FILE
from memory.edge_store import EdgeMemoryStore, unindexed_points
from memory.keywords import KEYWORDS, keyword_encoder
from memory.records import MemoryRecord, MemoryScope
from tests.memory.conftest import DIM, record

GROUP = 1
MEMBERS = (201, 202, 203)
POINTS = 3_000


def vector_of(message_id: int) -> list[float]:
    """A unit vector that differs for every message id."""
    values = np.random.default_rng(message_id).standard_normal(DIM)
    unit: list[float] = (values / np.linalg.norm(values)).tolist()
    return unit


def message(message_id: int) -> MemoryRecord:
    """Message ``message_id`` of one of three members, naming its own id as a word."""
    member = MEMBERS[message_id % len(MEMBERS)]
    return record(
        message_id, GROUP, member, vector_of(message_id), f"note{message_id} about hiking"
    )


def write_shard_as_before(path: Path, records: list[MemoryRecord]) -> None:
    """A shard written the way the store wrote it before segments were bounded:
    no optimizer settings, every point in the one appendable segment."""
    config = EdgeConfig(
        vectors=EdgeVectorParams(size=DIM, distance=Distance.Cosine),
        sparse_vectors={KEYWORDS: EdgeSparseVectorParams(modifier=Modifier.Idf)},
        hnsw_config=HnswIndexConfig(m=0, ef_construct=100, full_scan_threshold=10_000),
    )
    path.mkdir(parents=True)
    shard = EdgeShard.create(str(path), config)
    try:
        for field in INDEXED_FIELDS:
            schema = IntegerIndexParams(lookup=True, range=False)
            shard.update(UpdateOperation.create_field_index(field, schema))
        encoder = keyword_encoder()
        for start in range(0, len(records), 500):
            points = []
            for item in records[start : start + 500]:
                words = encoder.document(item.text)
                keywords = SparseVector(list(words.indices), list(words.values))
                points.append(
                    Point(
                        item.message_id,
                        {"": list(item.vector), KEYWORDS: keywords},
                        to_payload(item),
                    )
                )
            shard.update(UpdateOperation.upsert_points(points))
        shard.flush()
    finally:
        shard.close()


def segment_folders(path: Path) -> list[Path]:
    return [folder for folder in (path / "segments").iterdir() if folder.is_dir()]


async def assert_holds_every_message(store: EdgeMemoryStore) -> None:
    """Every message is there with its vector, its member and its words."""
    assert await store.count() == POINTS
    for member in MEMBERS:
        assert await store.count(member_id=member) == POINTS // len(MEMBERS)
    ids = list(range(1, POINTS + 1))
    stored = await store.vectors(ids)
    assert sorted(stored) == ids
    for message_id in (1, 1_234, POINTS):
        np.testing.assert_allclose(stored[message_id], vector_of(message_id), atol=1e-6)
    member = MEMBERS[1_234 % len(MEMBERS)]
    scope = MemoryScope.member_in_chat(member, GROUP)
    nearest = await store.search(vector_of(1_234), scope, 1)
    assert [(hit.message_id, hit.text) for hit in nearest] == [(1_234, "note1234 about hiking")]
    by_word = await store.search_keywords("note1234", scope, 5)
    assert [hit.message_id for hit in by_word] == [1_234]


async def test_a_shard_from_before_the_bound_keeps_every_message(tmp_path: Path) -> None:
    path = tmp_path / "edge"
    write_shard_as_before(path, [message(i) for i in range(1, POINTS + 1)])
    assert "optimizers" not in json.loads((path / CONFIG_FILE).read_text())

    store = EdgeMemoryStore(path, DIM, segment_points=1_000, optimize_every=500)
    await store.open()
    try:
        await assert_holds_every_message(store)
        stored_config = json.loads((path / CONFIG_FILE).read_text())
        assert stored_config["optimizers"]["max_segment_size"] > 0  # the bound now applies
        assert len(segment_folders(path)) == 1  # nothing rewritten merely by opening

        assert await store.optimize()  # too much unindexed for one segment: rewritten
        await assert_holds_every_message(store)
        assert len(segment_folders(path)) >= POINTS // 1_000
    finally:
        await store.close()

    reopened = EdgeMemoryStore(path, DIM, segment_points=1_000, optimize_every=500)
    await reopened.open()
    try:
        await assert_holds_every_message(reopened)
    finally:
        await reopened.close()


async def test_writes_are_indexed_as_they_come_in_bounded_segments(tmp_path: Path) -> None:
    path = tmp_path / "edge"
    store = EdgeMemoryStore(path, DIM, segment_points=1_000, optimize_every=500)
    await store.open()
    try:
        for start in range(1, POINTS + 1, 100):
            await store.upsert([message(i) for i in range(start, start + 100)])
            waiting = await store._run(unindexed_points)  # on the store's own engine thread
            assert waiting < 500
        await store.optimize()
        assert len(segment_folders(path)) >= POINTS // 1_000
        await assert_holds_every_message(store)
    finally:
        await store.close()
