"""Question cues: every sentence of a message, in English and Chinese, without false alarms."""

from __future__ import annotations

import pytest

from jobs.question_cues import (
    acknowledges,
    is_banter,
    is_idle_question,
    is_non_answer,
    is_question,
    opens_like_answer,
    question_sentences,
    settles_own_question,
    split_sentences,
)


@pytest.mark.parametrize(
    ("text", "asking"),
    [
        # the question is not the last sentence
        (
            "有人用过 Tauri 吗？图标在 Safari 上显示不出来，很奇怪",
            ["有人用过 Tauri 吗？"],
        ),
        (
            "Anyone tried Bun in production? Curious how it handles memory.",
            ["Anyone tried Bun in production?"],
        ),
        ("有人用过 Tauri 吗，图标是空白的。", ["有人用过 Tauri 吗，图标是空白的。"]),
        ("我在看 Vite 的文档。有人知道怎么配代理吗", ["有人知道怎么配代理吗"]),
        ("Deploy went fine. Is there a way to skip it", ["Is there a way to skip it"]),
        ("The build is green! how do we tag the release", ["how do we tag the release"]),
    ],
)
def test_questions_anywhere_in_the_message(text: str, asking: list[str]) -> None:
    assert is_question(text)
    assert question_sentences(text) == asking


@pytest.mark.parametrize(
    "text",
    [
        "周末去不去爬山",
        "这个库支持 Windows 么",
        "那你呢",
        "这样写没问题，对吧",
        "请问周六几点集合",
        "求推荐一个好用的 markdown 编辑器",
        "不知道有没有人用过 Deno",
        "哪家火锅店比较好",
        "部署要多少钱",
        "是否需要提前报名",
        "谁有 Figma 的教育账号",
        "Ana, could you share the slides",
        "I wonder if the venue has parking",
        "hey, does anyone have a spare HDMI cable",
        "Have you tried the new release",
        "any recommendations for a mechanical keyboard",
        "how about Friday",
        "Why the delay",
    ],
)
def test_questions_without_a_question_mark(text: str) -> None:
    assert is_question(text)


@pytest.mark.parametrize(
    "text",
    [
        # question words as indefinites or in embedded clauses
        "我只关心文档好不好读",
        "不知道为什么就好了",
        "我也不知道谁会来。",
        "谁都可以，随便",
        "没什么大不了的",
        "怎么说呢，还行",
        "哪怕下雨也去",
        "这几天好忙",
        "十几个人报名了",
        "多少有点贵",
        "我们研究一下怎么部署",
        "他怎么都不肯来",
        "我还在加班呢",
        "what a day",
        "whatever works",
        "I know how it works",
        "When I got there it was closed",
        "How cool!",
        "Anyone can join, it's free",
    ],
)
def test_statements_with_question_words_are_not_questions(text: str) -> None:
    assert not is_question(text)
    assert question_sentences(text) == []


def test_sentences_keep_their_marks_and_numbers() -> None:
    assert split_sentences("v1.2 is out. Try it! 好用吗？好的\nok") == [
        "v1.2 is out.",
        "Try it!",
        "好用吗？",
        "好的",
        "ok",
    ]
    assert question_sentences("see https://example.com/?q=1 and tell me") == []


@pytest.mark.parametrize(
    "sentence",
    ["How are you all?", "how's it going?", "大家好吗？", "在吗？", "对吧？", "谁知道呢", "right?"],
)
def test_greetings_tags_and_rhetorical_questions_are_small_talk(sentence: str) -> None:
    assert is_idle_question(sentence)


@pytest.mark.parametrize(
    "sentence",
    ["How are we getting to the trailhead?", "在哪里集合？", "Who knows the wifi password?"],
)
def test_real_questions_are_not_small_talk(sentence: str) -> None:
    assert not is_idle_question(sentence)


def test_settled_thanked_and_answer_shaped() -> None:
    assert settles_own_question("算了我自己查到了")
    assert settles_own_question("nvm, figured it out")
    assert not settles_own_question("still broken for me")
    assert acknowledges("谢谢，我试试")
    assert acknowledges("got it, thanks!")
    assert not acknowledges("the build failed again")
    assert opens_like_answer("用过，图标要用 icns 格式")
    assert opens_like_answer("yes, we run it in production")
    assert not opens_like_answer("the football match went to penalties")


@pytest.mark.parametrize(
    "text",
    [
        "不知道复审一般要多久，学期中间事情好多",
        "不知道二手相机在哪买比较靠谱",
        "想知道大家的小程序有没有做过地推 效果怎么样",
    ],
)
def test_wondering_aloud_asks_the_others(text: str) -> None:
    assert is_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "有投影的话还能搞几个 lightning talk",
        "换到了一本《当我谈跑步时我谈些什么》，应景",
        "我觉得还是看你想不想学东西",
        "测试一下机器人会不会当真",
        "我还在想做什么菜",
    ],
)
def test_titles_a_few_and_embedded_choices_ask_nothing(text: str) -> None:
    assert not is_question(text)


@pytest.mark.parametrize(
    "sentence",
    [
        "也是，谁知道呢哈哈",
        "我什么时候说过",
        "上一天班放三天，这是什么逻辑",
        "急什么，周五给你看",
        "你不是说周末要补觉吗",
        "你哪天不是周一 mood",
        "桐梓林？",
        "Tomorrow?",
        "Did I miss anything?",
    ],
)
def test_rhetorical_forms_and_echoes_are_small_talk(sentence: str) -> None:
    assert is_idle_question(sentence)


def test_emoji_close_a_sentence() -> None:
    assert split_sentences("别造谣啊😂 我什么时候说过") == ["别造谣啊😂", "我什么时候说过"]


def test_non_answers_and_banter() -> None:
    assert is_non_answer("我不懂这个，帮不了你哈哈")
    assert is_non_answer("no idea, never used it")
    assert not is_non_answer("用过，挺稳定的")
    assert is_banter("我只会吃😂") and is_banter("lol same")
    assert not is_banter("在倪家桥，离地铁站五分钟")


def test_a_title_at_the_end_of_a_sentence_asks_nothing() -> None:
    assert not is_question("确定：周四晚8点，大川讲《AI 工具怎么搭配用》")
    assert is_question("你看过《谁动了我的奶酪》吗")


def test_single_characters_do_not_open_answers() -> None:
    assert opens_like_answer("有啊，我用过") and opens_like_answer("没去过")
    assert not opens_like_answer("有点饿了") and not opens_like_answer("没想到你也在")


def test_a_request_to_count_is_not_a_question() -> None:
    assert not is_question("大家有书的可以先统计一下大概多少本，我这周去问问场地")
    assert not is_question("报名的人先登记一下几个人")
    assert is_question("大概有多少本书")
