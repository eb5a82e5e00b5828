"""A real ``hearth run`` process with a chat digest due at a moment the rig chooses.

The process talks to the Telegram fake (:class:`~tests.fakes.telegram_api.FakeTelegramApi`)
and keeps SQLite and Qdrant Edge in one data folder, so it can be killed and started again
on the same data. An admin schedules the chat's digest by command (``/digest daily 09:00``,
quiet periods posting one line, so every run posts exactly one message); the rig then moves
the job's next run time to a chosen moment, as another process on the database could, and
the process (re-reading its job store every 0.1 s) fires it then. Used by
``tests/faults/test_kill_at_fire_moment.py`` and ``bench/fault_restarts.py``.
"""

from __future__ import annotations

import asyncio
import math
import signal
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

from jobs.run_lease import LEASE_TABLE, period_key
from jobs.scheduled_runs import JobKind
from jobs.scheduler import JOB_TABLE, job_id
from tests.fakes.hearth_process import HearthProcess
from tests.fakes.telegram_api import FakeTelegramApi, make_chat, make_message, make_user
from tests.fakes.telegram_api import message_update as update_of

CHAT = make_chat(-1009900, title="Night Owls")
ADMIN = make_user(9901, "Ada", username="ada_t")
MEMBER = make_user(9902, "Ben", username="ben_t")
LINES = (
    (MEMBER, "Fixed the bike chain and rode the canal path to the old mill"),
    (ADMIN, "Canal path ride on Sunday? The mill café opens at nine"),
    (MEMBER, "Sunday works, I will bring the spare inner tubes"),
)


@dataclass(frozen=True, slots=True)
class KillState:
    """What a kill left behind for one due run, read from the database and the fake."""

    phase: str
    """``before the fire``, ``claimed``, ``posted, not yet recorded``, ``posted`` or
    ``finished``."""
    consistent: bool
    """The job was advanced past the run exactly when the run was claimed."""


@dataclass
class RunTally:
    """Due runs and what became of them; all counts exact."""

    due: int = 0
    posted: int = 0
    doubled: int = 0
    missed: int = 0
    advanced_without_claim: int = 0
    phases: Counter[str] = field(default_factory=Counter)

    def add(self, state: KillState, posts: int) -> None:
        self.due += 1
        self.posted += min(posts, 1)
        self.doubled += max(posts - 1, 0)
        self.missed += posts == 0
        self.advanced_without_claim += not state.consistent
        self.phases[state.phase] += 1


