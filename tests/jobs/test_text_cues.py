"""Surface cues: links, questions, decisions, key terms and language."""

from __future__ import annotations

import pytest

from jobs.languages import Language, detect_language, script_of
from jobs.text_cues import excerpt, find_urls, is_decision, is_question, key_terms


def test_urls_without_trailing_punctuation() -> None:
    text = "see https://example.com/a?b=1. and (https://x.org/path) or www.site.io, 看这个https://例子.cn。"
    assert find_urls(text) == [
        "https://example.com/a?b=1",
        "https://x.org/path",
        "https://www.site.io",
        "https://例子.cn",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Does anyone know a good vet near the station?",
        "what time do we meet",
        "@bob can you bring the tent",
        "Any ideas for the team dinner 🙂",
        "Is there parking at the trailhead",
        "这周末有人去爬山吗",
        "你们觉得哪个方案更好？",
        "为什么服务器又挂了",
        "明天几点集合呢",
    ],
)
def test_questions(text: str) -> None:
    assert is_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "What a great hike that was!",
        "Can't wait for Saturday",
        "Had a great time, thanks all",
        "I don't know what to do.",
        "Will do.",
        "我不知道该说什么。",
        "好的，明天见",
        "see https://example.com/?q=1",
        "",
    ],
)
def test_not_questions(text: str) -> None:
    assert not is_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "OK we decided: the meetup moves to Thursday",
        "Let's go with the Fern Creek loop then",
        "Final decision is the blue logo",
        "我们决定下周五聚餐",
        "就这么定了，周六早上八点出发",
        "那就这样，用第二个版本",
    ],
)
def test_decisions(text: str) -> None:
    assert is_decision(text)


@pytest.mark.parametrize(
    "text",
    [
        "We haven't decided yet",
        "Did we decide on the venue?",
        "I disagree with that",
        "还没决定去哪里",
        "我不同意",
        "大家同意吗？",
        "Nice photo of the lake",
        # bare agreement is no decision act by itself
        "Agreed, Saturday 9am at the station",
        "我同意这个方案",
    ],
)
def test_not_decisions(text: str) -> None:
    assert not is_decision(text)


def test_key_terms_english_and_chinese() -> None:
    assert key_terms("The Skyline Ridge trail is great for hiking https://x.org/trail") == [
        "skyline",
        "ridge",
        "trail",
        "hiking",
    ]
    terms = key_terms("我们周末去爬山，顺便看看区块链技术的展览")
    assert "爬山" in terms and "周末" in terms
    assert "我们" not in terms


def test_excerpt_cuts_on_words() -> None:
    assert excerpt("short text", 20) == "short text"
    cut = excerpt("one two three four five six seven eight nine ten", 24)
    assert len(cut) <= 24 and cut.endswith("…") and not cut.endswith(" …")
    assert excerpt("一二三四五六七八九十", 5) == "一二三四…"
    assert excerpt("multi\nline   text", 40) == "multi line text"


def test_language_detection_by_script_share() -> None:
    assert detect_language(["hello there", "see you at 5", "ok"]) is Language.ENGLISH
    assert detect_language(["周末去爬山吗", "好啊", "ok", "几点集合？"]) is Language.CHINESE
    assert detect_language(["Привет всем", "как дела", "ok"]) is Language.OTHER
    assert detect_language(["こんにちは、元気ですか", "今日は暑いですね"]) is Language.OTHER
    assert detect_language(["👍", "123"]) is Language.ENGLISH
    assert script_of("I love 火锅 so much, best food ever") is Language.ENGLISH
    assert script_of("这个 API 的 rate limit 太低了") is Language.CHINESE


def test_rare_han_characters_do_not_let_stop_words_through() -> None:
    # Han ideographs outside the basic block (here CJK Extension B) still split the text.
    assert key_terms("𠀀𠀁 the hiking trail") == ["hiking", "trail"]
