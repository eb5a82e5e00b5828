"""Key words that set one group of messages apart from the others (class-based TF-IDF)."""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import cache, lru_cache

from jobs.languages import HAN
from jobs.text_cues import key_terms

TIME_WORDS = frozenset(
    """周一 周二 周三 周四 周五 周六 周日 周天 周末 星期一 星期二 星期三 星期四 星期五 星期六
    星期日 星期天 礼拜天 下周 上周 本周 这周 下次 上次 这次 下回 每次 今天 明天 后天 今晚 明晚 昨晚
    今早 明早 早上 上午 中午 下午 晚上 傍晚 凌晨 半夜 最近 刚才 刚刚 待会 等会 回头 马上
    以后 之后 之前 月初 月底 年底 年初 今年 明年 去年 这个月 下个月 上个月
    monday tuesday wednesday thursday friday saturday sunday weekend weekday weekdays tonight
    morning afternoon evening night week weeks month months year years later soon earlier next last
    mon tue wed thu fri sat sun""".split()
)
"""Words of time: part of a plan, but never what a topic is about."""

_NOT_SUBJECT_TAGS = frozenset("m q t r d c u p y e o f".split())
"""Parts of speech that never name a subject: numbers and measures (一碗, 七岁), time,
pronouns, adverbs, conjunctions, particles, prepositions, interjections, directions."""
_EN_NOT_SUBJECT = frozenset(
    """anyone anybody someone somebody everyone everybody nobody people person guys folks
    thing stuff kind sort bit way lot lots one ones other others else ever never always
    usually often sometimes probably maybe almost already quite rather enough""".split()
)
"""English words that point at someone or something without naming it."""
_EITHER_OR = re.compile(r"(.)[不没]\1|^没|^不")


@cache
def _tagger() -> object:
    import jieba  # noqa: PLC0415 - slow to load: only when needed
    import jieba.posseg  # noqa: PLC0415

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg.dt


@lru_cache(maxsize=65536)
def names_a_subject(term: str) -> bool:
    """Whether a key term can name what a topic is about.

    Not a word of time, nor an English word that only points ("anyone",
    "stuff"), nor a Chinese word that is a number or measure,
    a pronoun, an adverb or another function word (by its part of speech),
    nor a question or negation (需不需要, 没定).
    """
    if term in TIME_WORDS or term in _EN_NOT_SUBJECT:
        return False
    if not HAN.search(term):
        return True
    if _EITHER_OR.search(term):
        return False
    pairs = list(_tagger().cut(term))  # type: ignore[attr-defined]
    return bool(pairs) and pairs[0].flag[:1] not in _NOT_SUBJECT_TAGS


def terms_per_message(texts: Sequence[str]) -> list[frozenset[str]]:
    """The distinct key terms of each text (see :func:`jobs.text_cues.key_terms`)."""
    return [frozenset(key_terms(text)) for text in texts]


def distinctive_terms(
    groups: Sequence[Sequence[frozenset[str]]], *, top: int = 5, min_messages: int = 2
) -> list[tuple[str, ...]]:
    """The ``top`` key terms of each group of messages, most distinctive first.

    Each group is a list of messages, each message its set of terms. A term
    scores ``tf * log(1 + A / f)``: ``tf`` the share of the group's messages
    that use it, ``f`` how many messages use it across all groups and ``A``
    the average group size, so words every group uses sink. A term must
    appear in ``min_messages`` messages of the group (or in all of a smaller
    group's messages) to count.
    """
    total: Counter[str] = Counter()
    per_group: list[Counter[str]] = []
    for messages in groups:
        counts: Counter[str] = Counter()
        for terms in messages:
            counts.update(terms)
        per_group.append(counts)
        total.update(counts)
    average = sum(len(messages) for messages in groups) / max(1, len(groups))
    result: list[tuple[str, ...]] = []
    for messages, counts in zip(groups, per_group, strict=True):
        size = max(1, len(messages))
        needed = min(min_messages, size)
        scored = [
            (count / size * math.log(1.0 + average / total[term]), term)
            for term, count in counts.items()
            if count >= needed
        ]
        scored.sort(key=lambda item: (-item[0], -len(item[1]), item[1]))
        result.append(tuple(term for _, term in scored[:top]))
    return result
