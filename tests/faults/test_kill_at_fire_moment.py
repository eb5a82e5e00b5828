"""SIGKILL aimed at the moment a scheduled digest fires: after a restart it is posted once.

A real ``hearth run`` against the Telegram fake has its chat digest fall due at a known
whole second; the test kills it at offsets from 20 ms before to 200 ms after that moment
(before the fire, at the claim, while the digest is built, around its post, after it),
starts it again and counts the digests posted. Timing is external (no failpoint), so each
kill lands wherever the process happens to be; what the kill left in the database is
checked too: the job is never advanced past a run without the run being claimed.

The one window where a resumed run repeats a message, a kill after its request left the
process and before its delivery was committed (a few milliseconds against the fake; see
``jobs.scheduler``), is told apart by the fake having the message while the database does
not count it, and is allowed to post twice.
"""

from __future__ import annotations

import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.telegram_api import FakeTelegramApi
from tests.faults.due_digest_rig import DueDigestRig, RunTally, restart_around_a_due_run

OFFSETS_MS = (-20, 5, 15, 60, 200)
WINDOW = "posted, not yet recorded"


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[DueDigestRig]:
    async with FakeTelegramApi() as api:
        started = DueDigestRig(api, tmp_path)
        try:
            yield started
        finally:
            await started.close()


async def test_a_kill_at_the_fire_moment_neither_skips_nor_doubles_the_digest(
    rig: DueDigestRig,
) -> None:
    await rig.start()
    await rig.schedule_digest()
    tally = RunTally()
    for offset in OFFSETS_MS:
        state, posts = await restart_around_a_due_run(rig, offset / 1000, signal.SIGKILL)
        tally.add(state, posts)
        print(f"kill at {offset:+4d} ms: {state.phase:<26} posted {posts}")
        assert state.consistent, f"at {offset} ms the job was advanced without a claim"
        expected = 2 if state.phase == WINDOW else 1
        assert posts == expected, f"kill at {offset:+d} ms ({state.phase}): {posts} posts"
    assert tally.due == len(OFFSETS_MS) and tally.missed == 0
    assert tally.doubled == tally.phases[WINDOW]
