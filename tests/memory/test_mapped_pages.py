"""Pages of a store's mapped files given back after a long read, and only after one."""

from __future__ import annotations

import mmap
import sys
from pathlib import Path

import numpy as np
import pytest

from memory.edge_store import EdgeMemoryStore
from memory.mapped_pages import mapped_ranges, page_out
from memory.store import RELEASE_EVERY, FloatVector, vector_matrix
from tests.memory.conftest import DIM, record, unit

CHAT = 1


def test_only_the_mappings_of_files_under_the_folder_are_found(tmp_path: Path) -> None:
    folder = tmp_path / "edge"
    maps = "\n".join(
        [
            f"7f0000000000-7f0000100000 r--s 00000000 fd:00 12 {folder}/segments/a/vectors.dat",
            f"7f0000200000-7f0000300000 rw-s 00000000 fd:00 13 {folder}/wal/open-1",
            f"7f0000400000-7f0000500000 r--s 00000000 fd:00 14 {folder}-old/vectors.dat",
            "7f0000600000-7f0000700000 rw-p 00000000 00:00 0 ",
            "7f0000800000-7f0000900000 r-xp 00000000 fd:00 15 /usr/lib/libc.so.6",
        ]
    )
    assert mapped_ranges(folder, maps) == [
        (0x7F0000000000, 0x7F0000100000),
        (0x7F0000200000, 0x7F0000300000),
    ]


def _file_rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssFile:"):
            return int(line.split()[1])
    raise AssertionError("no RssFile line")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self")
def test_the_pages_a_read_went_through_leave_resident_memory(tmp_path: Path) -> None:
    size = 64 << 20
    path = tmp_path / "store" / "vectors.dat"
    path.parent.mkdir()
    path.write_bytes(np.random.default_rng(0).bytes(size))
    with path.open("rb") as file, mmap.mmap(file.fileno(), size, access=mmap.ACCESS_READ) as mapped:
        view = np.frombuffer(mapped, dtype=np.uint8)
        total = int(view[:: mmap.PAGESIZE].astype(np.int64).sum())  # every page read once
        before = _file_rss_kib()
        advised = page_out(tmp_path / "store")
        after = _file_rss_kib()
        assert advised >= size
        assert before - after >= (size >> 10) // 2
        assert int(view[:: mmap.PAGESIZE].astype(np.int64).sum()) == total  # nothing lost
        del view


class _CountingStore:
    """A store that counts how often it was asked to give its pages back."""

    def __init__(self) -> None:
        self.released = 0

    async def vectors(self, message_ids: list[int]) -> dict[int, FloatVector]:
        return {i: np.asarray(unit(1.0, float(i % 7)), dtype=np.float32) for i in message_ids}

    async def release_pages(self) -> None:
        self.released += 1


async def test_a_long_read_gives_pages_back_as_it_goes_and_a_short_one_never() -> None:
    store = _CountingStore()
    await vector_matrix(store, list(range(RELEASE_EVERY * 4)), DIM, page=4)  # type: ignore[arg-type]
    assert store.released == 0
    found, matrix = await vector_matrix(
        store,  # type: ignore[arg-type]
        list(range(RELEASE_EVERY * 4 * 3 + 1)),
        DIM,
        page=4,
    )
    assert store.released == 4  # after every RELEASE_EVERY pages, and at the end
    assert found.all() and matrix.shape == (RELEASE_EVERY * 12 + 1, DIM)


async def test_qdrant_edge_gives_back_what_it_mapped(tmp_path: Path) -> None:
    store = EdgeMemoryStore(tmp_path / "edge", DIM)
    await store.open()
    try:
        await store.upsert([record(i, CHAT, 7, unit(1.0, i / 50)) for i in range(1, 51)])
        await store.release_pages()  # nothing lost: the vectors read back the same
        found, matrix = await vector_matrix(store, list(range(1, 51)), DIM)
        assert found.all()
        np.testing.assert_allclose(matrix[9], unit(1.0, 10 / 50), rtol=1e-5, atol=1e-6)
    finally:
        await store.close()
