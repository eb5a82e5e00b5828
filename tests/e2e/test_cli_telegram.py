"""`hearth run` with a token, as an operator starts it: a real process against the fake API."""

from __future__ import annotations

from pathlib import Path

import pytest

from bots.command_catalog import COMMANDS
from tests.fakes.hearth_process import HearthProcess
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
    async with HearthProcess(fake_telegram, tmp_path) as hearth:
        await hearth.start()
        await hearth.wait_for_poll()
        assert {c["command"] for c in fake_telegram.commands} == {s.name for s in COMMANDS}
        chat = make_chat(-1007000, title="Operators")
        fake_telegram.push_update(message_update(make_message(chat, make_user(9, "Ops"), "/help")))
        [reply] = await fake_telegram.wait_for_sent(1, timeout=30)
        assert "/twin on" in reply.text
        assert await hearth.stop(timeout=30) == 0, hearth.output()
    assert (tmp_path / "hearth.db").exists()
