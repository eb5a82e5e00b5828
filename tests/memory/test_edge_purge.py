"""Deleted points leave the Qdrant Edge shard's files: read the raw bytes to be sure."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import memory.edge_rewrite
from memory.edge_store import EdgeMemoryStore
from memory.records import MemoryScope
from memory.store import MemoryStoreError, purge_soon
from tests.memory.conftest import DIM, axis, record, unit
from tests.traces import files_holding, names_in, secret_words, until_no_trace

ALICE, BOB = 101, 102
GROUP, OTHER = 1, 2


@contextlib.asynccontextmanager
async def opened(path: Path, purge_delay: float = 1.0) -> AsyncIterator[EdgeMemoryStore]:
    """An open Edge store at ``path``, closed on the way out."""
    store = EdgeMemoryStore(path, DIM, purge_delay=purge_delay)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


async def many_of_alice(store: EdgeMemoryStore) -> None:
    """3,000 points of Alice's: copying the shard takes several pages."""
    await store.upsert([record(i, GROUP, ALICE, axis(i % DIM)) for i in range(1000, 4000)])


async def alice_and_bob(store: EdgeMemoryStore, english: str, chinese: str) -> None:
    """Bob's messages between Alice's, two of them holding the secret words."""
    await store.upsert([record(i, GROUP, ALICE, unit(1.0, i / 100)) for i in range(1, 40)])
    await store.upsert(
        [
            record(100, GROUP, BOB, axis(1), f"My locker code is {english}, keep it quiet"),
            record(101, GROUP, BOB, axis(2), f"我的暗号是{chinese}，别告诉别人"),
            record(102, OTHER, BOB, axis(3), "Bob in the other chat"),
        ]
    )
    await store.upsert([record(i, GROUP, ALICE, unit(1.0, i / 100)) for i in range(40, 80)])
    await store.flush()


async def owing_a_purge(path: Path, english: str, chinese: str) -> EdgeMemoryStore:
    """An open store where Bob's words were deleted and their purge is owed, not yet run."""
    store = EdgeMemoryStore(path, DIM, purge_delay=3600)
    await store.open()
    await alice_and_bob(store, english, chinese)
    await store.delete_member(BOB, GROUP)
    await store.purge_soon()
    return store


async def test_deleted_text_stays_in_the_files_until_the_purge(tmp_path: Path) -> None:
    english, chinese = secret_words()
    async with opened(tmp_path / "edge", purge_delay=60) as store:
        await alice_and_bob(store, english, chinese)
        await store.delete_member(BOB, GROUP)
        await store.flush()
        assert files_holding(tmp_path, english, chinese)  # what the purge is for
        kept = await store.purge()
        assert kept == 80
        assert files_holding(tmp_path, english, chinese) == []
        scope = MemoryScope.member_in_chat(ALICE, GROUP)
        assert await store.count() == 80
        assert len(await store.search(axis(0), scope, 100)) == 79
        assert await store.count(member_id=BOB, chat_id=OTHER) == 1
        [other] = await store.search(axis(3), MemoryScope.member_in_chat(BOB, OTHER), 5)
        assert other.text == "Bob in the other chat"
        assert await store.search_keywords(english, MemoryScope((BOB,), None), 5) == []
    assert files_holding(tmp_path, english, chinese) == []
    assert names_in(tmp_path) == ["edge"]


async def test_purge_soon_cleans_the_files_within_seconds(tmp_path: Path) -> None:
    english, chinese = secret_words()
    async with opened(tmp_path / "edge", purge_delay=0.2) as store:
        await alice_and_bob(store, english, chinese)
        await store.delete_member(BOB, GROUP)
        assert await purge_soon(store)
        await until_no_trace(tmp_path, english, chinese)
        assert await store.count() == 80


async def test_searches_and_writes_go_on_during_a_purge(tmp_path: Path) -> None:
    english, chinese = secret_words()
    async with opened(tmp_path / "edge", purge_delay=60) as store:
        await many_of_alice(store)
        await alice_and_bob(store, english, chinese)
        await store.delete_member(BOB, GROUP)
        purge = asyncio.create_task(store.purge())
        searches = 0
        while not purge.done():  # the copy goes a page at a time; calls are served between
            hits = await store.search(axis(0), MemoryScope.member_in_chat(ALICE, GROUP), 3)
            assert len(hits) == 3
            searches += 1
            if searches == 2:
                assert store._copy is not None  # the copy has begun: these writes reach it
                await store.upsert([record(5000, GROUP, ALICE, axis(5), "written meanwhile")])
                await store.upsert([record(1000, GROUP, ALICE, axis(6), "edited meanwhile")])
                await store.delete_messages([1001])
        await purge
        assert searches >= 2
        assert await store.count() == 3000 + 80 + 1 - 1
        assert await store.vectors([1001]) == {}
        assert set(await store.vectors([5000])) == {5000}
        scope = MemoryScope.member_in_chat(ALICE, GROUP)
        [edited] = await store.search_keywords("edited", scope, 5)
        assert (edited.message_id, edited.text) == (1000, "edited meanwhile")
        assert (await store.vectors([1000]))[1000] == pytest.approx(axis(6))
        assert files_holding(tmp_path, english, chinese) == []


