"""Looking for traces of a text in raw files: what ``/forget`` tests read back."""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bots.storage.tables import Base


def secret_words() -> tuple[str, str]:
    """An English-looking and a Chinese token that appear nowhere else."""
    english = "zq" + secrets.token_hex(6)
    chinese = "秘" + "".join(chr(0x4E00 + secrets.randbelow(0x5000)) for _ in range(6)) + "密"
    return english, chinese


def files_holding(folder: Path, *tokens: str) -> list[str]:
    """Every file under ``folder`` whose bytes hold one of ``tokens`` (UTF-8), by relative path.

    Files that vanish while being read (a shard being swapped) are skipped.
    """
    needles = [token.encode() for token in tokens]
    found = []
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root, name)
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                continue
            if any(needle in data for needle in needles):
                found.append(str(path.relative_to(folder)))
    return sorted(found)


async def everything_in_sql(engine: AsyncEngine) -> str:
    """Every row of every table Hearth defines, as one string."""
    rows = []
    async with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows += [repr(tuple(row)) for row in await connection.execute(select(table))]
    return "\n".join(rows)


async def until_no_trace(folder: Path, *tokens: str, limit: float = 30) -> None:
    """Wait until no file under ``folder`` holds any of ``tokens`` (a purge runs in the back)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        held = await asyncio.to_thread(files_holding, folder, *tokens)
        if not held:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"still in {held} after {limit} s")


def names_in(folder: Path) -> list[str]:
    """The names directly in ``folder``, sorted."""
    return sorted(path.name for path in folder.iterdir())
