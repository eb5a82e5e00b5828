"""Telegram Desktop JSON exports read as history: the format's facts, odd cases, streaming."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.history import ExportError, HistoryBatch, SkipReason
from adapters.model import ChatKind, Mention, Message
from adapters.telegram.desktop_export import TelegramExportReader

DATA = Path(__file__).parent / "data"


async def read_all(
    reader: TelegramExportReader, resume_after: str | None = None
) -> tuple[list[Message], dict[SkipReason, int], list[HistoryBatch]]:
    messages: list[Message] = []
    skipped: dict[SkipReason, int] = {}
    batches: list[HistoryBatch] = []
    async for batch in reader.batches(resume_after=resume_after):
        batches.append(batch)
        messages.extend(batch.messages)
        for reason, count in batch.skipped.items():
            skipped[reason] = skipped.get(reason, 0) + count
    return messages, skipped, batches


async def test_a_supergroup_export_reads_as_the_bot_sees_the_group() -> None:
    reader = await TelegramExportReader.open(DATA / "supergroup.json", hearth_user_id="4242")
    assert reader.chat.platform_chat_id == "-1001987654321"
    assert reader.chat.kind is ChatKind.GROUP
    assert reader.chat.title == "Hiking Club 🏔"
    messages, skipped, batches = await read_all(reader)
    by_id = {m.platform_message_id: m for m in messages}
    assert list(by_id) == ["2", "3", "5", "7", "8", "11"]
    assert skipped == {
        SkipReason.SERVICE: 1,
        SkipReason.DELETED_ACCOUNT: 2,  # ``from`` null, and "Deleted Account"
        SkipReason.EMPTY: 1,  # a sticker
        SkipReason.HEARTH: 1,
        SkipReason.COMMAND: 1,
        SkipReason.UNREADABLE: 1,  # an "unsupported" record
    }
    first = by_id["2"]
    assert first.sender.platform_user_id == "1001"
    assert first.sent_at == datetime(2024, 3, 1, 10, 1, tzinfo=UTC)
    assert first.permalink == "https://t.me/c/1987654321/2"
    entity_text = by_id["3"]
    assert entity_text.text == "Count me in, @ana_lima — see https://example.org/ridge"
    assert entity_text.mentions == (Mention(username="ana_lima"),)
    assert entity_text.reply_to_message_id == "2"
    assert entity_text.edited_at == datetime(2024, 3, 1, 10, 5, tzinfo=UTC)
    assert entity_text.sender.display_name == "🌸 Bo 🌸"
    assert by_id["5"].text == "View from the top"  # a photo's caption
    forwarded = by_id["7"]
    assert (forwarded.sender.platform_user_id, forwarded.text) == (
        "1002",
        "Trail closed on Sunday due to snow",
    )
    assert by_id["8"].sender.platform_user_id == "-1001987654321"  # posted as the group
    assert len(by_id["11"].text) == 16_000
    assert batches[-1].resume_after == "13"
    assert batches[-1].done == 1.0


async def test_long_messages_are_cut_to_the_limit_given() -> None:
    reader = await TelegramExportReader.open(DATA / "supergroup.json", max_chars=100)
    messages, _, _ = await read_all(reader)
    assert max(len(m.text) for m in messages) == 100


async def test_the_topic_opening_is_not_taken_for_a_reply() -> None:
    reader = await TelegramExportReader.open(DATA / "forum.json")
    messages, skipped, _ = await read_all(reader)
    replies = {m.platform_message_id: m.reply_to_message_id for m in messages}
    assert replies == {"2": None, "3": "2", "4": None, "5": None}  # 5 quotes another chat
    assert skipped == {SkipReason.SERVICE: 1}
    assert reader.chat.platform_chat_id == "-1002000000001"


async def test_a_basic_group_keeps_its_own_id_space() -> None:
    reader = await TelegramExportReader.open(DATA / "basic_group.json")
    assert reader.chat.platform_chat_id == "-4815162342"
    messages, _, batches = await read_all(reader)
    assert [m.platform_message_id for m in messages] == ["export:501", "export:502"]
    assert messages[1].reply_to_message_id == "export:501"
    assert all(m.permalink is None for m in messages)
    assert batches[-1].resume_after == "export:502"
    again, _, _ = await read_all(reader, resume_after="export:501")
    assert [m.platform_message_id for m in again] == ["export:502"]


async def test_a_full_export_needs_a_group_chosen_and_never_yields_private_chats() -> None:
    path = DATA / "full_export.json"
    with pytest.raises(ExportError) as raised:
        await TelegramExportReader.open(path)
    listing = str(raised.value)
    assert '"Book Club" (-1001500000001' in listing
    assert '"Chess Friends" (-700001' in listing
    assert "Mum" not in listing and "News" not in listing
    for wanted in ("Book Club", "-1001500000001", "1500000001"):
        reader = await TelegramExportReader.open(path, chat=wanted)
        messages, _, _ = await read_all(reader)
        assert [m.text for m in messages] == ["Chapter 3 this week", "Loved the ending"]
    chess = await TelegramExportReader.open(path, chat="Chess Friends")
    assert [m.text for m in (await read_all(chess))[0]] == ["e4!"]
    for private in ("Mum", "News", "3001"):
        with pytest.raises(ExportError, match="no group"):
            await TelegramExportReader.open(path, chat=private)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("personal.json", (DATA / "personal_chat.json").read_text(), "private chat"),
        (
            "channel.json",
            json.dumps({"name": "N", "type": "public_channel", "id": 1, "messages": []}),
            "channel",
        ),
        ("cut.json", (DATA / "supergroup.json").read_text()[:3000], "cut short"),
        ("list.json", "[1, 2, 3]", "Telegram Desktop JSON export"),
        ("other.json", '{"guild": {"id": "1"}, "messages": []}', "not a Telegram"),
        ("text.json", "hello", "cut short"),
    ],
)
async def test_files_that_cannot_be_imported_say_why(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ExportError, match=message):
        await TelegramExportReader.open(path)


async def test_resuming_skips_everything_up_to_the_place(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    write_export(path, 1200)
    reader = await TelegramExportReader.open(path, batch_size=500)
    messages, _, batches = await read_all(reader)
    assert len(messages) == 1200
    assert [len(b.messages) for b in batches] == [500, 500, 200]
    dones = [b.done for b in batches]
    assert dones == sorted(dones) and dones[-1] == 1.0
    rest, _, _ = await read_all(reader, resume_after=batches[0].resume_after)
    assert [m.platform_message_id for m in rest] == [str(n) for n in range(501, 1201)]


async def test_the_source_key_is_the_same_for_the_same_file(tmp_path: Path) -> None:
    a = await TelegramExportReader.open(DATA / "supergroup.json")
    b = await TelegramExportReader.open(DATA / "supergroup.json")
    c = await TelegramExportReader.open(DATA / "forum.json")
    assert a.source_key == b.source_key != c.source_key


def write_export(path: Path, count: int, *, chat_id: int = 1700000001, members: int = 7) -> int:
    """A supergroup export of ``count`` messages (every 10th a service record), streamed to
    ``path``; returns how many are importable."""
    importable = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(
            f'{{\n "name": "Generated",\n "type": "private_supergroup",\n "id": {chat_id},\n'
            ' "messages": [\n'
        )
        for n in range(1, count + 1):
            record: dict[str, object] = {
                "id": n,
                "type": "message",
                "date": "2024-01-01T00:00:00",
                "date_unixtime": str(1704067200 + n * 60),
            }
            if n % 10 == 0 and count >= 2000:
                record.update(type="service", actor="A", actor_id="user1", action="pin_message")
            else:
                user = 100 + n % members
                record.update(
                    {"from": f"Member {user}", "from_id": f"user{user}", "text": f"note {n}"}
                )
                importable += 1
            out.write(("  " if n == 1 else ",\n  ") + json.dumps(record))
        out.write("\n ]\n}\n")
    return importable
