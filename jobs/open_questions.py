"""Which questions of a period nobody answered.

A message asks when :func:`jobs.question_cues.question_sentences` finds a
sentence that asks and is not small talk or rhetorical (``how are you all?``,
``对吧？``); it must say enough (``min_question_length``) and not address the
bot. A question counts as answered when:

- another member replies to it, or quotes it;
- the asker settles it (``…? 算了我自己查到了``, a later ``nvm, found it``),
  replies to someone who spoke after it, or thanks someone right after they
  spoke (``谢谢``, ``got it``);
- a member it addresses (``@name``, ``Ana, …``) speaks within ``answer_window``;
- the very next message answers in turn (see :func:`answers_in_turn`);
- within the next ``nearby_messages`` messages and ``nearby_gap``, another
  member's message shares a key term with the asking part or is alike to it;
- the first other member to speak after it, within ``follow_gap``, opens
  like an answer (``yes, …``, ``用过，…``);
- another member posts in the same topic within ``answer_window`` a message
  alike to the question ("alike": a centred cosine of at least the topic
  merge threshold).

A later message that replies to a third member's message answers nothing,
and neither does a message that only asks. The digest lists the asking part
of each open question (the question sentences, with the sentence before them
when they say little on their own).
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

import numpy as np
import numpy.typing as npt

from jobs.decision_cues import is_instruction_like
from jobs.digest_model import DigestMessage, MessageRef
from jobs.question_cues import (
    acknowledges,
    is_small_talk,
    opens_like_answer,
    question_sentences,
    settles_own_question,
    split_sentences,
)
from jobs.text_cues import content_length, key_terms
from jobs.vector_math import FloatMatrix
from jobs.web_links import without_urls


@dataclass(frozen=True, slots=True)
class AnswerRules:
    """How far an answer may be from its question (see the module notes)."""

    follow_gap: timedelta = timedelta(minutes=5)
    short_message: int = 5
    min_question_length: int = 3
    answer_window: timedelta = timedelta(hours=6)
    nearby_messages: int = 8
    nearby_gap: timedelta = timedelta(minutes=30)


@dataclass(frozen=True)
class _Chat:
    """The period's messages with what the rules look up about them."""

    messages: Sequence[DigestMessage]
    centred: FloatMatrix
    threshold: float
    labels: npt.NDArray[np.int64]

    @cached_property
    def by_id(self) -> dict[int, DigestMessage]:
        return {message.message_id: message for message in self.messages}

    @cached_property
    def times(self) -> list[float]:
        return [message.sent_at.timestamp() for message in self.messages]

    @cached_property
    def replied_by(self) -> dict[int, set[int]]:
        replies: defaultdict[int, set[int]] = defaultdict(set)
        for message in self.messages:
            if message.reply_to_message_id is not None:
                replies[message.reply_to_message_id].add(message.member_id)
        return replies

    @cached_property
    def member_by_name(self) -> dict[str, int]:
        names: dict[str, int] = {}
        for message in self.messages:
            key = _name_key(message.member_name)
            if len(key) >= 2:
                names.setdefault(key, message.member_id)
        return names

    def alike(self, i: int, j: int) -> bool:
        return float(self.centred[i] @ self.centred[j]) >= self.threshold

    def replies_to_third(self, j: int, asker: int) -> bool:
        """Whether message ``j`` replies to a message of someone other than ``asker``."""
        reply_to = self.messages[j].reply_to_message_id
        target = self.by_id.get(reply_to) if reply_to is not None else None
        return target is not None and target.member_id not in (asker, self.messages[j].member_id)


def _name_key(name: str) -> str:
    return re.sub(r"\s+", "", name).lower()


_MENTION = re.compile(r"@([^\s@,，:：。!！?？]+)")
_LEADING_NAME = re.compile(r"^\s*([^\s,，:：@]{2,20})\s*[,，:：]")


def addressees(text: str, member_by_name: dict[str, int]) -> set[int]:
    """The members a message addresses: ``@name`` anywhere, or a name before a leading comma."""
    found = set()
    for match in _MENTION.finditer(text):
        key = _name_key(match.group(1))
        for name, member in member_by_name.items():
            if key == name or (len(key) >= 3 and name.startswith(key)):
                found.add(member)
    leading = _LEADING_NAME.match(text)
    if leading is not None and _name_key(leading.group(1)) in member_by_name:
        found.add(member_by_name[_name_key(leading.group(1))])
    return found


def asking_part(text: str, min_length: int = 4) -> str:
    """The sentences of ``text`` that ask, with the one before when they say little alone.

    The whole text when every sentence is part of it (or none asks).
    """
    sentences = split_sentences(without_urls(text))
    questions = question_sentences(text)
    asking = {s for s in questions if not is_small_talk(s)} or set(questions)
    rows = [i for i, sentence in enumerate(sentences) if sentence in asking]
    if not rows:
        return text
    chosen = set(rows)
    if content_length(" ".join(sentences[i] for i in rows)) < min_length and rows[0] > 0:
        chosen.add(rows[0] - 1)
    if len(chosen) == len(sentences):
        return text
    return " ".join(sentences[i] for i in sorted(chosen))


