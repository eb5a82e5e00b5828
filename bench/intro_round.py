"""Benchmark: a whole introductions round in one chat, as the bot runs it.

Unlike ``bench/intro_matching.py`` (the matcher alone on ready profiles), this
goes through the app's path: SQL for members, opt-ins, recent messages and reply
counts, Qdrant Edge for the message vectors, profiles written back to Qdrant, then
matching and a one-line reason for every introduction.

Synthetic chat: ``members`` members in planted interest groups of ``group_size``;
each writes ``messages`` messages whose vectors are noisy copies of the group's
centre and whose words come from the group's own vocabulary. Reports the wall time of
the round (and its CPU time, all threads; and of loading, which is not part of it),
resident memory, and precision:
the share of introduced pairs (pairs inside a trio too) whose members share a group.

    python bench/intro_round.py                     # 500 then 2,000 members
    python bench/intro_round.py --members 5000 --messages 20
    python bench/intro_round.py --bulk --members 10000 --members 100000

``--bulk`` loads the chat as an imported history (SQL rows in batches, vectors
upserted thousands at a time), which takes minutes instead of hours for 100,000
members; the round itself is the same. Each member then writes between
``--messages`` and ``--max-messages`` messages. Messages are marked embedded with
their interest terms, as the embedding worker stores them beside each vector
(:mod:`jobs.message_terms`), so the round reads them instead of finding them.

``--folder DIR --reuse`` keeps each loaded chat in ``DIR`` (one folder per size,
seed and message counts) and times the round again on it next time without
loading it again:

    python bench/intro_round.py --bulk --members 100000 --messages 5 --max-messages 20 \
        --folder /tmp/intro-bench --reuse

``--load-only`` (with ``--reuse``) loads and keeps the chat without timing a round.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.model import Chat, ChatKind, Member, Message, Platform
from bots.intro_rounds import IntroRounds
from bots.storage.database import create_engine, migrate
from bots.storage.history_import_store import HistoryImportStore
from bots.storage.intro_store import IntroStore
from bots.storage.records import StoredMessage
from bots.storage.repository import Storage
from bots.storage.tables import IntroMemberRow, MemberRow, MessageRow
from jobs.message_terms import message_terms
from jobs.vector_math import unit_rows
from memory.edge_store import EdgeMemoryStore
from memory.hash_embedder import HashEmbedder
from memory.interest_profiles import InterestProfileStore
from memory.records import MemoryRecord

DIMENSION = 384
CHAT = Chat(Platform.TELEGRAM, "-100777", ChatKind.GROUP, "Bench chat")


LOADED = "loaded"
"""The marker a kept chat's folder gets once it is fully loaded."""


async def _kept_groups(
    engine: AsyncEngine, group_of: npt.NDArray[np.int64]
) -> tuple[int, dict[int, int]]:
    """A kept chat's id and each member's planted group, by member id."""
    async with engine.connect() as connection:
        chat_id = (await connection.execute(select(MessageRow.chat_id).limit(1))).scalar_one()
        rows = await connection.execute(select(MemberRow.id, MemberRow.platform_user_id))
        groups = {int(ident): int(group_of[int(key) - 10_000]) for ident, key in rows}
    return int(chat_id), groups


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _load(
    storage: Storage,
    intros: IntroStore,
    memory: EdgeMemoryStore,
    rng: np.random.Generator,
    centres: npt.NDArray[np.float32],
    vocabulary: list[list[str]],
    group_of: npt.NDArray[np.int64],
    messages: int,
    member_ids: dict[int, int],
) -> int:
    """Store the chat message by message, as live messages arrive; its chat id."""
    now = datetime.now(UTC)
    records: list[MemoryRecord] = []
    for person in range(len(group_of)):
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
    return stored.chat_id


