"""``/import history``: an admin has Hearth read a Discord channel's earlier messages.

Hearth runs against the fake Discord, which serves paged history (and 429s when told).
Every message is stored once, threads into their own chats, live messages keep flowing
and twins keep answering meanwhile, nobody's twin is switched on, and a backfill cut
short by a stop is continued by the next start.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from adapters.discord import DiscordAdapter
from adapters.model import Chat, ChatKind, Platform
from bots.app import Hearth
from bots.platforms import discord_adapter
from bots.settings import HearthSettings
from bots.storage.tables import HistoryImportRow, MemberSettingsRow
from memory.edge_store import EdgeMemoryStore
from memory.embedder import Embedder
from tests.e2e.worlds import eventually, settled, stored_ids
from tests.fakes.discord_api import (
    ARCHIVED_THREADS,
    CHANNEL_HISTORY,
    JSON,
    MANAGE_GUILD,
    MEMBER_PERMISSIONS,
    FakeDiscord,
    SentMessage,
    make_user,
    snowflake,
    user_mention,
)
from tests.fakes.discord_fixtures import TestServer

pytestmark = pytest.mark.wire

ADMIN = MEMBER_PERMISSIONS | MANAGE_GUILD


def ago(days: float = 0, *, minutes: float = 0) -> datetime:
    return datetime.now(UTC) - timedelta(days=days, minutes=minutes)


@dataclass
class Running:
    """A Hearth connected to the fake Discord."""

    hearth: Hearth
    adapter: DiscordAdapter

    async def stop(self) -> None:
        await self.hearth.backfills.close()
        await self.adapter.stop()
        await self.hearth.close()


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fake_discord: FakeDiscord) -> HearthSettings:
    return HearthSettings(
        HEARTH_DATA_DIR=tmp_path,
        DATABASE_URL=database_url,
        DISCORD_BOT_TOKEN=fake_discord.token,
        HEARTH_TWIN_CHAT_LIMIT=1_000,
        HEARTH_TWIN_ASKER_LIMIT=1_000,
    )


async def start(settings: HearthSettings, embedder: Embedder, tmp_path: Path) -> Running:
    memory = EdgeMemoryStore(tmp_path / "edge", embedder.dimension)
    hearth = await Hearth.build(settings, embedder=embedder, memory=memory)
    hearth.backfills.progress_every = timedelta(0)
    adapter = discord_adapter(settings)
    assert isinstance(adapter, DiscordAdapter)
    await adapter.start(hearth.router)
    await hearth.connected(adapter)
    return Running(hearth, adapter)


@pytest.fixture
async def running(
    settings: HearthSettings, embedder: Embedder, tmp_path: Path, discord_server: TestServer
) -> AsyncIterator[Running]:
    """A Hearth connected to the fake, whose server is there from the start."""
    del discord_server
    app = await start(settings, embedder, tmp_path)
    yield app
    await app.stop()


def channel_chat(channel_id: int) -> Chat:
    return Chat(Platform.DISCORD, str(channel_id), ChatKind.GROUP)


async def seed(
    fake: FakeDiscord, server: TestServer, count: int, *, days: float = 10
) -> list[JSON]:
    """``count`` messages in #general over the last ``days``, not delivered (history only)."""
    people = [server.alice, server.bob, server.carol]
    return [
        await fake.post_message(
            server.general,
            people[n % 3],
            f"earlier message {n}",
            at=ago(days * (count - n) / count, minutes=5),
            deliver=False,
        )
        for n in range(count)
    ]


def now_reads(fake: FakeDiscord, sent: SentMessage) -> str:
    """What a message Hearth posted says now (after its edits), or "" once deleted."""
    current = fake.messages.get(sent.message_id)
    return str(current["content"]) if current is not None else ""


async def sent_containing(fake: FakeDiscord, text: str, limit: float = 30) -> str:
    """The latest message Hearth posted that says ``text`` now (edited or not)."""
    found: list[str] = []

    async def check() -> bool:
        found[:] = [now_reads(fake, m) for m in fake.sent_messages if text in now_reads(fake, m)]
        return bool(found)

    await eventually(check, f"a message with {text!r}", limit)
    return found[-1]


