"""``hearth import`` end to end: through the command's entry point onto a real database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from adapters.model import Chat, ChatKind, Member, Message, Platform, utc
from bots.cli import main
from bots.storage.database import create_engine
from bots.storage.history_import_store import HistoryImportStore
from bots.storage.repository import Storage
from bots.storage.tables import ChatRow, HistoryImportRow, MessageRow

DATA = Path(__file__).parent / "data"
HIKING = Chat(Platform.TELEGRAM, "-1001987654321", ChatKind.GROUP, "Hiking Club 🏔")
ANA = Member(Platform.TELEGRAM, "1001", "Ana Lima")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> str:
    for name in ("TELEGRAM_BOT_TOKEN", "DISCORD_BOT_TOKEN", "HEARTH_MAX_MESSAGE_CHARS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("HEARTH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "4242:test-token")
    return database_url


@pytest.fixture
async def storage(env: str) -> AsyncIterator[Storage]:
    storage = Storage(create_engine(env))
    yield storage
    await storage.close()


async def hearth(*argv: str) -> int:
    """Run the ``hearth`` command (it runs its own event loop, so in a thread)."""
    return await asyncio.to_thread(main, list(argv))


async def test_an_export_is_stored_once_as_the_bot_would_see_it(
    storage: Storage, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await hearth("import", "telegram", str(DATA / "supergroup.json")) == 0
    out = capsys.readouterr().out
    assert "messages stored: 6" in out
    assert "members: 4" in out
    assert "deleted account 2" in out and "hearth 1" in out
    assert "Nobody's twin was switched on" in out
    assert "Hearth is not in this chat yet" in out
    chat_id = await storage.ensure_chat(HIKING)
    assert await storage.count_messages(chat_id=chat_id) == 6
    async with storage.engine.connect() as conn:
        chat = (await conn.execute(select(ChatRow).where(ChatRow.id == chat_id))).one()
        assert (chat.title, chat.active) == ("Hiking Club 🏔", False)
        imported = await conn.scalar(
            select(func.count()).select_from(MessageRow).where(MessageRow.imported.is_(True))
        )
        assert imported == 6
    ana = await storage.ensure_member(ANA)
    assert await storage.count_messages(member_id=ana) == 2
    assert not await storage.twin_enabled(chat_id, ana)

    assert await hearth("import", "telegram", str(DATA / "supergroup.json")) == 0
    out = capsys.readouterr().out
    assert "messages stored: 0" in out and "already stored (duplicates): 6" in out
    assert await storage.count_messages() == 6
    runs = await HistoryImportStore(storage.engine).runs()
    assert [(r.status, r.stored, r.source) for r in runs] == [
        ("done", 0, "telegram-export"),
        ("done", 6, "telegram-export"),
    ]
    assert await hearth("import", "status") == 0
    assert "Hiking Club 🏔 [telegram-export] stored 6" in capsys.readouterr().out


async def test_messages_seen_live_are_not_stored_again(
    storage: Storage, capsys: pytest.CaptureFixture[str]
) -> None:
    live = Message(HIKING, ANA, "2", "Who is up for the ridge trail on Saturday?", utc(None))
    seen = await storage.ingest_message(live)
    await storage.ingest_message(replace(live, platform_message_id="99", text="said later"))
    assert await hearth("import", "telegram", str(DATA / "supergroup.json")) == 0
    out = capsys.readouterr().out
    assert "messages stored: 5" in out and "already stored (duplicates): 1" in out
    assert "Hearth is not in this chat yet" not in out
    assert await storage.count_messages(chat_id=seen.chat_id) == 7
    assert await storage.count_messages(member_id=seen.member_id) == 3


async def test_a_dry_run_reports_and_writes_nothing(
    storage: Storage, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await hearth("import", "telegram", str(DATA / "supergroup.json"), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "nothing written" in out
    assert "messages to import: 6" in out
    assert "members: 4 (most active: Ana Lima (2), 🌸 Bo 🌸 (2)" in out
    assert "dates: 2024-03-01 – 2024-03-01 (UTC)" in out
    async with storage.engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(ChatRow)) == 0
        assert await conn.scalar(select(func.count()).select_from(HistoryImportRow)) == 0
    assert await hearth("import", "telegram", str(DATA / "supergroup.json")) == 0
    capsys.readouterr()
    assert await hearth("import", "telegram", str(DATA / "supergroup.json"), "--dry-run") == 0
    assert "of these already stored: 6" in capsys.readouterr().out


async def test_a_dry_run_creates_no_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("HEARTH_DATA_DIR", str(tmp_path / "fresh"))
    assert await hearth("import", "telegram", str(DATA / "forum.json"), "--dry-run") == 0
    assert "messages to import: 4" in capsys.readouterr().out
    assert not (tmp_path / "fresh").exists()


async def test_forget_removes_imported_messages(storage: Storage) -> None:
    assert await hearth("import", "telegram", str(DATA / "supergroup.json")) == 0
    chat_id = await storage.ensure_chat(HIKING)
    ana = await storage.ensure_member(ANA)
    assert await storage.count_messages(member_id=ana) == 2
    await storage.forget_member(chat_id, ana)
    assert await storage.count_messages(chat_id=chat_id, member_id=ana) == 0
    assert await storage.count_messages(chat_id=chat_id) == 4


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["full_export.json"], '"Book Club" (-1001500000001'),
        (["personal_chat.json"], "private chat"),
        (["full_export.json", "--chat", "Mum"], "no group"),
        (["missing.json"], "no such file"),
    ],
)
async def test_bad_input_exits_1_with_a_clear_message_and_writes_nothing(
    storage: Storage, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    path, *rest = argv
    assert await hearth("import", "telegram", str(DATA / path), *rest) == 1
    assert expected in capsys.readouterr().err
    async with storage.engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(ChatRow)) == 0


async def test_a_full_export_imports_the_chosen_group_only(storage: Storage) -> None:
    path = str(DATA / "full_export.json")
    assert await hearth("import", "telegram", path, "--chat", "Chess Friends") == 0
    assert await hearth("import", "telegram", path, "--chat", "-1001500000001") == 0
    async with storage.engine.connect() as conn:
        chats = set((await conn.execute(select(ChatRow.platform_chat_id, ChatRow.title))).all())
        texts = set((await conn.scalars(select(MessageRow.text))).all())
    assert chats == {("-700001", "Chess Friends"), ("-1001500000001", "Book Club")}
    assert texts == {"e4!", "Chapter 3 this week", "Loved the ending"}


async def test_a_file_cut_short_keeps_what_was_read_and_continues_when_fixed(
    storage: Storage, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.imports.test_telegram_export import write_export

    whole = tmp_path / "whole.json"
    importable = write_export(whole, 1500)
    data = whole.read_bytes()
    cut = tmp_path / "export.json"
    cut.write_bytes(data[: len(data) * 3 // 4] + b"}")  # ends like JSON, breaks inside
    assert await hearth("import", "telegram", str(cut)) == 1
    assert "run the same command again" in capsys.readouterr().err
    partial = await storage.count_messages()
    assert 0 < partial < importable
    [failed] = await HistoryImportStore(storage.engine).runs()
    assert failed.status == "failed"
    cut.write_bytes(data)  # the file is whole again: a new key, a new run, nothing doubled
    assert await hearth("import", "telegram", str(cut)) == 0
    assert await storage.count_messages() == importable


async def test_a_basic_group_skips_messages_seen_live_under_the_bots_ids(
    storage: Storage, capsys: pytest.CaptureFixture[str]
) -> None:
    family = Chat(Platform.TELEGRAM, "-4815162342", ChatKind.GROUP, "Family")
    mum = Member(Platform.TELEGRAM, "3001", "Mum")
    at = datetime.fromtimestamp(1703440800, UTC) + timedelta(milliseconds=400)
    seen = await storage.ingest_message(Message(family, mum, "57", "Dinner at 7", at))
    path = str(DATA / "basic_group.json")
    assert await hearth("import", "telegram", path, "--dry-run") == 0
    assert "of these already stored: 1" in capsys.readouterr().out
    assert await hearth("import", "telegram", path) == 0
    out = capsys.readouterr().out
    assert "messages stored: 1" in out and "seen live 1" in out
    assert await storage.count_messages(chat_id=seen.chat_id) == 2
    assert await storage.count_messages(member_id=seen.member_id) == 1


async def test_a_discord_export_is_imported_through_the_same_command(
    storage: Storage, capsys: pytest.CaptureFixture[str]
) -> None:
    channel = DATA / "discord" / "channel.json"
    if not channel.is_file():
        pytest.skip("the Discord export reader and its fixtures are not here yet")
    assert await hearth("import", "discord", str(channel), "--dry-run") == 0
    assert "nothing written" in capsys.readouterr().out
    assert await storage.count_messages() == 0
    assert await hearth("import", "discord", str(channel)) == 0
    out = capsys.readouterr().out
    stored = await storage.count_messages()
    assert stored > 0 and f"messages stored: {stored}" in out
    assert await hearth("import", "discord", str(channel)) == 0
    assert f"already stored (duplicates): {stored}" in capsys.readouterr().out
    dm = DATA / "discord" / "dm.json"
    assert await hearth("import", "discord", str(dm)) == 1
    assert "direct messages" in capsys.readouterr().err
