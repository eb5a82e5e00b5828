"""Digests of a messages.json export."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from jobs.digest_builder import DigestOptions
from jobs.digest_from_file import digest_from_messages_json, read_messages_json, span_of
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


def _set_rows() -> list[dict[str, object]]:
    """Rows in the labelled-set format: ``reply_to`` and join events."""
    rows: list[dict[str, object]] = []
    day = "2026-11-0{}T{:02d}:{:02d}:00+08:00"
    lines = [
        (1, "u1", "王磊", 2, 9, 0, "大家周末去不去爬山？", None),
        (2, "u2", "小林", 2, 9, 5, "去！", 1),
        (3, "u3", "阿杰", 3, 10, 0, "欢迎 @Ana！", None),
        (4, "u4", "Ana", 3, 10, 1, "thanks! glad to be here", 3),
        (5, "u2", "小林", 3, 10, 2, "大家好，我是小林，好久没冒泡了", None),
        (6, "u1", "王磊", 3, 10, 3, "周会改到下午三点了", None),
    ]
    for message_id, sender, name, date, hour, minute, text, reply in lines:
        row: dict[str, object] = {
            "chat_id": "devs",
            "message_id": message_id,
            "sender_id": sender,
            "sender_name": name,
            "timestamp": day.format(date, hour, minute),
            "text": text,
        }
        if reply is not None:
            row["reply_to"] = reply
        rows.append(row)
    rows.append(
        {
            "chat_id": "devs",
            "message_id": 100,
            "sender_id": "u5",
            "sender_name": "Gus",
            "timestamp": day.format(3, 11, 0),
            "text": "",
            "event": "join",
        }
    )
    return rows


def test_reply_to_and_join_rows(tmp_path: Path) -> None:
    file = tmp_path / "messages.json"
    file.write_text(json.dumps(_set_rows(), ensure_ascii=False), encoding="utf-8")
    [chat] = read_messages_json(file)
    assert [m.message_id for m in chat.messages] == [1, 2, 3, 4, 5, 6]
    assert chat.messages[1].reply_to_message_id == 1
    assert chat.messages[3].reply_to_message_id == 3
    [(gus, name, _)] = chat.joins
    assert name == "Gus"
    day_two = span_of(chat.messages[2:])
    assert chat.joined_in(day_two) == {gus: "Gus"}
    assert chat.seen_before(day_two) == {chat.messages[0].member_id, chat.messages[1].member_id}
    assert chat.seen_before(span_of(chat.messages)) is None


async def test_newcomers_of_a_later_day_know_who_posted_before(tmp_path: Path) -> None:
    file = tmp_path / "messages.json"
    file.write_text(json.dumps(_set_rows(), ensure_ascii=False), encoding="utf-8")
    since = datetime(2026, 11, 3, tzinfo=timezone(timedelta(hours=8)))
    [text] = await digest_from_messages_json(
        file, since=since, options=DigestOptions(min_messages=1)
    )
    newcomers = text.split("👋 新成员", 1)[1].split("\n\n", 1)[0]
    assert "Ana" in newcomers and "Gus" in newcomers
    assert "小林" not in newcomers  # posted the day before


def test_a_reply_link_that_is_not_a_message_id_is_refused_clearly(tmp_path: Path) -> None:
    source = tmp_path / "messages.json"
    row = {"chat_id": "c", "message_id": 1, "sender_id": "a", "text": "hi"}
    row |= {"timestamp": "2024-01-01T10:00:00", "reply_to": "oops"}
    source.write_text(json.dumps([row]), encoding="utf-8")
    with pytest.raises(ValueError, match="oops"):
        read_messages_json(source)
