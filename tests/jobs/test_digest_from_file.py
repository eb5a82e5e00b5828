"""Digests of a messages.json export."""

from __future__ import annotations

import json
from pathlib import Path

from jobs.digest_from_file import digest_from_messages_json, read_messages_json
from tests.jobs.test_digest_builder import BAKING, HIKING


def _export(path: Path) -> Path:
    rows = []
    for i, text in enumerate(HIKING + BAKING):
        rows.append(
            {
                "chat_id": "hikers",
                "message_id": i + 1,
                "sender_id": f"u{i % 3}",
                "sender_name": ["Alice", "Bob", "Carol"][i % 3],
                "timestamp": f"2026-11-03T10:{i:02d}:00",
                "text": text,
            }
        )
    rows.append(
        {
            "chat_id": "quiet",
            "message_id": 1,
            "sender_id": "u9",
            "sender_name": "Zed",
            "timestamp": "2026-11-03T11:00:00+08:00",
            "text": "hello?",
            "permalink": "https://t.me/c/9/1",
        }
    )
    file = path / "messages.json"
    file.write_text(json.dumps(rows), encoding="utf-8")
    return file


def test_reads_chats_and_zones(tmp_path: Path) -> None:
    chats = read_messages_json(_export(tmp_path))
    assert [chat.chat_id for chat in chats] == ["hikers", "quiet"]
    assert len(chats[0].messages) == 16
    assert chats[0].messages[0].sent_at.utcoffset() is not None
    assert chats[1].messages[0].permalink == "https://t.me/c/9/1"
    assert chats[0].messages[0].member_id == chats[0].messages[3].member_id


async def test_digest_per_chat(tmp_path: Path) -> None:
    parts = await digest_from_messages_json(_export(tmp_path), max_chars=2000)
    assert parts[0].startswith("📰 Daily digest · hikers · Tue 3 Nov 2026\n16 messages from 3")
    assert "🧵 Main topics" in parts[0]
    assert parts[-1] == "📰 Quiet day in quiet: 1 message from 1 member."
    only = await digest_from_messages_json(_export(tmp_path), chat_id="quiet")
    assert only == [parts[-1]]
