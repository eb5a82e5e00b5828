"""DiscordChatExporter JSON exports: read as the live Discord adapter sees messages."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import discord
import pytest

from adapters.discord import event_converter
from adapters.discord.chat_exporter import (
    PERMALINK,
    THREAD_TITLE_SEPARATOR,
    DiscordExportReader,
)
from adapters.history import ExportError, HistoryBatch, SkipReason
from adapters.model import ChatKind, Message, Platform
from bots.imports.history_import import HistoryImporter
from bots.storage.database import create_engine
from bots.storage.history_import_store import HistoryImportStore
from bots.storage.persona_store import PersonaStore
from bots.storage.repository import Storage

DATA = Path(__file__).parent / "data" / "discord"
CHANNEL = DATA / "channel.json"
HEARTH_ID = "399999999999999999"
ANA, BO, CY = "301111111111111111", "302222222222222222", "303333333333333333"
GUILD_ID, CHANNEL_ID = "904412331875590144", "1101234567890123456"


def mid(n: int) -> str:
    """The id of the ``n``-th message of channel.json."""
    return str(1210000000000000000 + n)


async def read_all(
    reader: DiscordExportReader, resume_after: str | None = None
) -> tuple[list[Message], Counter[SkipReason], list[HistoryBatch]]:
    batches = [b async for b in reader.batches(resume_after=resume_after)]
    skipped: Counter[SkipReason] = Counter()
    for batch in batches:
        skipped.update(batch.skipped)
    return [m for b in batches for m in b.messages], skipped, batches


async def test_a_channel_export_reads_as_the_live_adapter_would() -> None:
    reader = await DiscordExportReader.open(CHANNEL, hearth_user_id=HEARTH_ID)
    assert reader.chat.platform is Platform.DISCORD
    assert (reader.chat.platform_chat_id, reader.chat.kind) == (CHANNEL_ID, ChatKind.GROUP)
    assert reader.chat.title == "general-🌿"
    messages, skipped, batches = await read_all(reader)
    by_id = {m.platform_message_id: m for m in messages}
    assert list(by_id) == [mid(n) for n in (1, 3, 4, 6, 7, 10, 11, 17, 18, 20)]
    assert skipped == {
        SkipReason.SERVICE: 5,  # join, pin, boost ("8"), thread created, call
        SkipReason.EMPTY: 2,  # attachment alone, sticker alone
        SkipReason.DELETED_ACCOUNT: 2,  # "Deleted User" #0000 and deleted_user_<hex>
        SkipReason.HEARTH: 1,
    }
    assert batches[-1].resume_after == mid(20) and batches[-1].done == 1.0

    first = by_id[mid(1)]
    assert first.text == "Hello everyone 👋 the garden is open!"
    assert first.sent_at == datetime(2024, 3, 1, 10, 0, 0, 123000, tzinfo=UTC)
    assert first.sender.platform_user_id == ANA
    assert (first.sender.display_name, first.sender.username) == ("Ana 🌸", "ana.petal")
    assert not first.sender.is_bot and first.edited_at is None
    assert first.permalink == f"https://discord.com/channels/{GUILD_ID}/{CHANNEL_ID}/{mid(1)}"
    assert first.reply_to_message_id is None and not first.addressed_to_hearth

    reply = by_id[mid(3)]
    assert (reply.reply_to_message_id, reply.text) == (mid(1), "Hi Ana! 😊 happy to be here")

    edited = by_id[mid(4)]  # written at 12:03 +02:00
    assert edited.sent_at == datetime(2024, 3, 1, 10, 3, tzinfo=UTC)
    assert edited.edited_at == datetime(2024, 3, 1, 10, 5, 30, 500000, tzinfo=UTC)
    assert edited.sender.display_name == "Cyrille 🌿"

    assert by_id[mid(6)].text == "look at this 🐈"  # the attachment's caption stays
    assert by_id[mid(17)].sender.is_bot  # another bot's messages are kept
    assert by_id[mid(18)].text == "@bo_k thanks for the tea"  # an unformatted <@id>


async def test_messages_to_hearth_are_marked_and_its_mention_left_out() -> None:
    reader = await DiscordExportReader.open(CHANNEL, hearth_user_id=HEARTH_ID)
    by_id = {m.platform_message_id: m for m in (await read_all(reader))[0]}
    to_reply = by_id[mid(10)]  # a reply to Hearth's digest
    assert to_reply.addressed_to_hearth and to_reply.reply_to_message_id == mid(9)
    asked = by_id[mid(11)]
    assert asked.addressed_to_hearth
    assert asked.text == "what did we decide about Friday?"
    assert not any(m.addressed_to_hearth for k, m in by_id.items() if k not in (mid(10), mid(11)))

    unknown = await DiscordExportReader.open(CHANNEL)  # Hearth's id not given
    texts = {m.platform_message_id: m.text for m in (await read_all(unknown))[0]}
    assert texts[mid(9)].startswith("Digest:")
    assert texts[mid(11)] == "@Hearth what did we decide about Friday?"


async def test_a_very_long_message_is_cut() -> None:
    whole = await DiscordExportReader.open(CHANNEL)
    long = {m.platform_message_id: m for m in (await read_all(whole))[0]}[mid(7)]
    assert len(long.text) > 300
    short = await DiscordExportReader.open(CHANNEL, max_chars=120)
    cut = {m.platform_message_id: m for m in (await read_all(short))[0]}[mid(7)]
    assert cut.text == long.text[:120]


async def test_a_thread_is_its_own_chat_titled_parent_and_thread() -> None:
    reader = await DiscordExportReader.open(DATA / "thread.json")
    assert reader.chat.platform_chat_id == "1301234567890123456"
    assert reader.chat.title == "general-🌿 › Friday picnic 🧺"
    messages, _, _ = await read_all(reader)
    assert [m.text for m in messages] == ["Who brings the blankets?", "I will 🙋"]
    assert messages[1].reply_to_message_id == messages[0].platform_message_id
    assert messages[1].permalink == (
        f"https://discord.com/channels/{GUILD_ID}/1301234567890123456/1310000000000000002"
    )


def test_links_and_thread_titles_are_spelled_as_the_live_adapter_does() -> None:
    assert PERMALINK == event_converter.PERMALINK
    assert THREAD_TITLE_SEPARATOR == event_converter.THREAD_TITLE_SEPARATOR


async def test_batches_resume_after_a_message_and_count_records() -> None:
    reader = await DiscordExportReader.open(CHANNEL, hearth_user_id=HEARTH_ID, batch_size=4)
    _, _, batches = await read_all(reader)
    assert [b.resume_after for b in batches] == [mid(4), mid(8), mid(12), mid(16), mid(20)]
    done = [b.done or 0.0 for b in batches]
    assert done == sorted(done) and done[0] > 0 and done[-1] == 1.0
    messages, skipped, later = await read_all(reader, resume_after=mid(9))
    assert [m.platform_message_id for m in messages] == [mid(n) for n in (10, 11, 17, 18, 20)]
    assert skipped[SkipReason.HEARTH] == 0  # read past, not counted again
    assert later[0].messages == () and later[0].resume_after is None  # a progress tick
    assert messages[0].addressed_to_hearth  # Hearth's message was read past, still known
    nothing, _, _ = await read_all(reader, resume_after=mid(20))
    assert nothing == []
    with pytest.raises(ExportError, match="not a Discord message id"):
        await read_all(reader, resume_after="abc")


@pytest.mark.parametrize("name", ["dm.json", "group_dm.json"])
async def test_direct_messages_are_never_imported(name: str) -> None:
    with pytest.raises(ExportError, match="direct messages"):
        await DiscordExportReader.open(DATA / name)


async def test_files_that_cannot_be_imported_say_why(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="cut short"):
        await DiscordExportReader.open(DATA / "truncated.json")
    with pytest.raises(ExportError, match="not a DiscordChatExporter JSON export"):
        await DiscordExportReader.open(DATA / "telegram_like.json")
    with pytest.raises(ExportError, match="no such file"):
        await DiscordExportReader.open(tmp_path / "missing.json")
    with pytest.raises(ExportError, match="is a folder"):
        await DiscordExportReader.open(tmp_path)
    for name, body in [
        ("empty.json", ""),
        ("list.json", "[1, 2, 3]"),
        ("text.json", "Exported on 2024-03-02\n"),
        ("html.json", "<html><body>Tea Garden</body></html>"),
    ]:
        (tmp_path / name).write_text(body)
        with pytest.raises(ExportError, match="not a DiscordChatExporter JSON export"):
            await DiscordExportReader.open(tmp_path / name)


async def test_a_file_broken_midway_gives_what_it_read_then_says_why(tmp_path: Path) -> None:
    text = CHANNEL.read_text(encoding="utf-8")
    broken = tmp_path / "broken.json"
    at = text.index(f'"id": "{mid(6)}"')
    broken.write_text(text[:at] + "@@" + text[at:], encoding="utf-8")
    reader = await DiscordExportReader.open(broken, batch_size=100)
    got: list[HistoryBatch] = []
    with pytest.raises(ExportError, match="not valid JSON"):
        async for batch in reader.batches():
            got.append(batch)
    assert [m.platform_message_id for m in got[0].messages] == [mid(1), mid(3), mid(4)]
    assert got[0].resume_after == mid(5)


async def test_the_source_key_is_the_size_and_the_start_of_the_file(tmp_path: Path) -> None:
    copy = tmp_path / "copy.json"
    shutil.copy(CHANNEL, copy)
    first = (await DiscordExportReader.open(CHANNEL)).source_key
    assert (await DiscordExportReader.open(copy)).source_key == first
    assert first.startswith(f"{CHANNEL.stat().st_size}:")
    copy.write_text(CHANNEL.read_text(encoding="utf-8").replace("Hello", "Howdy"))
    assert (await DiscordExportReader.open(copy)).source_key != first


async def test_imported_and_live_messages_share_chat_and_member_rows(database_url: str) -> None:
    engine = create_engine(database_url)
    storage = Storage(engine)
    try:
        # Bo's message arrives live first, built by the live adapter's own functions.
        user = discord.User(
            state=None,  # type: ignore[arg-type]
            data={
                "id": BO,
                "username": "bo_k",
                "global_name": "Bo",
                "discriminator": "0",
                "avatar": None,
                "bot": False,
            },
        )
        live_chat = event_converter.chat_for(
            SimpleNamespace(id=int(CHANNEL_ID)), guild_id=int(GUILD_ID)
        )
        live = await storage.ingest_message(
            Message(
                chat=live_chat,
                sender=event_converter.to_member(user),
                platform_message_id=mid(3),
                text="Hi Ana! 😊 happy to be here",
                sent_at=datetime(2024, 3, 1, 10, 2, tzinfo=UTC),
                reply_to_message_id=mid(1),
                permalink=event_converter.permalink(int(GUILD_ID), int(CHANNEL_ID), int(mid(3))),
            )
        )
        reader = await DiscordExportReader.open(CHANNEL, hearth_user_id=HEARTH_ID, batch_size=6)
        importer = HistoryImporter(HistoryImportStore(engine), PersonaStore(engine))
        run = await importer.run(reader, source="discord-export", source_key=reader.source_key)
        assert (run.status, run.stored, run.duplicates) == ("done", 9, 1)
        assert run.skipped == {"service": 5, "empty": 2, "deleted account": 2, "hearth": 1}
        assert await storage.count_messages() == 10
        assert await storage.count_messages(chat_id=live.chat_id) == 10
        assert await storage.count_messages(member_id=live.member_id) == 3  # Bo: 3, 6, 11
        assert await storage.ensure_chat(reader.chat) == live.chat_id
        assert not await storage.twin_enabled(live.chat_id, live.member_id)
        again = await importer.run(reader, source="discord-export", source_key=reader.source_key)
        assert (again.stored, again.duplicates) == (0, 10)
    finally:
        await storage.close()


def _write_export(path: Path, count: int) -> None:
    """A DiscordChatExporter-shaped export of ``count`` messages, written as a stream."""
    head = json.loads(CHANNEL.read_text(encoding="utf-8"))
    sample = head.pop("messages")[0]
    head.pop("messageCount")
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps(head, ensure_ascii=False, indent=2)[:-2] + ',\n  "messages": [\n')
        for n in range(count):
            sample["id"] = str(1210000000000000000 + n)
            sample["content"] = f"message {n}: the picnic moved to the orchard 🍎 " * 3
            out.write(("," if n else "") + json.dumps(sample, ensure_ascii=False, indent=2))
        out.write(f'\n  ],\n  "messageCount": {count}\n}}\n')


_PEAK = textwrap.dedent(
    """
    import asyncio, resource, sys
    from pathlib import Path
    from adapters.discord.chat_exporter import DiscordExportReader

    async def main() -> None:
        reader = await DiscordExportReader.open(Path(sys.argv[1]))
        count = 0
        async for batch in reader.batches():
            count += len(batch.messages)
        print(count, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)

    asyncio.run(main())
    """
)


def _peak_kib(path: Path) -> tuple[int, int]:
    result = subprocess.run(
        [sys.executable, "-c", _PEAK, str(path)], capture_output=True, text=True, check=True
    )
    count, peak = result.stdout.split()
    return int(count), int(peak)


def test_memory_stays_flat_however_long_the_export(tmp_path: Path) -> None:
    small, large = tmp_path / "small.json", tmp_path / "large.json"
    _write_export(small, 200)
    _write_export(large, 20_000)
    assert large.stat().st_size > 30 * small.stat().st_size
    small_count, small_peak = _peak_kib(small)
    large_count, large_peak = _peak_kib(large)
    assert (small_count, large_count) == (200, 20_000)
    # The large file is about 14 MB; reading it must not hold more than a few batches.
    assert large_peak - small_peak < 16 * 1024, (small_peak, large_peak)
