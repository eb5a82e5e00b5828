"""/forget in a real `hearth run`: then no file under the data folder holds the member's words.

Alice writes distinctive words (English and Chinese), her twin quotes them to Carol, and she
asks Bob's twin a question holding a third distinctive word. After her ``/forget`` every
file under ``HEARTH_DATA_DIR`` (SQLite and its log, both Qdrant Edge shards) is read as
bytes: first while Hearth still runs, once the promised purge is done, then after a stop.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

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
async def hearth_process(
    fake_telegram: FakeTelegramApi, tmp_path: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``hearth run`` on SQLite and Qdrant Edge in ``tmp_path / "data"``; twins answer at once."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env = {k: v for k, v in env.items() if not k.startswith(("QDRANT_", "EMBEDDING_", "LLM_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=fake_telegram.token,
        TELEGRAM_API_URL=fake_telegram.base_url,
        TELEGRAM_POLL_TIMEOUT="1",
        HEARTH_DATA_DIR=str(tmp_path / "data"),
        HEARTH_TWIN_ABSENCE_MINUTES="0",
    )
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "hearth"),
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


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


def unembedded(database: Path) -> int:
    """How many stored messages still wait for their vectors (-1 before any is stored)."""
    if not database.exists():
        return -1
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    try:
        stored, waiting = connection.execute(
            "SELECT count(*), count(*) - count(embedded_at) FROM messages"
        ).fetchone()
    except sqlite3.OperationalError:  # no such table yet
        return -1
    finally:
        connection.close()
    return int(waiting) if stored else -1


async def embedded(database: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if await asyncio.to_thread(unembedded, database) == 0:
            return
        await asyncio.sleep(0.2)
    raise AssertionError("messages were not embedded within 60 s")


async def test_forget_leaves_no_trace_in_any_file(
    fake_telegram: FakeTelegramApi,
    hearth_process: asyncio.subprocess.Process,
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    english, chinese = secret_words()
    asked = "zq" + english[::-1]
    for member in (ALICE, BOB):
        fake_telegram.allow_private(int(member["id"]))  # type: ignore[call-overload]
    await fake_telegram.wait_for_call("getUpdates", timeout=120)

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
    await embedded(data / "hearth.db")

    say(fake_telegram, CAROL, "@alice_k where did you hide the spare cabin key?")
    quoted = await reply_with(fake_telegram, "Twin of Alice")
    assert english in quoted.text or chinese in quoted.text  # Alice's twin quoted her
    say(fake_telegram, ALICE, f"@bob_t is the {asked} loop good for beginners?")
    await reply_with(fake_telegram, "Twin of Bob")
    await embedded(data / "hearth.db")
    assert files_holding(data, english, chinese, asked)  # SQLite and the shard hold them

    say(fake_telegram, ALICE, "/forget")
    done = await reply_with(fake_telegram, "Done: deleted")
    assert done.text.startswith("Done: deleted 3 of your messages, 1 twin answers")
    assert "1 question(s) to other members' twins here are erased" in done.text

    # (a) While Hearth runs: gone within the promised purge.
    await until_no_trace(data, english, chinese, asked, limit=PURGE_LIMIT)
    say(fake_telegram, CAROL, "@bob_t which trail is good for beginners?")
    assert "Fern Creek" in (await reply_with(fake_telegram, "Twin of Bob")).text

    # (b) After a stop.
    hearth_process.send_signal(signal.SIGTERM)
    code = await asyncio.wait_for(hearth_process.wait(), 60)
    output = (await hearth_process.stdout.read()).decode() if hearth_process.stdout else ""
    assert code == 0, output
    assert files_holding(data, english, chinese, asked) == []
    left = names_in(data)
    assert "qdrant-edge" in left
    assert not [name for name in left if name.endswith((".building", ".previous"))]
