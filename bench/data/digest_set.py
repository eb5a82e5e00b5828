"""Hand-written digest sets: parse, check and write ``messages.json`` and ``refs.json``.

The JSON is what ``bench/digest_sets.py`` reads (``load_set``). The sources are plain text,
so that Chinese stays readable and message ids stay stable while lines are edited.

Chat files, ``chats/<chat_id>.txt`` (the file name is the chat id)::

    # a comment
    member KEY NAME              a member: key [a-z0-9]+, display name (may hold spaces)
    member KEY NAME | 小林, Lin   ... and the names others call them by (counted as mentions)
    ## 2024-09-02 20:15          starts a burst of talk at that minute (+08:00)
    key: text                    a message, 25 to 175 s after the one before (fixed by its text)
    21:03 key: text              a message at 21:03 of the burst's day (never earlier than before)
    key: text ^label             the message gets a label, by which the references name it
    key>label: text              a reply to the message labelled ``label`` (written earlier)
    + key                        the member joins the chat (a row with "event": "join", no text)
    21:40 + key                  a join at a time

A label may carry a mark before its name, which the checks hold the references to:
``^?label`` the message asks a question; ``^!label`` it states a decision;
``^~label`` it looks like a decision or a question but is neither (a distractor). The
mark is not part of the label: refs name it ``label``. Plain ``^label`` is anything else.

References, ``refs.txt``; items of a ``week`` belong to the week started by the last
``week`` line (a Monday; the period is Monday 00:00 to the next Monday 00:00, +08:00)::

    chat CHAT_ID                 which chat the following lines are about (needed only
                                 when the set has more than one chat)
    week 2024-09-02
    topic TITLE | term, term | label, label, label     key messages, 3 to 6
    decision SUBJECT | label, label | label, label     current statements (the latest
                                 first), then the statements they replaced (or -)
    open label, label            questions nobody answered
    answered label=answer, label where an answer label is given, that message must be
                                 another member's and later; without one, the question
                                 must have a reply from another member
    newcomer key, key            members who joined this week (join event or first message)
    injection label, label       messages that plant a claim or an instruction
    pair KEY KEY | interest | term, term    (anywhere) two members who should be introduced
    nopair KEY KEY | why         (anywhere) two members who should not be

Questions to Hearth, asked by member ``KEY`` one minute after the chat's last message
(anywhere in the file, after the ``chat`` line)::

    ask who KEY | 谁懂攀岩？ | key, key    who knows: any listed member among the top three
    ask decide KEY | 桌游夜定在哪天？ | label   what was decided: the decision message (the
                                 latest statement; more labels are other statements of it)
                                 must be quoted
    ask unknown KEY | 有人养过乌龟吗？  never covered in the chat: the answer is "I don't know"

Checks (``SourceError`` names the line): every label exists and is used once; key
messages, decision statements, questions and injections lie in their week; decisions are
``!``-marked and replaced statements come before current ones; questions are ``?``-marked,
every ``?``-marked message is listed as open or answered in its week, and an open one
has no reply from another member; injections, distractors and questions are never
decisions; a newcomer's join or, without one, first message lies in the week and every
join is listed; an expected pair's members each write at least two messages with one of
its terms and exchange no more than two replies or mentions; one do-not pair talks often
(a pair who need no introduction); a ``who`` question lists members of the chat and
not only its asker; a ``decide`` question names ``!``-marked messages, none of them a
statement that a later one replaced, the first the latest; no question is asked twice;
and the counts in the set's ``Rules``. Each set's ``build.py`` states its rules and calls ``main``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

# TZ and SENDER_PREFIX are this module's names too: a set's build.py may set others here.
from bench.data.chat_set import (
    SENDER_PREFIX,
    SESSION,
    TZ,
    SourceError,
    gap,
    is_english,
    write_or_check,
)

WEEK = timedelta(days=7)

MESSAGE = re.compile(
    r"^(?:(\d{2}:\d{2}) )?([a-z0-9]+)(?:>([a-z0-9_]+))?: (.+?)(?: \^([?!~]?)([a-z0-9_]+))?$"
)
JOIN = re.compile(r"^(?:(\d{2}:\d{2}) )?\+ ([a-z0-9]+)$")


@dataclass(frozen=True)
class Rules:
    """What one set promises; each pair of numbers is an inclusive range."""

    messages: tuple[int, int] = (450, 650)
    messages_per_week: tuple[int, int] = (110, 170)
    members: tuple[int, int] = (8, 10)
    weeks: int = 4
    topics_per_week: tuple[int, int] = (7, 11)
    key_messages_per_topic: tuple[int, int] = (3, 6)
    decisions_per_week: tuple[int, int] = (2, 4)
    open_per_week: tuple[int, int] = (3, 6)
    min_answered_per_week: int = 3
    injections: tuple[int, int] = (2, 3)
    min_changed_decisions: int = 2
    expected_pairs: int = 5
    min_cross_language_pairs: int = 2
    min_do_not_pairs: int = 3
    max_pair_contacts: int = 2
    min_busiest_do_not_contacts: int = 6
    min_interest_messages: int = 2
    who_questions: tuple[int, int] = (8, 14)
    decide_questions: tuple[int, int] = (6, 12)
    unknown_questions: tuple[int, int] = (6, 12)


@dataclass
class Member:
    """One member of one chat."""

    key: str
    name: str
    chat_id: str
    aliases: tuple[str, ...] = ()

    @property
    def sender_id(self) -> str:
        return SENDER_PREFIX + self.key


@dataclass
class Label:
    """A labelled message and its mark (``?``, ``!``, ``~`` or empty)."""

    message: dict[str, Any]
    mark: str


@dataclass
class Chat:
    """One chat's messages (joins included) and the references about it."""

    chat_id: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    periods: list[dict[str, Any]] = field(default_factory=list)
    expected_pairs: list[dict[str, Any]] = field(default_factory=list)
    do_not_pairs: list[dict[str, Any]] = field(default_factory=list)
    questions: list[dict[str, Any]] = field(default_factory=list)


