"""Words a chat uses as names name no interest."""

from __future__ import annotations

from jobs.proper_names import english_name_words, is_chinese_name, name_terms


def test_words_capitalised_mid_sentence_and_never_lower_case_are_names() -> None:
    texts = [
        "anyone riding sunday? club's doing the Don Valley loop",
        "Potluck news, bad news first: St Brendan's has a wedding",
        "Canoe trip to Stony Lake was great",
        "we paddled across the lake at dawn",
        "Training plan starts this weekend. Pace is slow 🙂 Running helps",
        "有没有人知道 Don Valley 那段 trail 修好了没有",
    ]
    names = english_name_words(texts)
    assert {"don", "valley", "brendan", "stony"} <= names
    # "lake" is also written in lower case; sentence-initial capitals say nothing
    assert names.isdisjoint({"lake", "canoe", "potluck", "training", "pace", "running"})


def test_chinese_places_and_names_but_not_tagged_common_nouns() -> None:
    assert is_chinese_name("成都") and is_chinese_name("深圳湾")
    assert not is_chinese_name("白鹭")  # tagged as a name, but the dictionary says "egret"
    assert not is_chinese_name("跑步") and not is_chinese_name("胶片")


def test_name_terms_checks_each_word_of_a_term() -> None:
    is_name = name_terms(["we met at the Don Valley trail", "the trail was muddy"])
    assert is_name("valley") and is_name("don valley") and is_name("成都")
    assert not is_name("trail") and not is_name("跑步")
