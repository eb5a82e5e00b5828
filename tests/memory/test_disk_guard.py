"""Qdrant Edge refuses writes it cannot survive (a full or unwritable disk) and keeps reading."""

from __future__ import annotations

from pathlib import Path

import pytest

from memory.disk_guard import used_bytes, write_blocker
from memory.edge_store import EdgeMemoryStore
from memory.records import MemoryScope
from memory.store import MemoryNotWritableError, MemoryStoreError, check_writable
from tests.disk_faults import fill, free_bytes, immutable, small_filesystem
from tests.memory.conftest import DIM, axis, record

NO_DISK_IS_THIS_BIG = 1 << 62


def test_write_blocker_names_what_is_wrong(tmp_path: Path) -> None:
    assert write_blocker(tmp_path, 0) is None
    short = write_blocker(tmp_path, NO_DISK_IS_THIS_BIG)
    assert short is not None and "free" in short and "HEARTH_MEMORY_MIN_FREE_MB" in short
    # A folder not made yet is judged where it would be made.
    assert write_blocker(tmp_path / "not" / "yet", 0) is None


def test_write_blocker_sees_a_folder_root_cannot_write(tmp_path: Path) -> None:
    shard = tmp_path / "shard"
    (shard / "wal").mkdir(parents=True)
    with immutable(shard / "wal"):
        problem = write_blocker(shard, 0)
    assert problem is not None and "wal" in problem and "not writable" in problem
    assert write_blocker(shard, 0) is None


async def test_opening_needs_the_free_space_margin(tmp_path: Path) -> None:
    store = EdgeMemoryStore(tmp_path / "edge", DIM, min_free_bytes=NO_DISK_IS_THIS_BIG)
    with pytest.raises(MemoryNotWritableError, match="free"):
        await store.open()  # creating (or loading: it replays the log) writes
    assert not (tmp_path / "edge").exists()


async def test_a_full_disk_refuses_writes_but_reads_go_on(tmp_path: Path) -> None:
    with small_filesystem(tmp_path / "disk", 80) as disk:
        store = EdgeMemoryStore(disk / "edge", DIM, min_free_bytes=8 * 1024 * 1024)
        await store.open()
        await store.upsert([record(1, 10, 100, axis(0))])
        filler = fill(disk)
        assert free_bytes(disk) == 0
        with pytest.raises(MemoryNotWritableError, match="free"):
            await check_writable(store)
        for write in (
            store.upsert([record(2, 10, 100, axis(1))]),  # without the check: SIGBUS
            store.delete_messages([1]),
            store.delete_member(100, None),
            store.delete_chat(10),
            store.flush(),
            store.optimize(),
        ):
            with pytest.raises(MemoryNotWritableError):
                await write
        assert await store.count() == 1
        hits = await store.search(axis(0), MemoryScope(member_ids=(100,), chat_ids=None), 5)
        assert [h.message_id for h in hits] == [1]

        filler.unlink()  # the repair
        await check_writable(store)
        await store.upsert([record(2, 10, 100, axis(1))])
        assert await store.count() == 2
        fill(disk)
        await store.close()  # closing on a full disk skips the flush and does not crash
        filler.unlink()
        reopened = EdgeMemoryStore(disk / "edge", DIM, min_free_bytes=8 * 1024 * 1024)
        await reopened.open()
        assert await reopened.count() == 2
        await reopened.close()


async def test_an_unwritable_log_folder_refuses_writes_until_repaired(tmp_path: Path) -> None:
    store = EdgeMemoryStore(tmp_path / "edge", DIM, min_free_bytes=0)
    await store.open()
    with immutable(tmp_path / "edge" / "wal"):
        with pytest.raises(MemoryNotWritableError, match="not writable"):
            await store.upsert([record(1, 10, 100, axis(0))])
        assert await store.count() == 0
    await store.upsert([record(1, 10, 100, axis(0))])
    assert await store.count() == 1
    await store.close()


async def test_check_writable_passes_stores_that_cannot_tell(tmp_path: Path) -> None:
    await check_writable(object())  # e.g. a Qdrant server: its writes fail on their own
    closed = EdgeMemoryStore(tmp_path / "edge", DIM)
    with pytest.raises(MemoryStoreError, match="not open"):
        await check_writable(closed)


def test_used_bytes_counts_allocated_blocks_not_sparse_sizes(tmp_path: Path) -> None:
    with (tmp_path / "sparse").open("wb") as sparse:
        sparse.truncate(64 * 1024 * 1024)
    (tmp_path / "dense").write_bytes(b"x" * 100_000)
    assert 100_000 <= used_bytes(tmp_path) < 1024 * 1024
