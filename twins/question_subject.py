"""What a question is about: the things it names, which an answer must speak of.

"What did you get for your sister's birthday?" is about a sister and a birthday;
a message about a brother's birthday does not answer it, however close its
meaning. :func:`subject_words` picks those words out of a question: in English
the words of its noun phrases (after "the", "a", "your", "'s", ...) and the
owners before "'s"; in Chinese what it opens with or names after 的, 你家 or 那
("你家狗叫啥名字" → 狗), and the nouns jieba's tagger finds. The slot the
question asks to fill is left out ("what *pets* do you have?" is answered by
"a dog and a cat"), and so are nouns that only name a kind of answer (name,
type, brand, 名字, 型号); names of people are weighed apart. Rules, no model:
cheap enough for every question. :func:`subject_share` tells how many of the
words a set of texts holds, by their keyword ids.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from memory.keywords import keyword_encoder
from twins.scripts import CJK
from twins.text_cache import TextCache

SUBJECT_WORDS = 3
"""At most this many words of one noun phrase count (the last ones: its head nouns)."""

_DETERMINER = (
    r"(?:the|a|an|his|her|their|your|my|its|our|this|that|these|those|some|any|"
    r"(?:\w+)['’]s)"
)
_PHRASE = re.compile(rf"\b{_DETERMINER}\s+(?=((?:[\w-]+\s+){{0,3}}[\w-]+))", re.IGNORECASE)
"""A noun phrase after a determiner or possessive (looked ahead: phrases may nest)."""
_POSSESSOR = re.compile(r"\b([a-z][\w-]*)['’]s\b")
_ASKED_SLOT = re.compile(
    r"\b(?:what|which|how\s+many|how\s+much)\s+(?:(?:kind|kinds|type|types|sort|sorts)\s+of\s+)?"
    r"((?:[\w-]+\s+){0,2}[\w-]+)",
    re.IGNORECASE,
)
_STOP = frozenset(
    """
    a an the and or but of to in on at for with from by about into over after before during
    since until as than then so if is are was were be been being am do does did done doing
    has have had having will would can could should shall may might must not no
    what which who whom whose when where why how i me my you your he him his she her it its we
    us our they them their this that these those there here some any all each every other
    another such own same much many more most few lot lots very really just also still ever
    never now recently lately currently usually often once yet again new old
    """.split()
)
"""Function words: a noun phrase ends before them."""
_GENERIC = frozenset(
    """
    one ones thing things something anything everything someone anyone everyone
    day days time times year years week weeks month months first last next best
    like likes liked go goes went gone going get gets got getting make makes made making
    take takes took taken say says said tell told think thought feel felt want wanted
    new old big small little good great
    """.split()
)
"""Words that name no subject: time words, common verbs and adjectives."""
_KIND_WORDS = frozenset(
    """
    name names type types kind kinds sort sorts brand brands model models color colour colors
    colours size sizes number numbers price age job jobs favorite favourite favorites
    favourites reason reasons way ways idea ideas plan plans part parts
    """.split()
)
"""Nouns that only name the kind of answer wanted, which the answer itself replaces."""

_ZH_ASKED = re.compile(
    r"(?:什么|啥|哪[个种家款位所些]?|几[个种只台款]?|多少)([\u4e00-\u9fff]{1,4})"
)
"""The slot a Chinese question asks to fill: "什么宠物" is answered by "一只猫"."""
_ZH_OPENERS = frozenset("的 你家 您家 你那 你这 那 这 那个 这个 你的 您的".split())
"""Words after which a Chinese question names its thing: "你家狗叫啥名字" → 狗."""
_ZH_BREAKS = re.compile(
    r"^(?:叫|是|用|在|有|几|多|什么|啥|哪|吗|了|呢|的|怎|为|要|会|能|去|来|给|跟|和|从|"
    r"还|也|都|就|又|最|先|后|被|把|对|让|像|买|做|养|住|上|看)|[^\u4e00-\u9fff]"
)
"""Words that end the thing a question names (verbs, particles, question words)."""
_ZH_NUMBER = re.compile(
    r"^(?:[第几一二两三四五六七八九十百千万半零\d]|[那这哪每][个台只位家件本条])"
)
"""Counts and pointers ("第一次", "那台"), which name no thing."""
_ZH_NO_SUBJECT = frozenset(
    "你 您 我 他 她 它 你们 我们 他们 家 人 "
    "现在 最近 以前 平时 今年 去年 明年 当时 后来 之前 之后 一般 还 也 都 又 就".split()
)
"""Pronouns, time words and adverbs: a question that opens with them names no thing yet."""
_ZH_NOUN_TAGS = frozenset({"n", "nz", "ng", "nt", "ns", "vn"})
"""Nouns, places and organisations; names of people are weighed apart."""
_ZH_KIND_WORDS = frozenset(
    "名字 名称 型号 牌子 品牌 种类 类型 颜色 大小 尺寸 价格 价钱 年龄 专业 工作 职业 东西 "
    "事情 时候 时间 地方 原因 问题 情况 意思 打算 计划 方法 办法 感觉 样子".split()
)


def _latin_subject(question: str) -> tuple[str, ...]:
    asked: set[str] = set()
    for match in _ASKED_SLOT.finditer(question):
        for word in match.group(1).lower().split():
            if word in _STOP:
                break
            asked.add(word)
    words: list[str] = []
    for match in _PHRASE.finditer(question):
        phrase = []
        for word in match.group(1).split():
            if word.lower() in _STOP:
                break
            if word.lower() not in _GENERIC:
                phrase.append(word.lower())
        words += phrase[-SUBJECT_WORDS:]
    words += [w.lower() for w in _POSSESSOR.findall(question)]
    return tuple(
        dict.fromkeys(
            w
            for w in words
            if w not in _STOP and w not in _GENERIC and w not in _KIND_WORDS and w not in asked
        )
    )


def _chinese_subject(question: str) -> tuple[str, ...]:
    import jieba.posseg  # noqa: PLC0415 - slow to load: only for Chinese questions

    asked = set()
    for match in _ZH_ASKED.finditer(question):
        asked |= {pair.word for pair in jieba.posseg.cut(match.group(1))}
    words = _zh_named(question)
    words += [
        pair.word.lower()
        for pair in jieba.posseg.cut(question)
        if pair.flag in _ZH_NOUN_TAGS and len(pair.word) > 1
    ]
    return tuple(
        dict.fromkeys(
            w
            for w in words
            if w not in asked and w not in _ZH_KIND_WORDS and w not in _STOP and w.strip()
        )
    )


def _zh_named(question: str) -> list[str]:
    """The words a Chinese question opens with, or names after 的 / 你家 / 那 (up to a verb,
    particle or question word)."""
    import jieba  # noqa: PLC0415 - slow to load: only for Chinese questions

    tokens = jieba.lcut(question)
    named: list[str] = []
    for at, token in enumerate(tokens):
        if (at and tokens[at - 1] not in _ZH_OPENERS) or (not at and token in _ZH_OPENERS):
            continue
        word = "" if token in _ZH_NO_SUBJECT else _before_break(token)
        if word and word not in _ZH_NO_SUBJECT and not _ZH_NUMBER.match(word):
            named.append(word)
    return named


def _before_break(token: str) -> str:
    """``token`` up to where a verb, particle or question word starts in it ("狗叫" → "狗")."""
    for at in range(len(token)):
        if _ZH_BREAKS.search(token[at:]):
            return token[:at]
    return token


def _subject(question: str) -> tuple[str, ...]:
    if CJK.search(question):
        latin = _latin_subject(CJK.sub(" ", question))
        return tuple(dict.fromkeys((*_chinese_subject(question), *latin)))
    return _latin_subject(question)


subject_words = TextCache(_subject, 4096)
"""The words naming what ``question`` is about (see the module docstring), lower-cased."""


def subject_share(words: Sequence[str], terms: Sequence[frozenset[int]]) -> float:
    """The share of ``words`` whose keyword ids are all among one of ``terms`` (each the
    keyword ids of a text), 1.0 when there are no words.

    Words are matched as the keyword encoder splits and stems them: "kids" holds "kid",
    "我家柯基三岁了" holds "柯基", "多云" does not hold "云".
    """
    if not words:
        return 1.0
    found = 0
    for word in words:
        ids = _word_terms(word)
        found += bool(ids) and any(ids <= held for held in terms)
    return found / len(words)


def _terms_of(text: str) -> frozenset[int]:
    return frozenset(keyword_encoder().document(text).indices)


_word_terms = TextCache(_terms_of, 4096)