def _quotes(text: str, question: str) -> bool:
    """Whether ``text`` quotes ``question`` (a ``>`` line or quoted words taken from it)."""
    flat = " ".join(question.split())
    pieces = [line[1:].strip() for line in text.splitlines() if line.startswith(">")]
    pieces += re.findall(r"[“\"「『]([^”\"」』]{4,})[”\"」』]", text)
    return any(len(piece) >= 4 and " ".join(piece.split()) in flat for piece in pieces)


def _asks_only(text: str) -> bool:
    """Whether every sentence of a message asks (a new question, not an answer)."""
    sentences = split_sentences(without_urls(text))
    return bool(sentences) and len(question_sentences(text)) == len(sentences)


def answers_in_turn(chat: _Chat, i: int, rules: AnswerRules) -> bool:
    """Whether the message after question ``i`` reads as its answer in turn.

    It must come from another member within ``follow_gap``, ask nothing new,
    and be short, or alike to the question, or come from whoever spoke just
    before the question (a back-and-forth between two members).
    """
    messages = chat.messages
    if i + 1 >= len(messages):
        return False
    question, after = messages[i], messages[i + 1]
    if after.member_id == question.member_id or chat.replies_to_third(i + 1, question.member_id):
        return False
    if after.sent_at - question.sent_at > rules.follow_gap or _asks_only(after.text):
        return False
    exchange = i > 0 and messages[i - 1].member_id == after.member_id
    return exchange or content_length(after.text) < rules.short_message or chat.alike(i, i + 1)


def _settled_in_message(text: str, asking: Sequence[str]) -> bool:
    """Whether the asker settles the question later in the same message."""
    flat = without_urls(text)
    end = flat.rfind(asking[-1])
    return end >= 0 and settles_own_question(flat[end + len(asking[-1]) :])


class _Terms:
    """Key terms per message, computed once each."""

    def __init__(self, messages: Sequence[DigestMessage]) -> None:
        self._messages = messages
        self._cache: dict[int, frozenset[str]] = {}

    def of(self, j: int) -> frozenset[str]:
        if j not in self._cache:
            self._cache[j] = frozenset(key_terms(self._messages[j].text))
        return self._cache[j]


def _answered(
    chat: _Chat, i: int, asking_terms: frozenset[str], terms: _Terms, rules: AnswerRules
) -> bool:
    messages = chat.messages
    question = messages[i]
    asker = question.member_id
    if chat.replied_by.get(question.message_id, set()) - {asker}:
        return True
    if answers_in_turn(chat, i, rules):
        return True
    end = question.sent_at + rules.answer_window
    stop = bisect.bisect_right(chat.times, end.timestamp())
    named = addressees(question.text, chat.member_by_name) - {asker}
    label = int(chat.labels[i])
    responders: set[int] = set()
    last_other = None
    for j in range(i + 1, stop):
        later = messages[j]
        gap = later.sent_at - question.sent_at
        near = j - i <= rules.nearby_messages and gap <= rules.nearby_gap
        if later.member_id == asker:
            if _asker_closes(
                later,
                question,
                responders=responders,
                last_other=last_other,
                near=near,
                rules=rules,
            ):
                return True
            continue
        if chat.replies_to_third(j, asker):
            continue
        first_turn = last_other is None
        last_other = later
        responders.add(later.message_id)
        if _quotes(later.text, question.text) or later.member_id in named:
            return True
        if _asks_only(later.text):
            continue
        if near and (asking_terms & terms.of(j) or chat.alike(i, j)):
            return True
        if first_turn and gap <= rules.follow_gap and opens_like_answer(later.text):
            return True
        if int(chat.labels[j]) == label and chat.alike(i, j):
            return True
    return False


def _asker_closes(
    later: DigestMessage,
    question: DigestMessage,
    *,
    responders: set[int],
    last_other: DigestMessage | None,
    near: bool,
    rules: AnswerRules,
) -> bool:
    """Whether the asker's later message closes the question.

    The asker settles it (on the question's thread or nearby), replies to
    someone who spoke after it, or thanks someone right after they spoke.
    """
    reply_to = later.reply_to_message_id
    if reply_to in responders:
        return True
    on_thread = reply_to is None or reply_to == question.message_id or near
    if on_thread and settles_own_question(later.text) and not _asks_only(later.text):
        return True
    return (
        last_other is not None
        and later.sent_at - last_other.sent_at <= rules.follow_gap
        and acknowledges(later.text)
    )


def unanswered_questions(
    messages: Sequence[DigestMessage],
    centred: FloatMatrix,
    threshold: float,
    labels: npt.NDArray[np.int64],
    rules: AnswerRules | None = None,
) -> list[MessageRef]:
    """Every open question of ``messages`` (in time order), the latest first.

    ``centred`` and ``threshold`` are the topic clustering's centred vectors
    and merge threshold, ``labels`` its topic per message. Each reference
    carries the asking part of its message as its text.
    """
    rules = rules or AnswerRules()
    chat = _Chat(messages, centred, threshold, labels)
    terms = _Terms(messages)
    found: list[MessageRef] = []
    for i, message in enumerate(messages):
        asking = [s for s in question_sentences(message.text) if not is_small_talk(s)]
        if not asking or content_length(message.text) < rules.min_question_length:
            continue
        if is_instruction_like(message.text) or _settled_in_message(message.text, asking):
            continue
        asking_terms = frozenset(term for s in asking for term in key_terms(s))
        if _answered(chat, i, asking_terms, terms, rules):
            continue
        found.append(dataclasses.replace(message.ref(), text=asking_part(message.text)))
    found.reverse()
    return found
