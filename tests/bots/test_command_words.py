"""Chinese command words: what members type becomes the English words handlers read."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bots.command_words import canonical_words, free_text
from bots.durations import DurationError, parse_duration
from locales import using


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("开", ("on",)),
        ("状态", ("status",)),
        ("每周一", ("weekly", "mon")),
        ("每周一18:00", ("weekly", "mon", "18:00")),
        ("暂停2小时", ("pause", "2h")),
        ("安静时间", ("absence",)),
        ("语言", ("language",)),
        ("中文", ("zh",)),
        ("资料", ("profile",)),
    ],
)
def test_a_word_or_a_compound_of_known_parts(typed: str, read: tuple[str, ...]) -> None:
    assert canonical_words([typed]) == read


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("2小时", "2h"),
        ("2个小时", "2h"),
        ("半小时", "30m"),
        ("30分钟", "30m"),
        ("两周", "2w"),
        ("三天", "3d"),
        ("1星期", "1w"),
        ("十五分钟", "15m"),
        ("二十分钟", "20m"),
        ("两个小时", "2h"),
        ("一刻钟", "15m"),
        ("半天", "12h"),
    ],
)
def test_durations(typed: str, read: str) -> None:
    assert canonical_words([typed]) == (read,)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("晚上8点", "20:00"),
        ("9点半", "09:30"),
        ("下午3点15分", "15:15"),
        ("早上7点", "07:00"),
        ("中午12点", "12:00"),
        ("晚上八点", "20:00"),
        ("十一点", "11:00"),
        ("9:00", "09:00"),
    ],
)
def test_clock_times(typed: str, read: str) -> None:
    assert canonical_words([typed]) == (read,)


def test_free_text_and_english_stay_as_typed() -> None:
    words = ["daily", "09:00", "我们周末去爬山", "Fern", "Creek", "25点", "十十天", "2小时后"]
    assert canonical_words(words) == tuple(words)


def test_free_text_follows_the_command_words_untranslated() -> None:
    assert free_text("更正 3 周五 我 在家", 2) == "周五 我 在家"
    assert free_text("更正3 周五 我 在家", 2) == "周五 我 在家"
    assert free_text("correct 3 on Friday", 2) == "on Friday"
    assert free_text("profile set  I bake\non weekends", 2) == "I bake\non weekends"
    assert free_text("资料 设置", 2) == ""


def test_durations_in_chinese_parse() -> None:
    assert parse_duration("2小时") == timedelta(hours=2)
    assert parse_duration("2 小时") == timedelta(hours=2)
    assert parse_duration("半小时") == timedelta(minutes=30)
    assert parse_duration("两周") == timedelta(weeks=2)
    assert parse_duration("90m") == timedelta(minutes=90)


def test_a_bad_duration_is_explained_in_the_reply_language() -> None:
    with pytest.raises(DurationError, match="is not a duration"):
        parse_duration("soon")
    with using("zh"), pytest.raises(DurationError, match="不是时长"):
        parse_duration("马上")
    with using("zh"), pytest.raises(DurationError, match="最长 90 天"):
        parse_duration("20周")
