"""The measure word a Chinese question counts with, which a Chinese answer must count with too.

Chinese puts a measure word between a number and what it counts: "几岁" is answered
by "三岁" or "八个月", "几年级" by "二年级", "几只猫" by "两只". A Chinese message
about the corgi that says "8点15出发" holds a number, but no age: it cannot tell how
old the corgi is. :func:`asked_measure` finds the measure a question counts with
(几岁, 多少公里; not 哪几个, which asks which ones), :func:`counts_with` whether a text
holds a number with that measure or one of its kind (a duration may be told in days
or weeks, a distance in 公里 or km). Only Chinese texts are held to it: an English
message says "she's 3" with no measure at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from twins.scripts import cjk_share

_NUMERAL = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万半几多数]+)"
_AGE = "岁|周岁|个月|月大"
_DURATION = "小时|个小时|钟头|个钟|分钟|天|日|周|星期|礼拜|个月|年|h\\b|min\\b"
_DISTANCE = "公里|千米|里|米|厘米|km\\b|k\\b|m\\b"
_WEIGHT = "斤|公斤|千克|克|kg\\b"
_FAMILIES = {
    "岁": _AGE,
    "口": "口人|口",
    "口人": "口人|口",
    "层": "层|楼",
    "楼": "层|楼",
    **dict.fromkeys(("个小时", "小时", "分钟", "天", "周", "星期", "个月", "年"), _DURATION),
    **dict.fromkeys(("公里", "千米", "里", "厘米", "米"), _DISTANCE),
    **dict.fromkeys(("公斤", "千克", "斤"), _WEIGHT),
}
"""Measures that answer one another: ask in one, answer in any of its kind."""
_MEASURES = (
    "岁|年级|口人|口|个小时|小时|分钟|天|周|星期|个月|年|公里|千米|里|厘米|米|公斤|千克|斤|"
    "层|楼|只|台|辆|套|本|件|双|张|条|部|瓶|杯|碗|首|篇|节|门|所|间|座|棵|盆"
)
"""Measure words a question may count with (longest first where one starts another). The
general ones (个, 位, 种, 次) are left out: "几个人去的？" may be answered by naming them."""
_ASKED = re.compile(rf"(?<!哪)几\s*({_MEASURES})|多少\s*({_MEASURES})")
_SHARE = 0.5
"""A text counts as Chinese when at least this share of its letters are CJK."""


@dataclass(frozen=True, slots=True)
class Measure:
    """A measure a question counts with, and the pattern of a number counted with its kind."""

    word: str
    pattern: re.Pattern[str]


def asked_measure(question: str) -> Measure | None:
    """The measure word a Chinese ``question`` counts with ("王磊的柯基几岁了？" → 岁), if any."""
    match = _ASKED.search(question)
    if match is None:
        return None
    word = match.group(1) or match.group(2)
    counted = re.compile(rf"{_NUMERAL}\s*(?:{_FAMILIES.get(word, re.escape(word))})", re.IGNORECASE)
    return Measure(word, counted)


def counts_with(text: str, measure: Measure) -> bool:
    """Whether ``text`` holds a number counted with ``measure`` (or its kind); a text that
    is not mostly Chinese always may (English counts without measure words)."""
    if cjk_share(text) < _SHARE:
        return True
    return measure.pattern.search(text) is not None
