"""The growth panel's rules: milestone thresholds, levels, the chart's bars and week numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bots.storage.growth_queries import week_number, week_start
from bots.web.growth import (
    CHART_BASE,
    CHART_HEIGHT,
    CHART_TOP,
    Figures,
    level,
    milestones,
    weekly_chart,
)


def _reached(figures: Figures) -> set[str]:
    return {m.key for m in milestones(figures) if m.reached}


def test_a_milestone_is_reached_at_its_threshold_and_not_before() -> None:
    assert _reached(Figures()) == set()
    assert _reached(Figures(messages=99)) == {"first-message"}
    assert _reached(Figures(messages=100)) == {"first-message", "messages-100"}
    assert "weeks-10" not in _reached(Figures(weeks=9))
    assert {"weeks-4", "weeks-10"} <= _reached(Figures(weeks=10))
    assert "first-confirmed" not in _reached(Figures(twin_answers=5))
    assert "first-confirmed" in _reached(Figures(twin_answers=5, confirmed=1))
    progress = {m.key: (m.progress, m.threshold) for m in milestones(Figures(messages=42))}
    assert progress["messages-100"] == (42, 100) and progress["first-message"] == (1, 1)


def test_levels_follow_the_milestones_reached() -> None:
    assert (level(0).number, level(0).name, level(0).next_at) == (1, "Newcomer", 1)
    assert (level(2).number, level(2).name, level(2).next_at) == (2, "Participant", 3)
    assert (level(3).number, level(3).name) == (3, "Contributor")
    top = level(11)
    assert (top.number, top.name, top.next_at) == (6, "Hearthkeeper", None)


def test_the_chart_has_one_bar_per_week_scaled_to_the_busiest() -> None:
    monday = date(2026, 11, 2)
    weeks = [(monday + timedelta(weeks=i), count) for i, count in enumerate((0, 4, 8, 2))]
    chart = weekly_chart(weeks)
    assert [bar.count for bar in chart.bars] == [0, 4, 8, 2] and chart.total == 14
    room = CHART_HEIGHT - CHART_BASE - CHART_TOP
    heights = [bar.height for bar in chart.bars]
    assert heights == [0, room / 2, room, room / 4]
    assert all(bar.y + bar.height == CHART_HEIGHT - CHART_BASE for bar in chart.bars)
    xs = [bar.x for bar in chart.bars]
    assert xs == sorted(xs) and len(set(xs)) == 4
    assert [bar.height for bar in weekly_chart([(monday, 0)]).bars] == [0]


def test_weeks_start_on_monday_in_utc() -> None:
    sunday_night = datetime(2026, 12, 6, 23, 59, tzinfo=UTC)
    monday_morning = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    assert week_number(monday_morning) == week_number(sunday_night) + 1
    assert week_start(week_number(monday_morning)) == date(2026, 12, 7)
    assert week_start(week_number(sunday_night)) == date(2026, 11, 30)
    assert week_start(week_number(date(1970, 1, 1))) == date(1969, 12, 29)
