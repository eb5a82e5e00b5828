"""What keyword search can judge: scripts, wordless messages and a member's common words."""

from __future__ import annotations

import pytest

from twins.retrieval_keywords import (
    Script,
    is_wordless,
    query_words,
    script_of,
    specific_keywords,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Finally moved! Ended up in Gongshu", Script.SPACED),
        ("我家阳台养了两箱蜜蜂", Script.CJK),
        ("I'm vegetarian, any veg restaurant near 科技园?", Script.SPACED),
        ("打印机升级了，P1S卖了，换了台X1C", Script.CJK),
        ("Tom是哪里人？", Script.CJK),
        ("Привет, как дела?", Script.SPACED),
        ("👍", None),
        ("12:30 +1", None),
        ("", None),
    ],
)
def test_script_of(text: str, expected: Script | None) -> None:
    assert script_of(text) is expected


@pytest.mark.parametrize("text", ["👍", "+1", "哈哈哈", "Will do!", "🎉🎉", ""])
def test_messages_without_words(text: str) -> None:
    assert is_wordless(text)


@pytest.mark.parametrize("text", ["Me 🙋 small one on my heel", "焊台、示波器", "P1S", "Lucy"])
def test_messages_with_words(text: str) -> None:
    assert not is_wordless(text)


def test_query_words_are_the_keyword_encoders() -> None:
    assert query_words("What does Jon tell Gina he won't do?") == ["jon", "tell", "gina"]
    assert query_words("空间在哪，都有哪些设备？") == ["空间", "都", "设备"]
    assert query_words("What is it?") == []


JON = [
    "Thanks, Gina! I won't quit.",
    "Hey Gina, how's it going?",
    "Gina, the studio opens soon",
    "I told my parents about the studio",
    "Rehearsals all week",
    "Gina you rock",
    "Lost my job as a banker",
    "Going to Paris",
    "My dance class starts Monday",
    "Sure thing, Gina!",
]


def test_a_word_in_many_of_the_members_messages_is_left_out() -> None:
    # "gina" is in 5 of 10 messages, "tell" in none: only "tell" can tell them apart
    assert specific_keywords("What does tell Gina he won't do?", JON, 0.2) == "tell"


def test_nothing_left_out_is_none_and_everything_left_out_is_empty() -> None:
    assert specific_keywords("Did you quit the studio?", JON, 0.2) is None  # 1 and 2 of 10
    assert specific_keywords("Gina?", JON, 0.2) == ""
    assert specific_keywords("Gina?", JON, 1.0) is None
    assert specific_keywords("What is it?", JON, 0.2) is None  # stop words only


def test_common_chinese_words_are_found_by_segment() -> None:
    messages = [
        "空间周二到周日开放",
        "空间也有一台X1C",
        "来南山！离空间近",
        "下次来空间带上哈哈",
        "焊台、示波器、两台3D打印机",
        "欢迎大家",
        "对，刚开业优惠价",
        "今天做完了12个LED小灯牌",
        "下次搞Arduino入门",
        "以后空间的3D打印机还要你帮忙调",
    ]

    assert specific_keywords("空间在哪，都有哪些设备？", messages, 0.2) == "都 设备"


def test_a_word_counts_where_a_word_starts_with_it() -> None:
    texts = ["my kids", "kidding aside", "a skid", "the kid"] + ["nothing here"] * 6

    # "kids" and "kid" start with "kid"; "skid" does not, "kidding" does
    assert specific_keywords("kid", texts, 0.2) == ""
    assert specific_keywords("kid", texts, 0.3) is None


def test_few_messages_never_make_a_word_common() -> None:
    assert specific_keywords("Gina", ["Hi Gina", "Gina!", "ok"], 0.2) is None


def test_common_words_are_counted_where_lower_case_changes_lengths() -> None:
    # "İ" lower-cases to two characters; the later texts must still be told apart.
    texts = ["İ" * 20, "kids", "kids", "kids", "x"]

    assert specific_keywords("kids?", texts, 0.2) == ""  # in 3 of 5 texts: common
