"""SIGKILL a real ``hearth import`` mid-run while live messages keep arriving: the next
run continues, and every importable message is stored exactly once."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from pathlib import Path

import pytest

from adapters.model import Chat, ChatKind, Member, Message, Platform, utc
from bots.storage.database import create_engine
from bots.storage.history_import_store import HistoryImportStore
from bots.storage.repository import Storage
from tests.fakes.hearth_process import ENV_PREFIXES
from tests.imports.test_telegram_export import write_export

pytestmark = pytest.mark.fault

ROOT = Path(__file__).resolve().parents[2]
CHAT = Chat(Platform.TELEGRAM, "-1001700000001", ChatKind.GROUP, "Generated")


def _env(database_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIXES)}
    env.update(DATABASE_URL=database_url, HEARTH_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT))
    return env


async def _import(path: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bots.cli",
        "import",
        "telegram",
        str(path),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def test_a_killed_import_continues_and_stores_each_message_once(
    database_url: str, tmp_path: Path
) -> None:
    export = tmp_path / "result.json"
    importable = write_export(export, 30_000)
    env = _env(database_url, tmp_path / "data")
    storage = Storage(create_engine(database_url))
    runs = HistoryImportStore(storage.engine)
    rng = random.Random()
    alice = Member(Platform.TELEGRAM, "101", "Member 101")
    try:
        process = await _import(export, env)
        stored = 0
        async with asyncio.timeout(120):
            while stored < 2_000 + rng.randrange(6_000):
                # live messages flow while the import runs: new ones, and one it also holds
                at = utc(None)
                await storage.ingest_message(Message(CHAT, alice, f"live-{stored}", "hi", at))
                await asyncio.sleep(0.05)
                stored = sum(r.stored for r in await runs.runs())
                assert process.returncode is None, await _output(process)
        process.send_signal(signal.SIGKILL)
        assert await process.wait() == -signal.SIGKILL
        [killed] = await runs.runs()
        assert killed.status == "running"
        assert 0 < killed.stored < importable
        live_count = await storage.count_messages() - killed.stored
        author = Member(Platform.TELEGRAM, str(100 + 29_991 % 7), "Member")
        overlapping = Message(CHAT, author, "29991", "note 29991", utc(None))
        await storage.ingest_message(overlapping)  # seen live before the import gets there

        process = await _import(export, env)
        async with asyncio.timeout(180):
            output = await _output(process)
        assert process.returncode == 0, output
        [finished] = await runs.runs()
        assert finished.id == killed.id and finished.status == "done"
        assert finished.stored + finished.duplicates == importable
        assert finished.duplicates == 1
        assert await storage.count_messages() == importable + live_count
    finally:
        await storage.close()


async def _output(process: asyncio.subprocess.Process) -> str:
    out, _ = await process.communicate()
    return out.decode(errors="replace")
