"""HashEmbedder: the deterministic fake embedder used by fast tests."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from memory.embedder import Embedder
from memory.hash_embedder import HashEmbedder, tokenize


def cosine(a: list[float], b: list[float]) -> float:
    return float(np.dot(a, b))


def test_is_an_embedder() -> None:
    embedder: Embedder = HashEmbedder(32)

    assert embedder.dimension == 32
    assert embedder.name == "hash-32"


async def test_vectors_are_unit_length_and_deterministic() -> None:
    embedder = HashEmbedder()

    first = await embedder.embed_passages(["The cat sat on the mat", "狗在公园里跑"])
    again = await HashEmbedder().embed_passages(["The cat sat on the mat", "狗在公园里跑"])

    assert first == again
    assert all(len(vector) == 64 for vector in first)
    assert all(np.linalg.norm(vector) == pytest.approx(1.0) for vector in first)


async def test_shared_words_score_higher_than_unrelated_text() -> None:
    embedder = HashEmbedder()
    query = await embedder.embed_query("who knows a good pizza place")
    related, unrelated = await embedder.embed_passages(
        ["this pizza place is good", "tax forms are due on friday"]
    )

    assert cosine(query, related) > cosine(query, unrelated)


async def test_cjk_characters_are_tokens() -> None:
    embedder = HashEmbedder(256)
    query = await embedder.embed_query("火锅")
    related, unrelated = await embedder.embed_passages(["我喜欢吃火锅", "明天会下雨"])

    assert tokenize("我喜欢Hot Pot") == ["我", "喜", "欢", "hot", "pot"]
    assert cosine(query, related) > cosine(query, unrelated)


async def test_case_and_punctuation_do_not_matter() -> None:
    embedder = HashEmbedder()

    assert await embedder.embed_query("Hello, World!") == await embedder.embed_query("hello world")


async def test_text_without_words_still_embeds() -> None:
    embedder = HashEmbedder()

    empty, emoji = await embedder.embed_passages(["", "🎉🎉"])

    assert empty == emoji
    assert np.linalg.norm(empty) == pytest.approx(1.0)


def test_dimension_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        HashEmbedder(0)


@given(st.text(max_size=200))
def test_any_text_gives_a_unit_vector(text: str) -> None:
    vector = HashEmbedder(16).embed(text)

    assert len(vector) == 16
    assert np.linalg.norm(vector) == pytest.approx(1.0)
    assert cosine(vector, vector) == pytest.approx(1.0)
