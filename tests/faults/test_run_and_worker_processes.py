"""Three real processes on one PostgreSQL database and one Qdrant server (the REST fake):
two ``hearth run`` replicas in Telegram webhook mode behind a round-robin proxy, with
``HEARTH_EMBEDDING=off``, and one ``hearth worker`` that embeds what they store.

Every update is stored once (the proxy loses answers, so Telegram sends some again to the
other replica), every message is embedded exactly once (counted at the embeddings endpoint
and as upserts per point at the Qdrant fake, which also fails the first upserts with 503s
that the worker retries), a twin answers a mention of an offline member from the shared
memory through either replica, and a digest falling due while both replicas run their
schedulers is posted once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bots.storage.database import create_engine
from bots.storage.tables import HandledUpdateRow, MessageRow
from jobs.run_lease import LEASE_TABLE
from jobs.scheduled_runs import JobKind
from jobs.scheduler import JOB_TABLE, sync_database_url
from tests.fakes.hearth_process import HashEmbeddingsApi, HearthProcess
from tests.fakes.qdrant_api import FakeQdrantApi, version_checks_done
from tests.fakes.telegram_api import (
    FakeTelegramApi,
    SentMessage,
    free_tcp_port,
    make_chat,
    make_message,
    make_user,
)
from tests.fakes.telegram_api import message_update as update_for
from tests.fakes.webhook_proxy import RoundRobinProxy
from tests.jobs.test_scheduler import set_next_run

GROUP = make_chat(-1007770002222, title="Trail club")
OWLS = make_chat(-1007770003333, title="Night owls")
BOB = make_user(7201, "Bob", username="bob_t")
CAROL = make_user(7202, "Carol", username="carol_p")
ADA = make_user(7203, "Ada", username="ada_t")
PEOPLE = [make_user(7210 + i, f"Member {i}", username=f"member_{i}") for i in range(3)]
BOB_SAID = (
    "For beginners I always recommend the Fern Creek loop: 6 km, flat, with a waterfall.",
    "No permit is needed for Skyline Ridge, but the car park fills up by 8am.",
)
OWL_LINES = (
    (ADA, "Canal path ride on Sunday? The mill cafe opens at nine"),
    (PEOPLE[0], "Sunday works, I will bring the spare inner tubes"),
    (ADA, "Fixed the bike chain and rode the canal path to the old mill"),
)
NOTES = 30
COLLECTION = "hearth_messages"


@pytest.fixture
async def embeddings() -> AsyncIterator[HashEmbeddingsApi]:
    api = HashEmbeddingsApi()
    await api.start()
    yield api
    await api.close()


@pytest.fixture
async def qdrant() -> AsyncIterator[FakeQdrantApi]:
    server = FakeQdrantApi()
    await server.start()
    yield server
    await version_checks_done()
    await server.close()


def say(
    api: FakeTelegramApi, chat: dict[str, object], who: dict[str, object], words: str, **kw: int
) -> None:
    api.push_update(update_for(make_message(chat, who, words, **kw)))  # type: ignore[arg-type]


async def reply_with(api: FakeTelegramApi, part: str, since: int) -> SentMessage:
    """The first message the bot sent after ``since`` others that holds ``part``."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for sent in api.sent_messages[since:]:
            if part in sent.text:
                return sent
        await asyncio.sleep(0.05)
    raise AssertionError(f"no reply with {part!r}; sent: {api.sent_messages[since:]}")


async def all_embedded(engine: AsyncEngine, stored: int, workers: list[HearthProcess]) -> None:
    """Wait until ``stored`` messages are in the database, none waiting for its vector."""
    async with asyncio.timeout(60):
        while True:
            async with engine.connect() as conn:
                count = await conn.scalar(select(func.count()).select_from(MessageRow))
                pending = await conn.scalar(
                    select(func.count()).where(MessageRow.embedded_at.is_(None))
                )
            if count == stored and pending == 0:
                return
            for process in workers:
                process.check_running()
            await asyncio.sleep(0.2)


def digest_chat_id(database_url: str) -> int:
    """Hearth's id of the one chat with a scheduled digest (from the shared job store)."""
    store = SQLAlchemyJobStore(url=sync_database_url(database_url), tablename=JOB_TABLE)
    try:
        ids = [job.id for job in store.get_all_jobs() if job.id.startswith("digest:")]
    finally:
        store.shutdown()
    assert len(ids) == 1, ids
    return int(ids[0].split(":", 1)[1])


async def digest_leases(engine: AsyncEngine, chat_id: int) -> list[tuple[object, object]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(f"SELECT finished_at, failed_at FROM {LEASE_TABLE} WHERE chat_id = :chat"),
            {"chat": chat_id},
        )
        return [(row[0], row[1]) for row in rows]


