"""Hand-written chat sets: parse, check and write ``messages.json`` and ``qa.json``.

A set's folder holds its chats in ``chats/*.txt`` and its questions in ``qa.txt``, both
plain text so that the Chinese lines stay readable and ids stay stable while lines are edited:

- a chat file names its members (``member KEY NAME``), starts a session (a day's burst of
  talk) with ``## YYYY-MM-DD HH:MM`` and then holds one message per line,
  ``[HH:MM ]key: text[ ^label]``. A message without a time comes 25 to 175 seconds after
  the one before it (fixed per text, so the output does not change between runs).
- ``qa.txt`` holds one question per line,
  ``category | member key | question | answer | evidence labels``, where ``-`` stands for
  no answer or no evidence and a no-answer category carries its kind after a slash
  (``no-answer/other-member``). Where the rules ask for it, an ``unanswered`` question
  names, instead of evidence, the chat message that asked it and got no reply
  (``?label``); that message is checked to be another member's in the same chat and is
  not written to the JSON.

Every reference is checked: evidence must be messages of the member asked, no-answer
questions have none, and the counts in the set's ``Rules`` (what its README promises)
must hold. Each set's ``build.py`` states its rules and calls ``main``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

TZ = timezone(timedelta(hours=8))
SENDER_PREFIX = "zh:"

CATEGORIES = {
    "multi-hop": 1,
    "temporal": 2,
    "single-hop": 4,
    "no-answer": 5,
    "updated-fact": 6,
    "cross-lingual": 7,
}
NO_ANSWER_KINDS = ("other-member", "never-said", "unanswered")
MIN_PER_CATEGORY = 25

SESSION = re.compile(r"^## (\d{4}-\d{2}-\d{2} \d{2}:\d{2})$")
MESSAGE = re.compile(r"^(?:(\d{2}:\d{2}) )?([a-z0-9]+): (.+?)(?: \^([a-z0-9_]+))?$")


@dataclass(frozen=True)
class Rules:
    """What one set promises: sizes, minima and how ``unanswered`` questions are written."""

    messages: tuple[int, int]
    questions: tuple[int, int]
    min_no_answer: int
    min_per_kind: Mapping[str, int] = field(default_factory=dict)
    min_english_share: float | None = None
    members_per_chat: tuple[int, int] | None = None
    unanswered_names_asker: bool = False


@dataclass
class Member:
    """One member of one chat."""

    key: str
    name: str
    chat_id: str

    @property
    def sender_id(self) -> str:
        return SENDER_PREFIX + self.key


class SourceError(ValueError):
    """A line of the hand-written sources that does not hold together."""


def gap(text: str) -> timedelta:
    """The pause before an untimed message: 25 to 175 s, fixed by its text."""
    return timedelta(seconds=25 + int(hashlib.sha256(text.encode()).hexdigest()[:4], 16) % 151)


def read_chat(
    path: Path, members: dict[str, Member], labels: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The messages of one chat file, numbered from 1; fills ``members`` and ``labels``."""
    chat_id = path.stem
    messages: list[dict[str, Any]] = []
    session, turn = 0, 0
    clock: datetime | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        where = f"{path.name}:{number}"
        if not line or line.startswith("# "):
            continue
        if line.startswith("member "):
            _, key, name = line.split(" ", 2)
            if key in members:
                raise SourceError(f"{where}: member {key} defined twice")
            members[key] = Member(key, name, chat_id)
            continue
        if found := SESSION.match(line):
            start = datetime.strptime(found[1], "%Y-%m-%d %H:%M").replace(tzinfo=TZ)
            if clock is not None and start <= clock:
                raise SourceError(f"{where}: session starts before the last message")
            session, turn, clock = session + 1, 0, start
            continue
        found = MESSAGE.match(line)
        if found is None or clock is None:
            raise SourceError(f"{where}: not a message line: {line}")
        at, key, text, label = found.groups()
        member = members.get(key)
        if member is None or member.chat_id != chat_id:
            raise SourceError(f"{where}: {key} is not a member of {chat_id}")
        if at is not None:
            hour, minute = map(int, at.split(":"))
            moment = clock.replace(hour=hour, minute=minute)
            if moment < clock:
                raise SourceError(f"{where}: {at} is earlier than the message before")
            clock = moment
        elif turn:
            clock += gap(text)
        turn += 1
        message = {
            "chat_id": chat_id,
            "message_id": len(messages) + 1,
            "sender_id": member.sender_id,
            "sender_name": member.name,
            "timestamp": clock.isoformat(),
            "text": text,
            "session": session,
            "dia_id": f"D{session}:{turn}",
        }
        if label is not None:
            if label in labels:
                raise SourceError(f"{where}: label {label} used twice")
            labels[label] = message
        messages.append(message)
    return messages


