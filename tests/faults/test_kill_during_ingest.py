"""SIGKILL a real ``hearth run`` at random moments while it takes in thousands of messages.

Telegram keeps every update it has not been told was handled; Hearth must tell it only
about updates it has stored. After the kills and a final clean run, every delivered
message is stored exactly once and embedded, and Telegram holds nothing unconfirmed.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from memory.edge_store import EdgeMemoryStore
from tests.fakes.hearth_process import HASH_DIMENSION, HashEmbeddingsApi, HearthProcess
from tests.fakes.telegram_api import FakeTelegramApi, make_chat, make_message, make_user
from tests.fakes.telegram_api import message_update as update_for

pytestmark = pytest.mark.wire

CHATS = [make_chat(-1009990000001, title="Hikers"), make_chat(-1009990000002, title="Bakers")]
USERS = [make_user(5000 + i, f"Member{i}", username=f"member_{i}") for i in range(24)]
TOPICS = ["the ridge trail", "rye starter", "tent repairs", "the river crossing", "oven spring"]


def _push(telegram: FakeTelegramApi, rng: random.Random, start: int, count: int) -> None:
    for n in range(start, start + count):
        chat = CHATS[n % len(CHATS)]
        text = f"note {n}: what I learned about {rng.choice(TOPICS)} this week"
        telegram.push_update(update_for(make_message(chat, rng.choice(USERS), text)))


async def test_kills_during_ingest_lose_and_double_nothing(
    fake_telegram: FakeTelegramApi, tmp_path: Path
) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    embeddings = HashEmbeddingsApi()
    await embeddings.start()
    hearth = HearthProcess(fake_telegram, tmp_path / "data", embeddings=embeddings)
    backlog, live = 1200, 400
    _push(fake_telegram, rng, 0, backlog)  # waiting at Telegram while Hearth was down
    try:
        kills = 0
        for base in (150, 500, 850):
            await hearth.start()
            target = base + rng.randrange(0, 150)
            await hearth.wait_until(lambda c, t=target: c.stored >= t, 90, f"{target} stored")
            await asyncio.sleep(rng.uniform(0, 0.3))
            assert await hearth.kill() == -9
            kills += 1
        # Killed again while new messages arrive one by one.
        await hearth.start()
        for n in range(backlog, backlog + live, 50):
            _push(fake_telegram, rng, n, 50)
            await asyncio.sleep(rng.uniform(0.01, 0.1))
        await asyncio.sleep(rng.uniform(0.2, 0.8))
        assert await hearth.kill() == -9
        kills += 1

        await hearth.start()
        total = backlog + live
        counts = await hearth.wait_until(
            lambda c: c.stored >= total and c.embedded >= total, 120, "everything embedded"
        )
        assert await hearth.stop() == 0, hearth.output()
    finally:
        if hearth.running:
            await hearth.kill()
        await embeddings.close()

    assert kills >= 4
    summary = f"seed {seed}: delivered {total}, {counts}"
    assert counts.stored == total, summary
    assert counts.doubled == 0, summary
    assert counts.embedded == total, summary
    assert fake_telegram.pending_updates == [], "Telegram still holds unconfirmed updates"
    shard = EdgeMemoryStore(hearth.data_dir / "qdrant-edge", HASH_DIMENSION)
    await shard.open()
    try:
        assert await shard.count() == total, summary
    finally:
        await shard.close()
