"""English words for a Chinese question's terms, for keyword search across languages."""

from __future__ import annotations

from twins.cross_lingual import translated_keywords


def test_chinese_terms_give_their_english_words() -> None:
    assert "birthday" in translated_keywords("生日打算怎么过？").split()
    assert {"twin", "daughter"} <= set(translated_keywords("双胞胎女儿叫什么？").split())
    assert "lunch" in translated_keywords("Sam午饭吃什么").split()


def test_nothing_is_added_to_an_english_question_or_for_stop_words() -> None:
    assert translated_keywords("When is your birthday?") == ""
    assert translated_keywords("你是什么？") == ""  # 什么 is a stop word, 你 one character


def test_a_vague_term_adds_nothing() -> None:
    # 打工 glosses as "to work a temporary or casual job", "to have a part-time job",
    # "to do manual work", … : too many words to stand for any one of them
    many = translated_keywords("打工")
    assert len(many.split()) <= 3
