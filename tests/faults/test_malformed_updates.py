"""Malformed updates mixed into a stream: kept, skipped, and every later message stored."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.fakes.hearth_process import HashEmbeddingsApi, HearthProcess
from tests.fakes.telegram_api import FakeTelegramApi, make_chat, make_message, make_user
from tests.fakes.telegram_api import message_update as update_for

pytestmark = pytest.mark.wire

CHAT = make_chat(-1009990000009, title="Mixed Stream")
ALICE = make_user(6001, "Alice", username="alice_m")


def _malformed(n: int) -> dict[str, object]:
    kind = n % 3
    if kind == 0:
        return {"message": "not-a-dict"}
    message = make_message(CHAT, ALICE, f"broken {n}")
    if kind == 1:
        message["date"] = "yesterday"
    else:
        message["from"] = {"is_bot": False, "first_name": "No id"}
    return update_for(message)


async def test_malformed_updates_do_not_stop_the_stream(
    fake_telegram: FakeTelegramApi, tmp_path: Path
) -> None:
    embeddings = HashEmbeddingsApi()
    await embeddings.start()
    hearth = HearthProcess(fake_telegram, tmp_path / "data", embeddings=embeddings)
    good = 0
    for n in range(240):
        if n % 20 == 7:
            fake_telegram.push_update(_malformed(n), observe=False)
        else:
            fake_telegram.push_update(update_for(make_message(CHAT, ALICE, f"fine {n}")))
            good += 1
    try:
        await hearth.start()
        await hearth.wait_until(lambda c: c.stored >= good, 60, "every good message stored")
        polls = len(fake_telegram.calls_to("getUpdates"))
        assert await hearth.stop() == 0, hearth.output()
    finally:
        if hearth.running:
            await hearth.kill()
        await embeddings.close()

    assert hearth.counts().stored == good
    assert fake_telegram.pending_updates == []
    assert polls < 30, f"{polls} getUpdates calls: the loop spun on bad updates"
    with contextlib.closing(sqlite3.connect(hearth.database)) as db:
        kept = db.execute("SELECT raw, error FROM skipped_updates ORDER BY id").fetchall()
    assert len(kept) == 240 // 20
    assert all(raw and error for raw, error in kept)
    log = hearth.output(tail=None)
    hearth_log = hearth.data_dir / "hearth.log"
    if hearth_log.exists():
        log += hearth_log.read_text(errors="replace")
    assert "Traceback" not in log
    assert log.count("skipped Telegram update") <= len(kept) * 2

    # The operator can list what was kept.
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "hearth"),
        "skipped",
        "--limit",
        "3",
        env=hearth.env,
        cwd=hearth.data_dir,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0
    listing = out.decode()
    assert listing.startswith(f"{len(kept)} skipped updates; the last 3:")
    assert listing.count("telegram update") == 3
