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
- the first other member to speak after it, within ``follow_gap``, answers
  in the shape the question calls for (where: ``在…``; when: a time; how
  many: a number; yes or no: ``用过，…``, ``还没定``, agreement), or the
  asker speaks right after them (a turn taken);
- another member posts in the same topic within ``answer_window`` a message
  alike to the question.

"Alike" means a centred cosine clearly above chance for a pair of messages
of the period (see :func:`pair_threshold`). A later message that replies to
or addresses a third member answers nothing, and neither does a message that
only asks or says it cannot answer (``我不懂这个``, ``no idea``), nor a short
joke (``我只会吃😂``). A reply to the asker's own next question, asked before
anyone spoke, answers it. Taking a question up is not answering it: once
the asker answers a new question of another member that shares none of
the question's key words (``涨多少`` → ``本来3200…``), the talk has moved on
and only a reply, a quote, an addressee or the asker closes the question;
once the asker has gone on to something else, their thanks close nothing.
The digest lists the asking part
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
from functools import cached_property, lru_cache

import numpy as np
import numpy.typing as npt

from jobs.decision_cues import is_agreement, is_instruction_like, names_a_time
from jobs.digest_model import DigestMessage, MessageRef
from jobs.question_cues import (
    acknowledges,
    is_banter,
    is_idle_question,
    is_non_answer,
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


def pair_threshold(
    centred: FloatMatrix,
    floor: float,
    *,
    spread: float = 2.0,
    min_rows: int = 30,
    sample: int = 1500,
    seed: int = 0,
) -> float:
    """How alike two messages must be to be alike as a pair, not by chance.

    The mean plus ``spread`` standard deviations of the similarities between
    different messages of the period (a sample of ``sample`` rows at most),
    and at least ``floor`` (the topic merge threshold). Below ``min_rows``
    messages chance is not measured: ``floor`` it is.
    """
    rows = len(centred)
    if rows < min_rows:
        return floor
    if rows > sample:
        chosen = np.random.default_rng(seed).choice(rows, size=sample, replace=False)
        centred = centred[np.sort(chosen)]
        rows = sample
    sims = centred @ centred.T
    off = sims[~np.eye(rows, dtype=bool)]
    return max(floor, float(off.mean() + spread * off.std()))


@dataclass(frozen=True)
class _Chat:
    """The period's messages with what the rules look up about them.

    ``threshold`` is the pair threshold (:func:`pair_threshold`).
    """

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
        for message in self.messages:
            first = message.member_name.split()
            if len(first) > 1 and len(first[0]) >= 3 and first[0].isalpha():
                names.setdefault(_name_key(first[0]), message.member_id)
        return names

    def alike(self, i: int, j: int) -> bool:
        return float(self.centred[i] @ self.centred[j]) >= self.threshold

    def replies_to_third(self, j: int, asker: int) -> bool:
        """Whether message ``j`` replies to, or addresses, someone other than ``asker``.

        Addressing is ``@name`` or a member's name opening the message
        (``Gabe, …``, ``Gabe that's…``) without naming the asker.
        """
        author = self.messages[j].member_id
        reply_to = self.messages[j].reply_to_message_id
        target = self.by_id.get(reply_to) if reply_to is not None else None
        if target is not None and target.member_id not in (asker, author):
            return True
        named = self.addressed(j)
        return bool(named) and asker not in named

    def addressed(self, j: int) -> frozenset[int]:
        """The members message ``j`` addresses, its author left out (computed once)."""
        found = self._addressed.get(j)
        if found is None:
            message = self.messages[j]
            found = frozenset(addressees(message.text, self.member_by_name) - {message.member_id})
            self._addressed[j] = found
        return found

    @cached_property
    def _addressed(self) -> dict[int, frozenset[int]]:
        return {}


def _name_key(name: str) -> str:
    return re.sub(r"\s+", "", name).lower()


_MENTION = re.compile(r"@([^\s@,，:：。!！?？]+)")
_LEADING_NAME = re.compile(r"^\s*([^\s,，:：@]{2,20})\s*[,，:：]")
_LEADING_VOCATIVE = re.compile(r"^\s*([A-Z][a-z]{2,20})\s+(?=[a-z])")
"""A capitalised name opening an English message without a comma (``Gabe that's…``)."""


def addressees(text: str, member_by_name: dict[str, int]) -> set[int]:
    """The members a message addresses.

    ``@name`` anywhere, a name before a leading comma (``Ana, …``, ``小林，…``),
    or a capitalised name opening an English sentence (``Gabe that's great``).
    """
    found = set()
    for match in _MENTION.finditer(text):
        key = _name_key(match.group(1))
        for name, member in member_by_name.items():
            if key == name or (len(key) >= 3 and name.startswith(key)):
                found.add(member)
    for pattern in (_LEADING_NAME, _LEADING_VOCATIVE):
        leading = pattern.match(text)
        if leading is not None and _name_key(leading.group(1)) in member_by_name:
            found.add(member_by_name[_name_key(leading.group(1))])
    return found


_REFERS_BACK = re.compile(
    r"(?i)\b(?:it|this|that|these|those|them|there)\b|这个|那个|它|这样|那样|这些|那些"
)


def asking_part(text: str, min_length: int = 4) -> str:
    """The sentences of ``text`` that ask, with the one before when they say little alone.

    Little alone: fewer than ``min_length`` words, or a word that points back
    (``it``, ``这个``).

    The whole text when every sentence is part of it (or none asks).
    """
    sentences = split_sentences(without_urls(text))
    questions = question_sentences(text)
    asking = {s for s in questions if not is_idle_question(s)} or set(questions)
    rows = [i for i, sentence in enumerate(sentences) if sentence in asking]
    if not rows:
        return text
    chosen = set(rows)
    asked = " ".join(sentences[i] for i in rows)
    if rows[0] > 0 and (content_length(asked) < min_length or _REFERS_BACK.search(asked)):
        chosen.add(rows[0] - 1)
    if len(chosen) == len(sentences):
        return text
    return " ".join(sentences[i] for i in sorted(chosen))


_QUOTE_MARKS = re.compile(r"^>|[“\"「『]", re.MULTILINE)


@lru_cache(maxsize=8192)
def _has_quote_marks(text: str) -> bool:
    return _QUOTE_MARKS.search(text) is not None


def _quotes(text: str, question: str) -> bool:
    """Whether ``text`` quotes ``question`` (a ``>`` line or quoted words taken from it)."""
    if not _has_quote_marks(text):
        return False
    flat = " ".join(question.split())
    pieces = [line[1:].strip() for line in text.splitlines() if line.startswith(">")]
    pieces += re.findall(r"[“\"「『]([^”\"」』]{4,})[”\"」』]", text)
    return any(len(piece) >= 4 and " ".join(piece.split()) in flat for piece in pieces)


@lru_cache(maxsize=8192)
def _asks_only(text: str) -> bool:
    """Whether every sentence of a message asks (a new question, not an answer).

    A message that opens by agreeing or answering (``好啊，几点出发？``, ``Sure,
    what time?``) answers first and asks on.
    """
    sentences = split_sentences(without_urls(text))
    if not sentences or len(question_sentences(text)) != len(sentences):
        return False
    opening = re.split(r"[，,:：]", without_urls(text).strip(), maxsplit=1)
    return len(opening) < 2 or not is_agreement(opening[0])


def answers_in_turn(chat: _Chat, i: int, rules: AnswerRules) -> bool:
    """Whether the message after question ``i`` reads as its answer in turn.

    It must come from another member within ``follow_gap``, ask nothing new,
    not say it cannot answer (``我不懂``), and be short, or alike to the
    question, or come from whoever spoke just before the question (a
    back-and-forth between two members). A short reply that laughs
    (``我只会吃😂``) is a joke unless it is alike to the question.
    """
    messages = chat.messages
    if i + 1 >= len(messages):
        return False
    question, after = messages[i], messages[i + 1]
    if after.member_id == question.member_id or chat.replies_to_third(i + 1, question.member_id):
        return False
    if after.sent_at - question.sent_at > rules.follow_gap or _asks_only(after.text):
        return False
    if is_non_answer(after.text):
        return False
    short = content_length(after.text) < rules.short_message
    if short and is_banter(after.text):
        return chat.alike(i, i + 1)
    exchange = i > 0 and messages[i - 1].member_id == after.member_id
    return exchange or short or chat.alike(i, i + 1)


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
    chat: _Chat,
    i: int,
    asking: Sequence[str],
    terms: _Terms,
    rules: AnswerRules,
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
    asking_terms = frozenset(term for sentence in asking for term in key_terms(sentence))
    named = addressees(question.text, chat.member_by_name) - {asker}
    label = int(chat.labels[i])
    responders: set[int] = set()
    last_other = None
    moved_on = elsewhere = False
    follow_ups: set[int] = set()  # the asker's next questions before anyone else speaks
    for j in range(i + 1, stop):
        later = messages[j]
        gap = later.sent_at - question.sent_at
        near = j - i <= rules.nearby_messages and gap <= rules.nearby_gap
        if later.member_id == asker:
            if near and last_other is None and question_sentences(later.text):
                follow_ups.add(later.message_id)
                continue
            if _answers_new_question(chat, later, last_other, asking_terms, rules):
                moved_on = elsewhere = True
                continue
            if _asker_closes(
                later,
                question,
                responders=set() if elsewhere else responders,
                last_other=None if elsewhere else last_other,
                near=near,
                rules=rules,
            ):
                return True
            # Gone on to something else: whom the asker answers or thanks next
            # has nothing to do with the question.
            elsewhere = elsewhere or not (near or chat.alike(i, j))
            continue
        if later.reply_to_message_id in follow_ups:
            return True
        if chat.replies_to_third(j, asker):
            continue
        first_turn = last_other is None
        last_other = later
        if _quotes(later.text, question.text) or later.member_id in named:
            return True
        if _asks_only(later.text) or is_non_answer(later.text):
            continue
        responders.add(later.message_id)
        if moved_on:
            continue
        if near and (asking_terms & terms.of(j) or chat.alike(i, j)):
            return True
        in_turn = first_turn and gap <= rules.follow_gap
        if in_turn and (_fits(asking, later.text) or _answered_back(chat, j, asker, rules)):
            return True
        if int(chat.labels[j]) == label and chat.alike(i, j):
            return True
    return False


def _answers_new_question(
    chat: _Chat,
    later: DigestMessage,
    last_other: DigestMessage | None,
    asking_terms: frozenset[str],
    rules: AnswerRules,
) -> bool:
    """Whether the asker's ``later`` message answers another question asked since.

    A reply to a message of another member that only asks, or a message
    right after one that asks nothing itself, where that question shares no
    key term with the asker's own question: the talk has moved to it (``…有没有
    靠谱的中介，房东要涨房租`` → ``涨多少`` → ``本来3200…``), and what others say
    next answers it, not the first one. A question on the asker's own terms
    (``what does open-pollinated mean?``) asks for detail and keeps the talk on it.
    """
    if _asks_only(later.text):
        return False
    target = later.reply_to_message_id
    asked = chat.by_id.get(target) if target is not None else None
    if asked is None:
        asked = last_other
        if asked is None or later.sent_at - asked.sent_at > rules.follow_gap:
            return False
    if asked.member_id == later.member_id or not _asks_only(asked.text):
        return False
    return not asking_terms.intersection(key_terms(asked.text))


_WHERE = re.compile(r"(?i)哪里|哪儿|在哪|哪边|哪家|什么地方|\bwhere\b")
_WHEN = re.compile(r"(?i)几点|什么时候|啥时候|哪天|几号|\bwhen\b|\bwhat\s+time\b")
_HOW_MANY = re.compile(r"(?i)多少|几[个位次天人]|多久|多长|多远|\bhow\s+(?:many|much|long|far)\b")
_YES_NO = re.compile(
    r"(?i)[吗么]|有没有|是不是|能不能|会不会|要不要|可不可以|([\u4e00-\u9fff])不\1|不[\s\W_]*$"
    r"|^(?:do|does|did|is|are|was|were|can|could|will|would|should|have|has|any(?:one|body))\b"
    r"|^what\s+if\b|^how\s+about\b|^shall\b"
)
_PLACE_ANSWER = re.compile(r"(?i)^(?:在|去|到|就在|(?:at|in|near|on|try)\b)")
_NUMBER = re.compile(r"\d|[一二两三四五六七八九十百千万半]")


def _fits(asking: Sequence[str], answer: str) -> bool:
    """Whether ``answer`` has the shape the question calls for.

    Where → a place (``在…``), when → a day or time, how many → a number,
    yes or no (or a proposal) → an answer-like opening, agreement, or the
    question's own verb echoed (``去不去？`` → ``去！``).
    """
    answer = answer.strip()
    for sentence in asking:
        if _WHERE.search(sentence) and _PLACE_ANSWER.match(answer):
            return True
        if _WHEN.search(sentence) and names_a_time(answer):
            return True
        if _HOW_MANY.search(sentence) and _NUMBER.search(answer):
            return True
        yes_no = _YES_NO.search(sentence.strip()) is not None
        if yes_no and (
            opens_like_answer(answer) or is_agreement(answer) or _echoes(sentence, answer)
        ):
            return True
    return False


_PRONOUN = re.compile(r"[我你他她它这那谁]")


_ASKED_VERB = re.compile(
    r"([\u4e00-\u9fff])(?:[不没]\1|不[\s\W_]*$)|([\u4e00-\u9fff])(?:的|了)?[吗么][\s\W_]*$"
)
_ECHO_OPENING = re.compile(
    r"\s*(?:(?:我们|我|咱们|我家|我们家)[就也还都]?)?(?:还没|没|不)?([\u4e00-\u9fff])"
)


def _echoes(question: str, answer: str) -> bool:
    """Whether a Chinese answer opens with the verb asked about.

    ``搞起来不？`` → ``来！``; ``还有要去的吗`` → ``我就不去了``: the verb may follow
    a first-person subject and ``就/也/还/都``, and a negation.
    """
    asked = {
        verb
        for found in _ASKED_VERB.finditer(question.strip())
        for verb in found.groups()
        if verb and not _PRONOUN.match(verb)
    }
    opening = _ECHO_OPENING.match(answer)
    return opening is not None and opening.group(1) in asked


def _answered_back(chat: _Chat, j: int, asker: int, rules: AnswerRules) -> bool:
    """Whether the asker speaks right after message ``j`` (a turn taken with its author)."""
    if j + 1 >= len(chat.messages):
        return False
    after = chat.messages[j + 1]
    return (
        after.member_id == asker
        and after.sent_at - chat.messages[j].sent_at <= rules.follow_gap
        and not _asks_only(after.text)
        and not settles_own_question(after.text)
        and not is_banter(after.text)
    )


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
    and merge threshold (the least a pair must be alike), ``labels`` its topic
    per message. Each reference
    carries the asking part of its message as its text.
    """
    rules = rules or AnswerRules()
    chat = _Chat(messages, centred, pair_threshold(centred, threshold), labels)
    terms = _Terms(messages)
    found: list[MessageRef] = []
    for i, message in enumerate(messages):
        asking = [s for s in question_sentences(message.text) if not is_idle_question(s)]
        if not asking or content_length(message.text) < rules.min_question_length:
            continue
        if is_instruction_like(message.text) or _settled_in_message(message.text, asking):
            continue
        if _answered(chat, i, asking, terms, rules):
            continue
        found.append(dataclasses.replace(message.ref(), text=asking_part(message.text)))
    found.reverse()
    return found
