"""Rewriting a Qdrant Edge shard: copy its live points into a fresh shard and swap folders.

Deleting a point only marks it deleted: its vectors and payload stay in the
segment files, and the write-ahead log keeps the operations that wrote them,
until the engine happens to reuse that space. Even ``optimize()`` leaves them
when few points were deleted, and never touches the log. A fresh shard holding
only the live points is the one way to make deleted data physically gone.

The copy is made a page at a time (:meth:`ShardCopy.step`), so the caller can
keep serving searches and writes between pages; writes made meanwhile are
applied to both shards (:meth:`ShardCopy.mirror`). The new shard is built in a
``.building`` folder beside the old one and swapped in by renames
(:func:`swap_in`); :func:`recover_swap` finishes or discards a swap cut short.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from uuid import UUID

from qdrant_edge import (
    EdgeConfig,
    EdgeShard,
    IntegerIndexParams,
    Point,
    Record,
    ScrollRequest,
    UpdateOperation,
)

from memory.disk_guard import DEFAULT_MIN_FREE_BYTES, free_bytes, used_bytes
from memory.store import MemoryStoreError

BUILDING = ".building"
PREVIOUS = ".previous"
CONFIG_FILE = "edge_config.json"
PAGE = 500
"""Points copied per step: a few hundredths of a second of work, which a search may wait for."""
SPARE_BYTES = DEFAULT_MIN_FREE_BYTES
"""Free disk space a rewrite leaves, beyond the size of the shard it copies."""

PointOf = Callable[[Record], Point]


def _plain_point(record: Record) -> Point:
    if record.vector is None:
        raise MemoryStoreError(f"point {record.id!r} has no vector to keep")
    return Point(record.id, record.vector, record.payload)


def sibling(path: Path, suffix: str) -> Path:
    """``path`` with ``suffix`` appended to its name."""
    return path.with_name(path.name + suffix)


def check_room(path: Path) -> None:
    """Raise :class:`MemoryStoreError` unless the disk has room for a second copy of ``path``."""
    needed = used_bytes(path) + SPARE_BYTES
    free = free_bytes(path.parent)
    if free < needed:
        raise MemoryStoreError(
            f"not enough free disk space to rewrite the memory shard at {path}: "
            f"{free // 2**20} MiB free, {needed // 2**20} MiB needed"
        )


class ShardCopy:
    """A fresh shard at ``target`` being filled with the live points of ``source``.

    ``point_of`` turns a stored record into the point to write (by default the
    same vectors and payload). With ``optimize_every``, the new shard is
    flushed, optimized and reopened after each such number of copied points,
    so its segments are built a bounded piece at a time rather than all at the
    end, and the pages written for them do not stay in memory. Only one
    thread may use a copy, the same one that uses ``source``.
    """

    def __init__(
        self,
        source: EdgeShard,
        target: Path,
        config: EdgeConfig,
        indexed_fields: Iterable[str],
        point_of: PointOf = _plain_point,
        *,
        optimize_every: int | None = None,
    ) -> None:
        shutil.rmtree(target, ignore_errors=True)
        try:
            shard = EdgeShard.create(str(target), config)
        except Exception as error:  # the engine raises plain Exception
            shutil.rmtree(target, ignore_errors=True)
            raise MemoryStoreError(f"cannot create a shard at {target}: {error}") from error
        try:
            for field in indexed_fields:
                schema = IntegerIndexParams(lookup=True, range=False)
                shard.update(UpdateOperation.create_field_index(field, schema))
        except BaseException:
            shard.close()
            shutil.rmtree(target, ignore_errors=True)
            raise
        self._source = source
        self._target = target
        self._config = config
        self._shard: EdgeShard | None = shard
        self._point_of = point_of
        self._offset: int | str | UUID | None = None
        self._done = False
        self._optimize_every = optimize_every
        self._unoptimized = 0
        self.copied = 0

    @property
    def target(self) -> Path:
        """Where the new shard is being built."""
        return self._target

    def step(self, page: int = PAGE) -> bool:
        """Copy the next ``page`` points; whether every point has been copied."""
        shard = self._open_shard()
        if self._done:
            return True
        request = ScrollRequest(self._offset, page, with_payload=True, with_vector=True)
        try:
            batch, offset = self._source.scroll(request)
            points = [self._point_of(record) for record in batch]
            if points:
                shard.update(UpdateOperation.upsert_points(points))
            self._unoptimized += len(points)
            if self._optimize_every is not None and (
                self._unoptimized >= self._optimize_every or offset is None
            ):
                shard.flush()  # the log would otherwise hold every copied point
                shard.optimize()
                self._unoptimized = 0
                if offset is not None:  # let go of the pages just written
                    self._shard = None
                    shard.close()
                    self._shard = EdgeShard.load(str(self._target), self._config)
        except MemoryStoreError:
            raise
        except Exception as error:  # the engine raises plain Exception
            raise MemoryStoreError(f"cannot copy points into {self._target}: {error}") from error
        self._offset = offset
        self.copied += len(points)
        self._done = offset is None
        return self._done

    def mirror(self, operation: UpdateOperation) -> None:
        """Apply a write that was just made to the source, so the copy misses nothing."""
        try:
            self._open_shard().update(operation)
        except MemoryStoreError:
            raise
        except Exception as error:  # the engine raises plain Exception
            raise MemoryStoreError(f"cannot write to {self._target}: {error}") from error

    def finish(self) -> None:
        """Copy what is left, then flush and close the new shard."""
        while not self.step():
            pass
        shard = self._open_shard()
        self._shard = None
        try:
            shard.flush()
        except Exception as error:  # the engine raises plain Exception
            raise MemoryStoreError(f"cannot flush {self._target}: {error}") from error
        finally:
            shard.close()

    def abort(self) -> None:
        """Close the new shard and delete its folder."""
        shard, self._shard = self._shard, None
        if shard is not None:
            shard.close()
        shutil.rmtree(self._target, ignore_errors=True)

    def _open_shard(self) -> EdgeShard:
        if self._shard is None:
            raise MemoryStoreError("the shard copy is already finished")
        return self._shard


def swap_in(path: Path, built: Path) -> None:
    """Replace the (closed) shard at ``path`` with the one at ``built``, crash-safely."""
    previous = sibling(path, PREVIOUS)
    shutil.rmtree(previous, ignore_errors=True)
    path.rename(previous)
    built.rename(path)
    _sync_folder(path.parent)
    shutil.rmtree(previous)


def recover_swap(path: Path) -> None:
    """Undo the traces of a rewrite that stopped part-way (a crash, a kill)."""
    previous = sibling(path, PREVIOUS)
    if previous.exists():
        if (path / CONFIG_FILE).exists():
            shutil.rmtree(previous)  # the new shard is in place
        else:
            shutil.rmtree(path, ignore_errors=True)
            previous.rename(path)
    shutil.rmtree(sibling(path, BUILDING), ignore_errors=True)


def _sync_folder(folder: Path) -> None:
    """Make renames in ``folder`` durable (where the system allows opening a folder)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
