"""Words naming a shared interest must be ones the members come back to (English and Chinese)."""

from __future__ import annotations

from jobs.intro_reasons import CandidateMessage, EvidencePair, TermFrequencies, explain_intro
from jobs.languages import Language
from jobs.recurring_names import is_agreement, recurring_words
from locales import using


def said(*texts: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(text, CandidateMessage(0, text, [0.0]).key_terms()) for text in texts]


def test_agreement_with_a_proposal_is_no_interest() -> None:
    assert is_agreement("支持，早鸟用户会帮你说好话的")
    assert is_agreement("👍 早鸟这个好，先攒口碑")
    assert is_agreement("Agreed, the early-bird price makes sense")
    assert is_agreement("+1 on the potluck")
    assert not is_agreement("早鸟价我去年就用过，效果很好")
    assert not is_agreement("支持多语言吗？我想给插件加个英文版")
    assert not is_agreement("Fed my sourdough starter again this morning")


def test_a_word_of_one_message_each_does_not_recur_but_one_they_come_back_to_does() -> None:
    weights = {"tail": 1.0, "starter": 1.0}
    members = {
        1: said("a bird with a long tail", "fed the starter", "my starter smells odd"),
        2: said("that tail is so long", "a starter from my aunt"),
    }
    assert recurring_words(weights, members) == {"starter": 3}


def test_chinese_words_recur_through_words_made_on_them_and_translations() -> None:
    weights = {"胶片": 1.0, "尾巴": 1.0}
    members = {
        1: said("傻瓜胶片机随时能拍", "这卷胶片偏黄", "红嘴蓝鹊尾巴好长"),
        2: said("Shot the moon on film again", "尾巴真长"),
    }
    assert recurring_words(weights, members) == {"胶片": 3}


def test_words_of_two_languages_recur_through_the_dictionary_but_not_vague_ones() -> None:
    members = {
        1: said(
            "The egrets at the lake again",
            "staring at egrets like a weirdo",
            "a blue flash over the water",
            "herons standing in the water",
        ),
        2: said("周末去白鹭湾湿地拍鸟", "潜水好久了"),
    }
    assert recurring_words({"白鹭": 1.0, "潜水": 1.0}, members) == {"白鹭": 3}


def test_agreements_do_not_count_towards_recurring() -> None:
    members = {
        1: said("👍 早鸟这个好，先攒口碑", "比早鸟那会儿赚得多了吧"),
        2: said("支持，早鸟用户会帮你说好话的"),
    }
    assert recurring_words({"早鸟": 1.0}, members) == {}


def message(message_id: int, text: str, vector: list[float]) -> CandidateMessage:
    return CandidateMessage(message_id, text, vector, f"https://t.me/c/1/{message_id}")


def test_the_line_names_what_members_come_back_to_not_a_detail_of_the_closest_pair() -> None:
    close = EvidencePair(
        1,
        message(1, "saw a bird with a very long tail today", [1.0, 0.0]),
        2,
        message(11, "its tail was so long, lovely bird", [1.0, 0.1]),
        strength=2.0,
    )
    kingfisher = EvidencePair(
        1,
        message(2, "a kingfisher flew over the pond", [0.8, 0.6]),
        2,
        message(12, "the kingfisher is back at the pond", [0.7, 0.7]),
        strength=1.0,
    )
    written = {
        1: [
            close.first,
            kingfisher.first,
            message(3, "another kingfisher this morning", [0.9, 0.4]),
        ],
        2: [close.second, kingfisher.second],
    }
    chat = TermFrequencies.of([m.key_terms() for found in written.values() for m in found])
    with using("en"):
        reason = explain_intro(
            (1, 2),
            {1: "Ana", 2: "Wei"},
            {},
            frequencies=chat,
            language=Language.ENGLISH,
            evidence=(close, kingfisher),
            member_messages=written,
        )
    assert reason.interest == ("kingfisher",)
    assert [quote.message_id for quote in reason.quotes] == [2, 12]
    assert "kingfisher" in reason.line.split(" — ")[0]
