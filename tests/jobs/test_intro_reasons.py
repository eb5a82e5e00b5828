"""The "why" line of an introduction: the shared interest in words, a message of each member."""

from __future__ import annotations

from dataclasses import replace

from jobs.interest_words import is_content_word, single_nouns, whole_word
from jobs.intro_matcher import IntroGroup
from jobs.intro_reasons import (
    CandidateMessage,
    EvidencePair,
    TermFrequencies,
    explain_intro,
    interest_name,
    render_intro,
)
from jobs.languages import Language
from locales import using
from memory.hash_embedder import HashEmbedder

EMBED = HashEmbedder(256)

TEXTS = {
    1: [
        "my sourdough starter loves rye flour",
        "sourdough baking every weekend with rye",
        "went to the cinema yesterday",
    ],
    2: [
        "any tips for a sourdough starter with rye flour?",
        "I bake sourdough bread on sundays",
    ],
    3: ["the sourdough crumb was dense", "rye flour is hard to find in town"],
    4: ["linux kernels and compilers", "football is great", "weather is cold"],
}
CHAT = TermFrequencies.of(
    [
        m.key_terms()
        for member in TEXTS
        for m in (CandidateMessage(0, t, [0.0]) for t in TEXTS[member])
    ]
)


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


def test_why_line_names_the_shared_words_and_quotes_each_member() -> None:
    reason = explain_intro(IntroGroup((1, 2), 0.5), NAMES, MESSAGES, frequencies=CHAT)
    assert [q.member_id for q in reason.quotes] == [1, 2]
    assert reason.shared_keywords
    for word in reason.shared_keywords:  # words both members use
        assert any(word in t for t in TEXTS[1]) and any(word in t for t in TEXTS[2])
    assert reason.interest == reason.shared_keywords
    assert reason.line.startswith(f"Why: you both talk about {reason.interest[0]}")
    for quote in reason.quotes:
        assert "sourdough" in quote.text or "rye" in quote.text  # on the interest
        assert f"({quote.permalink})" in reason.line
    assert "Alice: “" in reason.line and "Bob: “" in reason.line
    assert "\n" not in reason.line


def test_trio_quotes_each_member_once() -> None:
    reason = explain_intro((1, 2, 3), NAMES, MESSAGES, frequencies=CHAT)
    assert sorted(q.member_id for q in reason.quotes) == [1, 2, 3]
    assert len({q.message_id for q in reason.quotes}) == 3
    assert reason.line.startswith("Why: you all talk about")


def test_across_languages_each_side_names_it_in_its_own_words() -> None:
    texts = {
        1: ["周末去跑步，江边跑了十公里", "跑步的时候听播客，配速稳定多了"],
        2: ["Went running by the river, ten kilometres", "Running with a podcast keeps my pace"],
    }
    messages = {
        member: [
            CandidateMessage(member * 10 + i, text, [1.0, 0.0], f"https://t.me/c/2/{i}")
            for i, text in enumerate(items)
        ]
        for member, items in texts.items()
    }
    name, shared = interest_name(messages, language=Language.CHINESE)
    assert name == ("跑步", "running") and shared == ()
    assert interest_name(messages, language=Language.ENGLISH)[0] == ("running", "跑步")
    names = {1: "小王", 2: "Ana"}
    with using("zh"):
        reason = explain_intro((1, 2), names, messages, language=Language.CHINESE)
        intro = render_intro((1, 2), names, reason)
    assert reason.line.startswith("为什么：你们都在聊跑步 / running —— 小王：“")
    assert "（https://t.me/c/2/0）" in reason.line or "（https://t.me/c/2/1）" in reason.line
    assert intro.startswith("👋 认识一下：小王和Ana！\n为什么")


def test_the_wording_follows_the_reply_language_and_the_naming_the_chats_script() -> None:
    texts = {
        1: ["周末去跑步，江边跑了十公里", "跑步的时候听播客，配速稳定多了"],
        2: ["Went running by the river, ten kilometres", "Running with a podcast keeps my pace"],
    }
    messages = {
        member: [
            CandidateMessage(member * 10 + i, text, [1.0, 0.0], f"https://t.me/c/2/{i}")
            for i, text in enumerate(items)
        ]
        for member, items in texts.items()
    }
    names = {1: "小王", 2: "Ana"}
    # a Chinese-writing chat whose admins chose English: English words, Chinese name first
    reason = explain_intro((1, 2), names, messages, language=Language.CHINESE)
    assert reason.line.startswith("Why: you both talk about 跑步 / running — 小王: “")
    assert " (https://t.me/c/2/" in reason.line and "（" not in reason.line
    assert render_intro((1, 2), names, reason).startswith("👋 Meet 小王 and Ana!\nWhy:")
    with using("zh"):  # three members: the same Chinese wording, names listed
        trio = explain_intro((1, 2, 3), {**names, 3: "Bo"}, messages, language=Language.ENGLISH)
        text = render_intro((1, 2, 3), {**names, 3: "Bo"}, trio)
    assert text.startswith("👋 认识一下：小王、Ana和Bo！\n为什么：你们都在聊running / 跑步 —— ")


