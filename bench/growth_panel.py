"""Benchmark: the member page's growth panel and history for a busy member.

Plants ``--messages`` messages of one member over two years in a chat of ``--others``
other members (a share of them replies to the others' questions), a few hundred twin
answers and introductions, then times :meth:`GrowthPage.read` (SQL aggregates by chat
and week, the replies to questions, the history) a few times and prints the figures.

    python bench/growth_panel.py                                  # SQLite in a temp folder
    python bench/growth_panel.py --url postgresql+asyncpg://postgres@127.0.0.1/bench
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bots.storage.database import create_engine, migrate
from bots.storage.growth_queries import GrowthQueries
from bots.storage.tables import (
    ChatMemberRow,
    ChatRow,
    IntroGroupRow,
    MemberRow,
    MessageRow,
    TwinReplyRow,
)
from bots.storage.web_store import MemberChat

QUESTIONS = ("Does anyone know a good trail?", "Who is coming on Sunday?", "你们周末去哪？")
STATEMENTS = ("Nice weather today.", "I baked bread again.", "周末去爬山了。")


async def plant(url: str, messages: int, others: int, seed: int) -> MemberChat:
    """The chat and its members' history; the member measured has id 1."""
    rng = random.Random(seed)
    engine = create_engine(url)
    await migrate(engine)
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        await conn.execute(
            insert(ChatRow),
            [{"id": 1, "platform": "telegram", "platform_chat_id": "-1", "kind": "group"}],
        )
        await conn.execute(
            insert(MemberRow),
            [
                {
                    "id": i,
                    "platform": "telegram",
                    "platform_user_id": f"u{i}",
                    "display_name": f"M{i}",
                }
                for i in range(1, others + 2)
            ],
        )
        await conn.execute(
            insert(ChatMemberRow), [{"chat_id": 1, "member_id": i} for i in range(1, others + 2)]
        )
        rows = []
        for n in range(messages * 2):
            mine = n % 2 == 0
            at = now - timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
            text = rng.choice(STATEMENTS if mine else QUESTIONS + STATEMENTS)
            rows.append(
                {
                    "chat_id": 1,
                    "member_id": 1 if mine else rng.randrange(2, others + 2),
                    "platform_message_id": f"p{n}",
                    "text": text,
                    "sent_at": at,
                    "reply_to_platform_id": f"p{n - 1}" if mine and rng.random() < 0.2 else None,
                    "to_hearth": False,
                    "imported": False,
                }
            )
        for start in range(0, len(rows), 5000):
            await conn.execute(insert(MessageRow), rows[start : start + 5000])
        await conn.execute(
            insert(TwinReplyRow),
            [
                {
                    "chat_id": 1,
                    "member_id": 1,
                    "question_platform_id": f"p{2 * k + 1}",
                    "text": "Twin answer",
                    "source_message_ids": [],
                    "status": "sent",
                    "review": "confirmed" if k % 3 == 0 else "unreviewed",
                    "created_at": now - timedelta(hours=k),
                }
                for k in range(300)
            ],
        )
        await conn.execute(
            insert(IntroGroupRow),
            [
                {
                    "chat_id": 1,
                    "round_at": now - timedelta(days=7 * k),
                    "member_ids": [1 if k % 2 == 0 else 2, rng.randrange(3, others + 2)],
                    "similarity": 0.5,
                }
                for k in range(100)
            ],
        )
    await engine.dispose()
    return MemberChat(1, 1, "telegram", "-1", "group", "Bench", True)


async def measure(url: str, chat: MemberChat, runs: int) -> None:
    from bots.web.growth_page import GrowthPage

    engine = create_engine(url)
    page = GrowthPage(GrowthQueries(engine))
    times = []
    try:
        for _ in range(runs):
            started = time.perf_counter()
            panel, history = await page.read([1], [chat])
            times.append(time.perf_counter() - started)
    finally:
        await engine.dispose()
    total = panel.total
    print(
        f"figures: {total.messages} messages, {total.answered} questions answered, "
        f"{total.twin_answers} twin answers ({total.confirmed} confirmed), "
        f"{total.introductions} introductions, {total.weeks} active weeks; "
        f"{len(history)} history entries; level {panel.level.number} ({panel.level.name})"
    )
    print(
        f"{engine.dialect.name}: read in {statistics.median(times) * 1000:.0f} ms median, "
        f"{min(times) * 1000:.0f} ms best of {runs}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an empty database (default: a new SQLite file)")
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--others", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        started = time.perf_counter()
        chat = asyncio.run(plant(url, args.messages, args.others, args.seed))
        print(f"planted {args.messages * 2} messages in {time.perf_counter() - started:.1f} s")
        asyncio.run(measure(url, chat, args.runs))


if __name__ == "__main__":
    main()