class DueDigestRig:
    """Starts, kills and restarts ``hearth run``; sets when the chat's digest is due."""

    def __init__(self, api: FakeTelegramApi, data_dir: Path) -> None:
        self.api = api
        self.hearth = HearthProcess(
            api,
            data_dir,
            extra_env={"HEARTH_SCHEDULER_POLL_SECONDS": "0.1", "HEARTH_EMBEDDING_THREADS": "1"},
            log_path=data_dir / "hearth.log",
        )
        self.chat_id = 0
        """The chat's id in Hearth's database (found once the digest is scheduled)."""

    @property
    def database(self) -> Path:
        return self.hearth.database

    @property
    def sync_url(self) -> str:
        return f"sqlite:///{self.database}"

    async def start(self) -> None:
        """Start ``hearth run`` and wait until it polls Telegram (the scheduler runs by then)."""
        await self.hearth.start()
        await self.hearth.wait_for_poll()

    async def stop(self, sig: signal.Signals = signal.SIGKILL, *, at: float | None = None) -> int:
        """Send ``sig`` (at the wall-clock time ``at``, else now) and wait for the process to
        exit; returns its exit code."""
        return await self.hearth.stop(sig, at=at)

    async def close(self) -> None:
        if self.hearth.running:
            await self.hearth.kill()

    async def schedule_digest(self) -> None:
        """Chat a little, then the admin schedules the digest by command."""
        self.api.set_member_status(CHAT, ADMIN, "administrator")
        self.api.set_member_status(CHAT, MEMBER, "member")
        for minutes_ago, (who, text) in zip((30, 20, 10), LINES, strict=True):
            date = int(time.time()) - minutes_ago * 60
            self.api.push_update(update_of(make_message(CHAT, who, text, date=date)))
        sent = len(self.api.sent_messages)
        for command in ("/digest daily 09:00", "/digest quiet line"):
            self.api.push_update(update_of(make_message(CHAT, ADMIN, command)))
        await self.api.wait_for_sent(sent + 2, timeout=60)
        texts = [m.text for m in self.api.sent_messages[sent:]]
        assert any(t.startswith("Digest scheduled") for t in texts), texts
        self.chat_id = await asyncio.to_thread(self._find_chat_id)

    def _find_chat_id(self) -> int:
        store = SQLAlchemyJobStore(url=self.sync_url, tablename=JOB_TABLE)
        try:
            ids = [job.id for job in store.get_all_jobs() if job.id.startswith("digest:")]
        finally:
            store.shutdown()
        assert len(ids) == 1, ids
        return int(ids[0].split(":", 1)[1])

    async def due_at(self, moment: datetime) -> None:
        """Make the digest due at ``moment`` (the running process notices within 0.1 s)."""
        await asyncio.to_thread(self._set_next_run, moment)

    def _set_next_run(self, moment: datetime) -> None:
        store = SQLAlchemyJobStore(url=self.sync_url, tablename=JOB_TABLE)
        try:
            job = store.lookup_job(job_id(self.chat_id, JobKind.DIGEST))
            assert job is not None
            job.next_run_time = moment
            store.update_job(job)
        finally:
            store.shutdown()

    def posts(self) -> int:
        """Messages the bot has sent to the chat so far."""
        return sum(1 for m in self.api.sent_messages if m.chat_id == CHAT["id"])

    def lease(self, fire: datetime) -> sqlite3.Row | None:
        with sqlite3.connect(self.database, timeout=30) as connection:
            connection.row_factory = sqlite3.Row
            row: sqlite3.Row | None = connection.execute(
                f"SELECT * FROM {LEASE_TABLE} WHERE kind = ? AND chat_id = ? AND period_key = ?",
                (JobKind.DIGEST.value, self.chat_id, period_key(fire)),
            ).fetchone()
        return row

    def next_run(self) -> float:
        with sqlite3.connect(self.database, timeout=30) as connection:
            (value,) = connection.execute(
                f"SELECT next_run_time FROM {JOB_TABLE} WHERE id = ?",
                (job_id(self.chat_id, JobKind.DIGEST),),
            ).fetchone()
        return float(value)

    def state_after_kill(self, fire: datetime, posts_before: int) -> KillState:
        """Where the run at ``fire`` was when the process died."""
        lease = self.lease(fire)
        advanced = self.next_run() > fire.timestamp()
        posted = self.posts() - posts_before
        if lease is None:
            phase = "before the fire"
        elif lease["finished_at"] is not None:
            phase = "finished"
        elif lease["delivered"] == 0:
            phase = "posted, not yet recorded" if posted else "claimed"
        else:
            phase = "posted"
        return KillState(phase, consistent=advanced == (lease is not None))

    async def wait_until_done(self, fire: datetime, timeout: float = 30) -> None:  # noqa: ASYNC109
        """Wait until the run at ``fire`` has finished or failed."""
        deadline = time.monotonic() + timeout
        while True:
            lease = await asyncio.to_thread(self.lease, fire)
            if lease is not None and (lease["finished_at"] or lease["failed_at"]):
                assert lease["failed_at"] is None, f"the digest run failed:\n{self.log_tail()}"
                return
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the digest due at {fire} did not finish in {timeout}s:\n{self.log_tail()}"
                )
            await asyncio.sleep(0.05)

    def log_tail(self, lines: int = 40) -> str:
        """The end of the processes' log (all starts append to ``hearth.log``)."""
        return "\n".join(self.hearth.output(tail=None).splitlines()[-lines:])


def next_whole_second(lead: float) -> datetime:
    """The first whole second at least ``lead`` seconds from now (UTC)."""
    return datetime.fromtimestamp(math.ceil(time.time() + lead), UTC)


async def restart_around_a_due_run(
    rig: DueDigestRig, offset: float, sig: signal.Signals, *, settle: float = 0.3
) -> tuple[KillState, int]:
    """Make the digest due about a second from now, send ``sig`` ``offset`` seconds after
    that moment, restart, and count what the run posted in all."""
    fire = next_whole_second(0.7)
    posts_before = rig.posts()
    await rig.due_at(fire)
    await rig.stop(sig, at=fire.timestamp() + offset)
    await asyncio.sleep(0.2)  # the fake answers a request the process sent as it died
    state = await asyncio.to_thread(rig.state_after_kill, fire, posts_before)
    await rig.start()
    await rig.wait_until_done(fire)
    await asyncio.sleep(settle)  # room for a wrongly repeated post
    return state, rig.posts() - posts_before
