"""Two real ``hearth run`` processes in Telegram webhook mode behind a round-robin proxy,
on one PostgreSQL database: every update is handled once, even when the proxy loses an
answer and Telegram sends the update again to the other replica (no command answered
twice), and every message is embedded.

Here each replica has a Qdrant Edge shard of its own and embeds every message into it
(once each). Replicas beside a ``hearth worker`` on one shared Qdrant server (the REST
fake), each message embedded once, are in test_run_and_worker_processes.py.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bots.storage.database import create_engine
from bots.storage.tables import HandledUpdateRow, MessageRow
from tests.fakes.hearth_process import HashEmbeddingsApi, HearthProcess
from tests.fakes.telegram_api import (
    FakeTelegramApi,
    free_tcp_port,
    make_chat,
    make_message,
    make_user,
)
from tests.fakes.telegram_api import message_update as update_for
from tests.fakes.webhook_proxy import RoundRobinProxy

GROUP = make_chat(-1007770001111, title="Replicas")
PEOPLE = [make_user(900 + i, f"Member {i}", username=f"member_{i}") for i in range(4)]
MESSAGES = 120
COMMANDS = 6


@pytest.fixture
async def embeddings() -> AsyncIterator[HashEmbeddingsApi]:
    api = HashEmbeddingsApi()
    await api.start()
    yield api
    await api.close()


async def test_two_webhook_replicas_handle_every_update_once(
    fake_telegram: FakeTelegramApi,
    embeddings: HashEmbeddingsApi,
    database_url: str,
    tmp_path: Path,
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("replicas share PostgreSQL")
    ports = [free_tcp_port(), free_tcp_port()]
    proxy = RoundRobinProxy(ports)
    await proxy.start()
    replicas = [
        HearthProcess(
            fake_telegram,
            tmp_path / f"replica-{i}",
            embeddings=embeddings,
            extra_env={
                "DATABASE_URL": database_url,
                "TELEGRAM_MODE": "webhook",
                "TELEGRAM_WEBHOOK_URL": proxy.url,
                "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
                "TELEGRAM_WEBHOOK_PORT": str(port),
                "HEARTH_EMBEDDING_CLAIM_SECONDS": "30",
            },
        )
        for i, port in enumerate(ports)
    ]
    fake_telegram.webhook_retry_delay = 0.2
    engine = create_engine(database_url)
    try:
        for replica in replicas:
            await replica.start()
        await fake_telegram.wait_for_call("setWebhook", count=2, timeout=90)
        await asyncio.sleep(1.0)  # the second replica is listening too
        for replica in replicas:
            replica.check_running()
        for i in range(MESSAGES):
            fake_telegram.push_update(
                update_for(make_message(GROUP, PEOPLE[i % 4], f"note number {i} in the group"))
            )
            if i % (MESSAGES // COMMANDS) == 0:
                fake_telegram.push_update(update_for(make_message(GROUP, PEOPLE[0], "/help")))
        total = MESSAGES + COMMANDS
        await fake_telegram.wait_for_webhook_deliveries(total + proxy.lost, timeout=60)
        async with asyncio.timeout(60):
            while True:
                async with engine.connect() as conn:
                    pending = await conn.scalar(
                        select(func.count()).where(MessageRow.embedded_at.is_(None))
                    )
                    stored = await conn.scalar(select(func.count()).select_from(MessageRow))
                notes = [n for t, n in embeddings.texts.items() if t.startswith("note")]
                if stored == MESSAGES and pending == 0 and len(notes) == MESSAGES:
                    break
                await asyncio.sleep(0.2)
        async with engine.connect() as conn:
            handled = (
                await conn.execute(select(HandledUpdateRow.update_id, HandledUpdateRow.done_at))
            ).all()
        assert proxy.lost >= MESSAGES // 4  # resends reached the other replica
        assert min(proxy.forwards.values()) > total // 3  # both replicas took a share
        texts = Counter({t: n for t, n in embeddings.texts.items() if t.startswith("note")})
        # Each replica's own Edge shard gets every message once; the first replica to
        # finish marks it embedded, so the other may stop short of a few.
        assert len(texts) == MESSAGES and max(texts.values()) <= 2
        helps = fake_telegram.calls_to("sendMessage")
        assert len(helps) == COMMANDS, [c.params.get("text", "")[:40] for c in helps]
        assert len(handled) == total and all(done is not None for _, done in handled)
    finally:
        for replica in replicas:
            if replica.running:
                await replica.stop()
        await proxy.close()
        await engine.dispose()
