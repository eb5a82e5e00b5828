"""The kind of answer a question wants, and whether a message holds one, in English and Chinese."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from memory.records import MemoryHit
from twins.answer_features import quotable
from twins.answer_types import AnswerType, expected_type, holds_type
from twins.retrieval import RankedHit, Retrieval

NUMBER, TIME, PLACE, PERSON = (
    AnswerType.NUMBER,
    AnswerType.TIME,
    AnswerType.PLACE,
    AnswerType.PERSON,
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How old is your corgi?", NUMBER),
        ("Tom, how many kids do you have?", NUMBER),
        ("How much did the bike cost?", NUMBER),
        ("how long is the trail?", NUMBER),
        ("When did you move to Shenzhen?", TIME),
        ("@bob what time does the market open?", TIME),
        ("Which day is the workshop?", TIME),
        ("Where do you work now?", PLACE),
        ("Which city is the internship in?", PLACE),
        ("Who did you go hiking with?", PERSON),
        ("With whom did she travel?", PERSON),
        ("王磊的柯基几岁了？", NUMBER),
        ("刘洋那双Hoka多少钱买的？", NUMBER),
        ("朵朵现在上几年级？", NUMBER),
        ("杨老板的儿子多大了？", NUMBER),
        ("周妍什么时候去的扬州？", TIME),
        ("物业办公室几点下班？", TIME),
        ("工作坊改到几号了？", TIME),
        ("刘阿姨哪天去的扬州？", TIME),
        ("韩雪是哪里人？", PLACE),
        ("高叔一般去哪钓鱼？", PLACE),
        ("七七的实习在哪个城市？", PLACE),
        ("你周末和谁一起去的？", PERSON),
    ],
)
def test_questions_that_want_a_kind_of_answer(question: str, kind: AnswerType) -> None:
    assert expected_type(question) is kind


@pytest.mark.parametrize(
    "question",
    [
        "Do you have a cat?",
        "Tom, are you allergic to pollen?",
        "Have you been to Hangzhou?",
        "What did you paint last week?",
        "Which plants are on your balcony?",
        "What did you do when it rained?",
        "刘洋养猫吗？",
        "孙浩结婚了吗？",
        "杨老板养的是什么狗？",
        "吴倩的猫是公的还是母的？",
        "孙浩店里有没有小孩用的登山杖？",
    ],
)
def test_yes_no_and_what_questions_have_no_type(question: str) -> None:
    assert expected_type(question) is None


def test_the_earliest_question_word_decides() -> None:
    assert expected_type("Where did you go, and when?") is PLACE
    assert expected_type("When did you go, and where?") is TIME
    assert expected_type("金浩新工作在哪，哪天开始上班？") is PLACE


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Biscuit turned 3 in March.", NUMBER),
        ("She is two years old now.", NUMBER),
        ("It was twice as expensive as last time.", NUMBER),
        ("可乐两岁半了。", NUMBER),
        ("养了十来年了，不难", NUMBER),
        ("朵朵上二年级了，5月3日开学", NUMBER),
        ("那双鞋花了八百多块。", NUMBER),
        ("我家有三个孩子。", NUMBER),
        ("We met on Saturday.", TIME),
        ("I went there yesterday with my sister.", TIME),
        ("The talk is at 7:30 on 5/12.", TIME),
        ("我上周六去的。", TIME),
        ("5月4日出发，早上七点集合。", TIME),
        ("物业五点半下班。", TIME),
        ("I work at a small studio downtown.", PLACE),
        ("We moved to Hangzhou last spring.", PLACE),
        ("我在西湖区上班。", PLACE),
        ("店搬到莫干山路218号了。", PLACE),
        ("我是南京人。", PLACE),
        ("I hid the spare key under the flat stone by the shed.", PLACE),
        ("Got it on my heel, new boots.", PLACE),
        ("钥匙在门口的花盆底下。", PLACE),
        ("I went with my brother.", PERSON),
        ("The trip was with Anna and Mark.", PERSON),
        ("跟我老婆一起去的。", PERSON),
        ("和王磊一起去的。", PERSON),
    ],
)
def test_messages_that_hold_a_kind_of_answer(text: str, kind: AnswerType) -> None:
    assert holds_type(text, kind)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("My corgi loves the beach.", NUMBER),
        ("去的，造物间报了摊位，10月中旬", NUMBER),  # a date counts no quantity
        ("Flight moved to Dec 18, at 6pm.", NUMBER),
        ("我家可乐是一只柯基，特别能吃。", NUMBER),
        ("等我一下，马上就来。", NUMBER),
        ("I love the pottery class so much.", TIME),
        ("快一点吧，我们都饿了。", TIME),
        ("我家柯基特别能吃。", TIME),
        ("I really like it, the views are great.", PLACE),
        ("这个真好吃，推荐大家试试。", PLACE),
        ("That sounds like a great idea.", PERSON),
        ("这款键盘手感不错。", PERSON),
    ],
)
def test_messages_without_that_kind_of_answer(text: str, kind: AnswerType) -> None:
    assert not holds_type(text, kind)


def _found(query: str, texts: list[str]) -> Retrieval:
    moment = datetime(2026, 5, 20, 12, tzinfo=UTC)
    hits = [
        RankedHit(MemoryHit(i, 1, 1, moment, text, 0.8), 0.8, 0.8, 0.0)
        for i, text in enumerate(texts)
    ]
    return Retrieval(query, [1.0], hits, pool=[h.hit for h in hits])


def test_a_message_without_the_number_or_place_asked_for_is_not_quotable() -> None:
    corgi = ["我家可乐是一只柯基，特别能吃。", "可乐今年三岁了。", "可乐最喜欢去哪玩？"]
    balcony = ["My balcony gets sun all afternoon.", "We moved to Hangzhou in May."]

    assert quotable(_found("王磊的柯基几岁了？", corgi)) == [False, True, False]
    assert quotable(_found("你家柯基叫什么？", corgi)) == [True, True, False]
    assert quotable(_found("Where do you live now?", balcony)) == [False, True]
    # Only what the message states counts: "which company?" names none.
    work = ["Kevin是哪家新加坡公司呀？招不招嵌入式的", "我在远航物流做HR"]
    assert quotable(_found("郭鹏在哪家公司上班？", work)) == [False, True]
    # A time may come from the message's own date: it is not required.
    assert quotable(_found("When did you move?", balcony)) == [True, True]
