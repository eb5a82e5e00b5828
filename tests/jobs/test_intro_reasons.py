"""The "why" line of an introduction: shared key words and one message of each member."""

from __future__ import annotations

from jobs.intro_matcher import IntroGroup
from jobs.intro_reasons import CandidateMessage, explain_intro, member_keywords, render_intro
from jobs.languages import Language
from memory.hash_embedder import HashEmbedder

EMBED = HashEmbedder(256)

TEXTS = {
    1: [
        "my sourdough starter loves rye flour",
        "went to the cinema yesterday",
        "sourdough baking every weekend",
    ],
    2: [
        "any tips for a sourdough starter with rye flour?",
        "football tonight",
        "I bake bread on sundays",
    ],
    3: ["the sourdough crumb was dense", "my cat is asleep", "rye flour is hard to find"],
    4: ["linux kernels and compilers", "football is great", "weather is cold"],
}


def candidates(member: int) -> list[CandidateMessage]:
    return [
        CandidateMessage(
            message_id=member * 100 + i,
            text=text,
            vector=EMBED.embed(text),
            permalink=f"https://t.me/c/1/{member * 100 + i}",
        )
        for i, text in enumerate(TEXTS[member])
    ]


NAMES = {1: "Alice", 2: "Bob", 3: "Wei", 4: "Dan"}
MESSAGES = {member: candidates(member) for member in TEXTS}


def test_why_line_quotes_the_closest_message_of_each_member() -> None:
    keywords = member_keywords(TEXTS)
    reason = explain_intro(IntroGroup((1, 2), 0.5), NAMES, MESSAGES, keywords=keywords)
    assert [q.member_id for q in reason.quotes] == [1, 2]
    assert reason.quotes[0].message_id == 100
    assert reason.quotes[1].message_id == 200
    assert reason.shared_keywords
    assert set(reason.shared_keywords) <= {"sourdough", "starter", "rye", "flour"}
    assert reason.line.startswith(f"Why: you both talk about {reason.shared_keywords[0]}")
    assert "https://t.me/c/1/100" in reason.line and "https://t.me/c/1/200" in reason.line
    assert "\n" not in reason.line


def test_trio_quotes_each_member_once() -> None:
    reason = explain_intro((1, 2, 3), NAMES, MESSAGES, keywords=member_keywords(TEXTS))
    assert sorted(q.member_id for q in reason.quotes) == [1, 2, 3]
    assert len({q.message_id for q in reason.quotes}) == 3
    assert reason.line.startswith("Why: you all talk about")


def test_without_shared_keywords_the_messages_explain() -> None:
    reason = explain_intro((1, 4), NAMES, MESSAGES)
    assert reason.shared_keywords == ()
    assert reason.line.startswith("Why: you talk about similar things — Alice: “")
    assert len(reason.quotes) == 2


def test_chinese_why_line_and_intro() -> None:
    texts = {
        1: ["周末去爬山，山顶风景很好", "今天加班"],
        2: ["有人一起爬山吗？想去看山顶日出", "晚饭吃什么"],
    }
    messages = {
        member: [
            CandidateMessage(member * 10 + i, text, EMBED.embed(text), f"https://t.me/c/2/{i}")
            for i, text in enumerate(items)
        ]
        for member, items in texts.items()
    }
    names = {1: "小王", 2: "小李"}
    reason = explain_intro(
        (1, 2), names, messages, keywords=member_keywords(texts), language=Language.CHINESE
    )
    assert reason.line.startswith("为什么：你们都聊到")
    assert "爬山" in reason.shared_keywords
    assert "小王：“周末去爬山，山顶风景很好”（https://t.me/c/2/0）" in reason.line
    intro = render_intro((1, 2), names, reason, Language.CHINESE)
    assert intro.startswith("👋 认识一下：小王、小李！\n为什么")


def test_english_intro_and_missing_messages() -> None:
    reason = explain_intro((1, 2, 3), NAMES, {1: MESSAGES[1]})
    assert [q.member_id for q in reason.quotes] == [1]
    text = render_intro(IntroGroup((1, 2, 3), 0.4), NAMES, reason)
    assert text.startswith("👋 Meet Alice, Bob and Wei!\nWhy:")
    assert render_intro((1, 2), NAMES, reason).startswith("👋 Meet Alice and Bob!")