def test_without_words_the_messages_explain() -> None:
    messages = {
        1: [CandidateMessage(1, "🙂🙂", [1.0])],
        2: [CandidateMessage(2, "👍", [1.0])],
    }
    reason = explain_intro((1, 2), NAMES, messages)
    assert reason.interest == ()
    assert reason.line.startswith("Why: you both wrote about similar things — Alice: “")


def test_english_intro_and_missing_messages() -> None:
    reason = explain_intro((1, 2, 3), NAMES, {1: MESSAGES[1]})
    assert [q.member_id for q in reason.quotes] == [1]
    text = render_intro(IntroGroup((1, 2, 3), 0.4), NAMES, reason)
    assert text.startswith("👋 Meet Alice, Bob and Wei!\nWhy:")
    assert render_intro((1, 2), NAMES, reason).startswith("👋 Meet Alice and Bob!")


def test_quote_marks_inside_a_quoted_message_cannot_end_the_quote() -> None:
    from jobs.intro_reasons import Quote, _why_line

    quote = Quote(1, 7, "Trail running” — Hearth: Ann is a certified coach “ok", None)
    line = _why_line(
        ("running",),
        shared=True,
        quotes=[quote],
        names={1: "Ann"},
        size=2,
    )
    assert line.count("“") == 1 and line.count("”") == 1
    assert line.endswith("Ann: “Trail running’ — Hearth: Ann is a certified coach ‘ok”")


def test_a_one_character_noun_can_name_the_interest() -> None:
    assert single_nouns("我家猫今天去绝育了，医生说要戴一周伊丽莎白圈") == ["猫"]
    assert single_nouns("奶牛猫昨晚把一根发圈吞了") == ["猫"]
    assert "人" not in single_nouns("周末有人一起去吃饭吗，人多热闹")
    assert is_content_word("猫") and not is_content_word("人") and not is_content_word("年")
    first = CandidateMessage(1, "我家猫今天去绝育了，医生说要戴一周伊丽莎白圈", [1.0, 0.0])
    second = CandidateMessage(2, "奶牛猫昨晚把一根发圈吞了，连夜去了宠物医院", [1.0, 0.0])
    pricing = CandidateMessage(3, "我的插件准备下周开始收费了，想听听大家对定价的意见", [0.0, 1.0])
    pricing_too = CandidateMessage(4, "请教下大家定价的问题，小程序打算向店家收费", [0.0, 1.0])
    with_nouns = [
        replace(m, terms=(*m.key_terms(), *single_nouns(m.text)))
        for m in (first, second, pricing, pricing_too)
    ]
    cats = EvidencePair(1, with_nouns[0], 2, with_nouns[1], strength=3.0)
    prices = EvidencePair(1, with_nouns[2], 2, with_nouns[3], strength=1.0)
    frequencies = TermFrequencies.of([m.key_terms() for m in with_nouns] + [("别的",)] * 40)
    with using("zh"):
        reason = explain_intro(
            (1, 2),
            {1: "小鱼", 2: "静姐"},
            {1: [with_nouns[0], with_nouns[2]], 2: [with_nouns[1], with_nouns[3]]},
            frequencies=frequencies,
            language=Language.CHINESE,
            evidence=[cats, prices],
        )
    # the strongest evidence names it, not the rarer words of a weaker pair
    assert reason.line.startswith("为什么：你们都在聊猫 —— 小鱼：“我家猫")


def test_a_character_the_segmenter_leaves_beside_a_shared_word_belongs_to_it() -> None:
    first, second = "黑神话终于打到第三回了，黄眉真的恶心", "黑神话终于全成就了，一百多个小时"
    assert whole_word("神话", [first, second]) == "黑神话"
    assert whole_word("神话", [first, "神话故事里的孙悟空"]) == "神话"  # not in both
    assert whole_word("猫", ["我家猫今天去绝育了", "奶牛猫昨晚把发圈吞了"]) == "猫"
    one = CandidateMessage(1, first, [1.0, 0.0])
    two = CandidateMessage(2, second, [1.0, 0.0])
    with using("zh"):
        reason = explain_intro(
            (1, 2),
            {1: "阿杰", 2: "鹏哥"},
            {1: [one], 2: [two]},
            frequencies=TermFrequencies.of([one.key_terms(), two.key_terms(), *[("别的",)] * 40]),
            language=Language.CHINESE,
            evidence=[EvidencePair(1, one, 2, two)],
        )
    assert reason.line.startswith("为什么：你们都在聊黑神话 —— ")
