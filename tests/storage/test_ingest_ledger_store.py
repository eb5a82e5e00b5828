"""Adapter positions and skipped updates in SQL, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.model import Platform, UnreadableUpdate
from bots.storage.database import create_engine
from bots.storage.ingest_ledger_store import IngestLedgerStore


def _unreadable(update_id: str, sender: str | None, raw: str) -> UnreadableUpdate:
    return UnreadableUpdate(
        platform=Platform.TELEGRAM,
        platform_update_id=update_id,
        raw=raw,
        error="TypeError: bad",
        received_at=datetime(2026, 12, 6, 12, 0, tzinfo=UTC),
        sender_platform_user_id=sender,
    )


async def test_position_only_moves_forward(database_url: str) -> None:
    store = IngestLedgerStore(create_engine(database_url))
    try:
        assert await store.load_cursor(Platform.TELEGRAM, "42") is None
        await store.save_cursor(Platform.TELEGRAM, "42", 10)
        await store.save_cursor(Platform.TELEGRAM, "42", 7)  # a late, older save
        await store.save_cursor(Platform.TELEGRAM, "43", 3)
        assert await store.load_cursor(Platform.TELEGRAM, "42") == 10
        await store.save_cursor(Platform.TELEGRAM, "42", 11)
        assert await store.load_cursor(Platform.TELEGRAM, "42") == 11
        assert await store.load_cursor(Platform.TELEGRAM, "43") == 3
        assert await store.load_cursor(Platform.DISCORD, "42") is None
    finally:
        await store.close()


async def test_skipped_updates_are_kept_as_received(database_url: str) -> None:
    store = IngestLedgerStore(create_engine(database_url))
    try:
        await store.record_unreadable(_unreadable("1", "7", '{"message": "not-a-dict\x00"}'))
        await store.record_unreadable(_unreadable("2", "8", "{}"))
        await store.record_unreadable(_unreadable("3", None, "not json"))
        kept = await store.unreadable(Platform.TELEGRAM)
        assert [u.platform_update_id for u in kept] == ["1", "2", "3"]
        assert kept[0].raw == '{"message": "not-a-dict\ufffd"}'
        assert kept[0].received_at == datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
        assert kept[1].sender_platform_user_id == "8"
        assert await store.unreadable(Platform.DISCORD) == []
    finally:
        await store.close()
