"""The backfill's progress message: per channel and thread, short enough for one message."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.model import Chat, ChatKind, Platform
from bots.imports.backfill_progress import MAX_CHAT_LINES, ProgressBoard
from bots.storage.history_import_store import ImportRun
from locales import using


def chat(number: int, title: str | None) -> Chat:
    return Chat(Platform.DISCORD, str(900 + number), ChatKind.GROUP, title)


def run(chat_id: int, stored: int, duplicates: int = 0, skipped: int = 0) -> ImportRun:
    now = datetime.now(UTC)
    return ImportRun(
        chat_id, chat_id, "discord-backfill", "since:2026-11-01", "running", None,
        stored, duplicates, {"service": skipped} if skipped else {}, now, now,
    )  # fmt: skip


def test_each_chat_says_how_far_it_got() -> None:
    board = ProgressBoard()
    thread = board.add(1, chat(1, "general › trail talk"))
    board.add(2, chat(2, None))
    channel = board.add(3, chat(3, "general"))
    thread.take(run(1, 10, duplicates=1, skipped=1), 1.0)
    thread.finished = True
    channel.take(run(3, 150, skipped=50), 0.456)

    assert board.text().split("\n") == [
        "Reading this channel's history: 212 messages read so far, 160 new.",
        "#general › trail talk: 12 messages, all read.",
        "#general: 200 messages so far, 45% of the period.",
        "Still to read: 1 thread or channel.",
    ]
    with using("zh"):
        text = board.text()
    assert "目前已读 212 条" in text and "已读完这段时间的 45%" in text


def test_many_threads_stay_one_short_message() -> None:
    board = ProgressBoard()
    for number in range(300):
        entry = board.add(number, chat(number, f"general › thread with a long name {number}"))
        entry.take(run(number, 5), 1.0)
        entry.finished = True
    board.add(300, chat(300, "general"))

    lines = board.text().split("\n")
    assert len(lines) == 1 + 1 + MAX_CHAT_LINES + 1
    assert (
        lines[1]
        == f"…{300 - MAX_CHAT_LINES} more threads read: {5 * (300 - MAX_CHAT_LINES)} messages."
    )
    assert lines[-2] == "#general › thread with a long name 299: 5 messages, all read."
    assert lines[-1] == "Still to read: 1 thread or channel."
    assert len(board.text()) < 2000
