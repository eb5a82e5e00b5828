"""Milestones, levels and the weekly chart of the member page's growth panel.

Pure rules over figures the SQL aggregates give (:mod:`bots.storage.growth_queries`):
which milestones a member reached, the level those make, and the bars of the
messages-per-week chart, drawn as inline SVG by ``me_growth.html``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from locales import N_, tr_marked

Metric = Literal["messages", "answered", "twin_answers", "confirmed", "introductions", "weeks"]


@dataclass(frozen=True, slots=True)
class Figures:
    """A member's figures, summed over all their accounts and chats (or for one chat)."""

    messages: int = 0
    answered: int = 0
    """Other members' questions they replied to."""
    twin_answers: int = 0
    confirmed: int = 0
    """Twin answers they confirmed."""
    introductions: int = 0
    weeks: int = 0
    """Weeks (Monday to Sunday, UTC) in which they wrote at least one message."""

    def value(self, metric: Metric) -> int:
        """The figure a milestone counts."""
        return int(getattr(self, metric))


@dataclass(frozen=True, slots=True)
class MilestoneRule:
    """A milestone: reached when ``metric`` is at least ``threshold``."""

    key: str
    title: str
    """English catalog message (``N_``)."""
    metric: Metric
    threshold: int


MILESTONES: tuple[MilestoneRule, ...] = (
    MilestoneRule("first-message", N_("First message"), "messages", 1),
    MilestoneRule("messages-100", N_("100 messages"), "messages", 100),
    MilestoneRule("messages-1000", N_("1,000 messages"), "messages", 1000),
    MilestoneRule("first-answer", N_("First question answered"), "answered", 1),
    MilestoneRule("answers-10", N_("10 questions answered"), "answered", 10),
    MilestoneRule("first-twin-answer", N_("First answer by your twin"), "twin_answers", 1),
    MilestoneRule("first-confirmed", N_("First twin answer confirmed"), "confirmed", 1),
    MilestoneRule("first-introduction", N_("First introduction"), "introductions", 1),
    MilestoneRule("weeks-4", N_("4 active weeks"), "weeks", 4),
    MilestoneRule("weeks-10", N_("10 active weeks"), "weeks", 10),
    MilestoneRule("weeks-26", N_("26 active weeks"), "weeks", 26),
)
"""Every milestone, in the order the page lists them."""

LEVELS: tuple[tuple[int, str], ...] = (
    (0, N_("Newcomer")),
    (1, N_("Participant")),
    (3, N_("Contributor")),
    (5, N_("Regular")),
    (7, N_("Pillar")),
    (10, N_("Hearthkeeper")),
)
"""Level names by the number of milestones reached (at least that many)."""


@dataclass(frozen=True, slots=True)
class Milestone:
    """A milestone as the page shows it: reached or not, and how far along."""

    key: str
    title: str
    reached: bool
    progress: int
    threshold: int


@dataclass(frozen=True, slots=True)
class Level:
    """The member's level: its number (from 1), name, and the next level's milestone count."""

    number: int
    name: str
    reached: int
    next_at: int | None


def milestones(figures: Figures) -> list[Milestone]:
    """Every milestone, reached or not, in the language in use."""
    return [
        Milestone(
            rule.key,
            tr_marked(rule.title),
            figures.value(rule.metric) >= rule.threshold,
            min(figures.value(rule.metric), rule.threshold),
            rule.threshold,
        )
        for rule in MILESTONES
    ]


def level(reached: int) -> Level:
    """The level for ``reached`` milestones."""
    number = 0
    for index, (needed, _) in enumerate(LEVELS):
        if reached >= needed:
            number = index
    following = LEVELS[number + 1][0] if number + 1 < len(LEVELS) else None
    return Level(number + 1, tr_marked(LEVELS[number][1]), reached, following)


@dataclass(frozen=True, slots=True)
class Bar:
    """One week's bar: the week, its count and where it is drawn (SVG units)."""

    week: date
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class WeeklyChart:
    """Messages per week, oldest first, laid out for an SVG ``width`` × ``height``."""

    bars: list[Bar]
    width: int
    height: int
    top: int
    """The count the full height stands for."""

    @property
    def total(self) -> int:
        """Messages in the weeks shown."""
        return sum(bar.count for bar in self.bars)


CHART_WIDTH = 600
CHART_HEIGHT = 160
CHART_BASE = 20
"""Room under the bars for the first and last week's dates."""
CHART_TOP = 16
"""Room over the tallest bar for its count."""


def weekly_chart(weeks: list[tuple[date, int]]) -> WeeklyChart:
    """Lay out one bar per ``(week start, count)``, oldest first, scaled to the busiest."""
    top = max((count for _, count in weeks), default=0) or 1
    slot = CHART_WIDTH / max(len(weeks), 1)
    room = CHART_HEIGHT - CHART_BASE - CHART_TOP
    bars = []
    for index, (week, count) in enumerate(weeks):
        height = round(room * count / top, 1)
        bars.append(
            Bar(
                week,
                count,
                round(index * slot + slot * 0.15, 1),
                round(CHART_HEIGHT - CHART_BASE - height, 1),
                round(slot * 0.7, 1),
                height,
            )
        )
    return WeeklyChart(bars, CHART_WIDTH, CHART_HEIGHT, top)
