"""The decisions of a period: stated ones, proposals others agreed to, and what changed.

A message states a decision when :func:`jobs.decision_cues.states_decision` says
so, it says enough (``min_length``) and it is not excluded (below). A proposal
(``要不要定在周六？``, ``how about Friday?``; it must carry a decision act or name a day or time)
becomes a decision when, within ``agreement_gap`` and the next
``agreement_messages`` messages, other members agree (``同意``, ``+1``, a short
``定了！``) and fewer object, unless one of those messages (the proposer's
too) states the decision itself; it is attributed to the proposer with who
agreed. A statement that opens with agreement and restates the decision just
made (``Sounds good, moved to … then``) adds its author to those who agreed.
A claim that binds someone else (``@小林 已经同意请大家吃饭了``) and anything
addressed to the bot or worded as an instruction never count.

A later decision on the same subject replaces an earlier one. With a change
cue (``改到``, ``moved to``, ``instead``) the two must share a subject term
(a key term that is no day, time, number or decision word), or the change
leaves its subject out (``那改到周日吧``) and both name a time; without a cue
they must share a subject term, be in one topic, and both name a time or
neither. Among several earlier candidates the one sharing most terms, then
the most alike by vectors, is replaced. One that adds to earlier ones
(``也改成``, ``also``) replaces nothing. Only the latest of a chain is listed,
marked with what it replaced.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from jobs.decision_cues import (
    adds_to_earlier,
    binds_someone_else,
    changes_without_subject,
    is_agreement,
    is_disagreement,
    is_instruction_like,
    is_proposal,
    marks_change,
    names_a_time,
    states_decision,
)
from jobs.digest_model import DigestDecision, DigestMessage
from jobs.keywords import TIME_WORDS
from jobs.question_cues import is_question
from jobs.text_cues import content_length, key_terms
from jobs.vector_math import FloatMatrix


@dataclass(frozen=True, slots=True)
class DecisionRules:
    """How decisions are told (see the module notes)."""

    min_length: int = 4
    agreement_gap: timedelta = timedelta(minutes=30)
    agreement_messages: int = 12
    bot_names: tuple[str, ...] = ("hearth",)


_CHANGE_LOOKBACK = 64
"""A decision may change one of the latest this many decisions of the period."""


@dataclass(slots=True)
class _Found:
    row: int
    decision: DigestDecision


def _excluded(message: DigestMessage, names: frozenset[str], rules: DecisionRules) -> bool:
    """Whether a message can never decide (an instruction, a claim binding someone else)."""
    return _excluded_text(message.text, message.member_name, names, rules.bot_names)


@lru_cache(maxsize=4096)
def _excluded_text(
    text: str, author: str, names: frozenset[str], bot_names: tuple[str, ...]
) -> bool:
    return is_instruction_like(text, bot_names) or binds_someone_else(text, names, author)


def _followers(
    messages: Sequence[DigestMessage],
    by_id: Mapping[int, DigestMessage],
    i: int,
    rules: DecisionRules,
) -> list[int]:
    """Rows after ``i`` that may respond to it: within the gap, not replying to another message."""
    source = messages[i]
    rows = []
    for j in range(i + 1, min(len(messages), i + 1 + rules.agreement_messages)):
        later = messages[j]
        if later.sent_at - source.sent_at > rules.agreement_gap:
            break
        reply_to = later.reply_to_message_id
        target = by_id.get(reply_to) if reply_to is not None else None
        if target is not None and target.message_id != source.message_id:
            continue
        rows.append(j)
    return rows


def _agreement(
    messages: Sequence[DigestMessage],
    by_id: Mapping[int, DigestMessage],
    i: int,
    rules: DecisionRules,
    names: frozenset[str],
) -> tuple[tuple[str, ...], int, bool]:
    """Who agreed with message ``i``, how many objected, and whether a follower decided it."""
    author = messages[i].member_id
    agreed: dict[int, str] = {}
    objected: set[int] = set()
    stated = False
    for j in _followers(messages, by_id, i, rules):
        later = messages[j]
        if _excluded(later, names, rules):
            continue
        short = content_length(later.text) < rules.min_length
        if states_decision(later.text) and not short:
            stated = True
        elif later.member_id == author:
            continue
        elif is_agreement(later.text) or (short and states_decision(later.text)):
            agreed.setdefault(later.member_id, later.member_name)
            objected.discard(later.member_id)
        elif is_disagreement(later.text) and not is_question(later.text):
            objected.add(later.member_id)
            agreed.pop(later.member_id, None)
    return tuple(agreed.values()), len(objected), stated


@dataclass(frozen=True, slots=True)
class _Subjects:
    """What tells two decisions apart: texts, topic labels and centred vectors."""

    messages: Sequence[DigestMessage]
    centred: FloatMatrix
    labels: npt.NDArray[np.int64]

    def affinity(self, earlier: int, later: int) -> tuple[int, float] | None:
        """How surely decision ``later`` is about the subject of ``earlier``; ``None``: not.

        Shared subject terms first, then vector similarity.
        """
        a, b = self.messages[earlier].text, self.messages[later].text
        if adds_to_earlier(b):
            return None
        shared = len(_subject_terms(a) & _subject_terms(b))
        similarity = float(self.centred[earlier] @ self.centred[later])
        same_topic = int(self.labels[earlier]) == int(self.labels[later])
        if marks_change(b):
            timed = names_a_time(a) and names_a_time(b)
            if shared or (timed and changes_without_subject(b)):
                return shared, similarity
            return None
        if shared and same_topic and names_a_time(a) == names_a_time(b):
            return shared, similarity
        return None


@lru_cache(maxsize=4096)
def _subject_terms(text: str) -> frozenset[str]:
    """Key terms that say what a decision is about: no days, times, numbers or decision words."""
    return frozenset(
        {
            term
            for term in key_terms(text)
            if not names_a_time(term)
            and not any(ch.isdigit() for ch in term)
            and term not in TIME_WORDS
            and not _DECISION_WORD.search(term)
        }
    )


_DECISION_WORD = re.compile(r"[定改换确认]|decid|settl|mov|chang|switch|resched|final|confirm")


def _seconds(earlier: _Found, later: _Found, subjects: _Subjects, rules: DecisionRules) -> bool:
    """Whether ``later`` agrees with ``earlier`` and restates it (``Sounds good, moved to…``)."""
    first, second = earlier.decision.ref, later.decision.ref
    if second.member_id == first.member_id or second.sent_at - first.sent_at > rules.agreement_gap:
        return False
    if not is_agreement(second.text):
        return False
    same_topic = int(subjects.labels[earlier.row]) == int(subjects.labels[later.row])
    return same_topic or subjects.affinity(earlier.row, later.row) is not None


def find_decisions(
    messages: Sequence[DigestMessage],
    centred: FloatMatrix,
    labels: npt.NDArray[np.int64],
    rules: DecisionRules | None = None,
) -> list[DigestDecision]:
    """The period's current decisions in time order (see the module notes).

    ``centred`` and ``labels`` come from the topic clustering.
    """
    rules = rules or DecisionRules()
    names = frozenset(message.member_name for message in messages)
    by_id = {message.message_id: message for message in messages}
    found: list[_Found] = []
    for i, message in enumerate(messages):
        if _excluded(message, names, rules):
            continue
        long_enough = content_length(message.text) >= rules.min_length
        # ``_excluded`` has told instructions and claims about others (the author's own
        # name is theirs to use), so the statement alone decides here.
        if long_enough and states_decision(message.text):
            agreed, _, _ = _agreement(messages, by_id, i, rules, names)
            found.append(_Found(i, DigestDecision(message.ref(), agreed_by=agreed)))
        elif content_length(message.text) >= 3 and is_proposal(message.text):
            agreed, objected, stated = _agreement(messages, by_id, i, rules, names)
            if agreed and len(agreed) > objected and not stated:
                found.append(_Found(i, DigestDecision(message.ref(), agreed_by=agreed)))
    subjects = _Subjects(messages, centred, labels)
    kept: list[_Found] = []
    for item in found:
        if kept and _seconds(kept[-1], item, subjects, rules):
            earlier = kept[-1].decision
            agreed = tuple(dict.fromkeys((*earlier.agreed_by, item.decision.ref.member_name)))
            kept[-1].decision = DigestDecision(earlier.ref, earlier.replaces, agreed)
            continue
        recent = range(max(0, len(kept) - _CHANGE_LOOKBACK), len(kept))
        scored = [
            (score, index)
            for index in recent
            if (score := subjects.affinity(kept[index].row, item.row)) is not None
        ]
        if scored:
            _, index = max(scored)
            item.decision = DigestDecision(
                item.decision.ref, kept[index].decision.ref, item.decision.agreed_by
            )
            del kept[index]
        kept.append(item)
    return [item.decision for item in kept]
