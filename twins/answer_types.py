"""What kind of answer a question wants, and whether a message holds an answer of that kind.

"How old is your corgi?" wants a number, "when did you go?" a time, "where do you
work?" a place, "who did you go with?" a person; a message about the corgi that
holds no number cannot tell its age, however close its topic. Questions that ask
"yes or no" (do you, have you, 吗) or "what/which X" have no such type.

:func:`expected_type` classifies a question (English and Chinese), and
:func:`holds_type` tells whether a text holds a token of a type: digits, Chinese
numerals and number words; dates, weekdays, clock times and relative days
(yesterday, 上周六); names of places and people (capitalised words, the names
jieba's tagger finds, place suffixes like 市/区/路/山, kin words like 妈妈 or
friend). Both are rules with no model, cheap enough to run on every candidate.
"""

from __future__ import annotations

import re
from enum import StrEnum

from twins.scripts import CJK
from twins.text_cache import TextCache


class AnswerType(StrEnum):
    """The kinds of answer a question may want."""

    NUMBER = "number"
    TIME = "time"
    PLACE = "place"
    PERSON = "person"


REQUIRED_TYPES = frozenset({AnswerType.NUMBER, AnswerType.PLACE})
"""Types a message must hold to answer a question that wants them. A time is not among them:
the message's own date may tell when; nor a person: "we went together" names nobody."""

# A question word counts only where a question clause starts (English) or anywhere (Chinese):
# "what did you do when it rained?" asks "what", not "when".
_CLAUSE = r"(?:^|(?<=[,.;:!?，。；：！？、\n])|(?<=\band ))\s*(?:@\S+\s+)?"
_EN_TYPES: tuple[tuple[AnswerType, re.Pattern[str]], ...] = (
    (
        AnswerType.TIME,
        re.compile(
            _CLAUSE + r"(?:when\b|since when\b|what time\b|"
            r"(?:what|which)\s+(?:day|date|year|month|week|weekend|time|season|hour)s?\b|"
            r"how long ago\b|at what (?:time|age)\b)",
            re.IGNORECASE,
        ),
    ),
    (
        AnswerType.NUMBER,
        re.compile(
            _CLAUSE + r"(?:how\s+(?:many|much|old|long|far|big|tall|large|heavy|fast)\b|"
            r"what\s+(?:age|size|price|number|percentage|score|grade)\b)",
            re.IGNORECASE,
        ),
    ),
    (
        AnswerType.PLACE,
        re.compile(
            _CLAUSE + r"(?:where\b|from where\b|"
            r"(?:what|which)\s+(?:city|country|town|place|state|province|district|"
            r"neighbou?rhood|park|restaurant|cafe|shop|store|school|university|"
            r"hospital|street|trail|beach|island)s?\b)",
            re.IGNORECASE,
        ),
    ),
    (
        AnswerType.PERSON,
        re.compile(_CLAUSE + r"(?:who\b|whom\b|whose\b|with whom\b)", re.IGNORECASE),
    ),
)
_ZH_TYPES: tuple[tuple[AnswerType, re.Pattern[str]], ...] = (
    (
        AnswerType.TIME,
        re.compile(
            r"什么时候|啥时候|什么时间|哪天|哪一天|哪日|哪年|哪一年|哪个月|几月|几号|几点|"
            r"星期几|周几|礼拜几|多久以前|多久前|何时"
        ),
    ),
    (
        AnswerType.NUMBER,
        re.compile(
            r"多少|几[岁个只次年天位口块门台本件公里米斤级层楼周个月]|多大|多久|多长|多远|多高|多重|多少钱|几"
        ),
    ),
    (
        AnswerType.PLACE,
        re.compile(
            r"哪里|哪儿|哪里|在哪|去哪|哪个(?:城市|地方|区|国家|省)|什么地方|哪座|哪家|何处|哪所|哪个学校"
        ),
    ),
    (AnswerType.PERSON, re.compile(r"谁|哪位|跟哪个|和哪个")),
)


def expected_type(question: str) -> AnswerType | None:
    """The kind of answer ``question`` wants, or ``None`` (yes/no, "what/which X", no question).

    The earliest question word decides; a time beats a number where both match at one
    place ("几点", "几号" are times).
    """
    found: list[tuple[int, int, AnswerType]] = []
    for order, (kind, pattern) in enumerate((*_EN_TYPES, *_ZH_TYPES)):
        match = pattern.search(question)
        if match:
            found.append((match.start(), order, kind))
    return min(found)[2] if found else None


# --- what a message holds ---------------------------------------------------------------------

