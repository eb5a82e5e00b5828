"""English and Chinese words for the same thing, from CC-CEDICT."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from memory.term_bridge import TermBridge, cache_file, simple_lemma, term_bridge


def test_common_chinese_terms_have_their_english_words() -> None:
    bridge = term_bridge()
    assert {"run", "jog"} <= bridge.english_of("跑步")
    assert {"film", "movie"} <= bridge.english_of("电影")
    assert "friday" in bridge.english_of("周五")
    assert {"dinner", "meal"} <= bridge.english_of("聚餐")
    assert "water" in bridge.english_of("浇水")
    assert "film" in bridge.english_of("胶片")


def test_english_words_and_their_forms_find_chinese_terms() -> None:
    bridge = term_bridge()
    assert "跑步" in bridge.chinese_of("running")
    assert "浇水" in bridge.chinese_of("watering")
    assert {"电影", "胶片"} <= bridge.chinese_of("films")
    assert "周五" in bridge.chinese_of("Friday")
    assert bridge.means("聚餐", "dinners")


def test_a_word_that_only_qualifies_stands_for_what_it_qualifies() -> None:
    assert term_bridge().means("聚餐", "potluck")  # 百乐餐: "potluck meal"


def test_unknown_words_and_function_words_map_to_nothing() -> None:
    bridge = term_bridge()
    assert bridge.english_of("不存在的词") == frozenset()
    assert bridge.chinese_of("the") == frozenset()
    assert bridge.chinese_of("xyzzy") == frozenset()


def test_classifiers_surnames_variants_and_names_are_left_out() -> None:
    lines = [
        "個 个 [ge4] /classifier for people or objects in general/",
        "週 周 [Zhou1] /surname Zhou/",
        "喫 吃 [chi1] /variant of 吃[chi1]/",
        "紅河 红河 [Hong2 he2] /Honghe county in Yunnan/",
        "電影 电影 [dian4 ying3] /movie; film/CL:部[bu4]/",
    ]
    bridge = TermBridge.of(lines)
    assert bridge.english == {"电影": ("film", "movie")}
    assert set(bridge.chinese) == {"film", "movie"}


def test_plurals_are_lemmatised() -> None:
    assert [simple_lemma(w) for w in ("films", "parties", "boxes", "bus", "glass")] == [
        "film",
        "party",
        "box",
        "bus",
        "glass",
    ]


def test_plurals_in_oes_find_their_chinese_terms() -> None:
    bridge = term_bridge()
    assert bridge.lemma("tomatoes") == "tomato" and bridge.means("番茄", "tomatoes")
    assert bridge.lemma("canoes") == "canoe"


def test_a_chinese_term_is_searched_in_english_with_the_words_that_stand_for_it() -> None:
    bridge = term_bridge()
    assert {"dinner", "meal", "potluck"} <= bridge.english_words_of("聚餐")
    assert bridge.english_words_of("不存在的词") == frozenset()


def test_a_head_qualified_by_many_words_is_searched_alone() -> None:
    lines = [
        "百樂餐 百乐餐 [bai3 le4 can1] /potluck meal/",
        "繪本 绘本 [hui4 ben3] /picture book/",
        "禁書 禁书 [jin4 shu1] /banned book/",
        "兵書 兵书 [bing1 shu1] /military book/",
        "經書 经书 [jing1 shu1] /classic book/",
        "書 书 [shu1] /book/",
    ]
    bridge = TermBridge.of(lines)
    assert bridge.english_words_of("百乐餐") == {"meal", "potluck"}
    assert bridge.english_words_of("绘本") == {"book"}


def test_the_built_bridge_is_kept_and_read_back_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    kept = cache_file()
    assert kept.is_relative_to(tmp_path)
    kept.parent.mkdir(parents=True)
    kept.write_text("{not json", encoding="utf-8")  # a broken cache is built again
    term_bridge.cache_clear()
    try:
        built = term_bridge()
        assert json.loads(kept.read_text(encoding="utf-8"))["english"]["生日"] == ["birthday"]
        term_bridge.cache_clear()
        assert term_bridge() == built  # read from the file this time
    finally:
        term_bridge.cache_clear()
