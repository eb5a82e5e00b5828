"""The hash-keyed cache of values computed from message texts."""

from __future__ import annotations

from twins.text_cache import TextCache


def test_values_are_computed_once_and_the_oldest_are_evicted() -> None:
    calls: list[str] = []

    def length(text: str) -> int:
        calls.append(text)
        return len(text)

    cache = TextCache(length, size=2)

    assert [cache("a"), cache("bb"), cache("a")] == [1, 2, 1]
    assert calls == ["a", "bb"]
    cache("ccc")  # evicts "bb", the least recently used
    assert cache("a") == 1 and cache("bb") == 2
    assert calls == ["a", "bb", "ccc", "bb"]


def test_the_cache_keeps_no_text() -> None:
    cache = TextCache(len, size=10)
    secret = "my door code is 4711"

    cache(secret)

    assert all(isinstance(key, int) for key in cache._values)
    assert len(cache._values) == 1
    assert cache("lone surrogate \udc80") == len("lone surrogate \udc80")