async def digest_finished(engine: AsyncEngine, chat_id: int) -> None:
    """Wait until a replica has finished the chat's due digest run."""
    async with asyncio.timeout(30):
        while True:
            if any(finished for finished, _ in await digest_leases(engine, chat_id)):
                return
            await asyncio.sleep(0.1)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_two_replicas_and_a_worker_share_postgresql_and_a_qdrant_server(
    fake_telegram: FakeTelegramApi,
    embeddings: HashEmbeddingsApi,
    qdrant: FakeQdrantApi,
    database_url: str,
    tmp_path: Path,
) -> None:
    ports = [free_tcp_port(), free_tcp_port()]
    proxy = RoundRobinProxy(ports)
    await proxy.start()
    shared = {
        "DATABASE_URL": database_url,
        "QDRANT_URL": qdrant.url,
        "QDRANT_SHARDS": "2",
        "QDRANT_RETRIES": "3",
        "HEARTH_EMBEDDING_CLAIM_SECONDS": "30",
    }
    replicas = [
        HearthProcess(
            fake_telegram,
            tmp_path / f"replica-{i}",
            embeddings=embeddings,
            extra_env={
                **shared,
                "HEARTH_EMBEDDING": "off",
                "HEARTH_SCHEDULER_POLL_SECONDS": "0.2",
                "TELEGRAM_MODE": "webhook",
                "TELEGRAM_WEBHOOK_URL": proxy.url,
                "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
                "TELEGRAM_WEBHOOK_PORT": str(port),
            },
        )
        for i, port in enumerate(ports)
    ]
    worker = HearthProcess(
        fake_telegram,
        tmp_path / "worker",
        embeddings=embeddings,
        extra_env=shared,
        command="worker",
    )
    processes = [*replicas, worker]
    fake_telegram.webhook_retry_delay = 0.2
    fake_telegram.set_member_status(OWLS, ADA, "administrator")
    qdrant.fail_next("upsert", 2)  # the worker's first write meets an overloaded server
    engine = create_engine(database_url)
    try:
        for process in processes:
            await process.start()
        await fake_telegram.wait_for_call("setWebhook", count=2, timeout=90)
        await asyncio.sleep(1.0)  # the second replica is listening too
        for process in processes:
            process.check_running()

        two_hours_ago = int(time.time()) - 7200
        for words in (*BOB_SAID, "/twin on"):
            say(fake_telegram, GROUP, BOB, words, date=two_hours_ago)
        for minutes_ago, (who, words) in zip((30, 20, 10), OWL_LINES, strict=True):
            say(fake_telegram, OWLS, who, words, date=int(time.time()) - minutes_ago * 60)
        # Daily, half a day from now (UTC): only the test makes it fall due meanwhile.
        daily = (datetime.now(UTC) + timedelta(hours=12)).strftime("%H:%M")
        for command in (f"/digest daily {daily} tz UTC", "/digest quiet line"):
            say(fake_telegram, OWLS, ADA, command)
        for i in range(NOTES):
            say(fake_telegram, GROUP, PEOPLE[i % 3], f"note number {i} about the weekend")
        updates = len(BOB_SAID) + 1 + len(OWL_LINES) + 2 + NOTES
        stored = len(BOB_SAID) + len(OWL_LINES) + NOTES
        await fake_telegram.wait_for_webhook_deliveries(updates + proxy.lost, timeout=60)
        await all_embedded(engine, stored, processes)

        # A twin answers from the memory the worker filled, through whichever replica.
        sent = len(fake_telegram.sent_messages)
        say(fake_telegram, GROUP, CAROL, "@bob_t which trail do you recommend for beginners?")
        answer = await reply_with(fake_telegram, "Twin of Bob", sent)
        assert answer.chat_id == GROUP["id"]
        assert "Fern Creek" in answer.text, answer.text
        updates, stored = updates + 1, stored + 1

        # A digest falls due while both replicas' schedulers watch the job store.
        chat_id = await asyncio.to_thread(digest_chat_id, database_url)
        posts_before = sum(1 for m in fake_telegram.sent_messages if m.chat_id == OWLS["id"])
        due = datetime.now(UTC) + timedelta(seconds=1)
        await asyncio.to_thread(set_next_run, database_url, chat_id, JobKind.DIGEST, due)
        await digest_finished(engine, chat_id)
        await asyncio.sleep(1.0)  # room for a second, wrong post
        leases = await digest_leases(engine, chat_id)
        digests = [m for m in fake_telegram.sent_messages if m.chat_id == OWLS["id"]]
        assert len(digests) - posts_before == 1, [m.text[:60] for m in digests[posts_before:]]
        assert len(leases) == 1 and leases[0][1] is None

        await all_embedded(engine, stored, processes)
        async with engine.connect() as conn:
            handled = (
                await conn.execute(select(HandledUpdateRow.update_id, HandledUpdateRow.done_at))
            ).all()
            rows = (await conn.execute(select(MessageRow.id, MessageRow.text))).all()
        assert proxy.lost >= updates // 5  # resends reached the other replica
        assert min(proxy.forwards.values()) > updates // 3  # both replicas took a share
        assert len(handled) == updates and all(done is not None for _, done in handled)
        # Each stored message was embedded once, by the worker, and written to Qdrant once.
        assert qdrant.point_upserts(COLLECTION) == {row_id: 1 for row_id, _ in rows}
        assert qdrant.requests["upsert"] >= 3  # the two refused tries were sent again
        texts = [words for _, words in rows if not words.startswith("@bob_t")]
        assert {embeddings.texts[words] for words in texts} == {1}
        assert qdrant.created[COLLECTION].shard_number == 2  # created once, as configured
        for process in processes:
            process.check_running()
    finally:
        await asyncio.gather(*(p.stop() for p in processes if p.running))
        await proxy.close()
        await engine.dispose()
