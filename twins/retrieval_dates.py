"""Dates named in a question ("on 3 June, 2023", "in May 2023", "yesterday", "上周六", "3天前").

A twin asked about a day or a month should prefer what the member said then.
:func:`date_windows` finds the periods a question names, in English and
Chinese, as half-open intervals of days in the asker's time zone (that of
``now``: "昨天" asked at 00:30 in Beijing is the Beijing day before). Dates
without a year, and weekdays without a week ("周六", "on Saturday"), are the
latest such day not after ``now``; "上周六" is the Saturday of last week
(weeks start on Monday). Bare numbers never count as dates, and a month name
counts only beside a day, a year or a preposition ("in May").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo


@dataclass(frozen=True, slots=True)
class DateWindow:
    """A period a question names: ``start`` inclusive, ``end`` exclusive, both time-zone aware."""

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
        r"(?<![\d月])(?P<day>\d{1,2})\s*[日号號](?![线線楼樓门門口房床位车車店桌码碼前后元选選机機文号])",
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
    "大前天": 3,
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
    "上上周": 2,
    "上上个星期": 2,
    "上上个礼拜": 2,
}
_RELATIVE_MONTHS = {
    "this month": 0,
    "last month": 1,
    "这个月": 0,
    "本月": 0,
    "上个月": 1,
    "上月": 1,
    "上上个月": 2,
}
_RELATIVE_YEARS = {"this year": 0, "last year": 1, "今年": 0, "去年": 1}


def _relative(words: dict[str, int]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![a-z])(?:{alternatives})(?![a-z])", re.IGNORECASE)


_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CHINESE_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_CHINESE_NUMBERS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5}
_CHINESE_NUMBERS |= {"六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_ENGLISH_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_ENGLISH_NUMBERS |= {"six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_WEEKS_BACK = {"上上": 2, "上": 1, "这": 0, "本": 0}

_WEEKDAYS = (
    re.compile(
        r"(?<![每一二两三四五六七八九十\d])(?P<week>上上|上|这|本)?个?(?:周|星期|礼拜)"
        r"(?P<weekday>[一二三四五六日天])(?![一二三四五六七八九十])"
    ),
    re.compile(
        rf"\b(?P<week>last|on)\s+(?P<weekday>{'|'.join(_WEEKDAY_NAMES)})\b(?!s)", re.IGNORECASE
    ),
)
_AGO = (
    re.compile(
        r"(?<![\d一两二三四五六七八九十百千万])(?P<count>\d{1,3}|[一两二三四五六七八九十]{1,3})\s*个?\s*"
        r"(?P<unit>天|日|周|星期|礼拜|月|年)\s*(?:以前|之前|前)"
    ),
    re.compile(
        rf"\b(?P<count>\d{{1,3}}|{'|'.join(_ENGLISH_NUMBERS)})\s+"
        r"(?P<unit>days?|weeks?|months?|years?)\s+ago\b",
        re.IGNORECASE,
    ),
)
_UNITS = {"天": "day", "日": "day", "周": "week", "星期": "week", "礼拜": "week"}
_UNITS |= {"月": "month", "年": "year"}

_RELATIVE = (
    (_relative(_RELATIVE_DAYS), _RELATIVE_DAYS, "day"),
    (_relative(_RELATIVE_WEEKS), _RELATIVE_WEEKS, "week"),
    (_relative(_RELATIVE_MONTHS), _RELATIVE_MONTHS, "month"),
    (_relative(_RELATIVE_YEARS), _RELATIVE_YEARS, "year"),
)


def date_windows(text: str, now: datetime) -> list[DateWindow]:
    """The periods ``text`` names, in the order found; ``now`` resolves relative dates.

    Days are those of ``now``'s time zone (UTC when ``now`` is naive).
    """
    aware = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    zone = aware.tzinfo or UTC
    today = aware.date()
    found: list[tuple[date, date]] = []
    taken: list[tuple[int, int]] = []

    def free(match: re.Match[str]) -> bool:
        return not any(start < match.end() and match.start() < end for start, end in taken)

    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if free(match) and (days := _absolute(match, today)) is not None:
                taken.append(match.span())
                found.append(days)
    for passes, resolve in ((_WEEKDAYS, _weekday), (_AGO, _ago)):
        for pattern in passes:
            for match in pattern.finditer(text):
                if free(match) and (days := resolve(match, today)) is not None:
                    taken.append(match.span())
                    found.append(days)
    for pattern, words, unit in _RELATIVE:
        for match in pattern.finditer(text):
            if free(match):
                taken.append(match.span())
                found.append(_relative_window(words[match.group(0).lower()], unit, today))
    return [_span(first, end, zone) for first, end in found]


def _absolute(match: re.Match[str], today: date) -> tuple[date, date] | None:
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
        if day is not None and month is None and year is None:  # "3号": this month or the last
            first = today.replace(day=1)
            if day > today.day:
                first = (first - timedelta(days=1)).replace(day=1)
            month, year = first.month, first.year
        if year is None and month is not None:
            year = today.year
            if (month, day or 1) > (today.month, today.day):
                year -= 1  # the latest such date, not a future one
        if year is None:
            return None
        if month is None:
            return date(year, 1, 1), date(year + 1, 1, 1)
        if day is None:
            return date(year, month, 1), _next_month(date(year, month, 1))
        first = date(year, month, day)
        return first, first + timedelta(days=1)
    except ValueError:  # "31 June", month 13
        return None


def _weekday(match: re.Match[str], today: date) -> tuple[date, date] | None:
    """ "上周六", "周六", "last Saturday", "on Saturday": one day."""
    name, week = match.group("weekday"), (match.group("week") or "").lower()
    weekday = _CHINESE_WEEKDAYS.get(name)
    if weekday is None:
        weekday = _WEEKDAY_NAMES.index(name.lower())
    if week in _WEEKS_BACK:  # a day of a named week: "上周六" is last week's Saturday
        monday = today - timedelta(days=today.weekday(), weeks=_WEEKS_BACK[week])
        first = monday + timedelta(days=weekday)
    else:  # the latest such day: not after today, or before it for "last"
        back = (today.weekday() - weekday) % 7
        first = today - timedelta(days=back or (7 if week == "last" else 0))
    return first, first + timedelta(days=1)


def _ago(match: re.Match[str], today: date) -> tuple[date, date] | None:
    """ "3天前", "两个月前", "two weeks ago": the day, week, month or year that long ago."""
    count, unit = match.group("count").lower(), match.group("unit").lower()
    number = _number(count)
    if number is None:
        return None
    return _relative_window(number, _UNITS.get(unit) or unit.rstrip("s"), today)


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text in _ENGLISH_NUMBERS:
        return _ENGLISH_NUMBERS[text]
    if text == "十":
        return 10
    tens, _, units = text.partition("十")
    if "十" in text:  # 十五, 二十, 二十五
        return (_CHINESE_NUMBERS.get(tens, 0) if tens else 1) * 10 + _CHINESE_NUMBERS.get(units, 0)
    return _CHINESE_NUMBERS.get(text) if len(text) == 1 else None


def _relative_window(back: int, unit: str, today: date) -> tuple[date, date]:
    if unit == "day":
        first = today - timedelta(days=back)
        return first, first + timedelta(days=1)
    if unit == "week":
        monday = today - timedelta(days=today.weekday()) - timedelta(weeks=back)
        return monday, monday + timedelta(weeks=1)
    if unit == "month":
        first = today.replace(day=1)
        for _ in range(back):
            first = (first - timedelta(days=1)).replace(day=1)
        return first, _next_month(first)
    first = date(today.year - back, 1, 1)
    return first, date(first.year + 1, 1, 1)


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _span(first: date, end: date, zone: tzinfo) -> DateWindow:
    return DateWindow(
        datetime(first.year, first.month, first.day, tzinfo=zone),
        datetime(end.year, end.month, end.day, tzinfo=zone),
    )
