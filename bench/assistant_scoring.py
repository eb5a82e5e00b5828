"""Scoring the assistant's answers to a labelled set's questions (see :mod:`bench.digest_sets`).

A ``who`` question passes when any expected member is among the first three suggested; a
``decide`` question when any expected statement of the decision is among the quoted
sources; an ``unknown`` question when the answer says "I don't know" (``known`` is false).
A ``who`` or ``decide`` answer that says "I don't know" is counted as wrongly unknown.
Targets (issue 12): at least 0.8 of each kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

TOP = 3
TARGET = 0.8
KINDS = ("who", "decide", "unknown")


class Answer(Protocol):
    """What the bench reads of an assistant answer (``AssistantAnswer``)."""

    @property
    def text(self) -> str: ...

    @property
    def known(self) -> bool: ...

    @property
    def source_message_ids(self) -> tuple[int, ...]: ...

    @property
    def suggested_member_ids(self) -> tuple[int, ...]: ...


@dataclass(frozen=True, slots=True)
class Expected:
    """A question with its expectation in stored (SQL) ids."""

    kind: str
    text: str
    member_ids: tuple[int, ...] = ()
    message_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    """One question scored."""

    expected: Expected
    passed: bool
    wrongly_unknown: bool
    answer_text: str


def score(expected: Expected, answer: Answer) -> Outcome:
    """Whether ``answer`` meets what ``expected`` asks for."""
    if expected.kind == "who":
        passed = any(m in expected.member_ids for m in answer.suggested_member_ids[:TOP])
    elif expected.kind == "decide":
        passed = any(i in expected.message_ids for i in answer.source_message_ids)
    elif expected.kind == "unknown":
        passed = not answer.known
    else:
        raise ValueError(f"unknown question kind: {expected.kind}")
    wrongly_unknown = expected.kind != "unknown" and not answer.known
    return Outcome(expected, passed, wrongly_unknown, answer.text)


@dataclass(frozen=True, slots=True)
class Share:
    """How many of a kind passed."""

    passed: int
    total: int

    @property
    def value(self) -> float:
        return self.passed / self.total if self.total else 0.0

    @property
    def meets_target(self) -> bool:
        return self.total > 0 and self.value >= TARGET

    def __str__(self) -> str:
        return f"{self.passed}/{self.total} = {self.value:.2f}"


def shares(outcomes: Iterable[Outcome]) -> dict[str, Share]:
    """Passed over asked, per kind."""
    done = list(outcomes)
    result = {}
    for kind in KINDS:
        own = [o for o in done if o.expected.kind == kind]
        result[kind] = Share(sum(o.passed for o in own), len(own))
    return result


def table(name: str, outcomes: Sequence[Outcome]) -> list[str]:
    """The report lines of one data folder."""
    by_kind = shares(outcomes)
    answerable = [o for o in outcomes if o.expected.kind != "unknown"]
    wrong = sum(o.wrongly_unknown for o in answerable)
    labels = {
        "who": f"who knows: an expected member in the top {TOP}",
        "decide": "what was decided: the decision message quoted",
        "unknown": 'never covered: "I don\'t know"',
    }
    lines = [f"== {name}"]
    for kind in KINDS:
        share = by_kind[kind]
        mark = "ok" if share.meets_target else "BELOW"
        lines.append(f"  {labels[kind]:<48} {share!s:>14}  (target {TARGET}) {mark}")
    label = 'who / decide answered "I don\'t know"'
    lines.append(f"  {label:<48} {f'{wrong}/{len(answerable)}':>14}")
    return lines
