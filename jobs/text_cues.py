"""What a message says about itself: links, questions, decisions, key words.

Every rule here is a surface cue (punctuation, cue phrases in English and
Chinese), cheap enough to run on every message of a busy day. Questions live
in :mod:`jobs.question_cues`, decisions in :mod:`jobs.decision_cues` and links
in :mod:`jobs.web_links`; their main functions are re-exported here.
"""

from __future__ import annotations

import logging
import re
from functools import cache

from jobs.decision_cues import is_decision
from jobs.languages import HAN, count_han
from jobs.question_cues import is_question, question_sentences
from jobs.web_links import find_urls, without_urls

__all__ = [
    "content_length",
    "excerpt",
    "find_urls",
    "is_decision",
    "is_question",
    "key_terms",
    "question_sentences",
]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_EN_WORD = re.compile(r"[a-z][a-z0-9'+#.-]*[a-z0-9+#]|[a-z]")
_EN_STOPWORDS = _words(
    """a about above after again against all also am an and any are aren't as at be because
    been before being below between both but by can can't cannot could couldn't did didn't do
    does doesn't doing don't down during each even ever every few for from further get gets
    got had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers
    herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its
    itself just know let's like lol lot lots make me more most much must my myself need no nor
    not now of off oh ok okay on once one only or other ought our ours ourselves out over own
    pretty really right same say see she she'd she'll she's should shouldn't so some still
    such sure than thank thanks that that's the their theirs them themselves then there
    there's these they they'd they'll they're they've thing things think this those though
    through to too under until up us use very want was wasn't way we we'd we'll we're we've
    well were weren't what what's when when's where where's which while who who's whom why
    why's will with won't would wouldn't yeah yes yet you you'd you'll you're you've your
    yours yourself yourselves going gonna go good great time day today tomorrow yesterday
    new back also actually maybe something anything everything nothing yep nope hey hi hello
    haha hahaha definitely totally awesome cool nice glad happy wow love"""
)
_ZH_STOPWORDS = _words(
    """我们 你们 他们 她们 它们 自己 大家 这个 那个 这些 那些 这样 那样 这么 那么 什么 怎么
    为什么 然后 就是 还是 但是 因为 所以 如果 虽然 而且 或者 可以 可能 应该 需要 已经 现在
    时候 今天 明天 昨天 一个 一下 一些 一点 一样 没有 不是 还有 觉得 知道 感觉 其实 所以说
    就是说 对吧 是吧 是的 好的 嗯嗯 哈哈 哈哈哈 谢谢 的话 东西 事情 问题 方面 这种 那种 这边
    那边 我们的 他的 她的 你的 非常 特别 比较 真的 当然 还是 只是 不过 以及 之后 之前 同时
    一直 一定 其他 这里 那里 有点 不会 不能 还要 大概 的确 确实 而是 哪个 怎样 多少 以后
    以前 进行 通过 包括 关于 对于 出来 起来 下来 上来 过来 回来 是不是 有没有 能不能"""
)


def excerpt(text: str, limit: int) -> str:
    """``text`` on one line, cut to at most ``limit`` characters with ``…``.

    The cut falls on a word boundary when there is one in the last fifth.
    """
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: max(1, limit - 1)]
    space = cut.rfind(" ")
    if space >= len(cut) * 4 // 5:
        cut = cut[:space]
    return cut.rstrip(" ,.;:，。；：、") + "…"


_WORD = re.compile(r"[^\W\d_]{2,}")


def content_length(text: str) -> int:
    """How much a text says: Han characters count one each, other words one each."""
    text = without_urls(text)
    return count_han(text) + len(_WORD.findall(HAN.sub(" ", text)))


@cache
def _jieba_tokenizer() -> object:
    import jieba  # noqa: PLC0415 - slow to load: only when needed

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.dt  # the process-wide tokenizer: one dictionary in memory, shared with twins


def chinese_words(text: str) -> list[str]:
    """The words of a Chinese text, as jieba segments it."""
    tokenizer = _jieba_tokenizer()
    words: list[str] = list(tokenizer.cut(text))  # type: ignore[attr-defined]
    return words


def key_terms(text: str) -> list[str]:
    """The content words of a message, lower-cased, for key words and topic labels.

    English words of three letters or more that are not stop words; Chinese
    words of two characters or more (segmented with ``jieba``) that are not
    stop words. Links are left out.
    """
    text = without_urls(text).lower()
    terms: list[str] = []
    has_han = HAN.search(text) is not None
    for chunk in re.split(f"({HAN.pattern}+)", text) if has_han else [text]:
        if not chunk:
            continue
        if HAN.match(chunk):
            terms.extend(
                word
                for word in chinese_words(chunk)
                if len(word) >= 2 and word not in _ZH_STOPWORDS
            )
        else:
            for found in _EN_WORD.findall(chunk):
                word = found[:-2] if found.endswith("'s") else found
                if len(word) >= 3 and word not in _EN_STOPWORDS and not word.isdigit():
                    terms.append(word)
    return terms