def posted_in(fake: FakeDiscord, channel_id: int) -> list[SentMessage]:
    """The messages Hearth posted in a channel (not the answers to its commands)."""
    return [m for m in fake.sent_messages if m.channel_id == channel_id]


def edits_of(fake: FakeDiscord, sent: SentMessage) -> list[str]:
    return [
        content for message_id, content in fake.edited_messages if message_id == sent.message_id
    ]


async def followup(fake: FakeDiscord, count: int) -> str:
    return (await fake.wait_for_followups(count))[count - 1].content


async def twins_on(hearth: Hearth) -> int:
    stmt = select(func.count()).where(MemberSettingsRow.twin_enabled.is_(True))
    async with hearth.storage.engine.connect() as conn:
        return int((await conn.execute(stmt)).scalar_one())


async def carol_imports(fake: FakeDiscord, server: TestServer, **options: str) -> None:
    """``/import`` with ``options`` in #general by carol, who manages the server."""
    await fake.use_command(
        "import", options, user=server.carol, channel_id=server.general, permissions=ADMIN
    )


async def test_a_backfill_reads_every_page_and_thread_once_through_rate_limits(
    running: Running, fake_discord: FakeDiscord, discord_server: TestServer
) -> None:
    fake, server, hearth = fake_discord, discord_server, running.hearth
    live = [
        await fake.post_message(server.general, server.alice, f"live before {n}", at=ago(0.5))
        for n in range(5)
    ]
    await eventually(lambda: _count(hearth, 5), "the live messages")
    earlier = await seed(fake, server, 260)
    too_old = await fake.post_message(
        server.general, server.bob, "from last year", at=ago(60), deliver=False
    )
    await fake.post_message(
        server.general, server.bob, "", deliver=False, at=ago(2), message_type=6
    )  # a pin notice: skipped
    thread = await fake.create_thread(server.general, "trail talk", owner=server.alice)
    in_thread = [
        await fake.post_message(
            int(thread["id"]), server.bob, f"thread message {n}", at=ago(1), deliver=False
        )
        for n in range(12)
    ]
    old_thread = await fake.create_thread(server.general, "picnic", owner=server.carol)
    in_old_thread = [
        await fake.post_message(
            int(old_thread["id"]), server.carol, f"picnic {n}", at=ago(3), deliver=False
        )
        for n in range(3)
    ]
    fake.archive_thread(int(old_thread["id"]))
    deleted = [  # accounts deleted since: never imported, they can neither consent nor forget
        make_user(snowflake(), "deleted_user_3f9a1c2b7d4e"),
        {**make_user(snowflake(), "Deleted User"), "discriminator": "0000"},
    ]
    for gone in deleted:
        await fake.post_message(
            server.general, gone, "said before leaving", at=ago(4), deliver=False
        )
    fake.inject_rate_limit(2, 0.2, route=CHANNEL_HISTORY)

    await carol_imports(fake, server, action="history")
    assert "last 30 days" in await followup(fake, 1)
    summary = await sent_containing(fake, "History import finished")

    # Skipped: the pin notice, the deleted accounts' messages, and Hearth's own progress
    # message (posted in the channel when the backfill started, it is history too).
    assert "275 messages stored, 5 already known, 4 skipped" in summary
    assert "written by 3 members" in summary
    async with hearth.storage.engine.connect() as conn:
        skipped = (await conn.execute(select(HistoryImportRow.skipped))).scalars().all()
    assert sum(s.get("service", 0) for s in skipped) == 1
    assert sum(s.get("deleted account", 0) for s in skipped) == 2
    assert sum(s.get("hearth", 0) for s in skipped) == 1
    assert "Nobody's twin was switched on" in summary
    # One progress message, edited as the reading went on, then into the summary.
    [news] = posted_in(fake, server.general)
    assert "Reading this channel's history since" in news.content
    assert now_reads(fake, news) == summary
    edits = edits_of(fake, news)
    assert edits[-1] == summary and len(edits) >= 6  # a page or thread each, then the summary
    progress = "\n".join(edits[:-1])
    assert "#general › trail talk: 12 messages, all read." in progress
    assert "#general › picnic: 3 messages, all read." in progress
    shares = [
        int(p) for p in re.findall(r"#general: \d+ messages so far, (\d+)% of the period", progress)
    ]
    assert shares and shares == sorted(shares) and 0 < shares[0] < 100
    assert "Still to read: 2 threads or channels." in edits[0]  # the channel comes last
    assert "Still to read: 1 thread or channel." in progress
    general = await stored_ids(hearth, server.general)
    assert sorted(general) == sorted(str(m["id"]) for m in [*live, *earlier])
    assert len(general) == len(set(general))
    assert str(too_old["id"]) not in general
    assert await stored_ids(hearth, int(thread["id"])) == [str(m["id"]) for m in in_thread]
    assert await stored_ids(hearth, int(old_thread["id"])) == [str(m["id"]) for m in in_old_thread]
    # Pages of 100 after the start of the period; the two 429s were waited out.
    calls = fake.calls_to(CHANNEL_HISTORY)
    pages = [c for c in calls if c.path == f"/channels/{server.general}/messages"]
    assert len(pages) == 3
    assert len(calls) == 3 + 1 + 1 + 2
    assert {c.query["limit"] for c in calls} == {"100"}
    assert fake.calls_to(ARCHIVED_THREADS)
    assert await twins_on(hearth) == 0
    await settled(hearth)
    assert await hearth.memory.count() == 5 + 260 + 15

    await carol_imports(fake, server, action="status")
    status = await followup(fake, 2)
    assert "finished" in status and "275 messages stored" in status


