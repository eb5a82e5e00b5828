"""`hearth run` with a token, as an operator starts it: a real process against the fake API."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bots.command_catalog import COMMANDS
from tests.fakes.telegram_api import (
    FakeTelegramApi,
    make_chat,
    make_message,
    make_user,
    message_update,
)

pytestmark = pytest.mark.wire


async def test_hearth_run_connects_to_telegram_and_stops_cleanly(
    fake_telegram: FakeTelegramApi, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=fake_telegram.token,
        TELEGRAM_API_URL=fake_telegram.base_url,
        TELEGRAM_POLL_TIMEOUT="1",
        HEARTH_DATA_DIR=str(tmp_path),
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
        await fake_telegram.wait_for_call("getUpdates", timeout=60)
        assert {c["command"] for c in fake_telegram.commands} == {s.name for s in COMMANDS}
        chat = make_chat(-1007000, title="Operators")
        fake_telegram.push_update(message_update(make_message(chat, make_user(9, "Ops"), "/help")))
        [reply] = await fake_telegram.wait_for_sent(1, timeout=30)
        assert "/twin on" in reply.text
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    output = (await process.stdout.read()).decode() if process.stdout else ""
    assert code == 0, output
    assert (tmp_path / "hearth.db").exists()