async def test_a_delete_during_a_purge_is_purged_later(tmp_path: Path) -> None:
    english, chinese = secret_words()
    async with opened(tmp_path / "edge", purge_delay=0.1) as store:
        await many_of_alice(store)
        await alice_and_bob(store, english, chinese)
        purge = asyncio.create_task(store.purge())
        await asyncio.sleep(0)  # the purge asks its worker thread to start the copy
        await store.count()  # which runs before this
        assert store._copy is not None
        await store.delete_member(BOB, GROUP)  # reaches the copy too, but stays in its files
        await purge_soon(store)
        await purge
        await until_no_trace(tmp_path, english, chinese)
        assert await store.count(member_id=BOB) == 1


async def test_nightly_optimize_purges_any_delete(tmp_path: Path) -> None:
    english, chinese = secret_words()
    async with opened(tmp_path / "edge", purge_delay=60) as store:
        await alice_and_bob(store, english, chinese)
        assert await store.optimize() is False  # nothing deleted: the engine's own merge
        await store.delete_messages([100, 101])
        assert await store.optimize() is True
        assert files_holding(tmp_path, english, chinese) == []
        assert await store.count() == 80


async def test_close_finishes_an_owed_purge(tmp_path: Path) -> None:
    english, chinese = secret_words()
    store = await owing_a_purge(tmp_path / "edge", english, chinese)
    await store.close()
    assert files_holding(tmp_path, english, chinese) == []
    async with opened(tmp_path / "edge") as again:
        assert await again.count() == 80


KILLED_AFTER_FORGET = """
import asyncio, os, sys
from tests.memory.conftest import DIM, axis, record
from memory.edge_store import EdgeMemoryStore

async def main():
    store = EdgeMemoryStore(sys.argv[1], DIM, purge_delay=3600)
    await store.open()
    await store.upsert([record(i, 1, 101, axis(i % DIM)) for i in range(1, 50)])
    await store.upsert([record(50, 1, 102, axis(1), "the word is " + sys.argv[2])])
    await store.flush()
    await store.delete_member(102, 1)
    await store.purge_soon()
    os._exit(0)  # killed before the purge, without closing

asyncio.run(main())
"""


async def test_a_purge_owed_at_a_crash_runs_on_the_next_open(tmp_path: Path) -> None:
    english, _ = secret_words()
    path = tmp_path / "edge"
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        KILLED_AFTER_FORGET,
        str(path),
        english,
        cwd=Path(__file__).parents[2],
    )
    assert await child.wait() == 0
    assert files_holding(tmp_path, english)
    async with opened(path) as store:
        assert files_holding(tmp_path, english) == []
        assert await store.count() == 49


async def test_a_purge_without_disk_room_keeps_the_shard_and_the_debt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    english, chinese = secret_words()
    async with opened(tmp_path / "edge", purge_delay=3600) as store:
        await alice_and_bob(store, english, chinese)
        await store.delete_member(BOB, GROUP)
        with monkeypatch.context() as patch:
            patch.setattr(memory.edge_rewrite, "SPARE_BYTES", 1 << 60)
            with pytest.raises(MemoryStoreError, match="not enough free disk space"):
                await store.purge()
            await store.optimize()  # the nightly run merges segments instead, and goes on
        assert await store.count() == 80
        assert names_in(tmp_path) == ["edge"]
        assert await store.optimize() is True  # still owed: the nightly run does it
        assert files_holding(tmp_path, english, chinese) == []


async def test_a_failing_purge_never_stops_the_store_from_opening_or_closing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    english, chinese = secret_words()
    store = await owing_a_purge(tmp_path / "edge", english, chinese)
    with monkeypatch.context() as patch:
        patch.setattr(memory.edge_rewrite, "SPARE_BYTES", 1 << 60)
        await store.close()  # logs that the purge is left for the next start
        # and the next start, still without room, serves the old shard
        async with opened(tmp_path / "edge") as again:
            assert await again.count() == 80
    assert "left for the next start" in caplog.text
    assert files_holding(tmp_path, english, chinese)
    async with opened(tmp_path / "edge") as third:  # with room again, the owed purge runs
        assert files_holding(tmp_path, english, chinese) == []
        assert await third.count() == 80
