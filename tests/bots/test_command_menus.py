"""The command catalog in both languages: /help, usage hints, and the platform menus."""

from __future__ import annotations

import re

import pytest

from bots.command_catalog import COMMANDS, COMMANDS_BY_NAME, help_text, usage, usage_hint
from bots.command_words import canonical_words
from bots.platforms import discord_command_specs, telegram_menu, telegram_menus_by_language
from locales import tr_marked, using

_CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDERS = {"<关于你>", "<回答>", "@某人", "分钟数"}
"""Words in the Chinese usage lines that stand for what the member fills in."""


def test_help_and_hints_stay_english_by_default() -> None:
    assert help_text().startswith("Hearth remembers this group's messages.")
    assert "/digest now | preview | status | daily 09:00" in help_text()
    assert usage_hint("forget") == "Usage: /forget"
    assert usage_hint("twin").startswith("Usage: /twin on | off | status")
    assert usage_hint("frobnicate").startswith("Unknown command /frobnicate. Try /twin, ")


def test_help_and_hints_in_chinese() -> None:
    with using("zh"):
        text = help_text()
        assert text.startswith("Hearth 会记住本群的消息。")
        assert "/digest 现在 | 预览 | 状态 | 每天 09:00 | 每周一 18:00" in text
        assert "/help — Hearth 能做什么，以及它的命令" in text
        assert usage_hint("settings").startswith("用法：/settings | /settings 分身 开|关")
        assert usage_hint("frobnicate").startswith("没有 /frobnicate 这个命令。可以试试 /twin、")


@pytest.mark.parametrize("name", ["twin", "settings", "digest", "intros"])
def test_chinese_usage_words_are_words_hearth_accepts(name: str) -> None:
    with using("zh"):
        line = usage(COMMANDS_BY_NAME[name])
    command_part = line.split("——")[0]
    words = [w for w in re.split(r"[\s|\[\]]+", command_part) if _CJK.search(w)]
    assert words
    for word in words:
        if word in PLACEHOLDERS:
            continue
        assert canonical_words([word]) != (word,), f"{word!r} in /{name}'s usage is not accepted"
    # Each Chinese switch reads as the English keyword of the same position.
    if name == "digest":
        assert canonical_words("每周一 18:00".split()) == ("weekly", "mon", "18:00")


def test_the_personal_digest_words_after_the_dash_are_accepted() -> None:
    with using("zh"):
        line = usage(COMMANDS_BY_NAME["digest"])
    personal = line.split("：/digest", 1)[1]
    words = [w for w in re.split(r"[\s|\[\]]+", personal) if _CJK.search(w)]
    assert set(words) == {"我", "每天", "时区", "关", "现在", "状态"}
    assert canonical_words(["我", "每天", "07:30"]) == ("me", "daily", "07:30")


def test_telegram_menus_are_english_by_default_and_chinese_for_zh() -> None:
    english = telegram_menu()
    chinese = telegram_menus_by_language()["zh"]
    assert [name for name, _ in english] == [name for name, _ in chinese]
    assert [name for name, _ in english] == [spec.name for spec in COMMANDS]
    assert dict(english)["forget"] == "Delete everything Hearth stored about you in this chat"
    assert dict(chinese)["forget"] == "删除 Hearth 在本群保存的关于你的所有内容"
    for _, description in chinese:
        assert _CJK.search(description)


def test_discord_commands_carry_the_chinese_texts_for_chinese_apps() -> None:
    specs = {spec.name: spec for spec in discord_command_specs()}
    assert set(specs) == {spec.name for spec in COMMANDS}
    for spec in specs.values():
        catalog = COMMANDS_BY_NAME[spec.name]
        assert spec.description == catalog.description
        with using("zh"):
            chinese = tr_marked(catalog.description)
        assert spec.description_localizations == {"zh-CN": chinese, "zh-TW": chinese}
    settings = specs["settings"]
    setting, value = settings.options
    assert setting.name_localizations == {"zh-CN": "设置项", "zh-TW": "设置项"}
    assert [getattr(choice, "value", choice) for choice in setting.choices] == [
        "twins",
        "absence",
        "assistant",
        "language",
    ]
    first = setting.choices[0]
    assert not isinstance(first, str | int)
    assert first.name == "twins (on/off)"
    assert first.name_localizations["zh-CN"] == "分身（开/关）"
    assert value.description_localizations["zh-CN"].startswith("开/关")
    assert specs["digest"].options[0].autocomplete is not None
