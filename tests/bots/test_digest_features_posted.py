"""A digest posted in a chat remembers whom it featured; a preview or a quiet period does not."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from sqlalchemy import text

from bots.app import Hearth
from bots.storage.digest_features_store import DigestFeatureStore, FeaturedIn
from tests.bots.test_digest_command import chat_about_a_hike
from tests.bots.test_digest_languages import scheduled_digest
from tests.support import GROUP, RecordingSender, command, member, message

DAY = 24 * 60


@pytest.fixture
def memory_kind() -> str:
    return "edge"


async def featured(hearth: Hearth) -> list[FeaturedIn]:
    chat_id = await hearth.storage.ensure_chat(GROUP)
    return await DigestFeatureStore(hearth.storage.engine).in_chat(chat_id)


async def ids(hearth: Hearth, *names: str) -> dict[int, str]:
    return {await hearth.storage.ensure_member(member(name)): name for name in names}


async def test_a_scheduled_digest_records_whom_it_featured(hearth: Hearth) -> None:
    sender = RecordingSender()
    await chat_about_a_hike(hearth, sender)
    texts = await scheduled_digest(hearth, sender)
    assert texts and "Fern Creek" in texts[0]

    rows = await featured(hearth)
    names = await ids(hearth, "alice", "bob", "carol")
    by_kind = {(names.get(row.member_id), row.kind) for row in rows}
    assert ("carol", "decision") in by_kind  # "We decided: Fern Creek hike, …"
    assert ("alice", "question") in by_kind  # the sourdough recipe nobody answered
    assert ("bob", "link") in by_kind  # the trail map
    topics = [row for row in rows if row.kind == "topic"]
    assert topics and all(row.title and row.title in "\n".join(texts) for row in topics)
    assert {names.get(row.member_id) for row in topics} >= {"alice", "bob"}
    decision = next(row for row in rows if row.kind == "decision")
    assert decision.title == "We decided: Fern Creek hike, meet at the trailhead at 8am"
    assert decision.permalink and decision.permalink.startswith("https://")
    assert len({row.posted_at for row in rows}) == 1  # one digest, one moment
    assert None not in names.values() and set(names) >= {row.member_id for row in rows}


async def test_a_quiet_period_records_nobody(hearth: Hearth) -> None:
    sender = RecordingSender()
    await hearth.router.handle(
        message("dana", "Old news from last week", minutes_ago=3 * DAY), sender
    )
    await hearth.router.handle(message("erin", "anyone around?", minutes_ago=30), sender)
    await hearth.storage.set_digest_quiet_line(await hearth.storage.ensure_chat(GROUP), True)
    [line] = await scheduled_digest(hearth, sender)
    assert line.startswith("📰") and "1 message" in line  # a quiet line was posted
    assert await featured(hearth) == []


async def test_digest_now_records_and_a_preview_does_not(hearth: Hearth) -> None:
    sender = RecordingSender()
    await chat_about_a_hike(hearth, sender)
    admin = replace(command("carol", "digest", "preview"), sender_is_admin=True)
    await hearth.router.handle(admin, sender)
    assert sender.replies and all(reply.private for reply in sender.replies)
    assert await featured(hearth) == []

    await hearth.router.handle(replace(admin, args=("now",)), sender)
    rows = await featured(hearth)
    assert {row.kind for row in rows} >= {"topic", "decision", "question", "link"}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_digest_is_posted_though_its_record_cannot_be_stored(
    hearth: Hearth, caplog: pytest.LogCaptureFixture
) -> None:
    sender = RecordingSender()
    await chat_about_a_hike(hearth, sender)
    async with hearth.storage.engine.begin() as connection:
        await connection.execute(
            text(
                "CREATE TRIGGER refuse_features BEFORE INSERT ON digest_features "
                "BEGIN SELECT RAISE(ABORT, 'disk is full'); END"
            )
        )
    with caplog.at_level(logging.ERROR, logger="bots.digests"):
        texts = await scheduled_digest(hearth, sender)
    assert texts and "Fern Creek" in "\n".join(texts)
    assert "could not record whom the digest of chat" in caplog.text
    assert await featured(hearth) == []
