"""The generated Telegram export: valid JSON, the counts it reports, both languages."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from pathlib import Path

from bench.export_generator import CHAT_ID, write_export, write_to

CJK = re.compile(r"[\u4e00-\u9fff]")


def text_of(record: dict[str, object]) -> str:
    body = record["text"]
    if isinstance(body, str):
        return body
    assert isinstance(body, list)
    return "".join(p if isinstance(p, str) else p["text"] for p in body)


def test_export_is_valid_json_with_the_counts_it_reports(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    stats = write_export(path, 3000, seed=3)
    export = json.loads(path.read_text("utf-8"))
    assert (export["type"], export["id"]) == ("private_supergroup", CHAT_ID)
    records = export["messages"]
    assert len(records) == stats.records == 3000
    assert [r["id"] for r in records] == list(range(1, 3001))
    dates = [int(r["date_unixtime"]) for r in records]
    assert dates == sorted(dates)
    kinds = Counter(r["type"] for r in records)
    assert kinds["service"] == stats.service > 0
    talk = [r for r in records if r["type"] == "message" and text_of(r).strip()]
    assert len(talk) == stats.messages
    assert stats.empty == kinds["message"] - len(talk) > 0
    assert len({r["from_id"] for r in talk}) == stats.members == 40
    assert all(re.fullmatch(r"user\d+", r["from_id"]) for r in talk)
    lists = [r for r in talk if isinstance(r["text"], list)]
    assert len(lists) == stats.entity_lists > 0
    assert any(isinstance(p, dict) and p["type"] == "link" for r in lists for p in r["text"])
    replies = [r for r in talk if "reply_to_message_id" in r]
    assert len(replies) > 0
    assert all(r["reply_to_message_id"] < r["id"] for r in replies)
    assert any("edited_unixtime" in r for r in talk)


def test_export_mixes_english_and_chinese_of_varied_length() -> None:
    out = io.StringIO()
    stats = write_to(out, 2000)
    talk = [text_of(r) for r in json.loads(out.getvalue())["messages"] if r["type"] == "message"]
    talk = [t for t in talk if t]
    chinese = [t for t in talk if len(CJK.findall(t)) > len(t) / 3]
    # An entity (a link, a mention by name) can outweigh a short text's own script.
    assert abs(len(chinese) - stats.chinese) <= stats.entity_lists
    assert 0.15 < len(chinese) / len(talk) < 0.6
    assert any(not CJK.search(t) for t in talk)
    lengths = sorted(len(t) for t in talk)
    assert lengths[len(lengths) // 10] < 20 and lengths[-1] > 500


def test_same_seed_gives_the_same_file() -> None:
    first, second, other = io.StringIO(), io.StringIO(), io.StringIO()
    write_to(first, 300, seed=1)
    write_to(second, 300, seed=1)
    write_to(other, 300, seed=2)
    assert first.getvalue() == second.getvalue() != other.getvalue()
