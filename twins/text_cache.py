"""A small thread-safe cache of values computed from message texts, keyed by a hash.

Keys are the texts' 64-bit hashes (Python's own, keyed per process), so the cache never
holds a message's words: a deleted message's text is not kept alive by it, and long texts
cost no memory here. A text's hash is computed once per string object, so asking about
the same text again in one question costs a dictionary lookup. A new text would be
taken for a cached one only if their hashes met, about once in 3·10^14 lookups in a
full cache of 65,536 texts.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class TextCache(Generic[T]):
    """Remembers ``compute(text)`` for the ``size`` most recently used texts."""

    def __init__(self, compute: Callable[[str], T], size: int) -> None:
        self._compute = compute
        self._size = size
        self._values: OrderedDict[int, T] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, text: str) -> T:
        """The value for ``text``, computed once while it stays in the cache."""
        key = hash(text)
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = self._compute(text)
        with self._lock:
            self._values[key] = value
            if len(self._values) > self._size:
                self._values.popitem(last=False)
        return value
