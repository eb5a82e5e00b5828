"""Giving back the pages of a store's memory-mapped files after a long read.

An embedded engine (Qdrant Edge) reads vectors from memory-mapped files, and
every page a read goes through stays mapped in the process, counted in its
resident memory, until the kernel wants it back. A job that reads every vector
of a large chat once (a round of introductions) would hold the whole file that
way beside its own copy. :func:`page_out` asks the kernel to reclaim the mapped
pages of the files under a folder now (``MADV_PAGEOUT``): nothing is lost,
as a later read maps them again from the file. Linux only; elsewhere it does
nothing.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

MADV_PAGEOUT = 21
"""Linux's advice to reclaim a range's pages now (since 5.4); contents are kept."""
_MAPS = Path("/proc/self/maps")


def mapped_ranges(folder: Path, maps: str | None = None) -> list[tuple[int, int]]:
    """The address ranges ``(start, stop)`` this process maps from files under ``folder``.

    ``maps`` is the text of ``/proc/self/maps`` (read now when not given).
    """
    if maps is None:
        try:
            maps = _MAPS.read_text()
        except OSError:
            return []
    prefix = str(folder.resolve()) + os.sep
    found = []
    for line in maps.splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) == 6 and fields[5].startswith(prefix):
            start, stop = (int(value, 16) for value in fields[0].split("-"))
            found.append((start, stop))
    return found


@cache
def _madvise() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).madvise
    except (OSError, AttributeError):
        return None
    function.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    function.restype = ctypes.c_int
    return function


def page_out(folder: Path) -> int:
    """Ask the kernel to reclaim this process's mapped pages of the files under ``folder``.

    Returns how many bytes of mappings were advised (0 where the system cannot).
    Reclaiming keeps every page's contents (dirty ones are written back first),
    so it is safe whatever the mapping.
    """
    madvise = _madvise()
    if madvise is None:
        return 0
    advised = 0
    for start, stop in mapped_ranges(folder):
        if madvise(start, stop - start, MADV_PAGEOUT) == 0:
            advised += stop - start
        else:  # an old kernel, or the range unmapped meanwhile: nothing to give back
            log.debug("madvise failed on a mapping under %s: errno %d", folder, ctypes.get_errno())
    return advised
