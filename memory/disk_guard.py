"""Checks that a folder can take a write before an engine that memory-maps its files writes.

Qdrant Edge writes its write-ahead log and segments through memory-mapped, sparse
files. When the filesystem has no room for a page the engine touches, the kernel
answers with SIGBUS and the process dies with nothing logged. The only safe way
is not to write then: :func:`write_blocker` tells why a write should not start.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

MIB = 1024 * 1024

DEFAULT_MIN_FREE_BYTES = 64 * MIB
"""Free space kept on a shard's filesystem by default.

Qdrant preallocates each write-ahead-log segment as a 32 MiB sparse file and
grows segment storage (vectors, payloads) in 32 MiB chunks; the pages of both
are only taken from the disk when written. 64 MiB leaves room for a new log
segment to fill and a storage chunk to grow in one write.
"""

MIN_FREE_INODES = 64
"""Free inodes kept, on filesystems that count them (a new log segment is a new file)."""


def write_blocker(folder: Path, min_free_bytes: int) -> str | None:
    """Why writing under ``folder`` should not start now; ``None`` when it may.

    Refused when the filesystem is mounted read-only, when the folder (or a folder
    directly in it) cannot be written to (for root too: an immutable attribute),
    when fewer than ``min_free_bytes`` are free to unprivileged writers, or when
    the filesystem is out of inodes. A missing ``folder`` is judged by its nearest
    existing parent, where it would be created.
    """
    target = _existing(folder)
    try:
        stats = os.statvfs(target)
    except OSError as error:
        return f"cannot check the filesystem holding {folder}: {error.strerror or error}"
    if stats.f_flag & os.ST_RDONLY:
        return f"the filesystem holding {folder} is mounted read-only"
    for path in _folders(target) if target == folder else [target]:
        if not os.access(path, os.W_OK):
            return f"{path} is not writable"
    free = _free(stats)
    if free < min_free_bytes:
        return (
            f"only {_mib(free)} free on the filesystem holding {folder}; "
            f"Hearth keeps at least {_mib(min_free_bytes)} free there (HEARTH_MEMORY_MIN_FREE_MB)"
        )
    if stats.f_files > 0 and stats.f_favail < MIN_FREE_INODES:
        return f"the filesystem holding {folder} is out of inodes ({stats.f_favail} left)"
    return None


def free_bytes(folder: Path) -> int:
    """Bytes unprivileged writers may still write on the filesystem holding ``folder``."""
    return _free(os.statvfs(_existing(folder)))


def used_bytes(folder: Path) -> int:
    """Disk space the files under ``folder`` take (allocated blocks, not sparse sizes)."""
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                continue  # removed meanwhile
    return total


def _free(stats: os.statvfs_result) -> int:
    return stats.f_bavail * stats.f_frsize


def _existing(folder: Path) -> Path:
    path = folder
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _folders(target: Path) -> list[Path]:
    """``target`` and the folders directly in it (a shard's ``wal`` and ``segments``)."""
    found = [target]
    with contextlib.suppress(OSError):
        found.extend(entry for entry in target.iterdir() if entry.is_dir())
    return found


def _mib(size: int) -> str:
    return f"{size / MIB:.1f} MiB"
