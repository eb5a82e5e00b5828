"""Process roles: ``hearth run`` with embedding off stores, ``hearth worker`` processes
embed; the embedded default refuses roles it cannot share."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bots.app import Hearth
from bots.cli import main
from bots.process_roles import RoleError, WorkerProcess, check_role
from bots.settings import HearthSettings
from memory.server_store import ServerMemoryStore
from tests.bots.test_worker_claims import CountingEmbedder
from tests.support import RecordingSender, message


def test_worker_refuses_the_embedded_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEARTH_DATA_DIR", str(tmp_path))
    for name in ("DATABASE_URL", "QDRANT_URL", "TELEGRAM_BOT_TOKEN", "DISCORD_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert main(["worker"]) == 2
    error = capsys.readouterr().err
    assert "hearth worker needs DATABASE_URL on PostgreSQL and QDRANT_URL" in error
    assert not (tmp_path / "hearth.db").exists()  # refused before touching anything


def test_embedding_off_needs_shared_storage(tmp_path: Path) -> None:
    alone = HearthSettings(HEARTH_DATA_DIR=tmp_path, HEARTH_EMBEDDING="off")
    with pytest.raises(RoleError, match="HEARTH_EMBEDDING=off"):
        check_role(alone, "run")
    shared = HearthSettings(
        HEARTH_DATA_DIR=tmp_path,
        HEARTH_EMBEDDING="off",
        DATABASE_URL="postgresql+asyncpg://h@db/h",
        QDRANT_URL="http://qdrant:6333",
    )
    check_role(shared, "run")
    check_role(shared, "worker")
    with pytest.raises(RoleError):
        check_role(HearthSettings(HEARTH_DATA_DIR=tmp_path, QDRANT_URL="http://q:6333"), "worker")


async def test_a_bot_without_embedding_stores_and_two_workers_embed(
    settings: HearthSettings,
) -> None:
    if not settings.resolved_database_url().startswith("postgresql"):
        pytest.skip("worker processes share PostgreSQL")
    from qdrant_client import AsyncQdrantClient

    embedder = CountingEmbedder()
    client = AsyncQdrantClient(location=":memory:")
    memory = ServerMemoryStore(client, "shared", 32)
    bot_settings = settings.model_copy(update={"embedding": "off"})
    bot = await Hearth.build(bot_settings, embedder=embedder, memory=memory)
    workers: list[WorkerProcess] = []
    try:
        sender = RecordingSender()
        for i in range(120):
            await bot.router.handle(message("bo", f"message number {i}"), sender)
        await asyncio.sleep(0.3)
        assert await bot.storage.count_pending_messages() == 120  # the bot embeds nothing
        for _ in range(2):
            workers.append(
                await WorkerProcess.build(
                    settings, embedder=embedder, memory=ServerMemoryStore(client, "shared", 32)
                )
            )
        for _ in range(200):  # the workers poll every second
            if not await bot.storage.count_pending_messages():
                break
            await asyncio.sleep(0.1)
        assert await memory.count() == 120
        assert len(embedder.texts) == 120 and max(embedder.texts.values()) == 1
    finally:
        for process in workers:
            await process.close()
        await bot.close()
        await client.close()