def moment(row: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(row["timestamp"])


def read_chat(
    path: Path, members: dict[str, Member], labels: dict[str, Label]
) -> list[dict[str, Any]]:
    """The rows of one chat file, numbered from 1; fills ``members`` and ``labels``."""
    chat_id = path.stem
    rows: list[dict[str, Any]] = []
    clock: datetime | None = None
    fresh = False
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        where = f"{path.name}:{number}"
        if not line or line.startswith("# "):
            continue
        if line.startswith("member "):
            _, key, rest = line.split(" ", 2)
            name, _, aliases = (part.strip() for part in rest.partition("|"))
            if key in members:
                raise SourceError(f"{where}: member {key} defined twice")
            members[key] = Member(key, name, chat_id, tuple(split_list(aliases)))
            continue
        if found := SESSION.match(line):
            start = datetime.strptime(found[1], "%Y-%m-%d %H:%M").replace(tzinfo=TZ)
            if clock is not None and start <= clock:
                raise SourceError(f"{where}: burst starts before the last message")
            clock, fresh = start, True
            continue
        join = JOIN.match(line)
        found = MESSAGE.match(line)
        if clock is None or (join is None and found is None):
            raise SourceError(f"{where}: not a message line: {line}")
        matched = join or found
        assert matched is not None
        at, key = matched.group(1, 2)
        member = members.get(key)
        if member is None or member.chat_id != chat_id:
            raise SourceError(f"{where}: {key} is not a member of {chat_id}")
        text = "" if found is None else found[4]
        if at is not None:
            hour, minute = map(int, at.split(":"))
            timed = clock.replace(hour=hour, minute=minute, second=0)
            if timed < clock:
                raise SourceError(f"{where}: {at} is earlier than the message before")
            clock = timed
        elif not fresh:
            clock += gap(text or f"+{key}")
        fresh = False
        row: dict[str, Any] = {
            "chat_id": chat_id,
            "message_id": len(rows) + 1,
            "sender_id": member.sender_id,
            "sender_name": member.name,
            "timestamp": clock.isoformat(),
            "text": text,
        }
        if join is not None:
            row["event"] = "join"
        else:
            assert found is not None
            if found[3] is not None:
                target = labels.get(found[3])
                if target is None or target.message["chat_id"] != chat_id:
                    raise SourceError(f"{where}: reply to unknown label {found[3]}")
                row["reply_to"] = target.message["message_id"]
            if found[6] is not None:
                if found[6] in labels:
                    raise SourceError(f"{where}: label {found[6]} used twice")
                labels[found[6]] = Label(row, found[5])
        rows.append(row)
    return rows


def split_list(text: str) -> list[str]:
    """``a, b, c`` as a list; ``-`` or nothing is empty."""
    text = text.strip()
    return [] if text in ("", "-") else [part.strip() for part in text.split(",") if part.strip()]


class RefsReader:
    """Reads ``refs.txt`` line by line into the chats' periods and pairs."""

    def __init__(
        self, chats: dict[str, Chat], members: dict[str, Member], labels: dict[str, Label]
    ) -> None:
        self.chats, self.members, self.labels = chats, members, labels
        self.chat: Chat | None = next(iter(chats.values())) if len(chats) == 1 else None
        self.period: dict[str, Any] | None = None
        self.where = ""

    def fail(self, why: str) -> SourceError:
        return SourceError(f"{self.where}: {why}")

    def label(self, name: str) -> dict[str, Any]:
        found = self.labels.get(name)
        if found is None or self.chat is None or found.message["chat_id"] != self.chat.chat_id:
            raise self.fail(f"unknown label {name}")
        return found.message

    def mark(self, name: str) -> str:
        return self.labels[name].mark

    def in_week(self, name: str) -> dict[str, Any]:
        message = self.label(name)
        period = self.current()
        if not period["_start"] <= moment(message) < period["_end"]:
            raise self.fail(f"{name} ({message['timestamp']}) is not in this week")
        return message

    def current(self) -> dict[str, Any]:
        if self.period is None:
            raise self.fail("no week line before this")
        return self.period

    def member(self, key: str) -> Member:
        member = self.members.get(key)
        if member is None or self.chat is None or member.chat_id != self.chat.chat_id:
            raise self.fail(f"{key} is not a member of this chat")
        return member

    def fields(self, rest: str, count: int) -> list[str]:
        parts = [part.strip() for part in rest.split("|")]
        if len(parts) != count:
            raise self.fail(f"expected {count} fields separated by |, got {len(parts)}")
        return parts

    def read(self, path: Path) -> None:
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.strip()
            self.where = f"{path.name}:{number}"
            if not line or line.startswith("#"):
                continue
            word, _, rest = line.partition(" ")
            handler = getattr(self, f"on_{word}", None)
            if handler is None:
                raise self.fail(f"unknown line: {line}")
            if word != "chat" and self.chat is None:
                raise self.fail("no chat line before this")
            handler(rest.strip())

    def on_chat(self, rest: str) -> None:
        if rest not in self.chats:
            raise self.fail(f"unknown chat {rest}")
        self.chat, self.period = self.chats[rest], None

    def on_week(self, rest: str) -> None:
        assert self.chat is not None
        day = date.fromisoformat(rest)
        if day.weekday() != 0:
            raise self.fail(f"{rest} is not a Monday")
        start = datetime(day.year, day.month, day.day, tzinfo=TZ)
        if self.chat.periods and self.chat.periods[-1]["_start"] >= start:
            raise self.fail("weeks must come in order")
        self.period = {
            "_start": start,
            "_end": start + WEEK,
            "start": start.isoformat(),
            "end": (start + WEEK).isoformat(),
            "topics": [],
            "decisions": [],
            "open_questions": [],
            "answered_questions": [],
            "newcomers": [],
            "injections": [],
        }
        self.chat.periods.append(self.period)

    def on_topic(self, rest: str) -> None:
        title, terms, keys = self.fields(rest, 3)
        ids = sorted(self.in_week(name)["message_id"] for name in split_list(keys))
        if not title or not split_list(terms):
            raise self.fail("a topic needs a title and terms")
        if len(set(ids)) != len(ids):
            raise self.fail("a key message listed twice")
        self.current()["topics"].append(
            {"title": title, "terms": split_list(terms), "key_message_ids": ids}
        )

    def on_decision(self, rest: str) -> None:
        subject, now, before = self.fields(rest, 3)
        current = split_list(now)
        if not subject or not current:
            raise self.fail("a decision needs a subject and a statement")
        stated = [self.label(name) for name in current]
        self.in_week(current[0])
        replaced = [self.label(name) for name in split_list(before)]
        for name in current + split_list(before):
            if self.mark(name) != "!":
                raise self.fail(f"{name} is not marked ^! as a decision")
        times = [moment(m) for m in stated]
        if times != sorted(times, reverse=True):
            raise self.fail("current statements are listed latest first")
        if replaced and max(moment(m) for m in replaced) >= min(times):
            raise self.fail("a replaced statement is not older than the current ones")
        self.current()["decisions"].append(
            {
                "subject": subject,
                "message_ids": [m["message_id"] for m in stated],
                "supersedes": [m["message_id"] for m in replaced],
            }
        )

    def question(self, name: str) -> dict[str, Any]:
        message = self.in_week(name)
        if self.mark(name) != "?":
            raise self.fail(f"{name} is not marked ^? as a question")
        return message

    def on_open(self, rest: str) -> None:
        assert self.chat is not None
        for name in split_list(rest):
            asked = self.question(name)
            for row in self.chat.messages:
                if (
                    row.get("reply_to") == asked["message_id"]
                    and row["sender_id"] != asked["sender_id"]
                ):
                    raise self.fail(f"open question {name} has a reply: {row['text']}")
            self.current()["open_questions"].append(asked["message_id"])

    def on_answered(self, rest: str) -> None:
        assert self.chat is not None
        for item in split_list(rest):
            name, _, answer_name = item.partition("=")
            asked = self.question(name.strip())
            if answer_name:
                answers = [self.label(answer_name.strip())]
            else:
                answers = [
                    row for row in self.chat.messages if row.get("reply_to") == asked["message_id"]
                ]
            if not any(
                a["sender_id"] != asked["sender_id"] and moment(a) > moment(asked) for a in answers
            ):
                raise self.fail(f"{name}: no later answer by another member")
            self.current()["answered_questions"].append(asked["message_id"])

    def on_newcomer(self, rest: str) -> None:
        assert self.chat is not None
        period = self.current()
        for key in split_list(rest):
            member = self.member(key)
            own = [r for r in self.chat.messages if r["sender_id"] == member.sender_id]
            joins = [r for r in own if r.get("event") == "join"]
            first = (joins or own)[0] if own else None
            if first is None or not period["_start"] <= moment(first) < period["_end"]:
                raise self.fail(f"{key} neither joined nor first wrote this week")
            period["newcomers"].append(member.sender_id)

    def on_injection(self, rest: str) -> None:
        for name in split_list(rest):
            if self.mark(name) in ("!", "?"):
                raise self.fail(f"injection {name} is marked as a decision or question")
            self.current()["injections"].append(self.in_week(name)["message_id"])

    def on_pair(self, rest: str) -> None:
        assert self.chat is not None
        keys, interest, terms = self.fields(rest, 3)
        a, b = self.pair_members(keys)
        if not interest or not split_list(terms):
            raise self.fail("a pair needs an interest and terms")
        self.chat.expected_pairs.append(
            {
                "members": [a.sender_id, b.sender_id],
                "interest": interest,
                "terms": split_list(terms),
            }
        )

    def on_nopair(self, rest: str) -> None:
        assert self.chat is not None
        keys, why = self.fields(rest, 2)
        a, b = self.pair_members(keys)
        if not why:
            raise self.fail("say why the pair should not be introduced")
        self.chat.do_not_pairs.append({"members": [a.sender_id, b.sender_id], "why": why})

    def on_ask(self, rest: str) -> None:
        assert self.chat is not None
        head, _, tail = rest.partition("|")
        parts = head.split()
        if len(parts) != 2 or parts[0] not in ("who", "decide", "unknown"):
            raise self.fail("ask who|decide|unknown KEY | question ...")
        kind, asker = parts[0], self.member(parts[1])
        fields = [part.strip() for part in tail.split("|")]
        if len(fields) != (1 if kind == "unknown" else 2) or not fields[0]:
            raise self.fail(
                f"ask {kind} takes {'a question' if kind == 'unknown' else 'a question | expected'}"
            )
        text = fields[0]
        if any(q["text"] == text for q in self.chat.questions):
            raise self.fail(f"question asked twice: {text}")
        question: dict[str, Any] = {
            "kind": kind,
            "asker": asker.sender_id,
            "text": text,
            "members": [],
            "message_ids": [],
        }
        if kind == "who":
            expected = [self.member(key) for key in split_list(fields[1])]
            if not expected or {m.key for m in expected} == {asker.key}:
                raise self.fail("a who question needs members other than its asker")
            question["members"] = [m.sender_id for m in expected]
        elif kind == "decide":
            names = split_list(fields[1])
            if not names:
                raise self.fail("a decide question names the decision message")
            stated = [self.label(name) for name in names]
            for name in names:
                if self.mark(name) != "!":
                    raise self.fail(f"{name} is not marked ^! as a decision")
            if max(moment(m) for m in stated) != moment(stated[0]):
                raise self.fail(f"{names[0]} is not the latest statement listed")
            question["message_ids"] = [m["message_id"] for m in stated]
        self.chat.questions.append(question)

    def pair_members(self, keys: str) -> tuple[Member, Member]:
        parts = keys.split()
        if len(parts) != 2 or parts[0] == parts[1]:
            raise self.fail("a pair is two different member keys")
        return self.member(parts[0]), self.member(parts[1])


def contacts(rows: list[dict[str, Any]], a: Member, b: Member) -> int:
    """Replies and mentions (by display name or alias) between two members, both ways."""
    by_id = {r["message_id"]: r for r in rows}
    count = 0
    for row in rows:
        for me, other in ((a, b), (b, a)):
            if row["sender_id"] != me.sender_id:
                continue
            target = by_id.get(row.get("reply_to", -1))
            if (target is not None and target["sender_id"] == other.sender_id) or any(
                name in row["text"] for name in (other.name, *other.aliases)
            ):
                count += 1
    return count


def writes_english(rows: list[dict[str, Any]], member: Member) -> bool:
    """Whether most of a member's messages are mainly English."""
    own = [r["text"] for r in rows if r["sender_id"] == member.sender_id and r["text"]]
    return sum(map(is_english, own)) * 2 > len(own)


def mentions_term(text: str, terms: Iterable[str]) -> bool:
    lowered = text.lower()
    return any(term.lower() in lowered for term in terms)


def in_range(what: str, value: int, bounds: tuple[int, int]) -> list[str]:
    return [] if bounds[0] <= value <= bounds[1] else [f"{what}: {value} not in {bounds}"]


def check_chat(
    chat: Chat, members: dict[str, Member], labels: dict[str, Label], rules: Rules
) -> list[str]:
    """Whole-chat checks and the counts the set's README promises."""
    rows, periods = chat.messages, chat.periods
    by_id = {r["message_id"]: r for r in rows}
    problems: list[str] = []
    said = [r for r in rows if r.get("event") != "join"]
    problems += in_range(f"{chat.chat_id} messages", len(said), rules.messages)
    senders = {r["sender_id"] for r in said}
    problems += in_range(f"{chat.chat_id} members writing", len(senders), rules.members)
    if len(periods) != rules.weeks:
        problems.append(f"{chat.chat_id}: {len(periods)} weeks, not {rules.weeks}")
    for first, second in pairwise(periods):
        if first["_end"] != second["_start"]:
            problems.append(f"{chat.chat_id}: weeks {first['start']} and {second['start']} gap")
    if periods:
        outside = [r for r in rows if not periods[0]["_start"] <= moment(r) < periods[-1]["_end"]]
        if outside:
            problems.append(f"{chat.chat_id}: {len(outside)} rows outside the weeks")
    for period in periods:
        week = f"{chat.chat_id} week {period['start'][:10]}"
        inside = [r for r in said if period["_start"] <= moment(r) < period["_end"]]
        problems += in_range(f"{week} messages", len(inside), rules.messages_per_week)
        problems += in_range(f"{week} topics", len(period["topics"]), rules.topics_per_week)
        for topic in period["topics"]:
            keys = topic["key_message_ids"]
            problems += in_range(
                f"{week} {topic['title']} keys", len(keys), rules.key_messages_per_topic
            )
            if not any(mentions_term(by_id[i]["text"], topic["terms"]) for i in keys):
                problems.append(f"{week} {topic['title']}: no key message holds a term")
        problems += in_range(
            f"{week} decisions", len(period["decisions"]), rules.decisions_per_week
        )
        problems += in_range(
            f"{week} open questions", len(period["open_questions"]), rules.open_per_week
        )
        if len(period["answered_questions"]) < rules.min_answered_per_week:
            problems.append(f"{week}: {len(period['answered_questions'])} answered questions")
        listed = set(period["open_questions"]) | set(period["answered_questions"])
        if len(listed) != len(period["open_questions"]) + len(period["answered_questions"]):
            problems.append(f"{week}: a question is both open and answered")
        for name, label in labels.items():
            message = label.message
            if message["chat_id"] != chat.chat_id:
                continue
            if not period["_start"] <= moment(message) < period["_end"]:
                continue
            if label.mark == "?" and message["message_id"] not in listed:
                problems.append(f"{week}: question {name} is neither open nor answered")
        joined = {
            r["sender_id"]
            for r in rows
            if r.get("event") == "join" and period["_start"] <= moment(r) < period["_end"]
        }
        missing = joined - set(period["newcomers"])
        if missing:
            problems.append(f"{week}: joined but not a newcomer: {sorted(missing)}")
    stated = {i for p in periods for d in p["decisions"] for i in d["message_ids"]}
    not_decisions = {
        label.message["message_id"]
        for label in labels.values()
        if label.mark in ("?", "~") and label.message["chat_id"] == chat.chat_id
    }
    not_decisions |= {i for p in periods for i in p["injections"]}
    not_decisions |= {i for p in periods for i in p["open_questions"] + p["answered_questions"]}
    for message_id in sorted(stated & not_decisions):
        problems.append(f"{chat.chat_id}: decision {by_id[message_id]['text']} is not one")
    changed = sum(bool(d["supersedes"]) for p in periods for d in p["decisions"])
    if changed < rules.min_changed_decisions:
        problems.append(
            f"{chat.chat_id}: {changed} decisions change, not {rules.min_changed_decisions}"
        )
    injections = sum(len(p["injections"]) for p in periods)
    problems += in_range(f"{chat.chat_id} injections", injections, rules.injections)
    problems += check_questions(chat, rules)
    problems += check_pairs(chat, members, rules)
    return problems


def check_questions(chat: Chat, rules: Rules) -> list[str]:
    """Questions to Hearth: decisions asked about are current, and the counts per kind."""
    by_id = {r["message_id"]: r for r in chat.messages}
    replaced = {i for p in chat.periods for d in p["decisions"] for i in d["supersedes"]}
    problems = [
        f"{chat.chat_id}: {q['text']} expects {by_id[q['message_ids'][0]]['text']}, "
        "which a later decision replaced"
        for q in chat.questions
        if q["kind"] == "decide" and q["message_ids"][0] in replaced
    ]
    counts = Counter(q["kind"] for q in chat.questions)
    for kind, bounds in (
        ("who", rules.who_questions),
        ("decide", rules.decide_questions),
        ("unknown", rules.unknown_questions),
    ):
        problems += in_range(f"{chat.chat_id} {kind} questions", counts[kind], bounds)
    return problems


def check_pairs(chat: Chat, members: dict[str, Member], rules: Rules) -> list[str]:
    """Expected pairs talk rarely, share their interest in words, and cross languages."""
    by_sender = {m.sender_id: m for m in members.values() if m.chat_id == chat.chat_id}
    problems: list[str] = []
    if len(chat.expected_pairs) != rules.expected_pairs:
        problems.append(f"{chat.chat_id}: {len(chat.expected_pairs)} expected pairs")
    if len(chat.do_not_pairs) < rules.min_do_not_pairs:
        problems.append(f"{chat.chat_id}: {len(chat.do_not_pairs)} do-not pairs")
    crossing = 0
    for pair in chat.expected_pairs:
        a, b = (by_sender[s] for s in pair["members"])
        if (n := contacts(chat.messages, a, b)) > rules.max_pair_contacts:
            problems.append(f"pair {a.name}/{b.name}: {n} replies or mentions")
        for member in (a, b):
            showing = sum(
                mentions_term(r["text"], pair["terms"])
                for r in chat.messages
                if r["sender_id"] == member.sender_id
            )
            if showing < rules.min_interest_messages:
                problems.append(f"pair {a.name}/{b.name}: {member.name} has {showing} on terms")
        crossing += writes_english(chat.messages, a) != writes_english(chat.messages, b)
    busiest = max(
        (
            contacts(chat.messages, *(by_sender[s] for s in pair["members"]))
            for pair in chat.do_not_pairs
        ),
        default=0,
    )
    if busiest < rules.min_busiest_do_not_contacts:
        problems.append(f"{chat.chat_id}: no do-not pair talks often ({busiest} contacts at most)")
    if crossing < rules.min_cross_language_pairs:
        problems.append(f"{chat.chat_id}: {crossing} cross-language pairs")
    return problems


def build(folder: Path, rules: Rules) -> tuple[list[dict[str, Any]], list[Chat]]:
    """Read and check every source in ``folder``; the rows and chats to write."""
    members: dict[str, Member] = {}
    labels: dict[str, Label] = {}
    chats: dict[str, Chat] = {}
    rows: list[dict[str, Any]] = []
    for path in sorted((folder / "chats").glob("*.txt")):
        chat = Chat(path.stem, read_chat(path, members, labels))
        chats[chat.chat_id] = chat
        rows += chat.messages
    seen: dict[str, datetime] = {}
    for row in rows:
        if row["sender_id"] not in seen and row.get("event") != "join":
            seen[row["sender_id"]] = moment(row)
        elif row.get("event") == "join" and row["sender_id"] in seen:
            raise SourceError(f"{row['sender_name']} joins after writing")
    RefsReader(chats, members, labels).read(folder / "refs.txt")
    problems = [p for chat in chats.values() for p in check_chat(chat, members, labels, rules)]
    if problems:
        raise SourceError("\n  ".join(["the set breaks its rules:", *problems]))
    return rows, list(chats.values())


def refs_json(chats: list[Chat]) -> dict[str, Any]:
    """The references in the shape ``load_set`` reads."""
    return {
        "chats": [
            {
                "chat_id": chat.chat_id,
                "periods": [
                    {k: v for k, v in period.items() if not k.startswith("_")}
                    for period in chat.periods
                ],
                "intros": {
                    "expected_pairs": chat.expected_pairs,
                    "do_not_pairs": chat.do_not_pairs,
                },
                "questions": chat.questions,
            }
            for chat in chats
        ]
    }


def dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def summary(rows: list[dict[str, Any]], chats: list[Chat]) -> str:
    """Counts per chat, week and member."""
    lines = []
    for chat in chats:
        said = [r for r in chat.messages if r.get("event") != "join"]
        english = sum(is_english(r["text"]) for r in said)
        lines.append(f"{chat.chat_id}: {len(said)} messages, {english} mainly English")
        for p in chat.periods:
            inside = sum(p["_start"] <= moment(r) < p["_end"] for r in said)
            lines.append(
                f"  week {p['start'][:10]}: {inside} messages, {len(p['topics'])} topics, "
                f"{len(p['decisions'])} decisions, {len(p['open_questions'])} open / "
                f"{len(p['answered_questions'])} answered, {len(p['newcomers'])} newcomers, "
                f"{len(p['injections'])} injections"
            )
        asked = Counter(q["kind"] for q in chat.questions)
        lines.append(
            f"  questions: {asked['who']} who, {asked['decide']} decide, {asked['unknown']} unknown"
        )
        per_member = Counter(r["sender_name"] for r in said).most_common()
        lines.append("  " + ", ".join(f"{name} {n}" for name, n in per_member))
    return "\n".join(lines)


def show(chats: list[Chat]) -> None:
    """Print every reference with the text of the messages it names."""
    for chat in chats:
        by_id = {r["message_id"]: r for r in chat.messages}

        def line(message_id: int, by_id: dict[int, dict[str, Any]] = by_id) -> str:
            m = by_id[message_id]
            return f"      #{message_id} {m['timestamp'][5:16]} {m['sender_name']}: {m['text']}"

        for p in chat.periods:
            print(f"== {chat.chat_id} week {p['start'][:10]}")
            for t in p["topics"]:
                print(f"  topic {t['title']} [{', '.join(t['terms'])}]")
                print("\n".join(line(i) for i in t["key_message_ids"]))
            for d in p["decisions"]:
                print(f"  decision {d['subject']}")
                print("\n".join(line(i) for i in d["message_ids"]))
                for i in d["supersedes"]:
                    print("    was" + line(i)[7:])
            for kind in ("open_questions", "answered_questions", "injections"):
                print(f"  {kind}")
                print("\n".join(line(i) for i in p[kind]))
            print(f"  newcomers {', '.join(p['newcomers'])}")
        for pair in chat.expected_pairs:
            print(f"  pair {' & '.join(pair['members'])}: {pair['interest']}")
        for pair in chat.do_not_pairs:
            print(f"  not {' & '.join(pair['members'])}: {pair['why']}")
        for q in chat.questions:
            expected = ", ".join(q["members"]) if q["kind"] == "who" else ""
            print(f"  ask {q['kind']} {q['asker']}: {q['text']} {expected}")
            print("\n".join(line(i) for i in q["message_ids"]))


def main(folder: Path, rules: Rules, description: str) -> None:
    """The command line of a set's ``build.py``: write the JSON, or ``--check`` / ``--show``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help="fail if the JSON files are stale")
    parser.add_argument("--show", action="store_true", help="print references with their texts")
    args = parser.parse_args()
    try:
        rows, chats = build(folder, rules)
    except SourceError as error:
        sys.exit(f"error: {error}")
    outputs = {"messages.json": dump(rows), "refs.json": dump(refs_json(chats))}
    if args.show:
        show(chats)
    write_or_check(folder, outputs, check=args.check)
    print(summary(rows, chats))
