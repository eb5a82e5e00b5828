"""/forget in a real `hearth run`: then no file under the data folder holds the member's words.

Alice writes distinctive words (English and Chinese), her twin quotes them to Carol, and she
asks Bob's twin a question holding a third distinctive word. After her ``/forget`` every
file under ``HEARTH_DATA_DIR`` (SQLite and its log, both Qdrant Edge shards) is read as
bytes: first while Hearth still runs, once the promised purge is done, then after a stop.
Before it, an admin posts ``/digest now``: the digest's record of featuring Alice, which
quotes her words, goes too.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.hearth_process import HearthProcess
from tests.fakes.telegram_api import (
    FakeTelegramApi,
    SentMessage,
    make_chat,
    make_message,
    make_user,
    message_update,
)
from tests.fakes.telegram_fixtures import fake_telegram
from tests.traces import files_holding, names_in, secret_words, until_no_trace

__all__ = ["fake_telegram"]

CHAT = make_chat(-1009100, title="Hikers")
ALICE = make_user(6101, "Alice", username="alice_k")
BOB = make_user(6102, "Bob", username="bob_t")
CAROL = make_user(6103, "Carol", username="carol_p")
TWO_HOURS_AGO = int(time.time()) - 7200
PURGE_LIMIT = 30.0
"""Seconds within which the forgotten words must have left every file of a running Hearth."""


@pytest.fixture
async def hearth(fake_telegram: FakeTelegramApi, tmp_path: Path) -> AsyncIterator[HearthProcess]:
    """``hearth run`` on SQLite and Qdrant Edge in ``tmp_path / "data"``; twins answer at once."""
    async with HearthProcess(
        fake_telegram,
        tmp_path / "data",
        extra_env={"HEARTH_TWIN_ABSENCE_MINUTES": "0"},
        log_path=tmp_path / "hearth.out",
    ) as process:
        await process.start()
        yield process


def say(api: FakeTelegramApi, who: dict[str, object], text: str, **kwargs: object) -> None:
    api.push_update(message_update(make_message(CHAT, who, text, **kwargs)))  # type: ignore[arg-type]


async def reply_with(api: FakeTelegramApi, part: str) -> SentMessage:
    """The first message the bot sent, from now on, that holds ``part`` (waiting for it)."""
    start = len(api.sent_messages)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for sent in api.sent_messages[start:]:
            if part in sent.text:
                return sent
        await asyncio.sleep(0.05)
    raise AssertionError(f"no reply with {part!r}; sent: {api.sent_messages[start:]}")


def featured(hearth: HearthProcess, who: dict[str, object]) -> list[tuple[str, str | None]]:
    """The digest features recorded for ``who``: kind and title (read straight from SQLite)."""
    with sqlite3.connect(f"file:{hearth.database}?mode=ro", uri=True) as connection:
        return connection.execute(
            "SELECT f.kind, f.title FROM digest_features f JOIN members m ON m.id = f.member_id "
            "WHERE m.platform_user_id = ?",
            (str(who["id"]),),
        ).fetchall()


async def until_featured(hearth: HearthProcess, who: dict[str, object]) -> None:
    """Wait until a posted digest's record of featuring ``who`` is stored."""
    deadline = time.monotonic() + 30
    while not featured(hearth, who):
        assert time.monotonic() < deadline, "the digest's features were not recorded"
        await asyncio.sleep(0.05)


async def embedded(hearth: HearthProcess) -> None:
    await hearth.wait_until(lambda c: c.stored > 0 and c.pending == 0, 60, "messages embedded")


async def test_forget_leaves_no_trace_in_any_file(
    fake_telegram: FakeTelegramApi, hearth: HearthProcess
) -> None:
    data = hearth.data_dir
    english, chinese = secret_words()
    asked = "zq" + english[::-1]
    for member in (ALICE, BOB):
        fake_telegram.allow_private(int(member["id"]))
    await hearth.wait_for_poll(timeout=120)

    for text in (
        "For beginners I always recommend the Fern Creek loop: 6 km, flat, with a waterfall.",
        "No permit is needed for Skyline Ridge, but the car park fills up by 8am.",
    ):
        say(fake_telegram, BOB, text, date=TWO_HOURS_AGO)
    say(fake_telegram, BOB, "/twin on", date=TWO_HOURS_AGO)
    say(fake_telegram, ALICE, f"I hid the spare cabin key under the {english} stone this morning")
    say(fake_telegram, ALICE, f"我把备用钥匙藏在{chinese}石头下面了")
    say(fake_telegram, ALICE, "/twin on")
    await fake_telegram.wait_for_sent(2, timeout=60)
    await embedded(hearth)

    say(fake_telegram, CAROL, "@alice_k where did you hide the spare cabin key?")
    quoted = await reply_with(fake_telegram, "Twin of Alice")
    assert english in quoted.text or chinese in quoted.text  # Alice's twin quoted her
    say(fake_telegram, ALICE, f"@bob_t is the {asked} loop good for beginners?")
    await reply_with(fake_telegram, "Twin of Bob")
    await embedded(hearth)
    fake_telegram.set_member_status(CHAT, CAROL, "administrator")
    say(fake_telegram, CAROL, "/digest now")
    await reply_with(fake_telegram, "Daily digest")
    await until_featured(hearth, ALICE)  # recorded right after the post, quoting her
    assert files_holding(data, english, chinese, asked)  # SQLite and the shard hold them

    say(fake_telegram, ALICE, "/forget")
    done = await reply_with(fake_telegram, "Done: deleted")
    assert done.text.startswith("Done: deleted 3 of your messages, 1 twin answers")
    assert "1 question(s) to other members' twins here are erased" in done.text

    # (a) While Hearth runs: gone within the promised purge.
    await until_no_trace(data, english, chinese, asked, limit=PURGE_LIMIT)
    assert featured(hearth, ALICE) == []
    say(fake_telegram, CAROL, "@bob_t which trail is good for beginners?")
    assert "Fern Creek" in (await reply_with(fake_telegram, "Twin of Bob")).text

    # (b) After a stop.
    assert await hearth.stop() == 0, hearth.output()
    assert files_holding(data, english, chinese, asked) == []
    left = names_in(data)
    assert "qdrant-edge" in left
    assert not [name for name in left if name.endswith((".building", ".previous"))]