async def _count(hearth: Hearth, count: int) -> bool:
    return await hearth.storage.count_messages() >= count


async def test_members_without_manage_server_are_refused(
    running: Running, fake_discord: FakeDiscord, discord_server: TestServer
) -> None:
    fake, server = fake_discord, discord_server
    await seed(fake, server, 5)
    await fake.use_command(
        "import", {"action": "history", "days": "7"}, user=server.alice, channel_id=server.general
    )
    assert "only this chat's admins" in await followup(fake, 1)
    await carol_imports(fake, server, action="history", days="400")
    assert "from 1 to 365" in await followup(fake, 2)
    dm = fake.dm_channel_for(server.carol)
    await fake.use_command(
        "import", {"action": "history"}, user=server.carol, channel_id=int(dm["id"])
    )
    assert "works in a group chat" in await followup(fake, 3)  # DMs are never imported
    await asyncio.sleep(0.2)
    assert fake.calls_to(CHANNEL_HISTORY) == []
    assert await running.hearth.storage.count_messages() == 0


async def test_live_messages_and_twins_carry_on_during_a_slow_backfill(
    running: Running, fake_discord: FakeDiscord, discord_server: TestServer
) -> None:
    fake, server, hearth = fake_discord, discord_server, running.hearth
    for text in ("Fern Creek loop is the best trail for beginners", "I hike every Sunday"):
        await fake.post_message(server.general, server.bob, text, at=ago(minutes=180))
    await fake.use_command("twin", {"action": "on"}, user=server.bob, channel_id=server.general)
    await fake.wait_for_followups(1)
    await eventually(lambda: _count(hearth, 2), "bob's messages")
    await settled(hearth)
    await seed(fake, server, 250)
    fake.history_delay = 0.5

    await carol_imports(fake, server, action="history", days="20")
    await followup(fake, 2)
    await fake.wait_for_call(CHANNEL_HISTORY)
    started = asyncio.get_running_loop().time()
    live = await fake.post_message(server.general, server.carol, "live during the import")
    question = await fake.post_message(
        server.general,
        server.alice,
        f"{user_mention(server.bob)} which trail for beginners?",
        mentions=[server.bob],
    )
    answer = await sent_containing(fake, "Fern Creek", limit=10)
    assert answer
    assert asyncio.get_running_loop().time() - started < 2.0
    assert hearth.backfills.running(channel_chat(server.general))  # still reading meanwhile
    ids = await stored_ids(hearth, server.general)
    assert str(live["id"]) in ids and str(question["id"]) in ids

    fake.history_delay = 0
    await sent_containing(fake, "History import finished")
    ids = await stored_ids(hearth, server.general)
    assert len(ids) == len(set(ids)) == 2 + 250 + 2
    assert await twins_on(hearth) == 1  # bob's own, and nobody else's


