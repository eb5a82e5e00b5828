"""Dates named in questions, in English and Chinese, absolute and relative."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from twins.retrieval_dates import DateWindow, date_windows

NOW = datetime(2023, 8, 20, 15, 30, tzinfo=UTC)  # a Sunday


def spans(text: str) -> list[tuple[str, str]]:
    return [(w.start.date().isoformat(), w.end.date().isoformat()) for w in date_windows(text, NOW)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What dish did Nate make on 9 November, 2022?", [("2022-11-09", "2022-11-10")]),
        ("What did she accept on May 23, 2023?", [("2023-05-23", "2023-05-24")]),
        ("the 2nd of May 2023", [("2023-05-02", "2023-05-03")]),
        ("Sept 3rd, 2022", [("2022-09-03", "2022-09-04")]),
        ("What did they paint in July 2023?", [("2023-07-01", "2023-08-01")]),
        ("How many times in 2023?", [("2023-01-01", "2024-01-01")]),
        ("see 2024-01-05", [("2024-01-05", "2024-01-06")]),
        ("2023年6月3日他说了什么", [("2023-06-03", "2023-06-04")]),
        ("2023年6月的计划", [("2023-06-01", "2023-07-01")]),
        ("你6月3号说了什么", [("2023-06-03", "2023-06-04")]),
    ],
)
def test_absolute_dates(text: str, expected: list[tuple[str, str]]) -> None:
    assert spans(text) == expected


def test_dates_without_a_year_are_the_latest_not_in_the_future() -> None:
    assert spans("on 3 June") == [("2023-06-03", "2023-06-04")]
    assert spans("what about December 5") == [("2022-12-05", "2022-12-06")]
    assert spans("12月25日") == [("2022-12-25", "2022-12-26")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("what did you say yesterday?", [("2023-08-19", "2023-08-20")]),
        ("today", [("2023-08-20", "2023-08-21")]),
        ("Last week", [("2023-08-07", "2023-08-14")]),
        ("this month", [("2023-08-01", "2023-09-01")]),
        ("last year", [("2022-01-01", "2023-01-01")]),
        ("昨天去哪了", [("2023-08-19", "2023-08-20")]),
        ("上周你去哪了", [("2023-08-07", "2023-08-14")]),
        ("去年", [("2022-01-01", "2023-01-01")]),
        ("大前天", [("2023-08-17", "2023-08-18")]),
        ("上上周", [("2023-07-31", "2023-08-07")]),
        ("上上个月", [("2023-06-01", "2023-07-01")]),
    ],
)
def test_relative_dates(text: str, expected: list[tuple[str, str]]) -> None:
    assert spans(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("上周六去哪了", [("2023-08-12", "2023-08-13")]),  # Saturday of last week
        ("上个星期三", [("2023-08-09", "2023-08-10")]),
        ("上上周五", [("2023-08-04", "2023-08-05")]),
        ("这周三", [("2023-08-16", "2023-08-17")]),
        ("周六爬山了吗", [("2023-08-19", "2023-08-20")]),  # the latest Saturday
        ("星期天", [("2023-08-20", "2023-08-21")]),  # today is Sunday
        ("礼拜一", [("2023-08-14", "2023-08-15")]),
        ("last Saturday", [("2023-08-19", "2023-08-20")]),
        ("last Sunday", [("2023-08-13", "2023-08-14")]),  # not today
        ("on Sunday", [("2023-08-20", "2023-08-21")]),
    ],
)
def test_weekdays(text: str, expected: list[tuple[str, str]]) -> None:
    assert spans(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3天前", [("2023-08-17", "2023-08-18")]),
        ("十五天前", [("2023-08-05", "2023-08-06")]),
        ("两周前", [("2023-07-31", "2023-08-07")]),
        ("两个月以前", [("2023-06-01", "2023-07-01")]),
        ("一年前", [("2022-01-01", "2023-01-01")]),
        ("3 days ago", [("2023-08-17", "2023-08-18")]),
        ("two weeks ago", [("2023-07-31", "2023-08-07")]),
        ("a month ago", [("2023-07-01", "2023-08-01")]),
    ],
)
def test_how_long_ago(text: str, expected: list[tuple[str, str]]) -> None:
    assert spans(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3号那天你去哪了", [("2023-08-03", "2023-08-04")]),
        ("25号", [("2023-07-25", "2023-07-26")]),  # not yet this month: last month's
        ("5月3号", [("2023-05-03", "2023-05-04")]),
    ],
)
def test_a_day_of_the_month(text: str, expected: list[tuple[str, str]]) -> None:
    assert spans(text) == expected


def test_days_are_the_askers() -> None:
    beijing = timezone(timedelta(hours=8))
    just_after_midnight = datetime(2023, 8, 21, 0, 30, tzinfo=beijing)  # 20 Aug in UTC

    [yesterday] = date_windows("昨天", just_after_midnight)

    assert yesterday.start == datetime(2023, 8, 20, tzinfo=beijing)
    assert yesterday.contains(datetime(2023, 8, 20, 12, 0, tzinfo=UTC))  # 20:00 in Beijing
    assert not yesterday.contains(datetime(2023, 8, 20, 16, 0, tzinfo=UTC))  # 21 Aug there


@pytest.mark.parametrize(
    "text",
    [
        "May I ask what you recommend?",
        "I have 2023 reasons",
        "He scored 15 points",
        "Meet at 9 am",
        "the weekend was fun",
        "last weekend",
        "on Saturdays",  # a habit, not a day
        "每周三都去",
        "一周一次",
        "坐3号线",
        "8号楼",
        "5日元一个",
        "1号选手上场",
        "5000天前的事",  # not "000天前", which would be today
        "",
    ],
)
def test_no_dates(text: str) -> None:
    assert spans(text) == []


def test_an_impossible_day_falls_back_to_its_month() -> None:
    assert spans("31 February 2023") == [("2023-02-01", "2023-03-01")]


def test_several_dates_and_windows() -> None:
    windows = date_windows("last week, and on June 1st", NOW)

    assert len(windows) == 2
    window = DateWindow(datetime(2023, 6, 1, tzinfo=UTC), datetime(2023, 6, 2, tzinfo=UTC))
    assert window in windows
    wide = window.widened(timedelta(days=1), timedelta(days=3))
    assert wide.contains(datetime(2023, 5, 31, 0, 0))  # naive means UTC
    assert wide.contains(datetime(2023, 6, 4, 23, 59, tzinfo=UTC))
    assert not wide.contains(datetime(2023, 6, 5, tzinfo=UTC))
