"""Reputation reads: p50/p95 of one member's recognitions in a busy chat, then scoring.

A chat of ``--messages`` messages (default 100,000) from ``--members`` members is inserted
in bulk into a fresh, migrated SQLite file (or ``--database``): a third of them replies to
an earlier message (some say thanks, some answer a question), and ``--reactions`` reactions
are spread over the messages. Then ``Storage.recognitions`` and ``bots.reputation.score``
run for ``--samples`` members (the ones with the most messages first), as the member page
does for each of a member's chats, and the times are printed.

    python bench/reputation_page.py
    python bench/reputation_page.py --messages 20000 --reactions 20000   # a quick run
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select

from adapters.model import Chat, ChatKind, Platform
from bots.reputation import score
from bots.storage.database import create_engine, migrate
from bots.storage.repository import Storage
from bots.storage.tables import MemberRow, MessageRow, ReactionRow

CHAT = Chat(Platform.TELEGRAM, "-100777", ChatKind.GROUP, "Busy chat")
TEXTS = (
    "Fern Creek is a good loop for beginners",
    "which trail do you recommend for the weekend?",
    "thanks, that helped!",
    "谢谢你的推荐",
    "I bake sourdough on Sundays",
    "有人知道周六几点集合吗？",
    "no thanks",
    "the waterfall is worth it in spring",
)


async def fill(storage: Storage, messages: int, members: int, reactions: int) -> int:
    """Insert the chat's members, messages and reactions; returns the chat id."""
    rng = random.Random(7)
    chat_id = await storage.ensure_chat(CHAT)
    now = datetime.now(UTC)
    async with storage.engine.begin() as conn:
        await conn.execute(
            insert(MemberRow),
            [
                {
                    "platform": "telegram",
                    "platform_user_id": f"u{n}",
                    "display_name": f"Member {n}",
                    "is_bot": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(members)
            ],
        )
        ids = list((await conn.execute(select(MemberRow.id))).scalars())
        rows = []
        authors = []
        for n in range(messages):
            author = ids[min(int(rng.paretovariate(1.2)) - 1, len(ids) - 1)]
            authors.append(author)
            replying = n > 0 and rng.random() < 0.33
            rows.append(
                {
                    "chat_id": chat_id,
                    "member_id": author,
                    "platform_message_id": str(n),
                    "text": rng.choice(TEXTS),
                    "sent_at": now - timedelta(seconds=messages - n),
                    "reply_to_platform_id": str(rng.randrange(n)) if replying else None,
                    "to_hearth": False,
                    "imported": False,
                    "created_at": now,
                }
            )
        for start in range(0, len(rows), 5_000):
            await conn.execute(insert(MessageRow), rows[start : start + 5_000])
        seen: set[tuple[int, int]] = set()
        reaction_rows = []
        while len(reaction_rows) < reactions:
            target = rng.randrange(messages)
            giver = rng.choice(ids)
            if giver == authors[target] or (target, giver) in seen:
                continue
            seen.add((target, giver))
            reaction_rows.append(
                {
                    "chat_id": chat_id,
                    "platform_message_id": str(target),
                    "member_id": giver,
                    "target_member_id": authors[target],
                    "emoji": "👍",
                    "created_at": now,
                }
            )
        for start in range(0, len(reaction_rows), 5_000):
            await conn.execute(insert(ReactionRow), reaction_rows[start : start + 5_000])
    return chat_id


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        engine = create_engine(url)
        await migrate(engine)
        storage = Storage(engine)
        try:
            started = time.perf_counter()
            chat_id = await fill(storage, args.messages, args.members, args.reactions)
            print(
                f"filled {args.messages:,} messages, {args.reactions:,} reactions "
                f"in {time.perf_counter() - started:.1f} s"
            )
            async with engine.connect() as conn:
                busiest = list(
                    (
                        await conn.execute(
                            select(MessageRow.member_id)
                            .group_by(MessageRow.member_id)
                            .order_by(func.count().desc())
                            .limit(args.samples)
                        )
                    ).scalars()
                )
            timings = []
            for member_id in busiest:
                began = time.perf_counter()
                found = await storage.recognitions(chat_id, member_id)
                result = score(found, own_ids={member_id})
                timings.append((time.perf_counter() - began) * 1000)
                if member_id == busiest[0]:
                    print(f"busiest member: score {result.score} from {result.givers} givers")
            timings.sort()
            p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
            print(
                f"recognitions + score for {len(timings)} members: "
                f"p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, "
                f"max {timings[-1]:.1f} ms"
            )
        finally:
            await storage.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--reactions", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--database", help="a database URL instead of a fresh SQLite file")
    asyncio.run(main(parser.parse_args()))
