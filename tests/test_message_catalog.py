"""The message catalog: every message the code writes has its Chinese, with the same
placeholders; nothing stale; plurals, dates and the reply language behave."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from locales import (
    current,
    format_day,
    format_duration,
    format_list,
    language_of_locale,
    tr,
    trn,
    using,
)
from locales.checks import catalog_problems, fields, source_messages


def test_every_message_has_its_chinese_with_the_same_placeholders() -> None:
    assert catalog_problems("zh") == []


def test_the_code_has_messages_to_check() -> None:
    messages, _ = source_messages()
    assert messages


def test_the_check_finds_a_missing_translation_and_a_wrong_placeholder(tmp_path: Path) -> None:
    package = tmp_path / "bots"
    package.mkdir()
    (package / "sample.py").write_text(
        'from locales import tr\nA = tr("Not in any catalog, {name}.", name="x")\n'
        "B = tr(some_variable)\n",
        encoding="utf-8",
    )
    problems = catalog_problems("zh", root=tmp_path)
    assert any("no zh translation of 'Not in any catalog, {name}.'" in p for p in problems)
    assert any("needs its message as a string literal" in p for p in problems)
    # Every real entry is unused by this tiny tree, and is reported as stale.
    assert any("is no longer used in the code" in p for p in problems)


def test_fields_reads_named_placeholders() -> None:
    assert fields("{name} paused until {until:%H:%M}, {count} left") == {"name", "until", "count"}
    assert fields("no fields") == set()


def test_a_message_is_written_in_the_language_in_use() -> None:
    text = "Sorry, /{command} did not finish. Please try again in a moment."
    assert tr(text, command="digest").startswith("Sorry, /digest")
    with using("zh"):
        assert tr(text, command="digest") == "抱歉，/digest 没有完成，请稍后再试。"
        with using(None):
            assert current() == "zh"
    assert current() == "en"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("zh-CN", "zh"),
        ("zh_Hans", "zh"),
        ("zh-TW", "zh"),
        ("en-US", "en"),
        ("de", "en"),
        ("", None),
        (None, None),
    ],
)
def test_platform_locales_map_to_a_language(code: str | None, expected: str | None) -> None:
    assert language_of_locale(code) == expected


def test_plurals_in_both_languages() -> None:
    assert trn("{count} member", "{count} members", 1) == "1 member"
    assert trn("{count} member", "{count} members", 2) == "2 members"


def test_chinese_has_one_form_for_every_count(tmp_path: Path) -> None:
    from locales import catalog

    (tmp_path / "zh").mkdir()
    header = (CATALOG_HEADER).replace("{plural}", "nplurals=1; plural=0;")
    (tmp_path / "zh" / "a.po").write_text(
        header + '\nmsgid "{count} cat"\nmsgid_plural "{count} cats"\nmsgstr[0] "{count} 只猫"\n',
        encoding="utf-8",
    )
    (tmp_path / "zh" / "b.po").write_text(
        header + '\nmsgid "a dog"\nmsgstr "一只狗"\n', encoding="utf-8"
    )
    original = catalog.CATALOG_DIR
    catalog.CATALOG_DIR = tmp_path
    catalog._translations.cache_clear()
    try:
        with using("zh"):
            assert [trn("{count} cat", "{count} cats", n) for n in (1, 3)] == ["1 只猫", "3 只猫"]
            assert tr("a dog") == "一只狗"
    finally:
        catalog.CATALOG_DIR = original
        catalog._translations.cache_clear()


CATALOG_HEADER = (
    'msgid ""\nmsgstr ""\n"Language: zh_Hans_CN\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Plural-Forms: {plural}\\n"\n'
)


def test_dates_durations_and_lists_as_readers_write_them() -> None:
    day = date(2024, 6, 15)
    assert format_day(day) == "Sat 15 Jun 2024"
    assert format_list(["Ana", "Bo", "Cy"]) == "Ana, Bo and Cy"
    assert format_duration(timedelta(hours=2)) == "2 hours"
    with using("zh"):
        assert format_day(day) == "2024年6月15日 周六"
        assert format_list(["小林", "小鹿", "Emma"]) == "小林、小鹿和Emma"
        assert format_duration(timedelta(hours=2)) == "2小时"