_ZH_DIGIT = "零〇一二两三四五六七八九十百千万半"
_ZH_MEASURE = (
    "公里|千米|公斤|英里|小时|分钟|[岁块元毛角米斤克年月天日周次回遍秒号级层楼届圈趟万千百]"
)
"""Units after which any numeral is a quantity ("一岁", "三公里")."""
_ZH_CLASSIFIER = "[个只位本台件双张条家人口辆部套瓶杯碗顿场首篇页节门所间座棵盆种段]"
"""Counters after which a lone 一 is only "a" ("一个朋友"), while 两个, 三只 count."""
_NUMBER = re.compile(
    r"\d|[¥$€£%]|"
    rf"[{_ZH_DIGIT}]+[来多余]?个?\s*(?:{_ZH_MEASURE}|星期|礼拜|钟头)|"
    rf"(?:[{_ZH_DIGIT}]{{2,}}|[零〇二两三四五六七八九十百千万半])\s*{_ZH_CLASSIFIER}|"
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred|thousand|million|dozen|half|twice|once|"
    r"a couple|a few|several)\b",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"\d{1,4}\s*[/.-]\s*\d{1,2}|\d{1,2}:\d{2}|\d\s*(?:am|pm|a\.m\.|p\.m\.)|"
    r"\b(?:19|20)\d\d\b|"
    r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b|"
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan|feb|apr|jun|jul|aug|sept|oct|nov|dec)\b|"
    r"\b(?:yesterday|today|tonight|tomorrow|weekend|morning|afternoon|evening|noon|"
    r"midnight|ago|last (?:week|month|year|night)|next (?:week|month|year)|this (?:week|"
    r"month|year)|spring|summer|autumn|winter|christmas|new year)\b|"
    rf"[\d{_ZH_DIGIT}]+\s*(?:年|月|日|号|点钟|点半|点多|点前|点左右|点到)|\d+\s*点|"
    r"(?:星期|礼拜|周)[一二三四五六日天末]|"
    r"昨天|今天|明天|后天|前天|昨晚|今晚|明晚|今早|明早|昨儿|今儿|明儿|"
    r"[上下这本]个?(?:周|星期|礼拜|月)|去年|今年|明年|前年|年底|年初|月底|月初|月中|"
    r"早上|上午|中午|下午|傍晚|晚上|半夜|凌晨|清早|"
    r"春天|夏天|秋天|冬天|春节|过年|国庆|五一|端午|中秋|元旦|寒假|暑假",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\d{1,4}\s*[/.-]\s*\d{1,2}(?:\s*[/.-]\s*\d{1,4})?|\d{1,2}:\d{2}|"
    r"\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)|\b(?:19|20)\d\d\b\s*年?|\d{1,2}(?:st|nd|rd|th)\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|"
    rf"[\d{_ZH_DIGIT}]+\s*(?:月|日|号|点)(?:\s*[\d{_ZH_DIGIT}]+\s*(?:日|号|分))?",
    re.IGNORECASE,
)
"""Dates and clock times, whose digits count no quantity ("10月中旬" tells no size)."""
_CAPITALISED = re.compile(r"(?<=[\w,;:] )[A-Z][a-z]{2,}\b|\b[A-Z]{2,}\b")
_PLACE = re.compile(
    r"\b(?:in|at|to|from|near|into|around)\s+(?:the\s+)?[A-Z]|"
    r"\b(?:in|at|on|under|underneath|beneath|behind|beside|inside|outside|near|by|above|"
    r"below|between|next\s+to|on\s+top\s+of|in\s+front\s+of)\s+"
    r"(?:the|a|an|my|our|his|her|their|your|this|that|its)\b|"
    r"\b(?:upstairs|downstairs|outdoors|indoors)\b|"
    r"\b(?:home|downtown|park|beach|mall|school|office|gym|cafe|restaurant|store|shop|"
    r"library|church|hospital|station|airport|lake|mountain|museum|city|town|village|"
    r"street|road|center|centre|studio|market|club|campus|abroad|overseas|bay|trail|"
    r"river|company|hotel|airport)\b|"
    r"[\u4e00-\u9fff](?:省|市|区|县|镇|乡|村|路|街|巷|道|山|湖|河|江|岛|桥|寺|园|馆|站|店|"
    r"场|院|楼|厦|城|港|湾|门|口|坊|里|中心|广场|大学|中学|小学|学校|医院|公园|商场|小区|"
    r"景区|机场|公司|科技|集团|银行|物流|工作室)|"
    r"家里|家附近|楼下|楼上|附近|对面|旁边|这边|那边|老家|国外|外地|本地|"
    r"下面|底下|上面|里面|后面|前面|外面|里头|门口",
    re.IGNORECASE,
)
_PERSON = re.compile(
    r"\b(?:mom|mum|mother|dad|father|parents?|wife|husband|partner|boyfriend|girlfriend|"
    r"friends?|sister|brother|sibling|son|daughter|kids?|children|family|cousin|aunt|uncle|"
    r"grandma|grandpa|grandmother|grandfather|colleagues?|coworkers?|boss|teacher|"
    r"neighbou?rs?|roommate|classmates?|alone|someone)\b|"
    r"妈|爸|爹|娘|老婆|老公|媳妇|爱人|对象|男朋友|女朋友|朋友|同事|同学|室友|邻居|老板|"
    r"领导|老师|师傅|哥|姐|弟|妹|儿子|女儿|孩子|闺女|爷爷|奶奶|外公|外婆|姥姥|姥爷|叔|"
    r"阿姨|舅|姑|家人|全家|一个人|老[王李张刘陈杨赵黄周吴]|"
    r"小[王李张刘陈杨赵黄周吴]",
    re.IGNORECASE,
)
_PLACE_TAGS = frozenset({"ns", "nt"})
_PERSON_TAGS = frozenset({"nr", "nrfg", "nrt"})


def _tag(text: str) -> frozenset[str]:
    import jieba.posseg  # noqa: PLC0415 - slow to load: only for Chinese texts

    return frozenset(pair.flag for pair in jieba.posseg.cut(text) if len(pair.word) > 1)


_tags = TextCache(_tag, 20_000)
"""The part-of-speech tags of the words of a Chinese text, cached by the text's digest."""


def holds_type(text: str, kind: AnswerType) -> bool:
    """Whether ``text`` holds a token that could answer a question wanting ``kind``."""
    if kind is AnswerType.NUMBER:
        return bool(_NUMBER.search(_DATE.sub(" ", text)))
    if kind is AnswerType.TIME:
        return bool(_TIME.search(text))
    if kind is AnswerType.PLACE:
        if _PLACE.search(text) or _CAPITALISED.search(text):
            return True
        return bool(CJK.search(text)) and not _tags(text).isdisjoint(_PLACE_TAGS)
    if _PERSON.search(text) or _CAPITALISED.search(text):
        return True
    return bool(CJK.search(text)) and not _tags(text).isdisjoint(_PERSON_TAGS)
