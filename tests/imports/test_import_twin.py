"""A twin answers from history imported before Hearth ever saw the member speak live."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.model import Chat, ChatKind, Member, Platform
from bots.app import Hearth
from bots.cli import main
from bots.settings import HearthSettings
from memory.edge_store import EdgeMemoryStore
from tests.e2e.worlds import settled
from tests.fakes.telegram_api import (
    FakeTelegramApi,
    make_chat,
    make_message,
    make_user,
    message_update,
)
from tests.fakes.telegram_fixtures import AdapterFactory, fake_telegram, telegram_adapter_factory

__all__ = ["fake_telegram", "telegram_adapter_factory"]

pytestmark = pytest.mark.wire

CHAT = make_chat(-1001500, title="Hikers")
ALICE = make_user(5001, "Alice", username="alice_k")
BOB = make_user(5002, "Bob", username="bob_t")
LONG_AGO = int(time.time()) - 90 * 86400


def export(path: Path) -> None:
    """Bob's words of three months ago, as Telegram Desktop exports the group."""
    said = [
        "For beginners I always recommend the Fern Creek loop: 6 km, flat, with a waterfall.",
        "No permit is needed for Skyline Ridge, but the north car park fills up by 8am.",
    ]
    messages = [
        {
            "id": 300 + n,  # the live messages below come later, with higher ids
            "type": "message",
            "date": "2024-01-01T00:00:00",
            "date_unixtime": str(LONG_AGO + n * 60),
            "from": "Bob",
            "from_id": "user5002",
            "text": text,
            "text_entities": [{"type": "plain", "text": text}],
        }
        for n, text in enumerate(said)
    ]
    record = {"name": "Hikers", "type": "public_supergroup", "id": 1500, "messages": messages}
    path.write_text(json.dumps(record), encoding="utf-8")


@pytest.fixture
async def imported_then_running(
    tmp_path: Path,
    database_url: str,
    embedder,  # type: ignore[no-untyped-def]
    telegram_adapter_factory: AdapterFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Hearth]:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("HEARTH_DATA_DIR", str(tmp_path))
    export(tmp_path / "result.json")
    assert await asyncio.to_thread(main, ["import", "telegram", str(tmp_path / "result.json")]) == 0
    settings = HearthSettings(HEARTH_DATA_DIR=tmp_path, DATABASE_URL=database_url)
    memory = EdgeMemoryStore(tmp_path / "edge", embedder.dimension)
    hearth = await Hearth.build(settings, embedder=embedder, memory=memory)
    adapter = telegram_adapter_factory()
    await adapter.start(hearth.router)
    yield hearth
    await adapter.stop()
    await hearth.close()


async def test_a_twin_answers_from_imported_history(
    fake_telegram: FakeTelegramApi, imported_then_running: Hearth
) -> None:
    hearth = imported_then_running
    chat_id = await hearth.storage.ensure_chat(
        Chat(Platform.TELEGRAM, str(CHAT["id"]), ChatKind.GROUP, "Hikers")
    )
    bob = await hearth.storage.ensure_member(Member(Platform.TELEGRAM, str(BOB["id"]), "Bob"))
    assert await hearth.storage.count_messages(member_id=bob) == 2
    assert not await hearth.storage.twin_enabled(chat_id, bob)  # the import switched nothing on
    fake_telegram.push_update(
        message_update(
            make_message(CHAT, BOB, "/twin on", message_id=501, date=int(time.time()) - 7200)
        )
    )
    await fake_telegram.wait_for_sent(1, timeout=20)
    assert await hearth.storage.twin_enabled(chat_id, bob)
    await settled(hearth)
    question = make_message(
        CHAT,
        ALICE,
        "Bob, is a permit needed for Skyline Ridge?",
        message_id=502,
        text_mentions={"Bob": BOB},
    )
    fake_telegram.push_update(message_update(question))
    [_, reply] = await fake_telegram.wait_for_sent(2, timeout=20)
    assert "No permit" in reply.text