def asked_by(
    where: str, kind: str, evidence_field: str, member: Member, labels: dict[str, dict[str, Any]]
) -> str:
    """Check the ``?label`` of an ``unanswered`` question; the evidence field left after it."""
    if evidence_field.startswith("?"):
        asked_in = labels.get(evidence_field[1:])
        if kind != "unanswered" or asked_in is None:
            raise SourceError(f"{where}: ?label names the unanswered question in the chat")
        if asked_in["sender_id"] == member.sender_id or asked_in["chat_id"] != member.chat_id:
            raise SourceError(f"{where}: {evidence_field} was not asked of {member.name}")
        return "-"
    if kind == "unanswered":
        raise SourceError(f"{where}: an unanswered question names the message that asked it")
    return evidence_field


def read_questions(
    path: Path, members: dict[str, Member], labels: dict[str, dict[str, Any]], rules: Rules
) -> list[dict[str, Any]]:
    """The questions of ``qa.txt`` in the locomo-dev format, numbered per chat."""
    questions: list[dict[str, Any]] = []
    per_chat: Counter[str] = Counter()
    seen: set[str] = set()
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        where = f"{path.name}:{number}"
        if not line or line.startswith("#"):
            continue
        fields = [part.strip() for part in line.split(" | ")]
        if len(fields) != 5:
            raise SourceError(f"{where}: expected 5 fields, got {len(fields)}")
        category, key, question, answer, evidence_field = fields
        name, _, kind = category.partition("/")
        if name not in CATEGORIES:
            raise SourceError(f"{where}: unknown category {name}")
        member = members.get(key)
        if member is None:
            raise SourceError(f"{where}: unknown member {key}")
        if question in seen:
            raise SourceError(f"{where}: question asked twice")
        seen.add(question)
        if rules.unanswered_names_asker:
            evidence_field = asked_by(where, kind, evidence_field, member, labels)
        evidence_labels = [] if evidence_field == "-" else evidence_field.split(",")
        evidence = []
        for label in evidence_labels:
            message = labels.get(label.strip())
            if message is None:
                raise SourceError(f"{where}: unknown label {label}")
            if message["sender_id"] != member.sender_id:
                raise SourceError(f"{where}: {label} was written by {message['sender_name']}")
            evidence.append(message)
        evidence.sort(key=lambda m: m["message_id"])
        if name == "no-answer":
            if kind not in NO_ANSWER_KINDS or answer != "-" or evidence:
                raise SourceError(f"{where}: no-answer needs a kind, no answer, no evidence")
        elif kind or answer == "-" or not evidence:
            raise SourceError(f"{where}: needs an answer and evidence, and no kind")
        if name == "updated-fact" and len(evidence) != 1:
            raise SourceError(f"{where}: updated-fact evidence is the latest statement only")
        entry: dict[str, Any] = {
            "chat_id": member.chat_id,
            "qa_index": per_chat[member.chat_id],
            "question": question,
            "answer": None if answer == "-" else answer,
            "adversarial_answer": None,
            "category": CATEGORIES[name],
            "category_name": name,
            "evidence_dia_ids": [m["dia_id"] for m in evidence],
            "evidence_message_ids": [m["message_id"] for m in evidence],
            "asked_of": member.name,
            "asked_of_sender_id": member.sender_id,
            "asked_of_source": "name",
        }
        if name == "no-answer":
            entry["no_answer_kind"] = kind
        per_chat[member.chat_id] += 1
        questions.append(entry)
    return questions


def is_english(text: str) -> bool:
    """Whether a text is mainly English (Latin letters outweigh Chinese characters twice)."""
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return latin > 2 * han


