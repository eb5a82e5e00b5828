"""Replies first: embedding work on a reply's path never queues behind bulk passage batches.

An embedder that computes on local threads runs its blocking calls through
:class:`EmbeddingLanes`: a *fast* lane for search queries (and any embedding done
inside :func:`for_reply`) and a *bulk* lane for passage batches (the embedding
worker, digests, introductions). The two lanes run side by side, so a reply waits
for no passage batch at all, queued or in flight; the bulk lane's thread runs at a
lower CPU priority (and so do the threads it starts), so while both compute the
reply gets most of the cores and ingest takes what is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

BULK_NICENESS = 10
"""How much lower the bulk lane's CPU priority is (Linux ``nice``; 10 gets ~1/10 of a
core's time against a normal-priority thread that wants it)."""

_ON_REPLY_PATH: ContextVar[bool] = ContextVar("hearth_embedding_on_reply_path", default=False)


@contextlib.contextmanager
def for_reply() -> Iterator[None]:
    """Passages embedded inside this block are on a reply's path: they take the fast lane.

    Queries always do; use this for the few passages a reply needs embedded now
    (a correction's question, the relevance gate's anchor sentences).
    """
    token = _ON_REPLY_PATH.set(True)
    try:
        yield
    finally:
        _ON_REPLY_PATH.reset(token)


def on_reply_path() -> bool:
    """Whether the calling task is inside :func:`for_reply`."""
    return _ON_REPLY_PATH.get()


class EmbeddingLanes:
    """Two single-thread executors: ``fast`` for replies, ``bulk`` (lower priority) for ingest.

    Each lane runs one call at a time, in the order submitted; the lanes run at the
    same time as each other, so the code they call must be safe to enter from two
    threads at once. ``bulk_niceness`` is added to the bulk thread's ``nice`` value
    where the platform allows it (threads it starts, such as an OpenMP team, inherit it).
    """

    def __init__(self, name: str, *, bulk_niceness: int = BULK_NICENESS) -> None:
        self._fast = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{name}-fast")
        self._bulk = ThreadPoolExecutor(
            max_workers=1,
            thread_name_prefix=f"{name}-bulk",
            initializer=_lower_priority,
            initargs=(bulk_niceness,),
        )

    async def fast(self, fn: Callable[..., T], *args: object) -> T:
        """Run ``fn(*args)`` on the fast lane and return its result."""
        return await self._submit(self._fast, fn, *args)

    async def bulk(self, fn: Callable[..., T], *args: object) -> T:
        """Run ``fn(*args)`` on the bulk lane and return its result."""
        return await self._submit(self._bulk, fn, *args)

    async def passages(self, fn: Callable[..., T], *args: object) -> T:
        """Run ``fn(*args)`` on the fast lane inside :func:`for_reply`, else on the bulk lane."""
        if on_reply_path():
            return await self.fast(fn, *args)
        return await self.bulk(fn, *args)

    def close(self) -> None:
        """Stop both threads once their queued calls finish."""
        self._fast.shutdown(wait=False)
        self._bulk.shutdown(wait=False)

    @staticmethod
    async def _submit(executor: ThreadPoolExecutor, fn: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, functools.partial(fn, *args))


def _lower_priority(niceness: int) -> None:
    """Raise the calling thread's ``nice`` value by ``niceness`` (Linux: per thread)."""
    if niceness <= 0 or not hasattr(os, "setpriority"):
        return
    thread = threading.get_native_id()
    try:
        current = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(19, current + niceness))
    except OSError as error:
        log.debug("could not lower the bulk embedding thread's priority: %s", error)
