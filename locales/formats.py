"""Dates, times, durations and lists as a reader of the current language writes them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.dates import format_timedelta
from babel.lists import format_list as babel_format_list

from locales.catalog import current

_DAY = {"en": "EEE d MMM y", "zh": "y年M月d日 EEE"}
_DAY_SHORT = {"en": "EEE d MMM", "zh": "M月d日 EEE"}
_LOCALE = {"en": "en_GB", "zh": "zh_Hans_CN"}


def format_day(day: date | datetime) -> str:
    """``Sat 15 Jun 2024`` / ``2024年6月15日 周六``."""
    language = current()
    return babel_format_date(day, _DAY[language], locale=_LOCALE[language])


def format_day_short(day: date | datetime) -> str:
    """``Sat 15 Jun`` / ``6月15日 周六`` (for dates in the current year)."""
    language = current()
    return babel_format_date(day, _DAY_SHORT[language], locale=_LOCALE[language])


def format_time(moment: datetime) -> str:
    """``09:05``: a 24-hour clock in both languages."""
    return babel_format_time(moment, "HH:mm", locale=_LOCALE[current()])


def format_duration(length: timedelta) -> str:
    """``2 hours`` / ``2小时``, rounded to the largest unit that fits."""
    language = current()
    return format_timedelta(length, threshold=1.0, locale=_LOCALE[language])


def join_sentences(*sentences: str) -> str:
    """Sentences in one message: a space between them in English, none after a Chinese
    stop; empty ones leave no gap."""
    return ("" if current() == "zh" else " ").join(s for s in sentences if s)


def format_moment(moment: datetime) -> str:
    """``Sat 15 Jun 2024 09:05`` / ``2024年6月15日 周六 09:05``."""
    return f"{format_day(moment)} {format_time(moment)}"


def format_list(items: Sequence[str]) -> str:
    """``a, b and c`` / ``a、b和c``."""
    language = current()
    if language == "en":
        if len(items) <= 2:
            return " and ".join(items)
        return f"{', '.join(items[:-1])} and {items[-1]}"
    return babel_format_list(list(items), locale=_LOCALE[language])
