"""Keyword vectors: English words stemmed, Chinese segmented, names kept, stop words dropped."""

from __future__ import annotations

import threading

from memory.keywords import KeywordEncoder, KeywordVector, keyword_encoder


def terms(vector: KeywordVector) -> set[int]:
    return set(vector.indices)


def test_english_words_are_stemmed_and_lower_cased() -> None:
    encoder = keyword_encoder()

    assert terms(encoder.query("Running")) == terms(encoder.query("runs"))
    assert terms(encoder.query("HIKING trails")) == terms(encoder.query("hike trail"))
    assert terms(encoder.query("sourdough")) != terms(encoder.query("bread"))


def test_stop_words_alone_make_an_empty_query() -> None:
    encoder = keyword_encoder()

    assert not encoder.query("what did you do with it?")
    assert not encoder.query("我的，了，是")
    assert not encoder.query("  ")
    assert encoder.query("what did you paint?")


def test_a_query_drops_chinese_question_particles_that_stored_texts_keep() -> None:
    encoder = keyword_encoder()
    basketball = terms(encoder.document("我每周二打篮球，有人想一起来吗？"))

    assert not encoder.query("吗") and not encoder.query("请问谁有没有")
    assert terms(encoder.query("你养猫吗？")) == terms(encoder.query("养猫"))
    assert not terms(encoder.query("你养猫吗？")) & basketball
    assert terms(encoder.document("吗")) <= basketball  # documents are encoded as before
    # Question words an answer never holds ask, they do not say what about.
    assert terms(encoder.query("周妍什么时候去的扬州？")) == terms(encoder.query("周妍去的扬州"))
    assert terms(encoder.query("金浩为啥不能喝牛奶？")) == terms(encoder.query("金浩不能喝牛奶"))
    assert terms(encoder.query("那双鞋多少钱？")) == terms(encoder.query("那双鞋"))


def test_chinese_is_segmented_into_words() -> None:
    encoder = keyword_encoder()
    allergy = terms(encoder.query("过敏"))

    doc = terms(encoder.document("我对花生过敏，不能吃坚果。"))
    question = terms(encoder.query("你对什么过敏？"))

    assert allergy <= doc and allergy <= question
    assert terms(encoder.query("花生")) <= doc
    assert len(doc) >= 3  # words, not one token per sentence


def test_names_are_single_terms_in_any_case() -> None:
    encoder = keyword_encoder()
    caroline = terms(encoder.query("Caroline"))

    assert len(caroline) == 1
    assert caroline <= terms(encoder.document("Dinner with caroline and Wei tonight"))
    assert terms(encoder.query("Wei")) <= terms(encoder.document("Wei 去了北京大学"))
    assert terms(encoder.query("北京")) & terms(encoder.document("Wei 去了北京大学"))


def test_documents_weigh_repeated_words_queries_count_each_word_once() -> None:
    encoder = keyword_encoder()

    once = encoder.document("tea with lemon")
    twice = encoder.document("tea tea with lemon")
    query = encoder.query("tea tea lemon")

    tea = next(iter(terms(encoder.query("tea"))))
    assert (
        dict(zip(twice.indices, twice.values, strict=True))[tea]
        > dict(zip(once.indices, once.values, strict=True))[tea]
    )
    assert sorted(query.values) == [1.0, 1.0]
    assert encoder.document("tea with lemon") == once


def test_encoders_agree_and_are_thread_safe() -> None:
    texts = [f"message {i} about the Fern Creek loop, 周末去爬山" for i in range(200)]
    expected = [KeywordEncoder().document(text) for text in texts]
    shared = keyword_encoder()
    results: list[list[KeywordVector]] = [[] for _ in range(4)]

    def work(slot: int) -> None:
        results[slot] = [shared.document(text) for text in texts]

    threads = [threading.Thread(target=work, args=(slot,)) for slot in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert all(result == expected for result in results)
