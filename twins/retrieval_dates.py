"""Dates named in a question ("on 3 June, 2023", "in May 2023", "yesterday", "2023年6月3日").

A twin asked about a day or a month should prefer what the member said then.
:func:`date_windows` finds the periods a question names, in English and
Chinese, as half-open UTC intervals; dates without a year are the latest such
day not after ``now``. Bare numbers never count as dates, and a month name
counts only beside a day, a year or a preposition ("in May").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta


@dataclass(frozen=True, slots=True)
class DateWindow:
    """A period a question names: ``start`` inclusive, ``end`` exclusive, both UTC."""

    start: datetime
    end: datetime

    def widened(self, before: timedelta, after: timedelta) -> DateWindow:
        """The window grown by ``before`` at the start and ``after`` at the end."""
        return DateWindow(self.start - before, self.end + after)

    def contains(self, moment: datetime) -> bool:
        """Whether ``moment`` (naive means UTC) falls inside the window."""
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        return self.start <= aware < self.end


_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_PREP = r"(?:in|during|since|from|of|last|this|early|late|mid)"

_PATTERNS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b",
        rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b",
        rf"\b{_YEAR}-(?P<month_number>\d{{1,2}})-(?P<day>\d{{1,2}})\b",
        rf"\b{_YEAR}/(?P<month_number>\d{{1,2}})/(?P<day>\d{{1,2}})\b",
        rf"{_YEAR}\s*年\s*(?P<month_number>\d{{1,2}})\s*月(?:\s*(?P<day>\d{{1,2}})\s*[日号號])?",
        r"(?<!\d)(?P<month_number>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*[日号號]",
        rf"\b{_MONTH},?\s+{_YEAR}\b",
        rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b",
        rf"\b{_MONTH}\s+{_DAY}\b(?!\s*(?:%|am|pm|:))",
        rf"\b{_PREP}\s+{_MONTH}\b",
        rf"\b{_PREP}\s+{_YEAR}\b",
        rf"{_YEAR}\s*年",
    )
)

_RELATIVE_DAYS = {
    "today": 0,
    "tonight": 0,
    "this morning": 0,
    "yesterday": 1,
    "last night": 1,
    "the day before yesterday": 2,
    "今天": 0,
    "今晚": 0,
    "昨天": 1,
    "昨晚": 1,
    "前天": 2,
}
_RELATIVE_WEEKS = {
    "this week": 0,
    "last week": 1,
    "这周": 0,
    "本周": 0,
    "这个星期": 0,
    "上周": 1,
    "上星期": 1,
    "上个星期": 1,
    "上个礼拜": 1,
}
_RELATIVE_MONTHS = {
    "this month": 0,
    "last month": 1,
    "这个月": 0,
    "本月": 0,
    "上个月": 1,
    "上月": 1,
}
_RELATIVE_YEARS = {"this year": 0, "last year": 1, "今年": 0, "去年": 1}


def _relative(words: dict[str, int]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![a-z])(?:{alternatives})(?![a-z])", re.IGNORECASE)


_RELATIVE = (
    (_relative(_RELATIVE_DAYS), _RELATIVE_DAYS, "day"),
    (_relative(_RELATIVE_WEEKS), _RELATIVE_WEEKS, "week"),
    (_relative(_RELATIVE_MONTHS), _RELATIVE_MONTHS, "month"),
    (_relative(_RELATIVE_YEARS), _RELATIVE_YEARS, "year"),
)


def date_windows(text: str, now: datetime) -> list[DateWindow]:
    """The periods ``text`` names, in the order found; ``now`` resolves relative dates."""
    today = (now if now.tzinfo is not None else now.replace(tzinfo=UTC)).astimezone(UTC).date()
    windows: list[DateWindow] = []
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue
            window = _absolute(match, today)
            if window is not None:
                taken.append(match.span())
                windows.append(window)
    for pattern, words, unit in _RELATIVE:
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue
            taken.append(match.span())
            windows.append(_relative_window(words[match.group(0).lower()], unit, today))
    return windows


def _absolute(match: re.Match[str], today: date) -> DateWindow | None:
    groups = match.groupdict()
    month_name = groups.get("month")
    if month_name is not None and month_name.lower() == "may" and "May" not in match.group(0):
        return None  # the verb "may", not the month
    month = (
        _MONTHS[month_name.lower()]
        if month_name
        else int(groups["month_number"])
        if groups.get("month_number")
        else None
    )
    day = int(groups["day"]) if groups.get("day") else None
    year = int(groups["year"]) if groups.get("year") else None
    try:
        if year is None and month is not None:
            year = today.year
            if (month, day or 1) > (today.month, today.day):
                year -= 1  # the latest such date, not a future one
        if year is None:
            return None
        if month is None:
            return _span(date(year, 1, 1), date(year + 1, 1, 1))
        if day is None:
            return _span(date(year, month, 1), _next_month(date(year, month, 1)))
        first = date(year, month, day)
        return _span(first, first + timedelta(days=1))
    except ValueError:  # "31 June", month 13
        return None


def _relative_window(back: int, unit: str, today: date) -> DateWindow:
    if unit == "day":
        first = today - timedelta(days=back)
        return _span(first, first + timedelta(days=1))
    if unit == "week":
        monday = today - timedelta(days=today.weekday()) - timedelta(weeks=back)
        return _span(monday, monday + timedelta(weeks=1))
    if unit == "month":
        first = today.replace(day=1)
        for _ in range(back):
            first = (first - timedelta(days=1)).replace(day=1)
        return _span(first, _next_month(first))
    first = date(today.year - back, 1, 1)
    return _span(first, date(first.year + 1, 1, 1))


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _span(first: date, end: date) -> DateWindow:
    return DateWindow(
        datetime(first.year, first.month, first.day, tzinfo=UTC),
        datetime(end.year, end.month, end.day, tzinfo=UTC),
    )
