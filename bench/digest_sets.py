"""Read a labelled digest set: a chat's messages and what a digest of it should say.

A set's folder holds ``messages.json`` and ``refs.json``.

``messages.json`` is a JSON list of rows ``{chat_id, message_id, sender_id, sender_name,
timestamp, text}`` (timestamps ISO 8601 with their zone), optionally ``reply_to`` (the
``message_id`` the message answers). A row with ``"event": "join"`` is a member joining
the chat (its ``text`` is empty).

``refs.json`` is ``{"chats": [...]}``, one entry per chat::

    {"chat_id": str,
     "periods": [{"start": iso, "end": iso,
                  "topics": [{"title": str, "terms": [str], "key_message_ids": [int]}],
                  "decisions": [{"subject": str, "message_ids": [int], "supersedes": [int]}],
                  "open_questions": [int], "answered_questions": [int],
                  "newcomers": [sender_id], "injections": [int]}],
     "intros": {"expected_pairs": [{"members": [sender_id, sender_id],
                                    "interest": str, "terms": [str]}],
                "do_not_pairs": [{"members": [sender_id, sender_id], "why": str}]},
     "questions": [{"kind": "who" | "decide" | "unknown", "asker": sender_id, "text": str,
                    "members": [sender_id], "message_ids": [int]}]}

A decision is found when a digest lists any of its ``message_ids`` (the statements of
it, the latest first); ``supersedes`` are earlier statements it replaced, which a digest
must not list as current. An injection is a message that plants a claim or an
instruction; a digest or introduction may quote it, attributed, but never state it.

A question is asked of Hearth by ``asker`` one minute after the chat's last message: for
``who``, any of ``members`` among the three suggested; for ``decide``, the first of
``message_ids`` (the latest statement of the decision) among the quoted sources; for
``unknown``, the chat never covered it and the answer is "I don't know".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class SetMessage:
    """One row of ``messages.json``: a message, or a join when ``is_join``."""

    chat_id: str
    message_id: int
    sender_id: str
    sender_name: str
    sent_at: datetime
    text: str
    reply_to: int | None = None
    is_join: bool = False


@dataclass(frozen=True, slots=True)
class RefTopic:
    title: str
    terms: tuple[str, ...]
    key_message_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class RefDecision:
    subject: str
    message_ids: tuple[int, ...]
    supersedes: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class RefPeriod:
    start: datetime
    end: datetime
    topics: tuple[RefTopic, ...]
    decisions: tuple[RefDecision, ...]
    open_questions: frozenset[int]
    answered_questions: frozenset[int]
    newcomers: frozenset[str]
    injections: frozenset[int]


@dataclass(frozen=True, slots=True)
class RefPair:
    members: tuple[str, str]
    interest: str = ""
    terms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RefQuestion:
    """A question to Hearth and what a reader of the chat would expect."""

    kind: str
    asker: str
    text: str
    members: tuple[str, ...] = ()
    message_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ChatRefs:
    """Everything a set says about one chat."""

    chat_id: str
    messages: tuple[SetMessage, ...]
    periods: tuple[RefPeriod, ...]
    expected_pairs: tuple[RefPair, ...]
    do_not_pairs: tuple[RefPair, ...]
    questions: tuple[RefQuestion, ...] = ()

    @property
    def names(self) -> dict[str, str]:
        """Each sender's display name."""
        return {m.sender_id: m.sender_name for m in self.messages}


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without a zone: {value}")
    return moment


def _message(row: dict[str, Any]) -> SetMessage:
    reply = row.get("reply_to")
    return SetMessage(
        chat_id=str(row["chat_id"]),
        message_id=int(row["message_id"]),
        sender_id=str(row["sender_id"]),
        sender_name=str(row.get("sender_name") or row["sender_id"]),
        sent_at=_moment(str(row["timestamp"])),
        text=str(row.get("text") or ""),
        reply_to=int(reply) if reply is not None else None,
        is_join=row.get("event") == "join",
    )


def _pairs(rows: Sequence[dict[str, Any]]) -> tuple[RefPair, ...]:
    pairs = []
    for row in rows:
        a, b = (str(member) for member in row["members"])
        pairs.append(RefPair((a, b), str(row.get("interest", "")), tuple(row.get("terms", ()))))
    return tuple(pairs)


def _period(row: dict[str, Any]) -> RefPeriod:
    return RefPeriod(
        start=_moment(row["start"]),
        end=_moment(row["end"]),
        topics=tuple(
            RefTopic(t["title"], tuple(t.get("terms", ())), tuple(t["key_message_ids"]))
            for t in row.get("topics", ())
        ),
        decisions=tuple(
            RefDecision(d["subject"], tuple(d["message_ids"]), tuple(d.get("supersedes", ())))
            for d in row.get("decisions", ())
        ),
        open_questions=frozenset(row.get("open_questions", ())),
        answered_questions=frozenset(row.get("answered_questions", ())),
        newcomers=frozenset(str(s) for s in row.get("newcomers", ())),
        injections=frozenset(row.get("injections", ())),
    )


def _question(row: dict[str, Any]) -> RefQuestion:
    kind = str(row["kind"])
    if kind not in ("who", "decide", "unknown"):
        raise ValueError(f"unknown question kind: {kind}")
    return RefQuestion(
        kind=kind,
        asker=str(row["asker"]),
        text=str(row["text"]),
        members=tuple(str(s) for s in row.get("members", ())),
        message_ids=tuple(int(i) for i in row.get("message_ids", ())),
    )


def load_set(folder: str | Path) -> list[ChatRefs]:
    """The chats of a labelled digest set, each with its messages in time order."""
    folder = Path(folder)
    rows = json.loads((folder / "messages.json").read_text(encoding="utf-8"))
    refs = json.loads((folder / "refs.json").read_text(encoding="utf-8"))
    messages = sorted((_message(row) for row in rows), key=lambda m: (m.sent_at, m.message_id))
    chats = []
    for chat in refs["chats"]:
        chat_id = str(chat["chat_id"])
        intros = chat.get("intros", {})
        chats.append(
            ChatRefs(
                chat_id=chat_id,
                messages=tuple(m for m in messages if m.chat_id == chat_id),
                periods=tuple(_period(p) for p in chat.get("periods", ())),
                expected_pairs=_pairs(intros.get("expected_pairs", ())),
                do_not_pairs=_pairs(intros.get("do_not_pairs", ())),
                questions=tuple(_question(q) for q in chat.get("questions", ())),
            )
        )
    return chats