def members_per_chat(messages: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    """How many messages each member wrote, per chat."""
    counts: dict[str, Counter[str]] = {}
    for m in messages:
        counts.setdefault(m["chat_id"], Counter())[m["sender_name"]] += 1
    return counts


def check_counts(
    messages: list[dict[str, Any]], questions: list[dict[str, Any]], rules: Rules
) -> None:
    """The sizes the README promises."""
    per_category = Counter(q["category_name"] for q in questions)
    problems = [
        f"{name}: {per_category[name]} questions"
        for name in CATEGORIES
        if per_category[name] < MIN_PER_CATEGORY
    ]
    if per_category["no-answer"] < rules.min_no_answer:
        problems.append(f"no-answer: {per_category['no-answer']} < {rules.min_no_answer}")
    kinds = Counter(q["no_answer_kind"] for q in questions if "no_answer_kind" in q)
    problems += [
        f"{kind}: {kinds[kind]} < {least}"
        for kind, least in rules.min_per_kind.items()
        if kinds[kind] < least
    ]
    if rules.min_english_share is not None:
        english = sum(is_english(q["question"]) for q in questions)
        if english < rules.min_english_share * len(questions):
            problems.append(f"only {english} questions in English")
    if rules.members_per_chat is not None:
        least, most = rules.members_per_chat
        for chat, senders in members_per_chat(messages).items():
            if not least <= len(senders) <= most:
                problems.append(f"{chat}: {len(senders)} members")
    if not rules.messages[0] <= len(messages) <= rules.messages[1]:
        problems.append(f"{len(messages)} messages")
    if not rules.questions[0] <= len(questions) <= rules.questions[1]:
        problems.append(f"{len(questions)} questions")
    if problems:
        raise SourceError("; ".join(problems))


def summary(messages: list[dict[str, Any]], questions: list[dict[str, Any]], rules: Rules) -> str:
    """Counts per chat (and member, where checked), category and no-answer kind, and English."""
    lines = [f"{len(messages)} messages, {len(questions)} questions"]
    for chat, count in Counter(m["chat_id"] for m in messages).items():
        sessions = len({m["session"] for m in messages if m["chat_id"] == chat})
        asked = sum(q["chat_id"] == chat for q in questions)
        lines.append(f"  {chat}: {count} messages in {sessions} sessions, {asked} questions")
        if rules.members_per_chat is not None:
            per_member = members_per_chat(messages)[chat].most_common()
            lines.append("    " + ", ".join(f"{name} {n}" for name, n in per_member))
    for name, number in CATEGORIES.items():
        count = sum(q["category"] == number for q in questions)
        lines.append(f"  {number} {name}: {count}")
    kinds = Counter(q["no_answer_kind"] for q in questions if "no_answer_kind" in q)
    lines.append("  no-answer kinds: " + ", ".join(f"{k} {kinds[k]}" for k in NO_ANSWER_KINDS))
    english = sum(is_english(q["question"]) for q in questions)
    lines.append(f"  English questions: {english} ({english / len(questions):.0%})")
    return "\n".join(lines)


def show(messages: list[dict[str, Any]], questions: list[dict[str, Any]]) -> None:
    """Print every question with its answer and the text of its evidence."""
    by_id = {(m["chat_id"], m["message_id"]): m for m in messages}
    for q in questions:
        kind = f"/{q['no_answer_kind']}" if "no_answer_kind" in q else ""
        print(f"[{q['chat_id']} #{q['qa_index']} {q['category_name']}{kind}] ", end="")
        print(f"asked of {q['asked_of']}: {q['question']}")
        print(f"    answer: {q['answer']}")
        for message_id in q["evidence_message_ids"]:
            m = by_id[(q["chat_id"], message_id)]
            print(f"    {m['dia_id']} {m['timestamp'][:16]} {m['sender_name']}: {m['text']}")


def build(folder: Path, rules: Rules) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Read and check every source in ``folder``; the messages and questions to write."""
    members: dict[str, Member] = {}
    labels: dict[str, dict[str, Any]] = {}
    messages: list[dict[str, Any]] = []
    for path in sorted((folder / "chats").glob("*.txt")):
        messages += read_chat(path, members, labels)
    questions = read_questions(folder / "qa.txt", members, labels, rules)
    check_counts(messages, questions, rules)
    return messages, questions


def dump(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"


def write_or_check(folder: Path, outputs: dict[str, str], *, check: bool) -> None:
    """Write the built files into ``folder``, or with ``check`` exit if any is stale."""
    if not check:
        for name, text in outputs.items():
            (folder / name).write_text(text, encoding="utf-8")
        return
    stale = [
        name
        for name, text in outputs.items()
        if not (folder / name).exists() or (folder / name).read_text(encoding="utf-8") != text
    ]
    if stale:
        sys.exit(f"stale: {', '.join(stale)} (run build.py)")


def main(folder: Path, rules: Rules, description: str) -> None:
    """The command line of a set's ``build.py``: write the JSON, or ``--check`` / ``--show``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help="fail if the JSON files are stale")
    parser.add_argument("--show", action="store_true", help="print questions with evidence")
    args = parser.parse_args()
    try:
        messages, questions = build(folder, rules)
    except SourceError as error:
        sys.exit(f"error: {error}")
    outputs = {"messages.json": dump(messages), "qa.json": dump(questions)}
    if args.show:
        show(messages, questions)
    write_or_check(folder, outputs, check=args.check)
    print(summary(messages, questions, rules))
