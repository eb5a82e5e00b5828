"""Small talk: greetings, thanks, acks, laughter and emoji say nothing about a subject."""

from __future__ import annotations

import pytest

from jobs.keywords import names_a_subject
from jobs.small_talk import MIN_SUBSTANCE, is_small_talk, substance

NAMES = ("王磊", "陈静", "何志远", "Tom", "Ana Lima")


@pytest.mark.parametrize(
    "text",
    [
        "哈哈哈哈",
        "辛苦静姐🌹",
        "好的，王磊辛苦",
        "欢迎Tom～",
        "老何好！",
        "收到～",
        "+1",
        "👍👍",
        "[图片]",
        "[动画表情]",
        "好呀好呀",
        "早上好各位☀️",
        "谢谢大佬🙏",
        "哈哈哈哈重在过程",
        "lol same",
        "Thanks Tom!",
        "Great, thanks Ana!",
        "ok 👌",
        "Here! Sorry guys",
        "hahaha nice",
        "That's awesome, congrats!!",
        "https://example.com/photo.jpg",
    ],
)
def test_small_talk_is_recognised_in_both_languages(text: str) -> None:
    assert is_small_talk(text, NAMES), substance(text, NAMES)


@pytest.mark.parametrize(
    "text",
    [
        "Docker镜像太大了，部署要十分钟",
        "下周六去青篁岭，早上8点地铁站集合",
        "周六我值班，下次吧",
        "几点集合？",
        "Do you need a permit for Skyline Ridge?",
        "Friday works for me.",
        "哈哈，我用的是certbot自动续期",
        "Thanks! The GDPR webhook was new to me",
        "build fails on arm64 again",
    ],
)
def test_messages_that_say_something_are_not_small_talk(text: str) -> None:
    assert not is_small_talk(text, NAMES), substance(text, NAMES)


def test_names_and_forms_of_address_say_nothing() -> None:
    assert substance("王磊 陈静", NAMES) == 0
    assert substance("静姐 老何 小王", NAMES) < MIN_SUBSTANCE
    # without the names, the same words would count
    assert substance("王磊 陈静") >= MIN_SUBSTANCE
    # an English name counts only as a whole word: "tomorrow" is not "Tom"
    assert substance("tomorrow", NAMES) == substance("tomorrow")


def test_substance_grows_with_what_is_said() -> None:
    short = substance("部署失败", NAMES)
    longer = substance("部署失败，镜像拉取超时，换了国内源也不行", NAMES)
    assert 0 < short < longer
    assert substance("deploy fails", NAMES) < substance("deploy fails on the arm64 runner", NAMES)
    # laughter and thanks around a statement do not add to it
    assert substance("哈哈哈哈部署失败了谢谢", NAMES) == substance("部署失败了", NAMES)


@pytest.mark.parametrize(
    ("term", "names_it"),
    [
        ("镜像", True),
        ("搬家", True),
        ("docker", True),
        ("一碗", False),
        ("七岁", False),
        ("周六", False),
        ("需不需要", False),
        ("anyone", False),
        ("weekend", False),
    ],
)
def test_only_some_key_words_can_name_a_subject(term: str, names_it: bool) -> None:
    assert names_a_subject(term) is names_it