async def _bulk_load(
    engine: AsyncEngine,
    memory: EdgeMemoryStore,
    rng: np.random.Generator,
    centres: npt.NDArray[np.float32],
    vocabulary: list[list[str]],
    group_of: npt.NDArray[np.int64],
    messages: tuple[int, int],
    groups: dict[int, int],
) -> int:
    """Store the chat as an imported history: SQL in batches, vectors in bulk; its chat id.

    ``groups`` is filled with each member's planted group, by member id.
    """
    history = HistoryImportStore(engine)
    chat_id = await history.chat_id(CHAT)
    run, _ = await history.start_run(
        chat_id, platform="telegram", source="telegram-export", source_key="bench"
    )
    now = datetime.now(UTC)
    batch: list[Message] = []
    pending: list[tuple[str, int, datetime, str, npt.NDArray[np.float32]]] = []

    async def flush() -> None:
        if batch:
            await history.store_batch(run.id, chat_id, batch)
            batch.clear()
        if not pending:
            return
        keys = [p[0] for p in pending]
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(MessageRow.platform_message_id, MessageRow.id, MessageRow.member_id).where(
                    MessageRow.chat_id == chat_id, MessageRow.platform_message_id.in_(keys)
                )
            )
            found = {str(key): (int(ident), int(member)) for key, ident, member in rows}
        for key, person, *_ in pending:
            groups[found[key][1]] = int(group_of[person])
        await memory.upsert(
            [
                MemoryRecord(found[key][0], chat_id, found[key][1], sent, text, vector)
                for key, _, sent, text, vector in pending
            ]
        )
        # marked embedded with their interest terms, as the embedding worker does
        stored = [
            StoredMessage(found[key][0], chat_id, found[key][1], key, text, sent, None)
            for key, _, sent, text, _ in pending
        ]
        terms = {m.id: message_terms(m.text) for m in stored}
        await Storage(engine).mark_embedded(stored, now, terms)
        pending.clear()

    for person in range(members := len(group_of)):
        member = Member(Platform.TELEGRAM, str(10_000 + person), f"Member {person}", f"m{person}")
        group = int(group_of[person])
        count = int(rng.integers(messages[0], messages[1] + 1))
        noise = rng.standard_normal((count, DIMENSION), dtype=np.float32)
        vectors = unit_rows(centres[group] + 1.2 * noise / np.sqrt(DIMENSION))
        for n in range(count):
            text = " ".join([*rng.choice(vocabulary[group], size=6).tolist(), "today", "really"])
            sent = now - timedelta(hours=float(rng.uniform(1, 24 * 60)))
            key = f"p{person}-{n}"
            batch.append(Message(CHAT, member, key, text, sent))
            pending.append((key, person, sent, text, vectors[n]))
        if len(pending) >= 2000:
            await flush()
        if person % 10_000 == 9_999:
            print(f"  loaded {person + 1} of {members} members", flush=True)
    await flush()
    await history.finish_run(run.id, "done")
    async with engine.begin() as connection:
        member_ids = (
            (
                await connection.execute(
                    select(MessageRow.member_id).where(MessageRow.chat_id == chat_id).distinct()
                )
            )
            .scalars()
            .all()
        )
        rows = [{"chat_id": chat_id, "member_id": m, "opted_in": True} for m in member_ids]
        for start in range(0, len(rows), 5000):
            await connection.execute(insert(IntroMemberRow), rows[start : start + 5000])
    return chat_id


async def run(
    members: int,
    messages: int,
    group_size: int,
    seed: int,
    folder: Path,
    *,
    bulk: bool = False,
    max_messages: int | None = None,
    load_only: bool = False,
) -> None:
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
    member_ids: dict[int, int] = {}
    if (folder / LOADED).exists():
        chat_id, member_ids = await _kept_groups(engine, group_of)
    elif bulk:
        chat_id = await _bulk_load(
            engine,
            memory,
            rng,
            centres,
            vocabulary,
            group_of,
            (messages, max(messages, max_messages or messages)),
            member_ids,
        )
    else:
        chat_id = await _load(
            storage, intros, memory, rng, centres, vocabulary, group_of, messages, member_ids
        )
    loaded = time.perf_counter() - started
    (folder / LOADED).touch()
    stored_messages = await memory.count(chat_id=chat_id)
    if load_only:
        print(f"members {members:>6}  messages {stored_messages:>8}  load {loaded:6.1f} s")
        await memory.close()
        await profiles.close()
        await storage.close()
        return

    rounds = IntroRounds(intros, memory, profiles, HashEmbedder(DIMENSION))
    rss_before = _rss_mib()
    started, cpu = time.perf_counter(), time.process_time()
    planned = await rounds.plan(chat_id, datetime.now(UTC))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    pairs = same = 0
    for intro in planned.intros:
        ids = intro.group.member_ids
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                pairs += 1
                same += member_ids[a] == member_ids[b]
    matched = sum(len(intro.group.member_ids) for intro in planned.intros)
    print(
        f"members {members:>6}  messages {stored_messages:>8}  load {loaded:6.1f} s  "
        f"round {elapsed:6.2f} s (CPU {cpu:6.2f} s)  introduced {matched}/{members}  "
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
    parser.add_argument("--bulk", action="store_true", help="load as an imported history")
    parser.add_argument("--max-messages", type=int, help="with --bulk: messages vary up to this")
    parser.add_argument("--folder", type=Path, help="where the store goes (default: a temp dir)")
    parser.add_argument(
        "--reuse", action="store_true", help="with --folder: keep each chat there and reuse it"
    )
    parser.add_argument("--load-only", action="store_true", help="with --reuse: only load")
    args = parser.parse_args()
    if args.reuse and args.folder is None:
        parser.error("--reuse needs --folder")
    for members in args.members or [500, 2000]:
        if args.reuse:
            kept = args.folder / (
                f"{'bulk' if args.bulk else 'live'}-{members}-{args.messages}-"
                f"{args.max_messages or args.messages}-{args.group_size}-{args.seed}"
                f"{'-terms' if args.bulk else ''}"  # loaded with interest terms stored
            )
            if kept.exists() and not (kept / LOADED).exists():
                shutil.rmtree(kept)  # a load that did not finish
            kept.mkdir(parents=True, exist_ok=True)
            await run(
                members,
                args.messages,
                args.group_size,
                args.seed,
                kept,
                bulk=args.bulk,
                max_messages=args.max_messages,
                load_only=args.load_only,
            )
            continue
        with tempfile.TemporaryDirectory(dir=args.folder) as folder:
            await run(
                members,
                args.messages,
                args.group_size,
                args.seed,
                Path(folder),
                bulk=args.bulk,
                max_messages=args.max_messages,
            )


if __name__ == "__main__":
    asyncio.run(main())