async def test_a_backfill_stopped_midway_continues_at_the_next_start(
    settings: HearthSettings,
    embedder: Embedder,
    tmp_path: Path,
    fake_discord: FakeDiscord,
    discord_server: TestServer,
) -> None:
    fake, server = fake_discord, discord_server
    earlier = await seed(fake, server, 340)
    first = await start(settings, embedder, tmp_path)
    fake.history_delay = 0.3
    await carol_imports(fake, server, action="history", days="30")
    await eventually(lambda: _count(first.hearth, 100), "the first page")
    await first.stop()  # as a stop or crash midway would
    calls_before = len(fake.calls_to(CHANNEL_HISTORY))

    fake.history_delay = 0
    second = await start(settings, embedder, tmp_path)
    try:
        summary = await sent_containing(fake, "History import finished")
        assert "340 messages stored" in summary  # the run's count, over both starts
        ids = await stored_ids(second.hearth, server.general)
        assert ids == [str(m["id"]) for m in earlier]  # each once, in order
        resumed = fake.calls_to(CHANNEL_HISTORY)[calls_before]
        assert int(resumed.query["after"]) >= int(earlier[99]["id"])
        async with second.hearth.storage.engine.connect() as conn:
            statuses = (await conn.execute(select(HistoryImportRow.status))).scalars().all()
        assert statuses == ["done"]
        paused, resumed_news = posted_in(fake, server.general)  # one message per start
        assert "paused while Hearth stops" in now_reads(fake, paused)
        assert now_reads(fake, resumed_news) == summary
    finally:
        await second.stop()


async def test_cancel_stops_the_backfill_and_status_says_so(
    running: Running, fake_discord: FakeDiscord, discord_server: TestServer
) -> None:
    fake, server, hearth = fake_discord, discord_server, running.hearth
    await seed(fake, server, 300)
    fake.history_delay = 0.3
    await carol_imports(fake, server, action="history")
    await followup(fake, 1)
    await carol_imports(fake, server, action="history")
    assert "already running" in await followup(fake, 2)
    await eventually(lambda: _count(hearth, 100), "the first page")
    await carol_imports(fake, server, action="cancel")
    assert "cancelled" in await followup(fake, 3)
    assert not hearth.backfills.running(channel_chat(server.general))
    await carol_imports(fake, server, action="status")
    status = await followup(fake, 4)
    assert "cancelled" in status
    [news] = posted_in(fake, server.general)
    assert now_reads(fake, news).startswith("History import cancelled")
    stored = await hearth.storage.count_messages()
    assert 100 <= stored < 300
    await asyncio.sleep(0.5)
    assert await hearth.storage.count_messages() == stored


async def test_the_summary_is_posted_when_the_progress_message_is_gone(
    running: Running, fake_discord: FakeDiscord, discord_server: TestServer
) -> None:
    fake, server, hearth = fake_discord, discord_server, running.hearth
    await seed(fake, server, 250)
    fake.history_delay = 0.3
    await carol_imports(fake, server, action="history", days="15")
    await eventually(lambda: _count(hearth, 100), "the first page")
    [news] = posted_in(fake, server.general)
    await fake.delete_message(news.message)  # a moderator removed it meanwhile
    fake.history_delay = 0

    summary = await sent_containing(fake, "History import finished")
    assert "250 messages stored" in summary
    gone, posted = posted_in(fake, server.general)
    assert gone is news and posted.content == summary
