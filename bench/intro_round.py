"""Benchmark: a whole introductions round in one chat, as the bot runs it.

Unlike ``bench/intro_matching.py`` (the matcher alone on ready profiles), this
goes through the app's path: SQL for members, opt-ins, recent messages and reply
counts, Qdrant Edge for the message vectors, profiles written back to Qdrant, then
matching and a one-line reason for every introduction.

Synthetic chat: ``members`` members in planted interest groups of ``group_size``;
each writes ``messages`` messages whose vectors are noisy copies of the group's
centre and whose words come from the group's own vocabulary. Reports the wall time of
the round (and of loading, which is not part of it), resident memory, and precision:
the share of introduced pairs (pairs inside a trio too) whose members share a group.

    python bench/intro_round.py                     # 500 then 2,000 members
    python bench/intro_round.py --members 5000 --messages 20
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from adapters.model import Chat, ChatKind, Member, Message, Platform
from bots.intro_rounds import IntroRounds
from bots.storage.database import create_engine, migrate
from bots.storage.intro_store import IntroStore
from bots.storage.repository import Storage
from jobs.vector_math import unit_rows
from memory.edge_store import EdgeMemoryStore
from memory.hash_embedder import HashEmbedder
from memory.interest_profiles import InterestProfileStore
from memory.records import MemoryRecord

DIMENSION = 384
CHAT = Chat(Platform.TELEGRAM, "-100777", ChatKind.GROUP, "Bench chat")


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(members: int, messages: int, group_size: int, seed: int, folder: Path) -> None:
    """Load one synthetic chat and time a round of introductions in it."""
    rng = np.random.default_rng(seed)
    groups = -(-members // group_size)
    centres = unit_rows(rng.standard_normal((groups, DIMENSION), dtype=np.float32))
    vocabulary = [[f"g{g}w{w}" for w in range(12)] for g in range(groups)]
    group_of = rng.permutation(np.repeat(np.arange(groups), group_size)[:members])

    engine = create_engine(f"sqlite+aiosqlite:///{folder / 'hearth.db'}")
    await migrate(engine)
    storage = Storage(engine)
    intros = IntroStore(engine)
    memory = EdgeMemoryStore(folder / "edge", DIMENSION)
    profiles = InterestProfileStore(EdgeMemoryStore(folder / "profiles", DIMENSION))
    await memory.open()
    await profiles.open()
    started = time.perf_counter()
    now = datetime.now(UTC)
    records: list[MemoryRecord] = []
    member_ids: dict[int, int] = {}
    for person in range(members):
        member = Member(Platform.TELEGRAM, str(10_000 + person), f"Member {person}", f"m{person}")
        group = int(group_of[person])
        noise = rng.standard_normal((messages, DIMENSION), dtype=np.float32)
        vectors = unit_rows(centres[group] + 1.2 * noise / np.sqrt(DIMENSION))
        for n in range(messages):
            words = [*rng.choice(vocabulary[group], size=6).tolist(), "today", "really"]
            sent = now - timedelta(hours=float(rng.uniform(1, 24 * 60)))
            stored = await storage.ingest_message(
                Message(CHAT, member, f"p{person}-{n}", " ".join(words), sent)
            )
            records.append(
                MemoryRecord(
                    stored.message.id,
                    stored.chat_id,
                    stored.member_id,
                    sent,
                    " ".join(words),
                    vectors[n].tolist(),
                )
            )
            member_ids[stored.member_id] = group
        await intros.set_opted_in(stored.chat_id, stored.member_id, True)
        if len(records) >= 2000:
            await memory.upsert(records)
            records.clear()
    await memory.upsert(records)
    chat_id = stored.chat_id
    loaded = time.perf_counter() - started

    rounds = IntroRounds(intros, memory, profiles, HashEmbedder(DIMENSION))
    rss_before = _rss_mib()
    started = time.perf_counter()
    planned = await rounds.plan(chat_id, datetime.now(UTC))
    elapsed = time.perf_counter() - started
    pairs = same = 0
    for intro in planned.intros:
        ids = intro.group.member_ids
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                pairs += 1
                same += member_ids[a] == member_ids[b]
    matched = sum(len(intro.group.member_ids) for intro in planned.intros)
    print(
        f"members {members:>6}  messages {members * messages:>8}  load {loaded:6.1f} s  "
        f"round {elapsed:6.2f} s  introduced {matched}/{members}  "
        f"precision {same / max(1, pairs):.3f}  RSS {rss_before:.0f} -> {_rss_mib():.0f} MiB"
    )
    await memory.close()
    await profiles.close()
    await storage.close()


async def main() -> None:
    """Parse the arguments and run each size."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, action="append")
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--group-size", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for members in args.members or [500, 2000]:
        with tempfile.TemporaryDirectory() as folder:
            await run(members, args.messages, args.group_size, args.seed, Path(folder))


if __name__ == "__main__":
    asyncio.run(main())
