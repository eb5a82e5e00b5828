"""What a message says about itself: links, questions, decisions, key words.

Every rule here is a surface cue (punctuation, cue phrases in English and
Chinese), cheap enough to run on every message of a busy day.
"""

from __future__ import annotations

import logging
import re
from functools import cache

from jobs.languages import HAN, count_han

_URL = re.compile(
    r"""(?i)(?<![a-z0-9.])(?:https?://|www\.)[^\s<>"'`“”‘’（）《》「」【】，。！？、]+"""
)
_URL_TRAILING = ".,;:!?)]}>'\"*_~"

_EN_QUESTION_START = re.compile(
    r"(?i)^(?:@\w+[\s,:]+)*(?:"
    r"(?:what|why|how|when|where|who|whom|whose|which)(?!\s+(?:a|an)\b)(?=[\s']|$)"
    r"|(?:anyone|anybody|any\s+ideas?)\b"
    r"|(?:is|are|was|were)\s+(?:it|this|that|there|you|we|they|he|she)\b"
    r"|(?:do|does|did)\s+(?:you|we|i|they|he|she|it|anyone|anybody|someone|somebody)\b"
    r"|(?:can|could|would|should|will|shall)\s+"
    r"(?:you|we|i|someone|somebody|anyone|anybody|they|he|she|it)\b)"
)
_ZH_QUESTION_END = re.compile(r"[吗嘛呢][\s\W]*$")
_ZH_QUESTION_WORDS = re.compile(
    r"为什么|为啥|怎么|怎样|什么|啥时候|哪里|哪儿|哪个|哪些|哪天|谁|多少|几点|几个|几时|是否"
    r"|有没有|是不是|能不能|可不可以|要不要|会不会|对不对|好不好|行不行|有谁"
)
_STATEMENT_END = re.compile(r"[.!。！…~]\s*$")

_EN_DECISION = re.compile(
    r"(?i)\b(?:we(?:'ve| have)?\s+(?:all\s+)?(?:decided|agreed|settled)"
    r"|(?:it'?s|it\s+is)\s+(?:decided|settled|agreed)"
    r"|decision\s*(?:is|was|:)|final\s+decision|settled\s+on"
    r"|let'?s\s+go\s+with|we(?:'ll| will)\s+go\s+with"
    r"|agreed|consensus\s+is|we\s+have\s+(?:a\s+)?consensus|done\s+deal)(?!\w)"
)
_EN_NEGATION = re.compile(
    r"(?i)\b(?:not|never|no|haven'?t|hasn'?t|didn'?t|don'?t|doesn'?t|isn'?t|wasn'?t|aren'?t"
    r"|undecided|yet\s+to)\b[\w\s']{0,12}\b(?:decided|agreed|settled|decision|go\s+with|consensus)"
)
_ZH_DECISION = re.compile(
    r"决定|就这么定了|就这么办|就这样定|定下来|说定了|拍板|同意|一致认为|达成共识|达成一致|敲定"
    r"|确定了|那就这样|就按这个|就用这个|就选"
)
_ZH_NEGATION = re.compile(
    r"(?:没|没有|未|不|还没|尚未|别)(?:有)?(?:决定|定下来|同意|确定|敲定|拍板|达成)"
)


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


def find_urls(text: str) -> list[str]:
    """The web links in ``text``, in order, without trailing punctuation."""
    urls = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_URL_TRAILING)
        if url.lower().startswith("www."):
            url = "https://" + url
        if len(url) > len("https://"):
            urls.append(url)
    return urls


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
_SENTENCE_END = re.compile(r"(?<=[.!?。！？…])\s*")


def title_of(text: str, limit: int) -> str:
    """A title made of a message: leading small talk ("Wow, Mel!") dropped, then cut."""
    sentences = [part for part in _SENTENCE_END.split(" ".join(text.split())) if part]
    while len(sentences) > 1 and len(key_terms(sentences[0])) < 2:
        sentences.pop(0)
    return excerpt(" ".join(sentences), limit)


def _without_urls(text: str) -> str:
    return _URL.sub(" ", text)


def content_length(text: str) -> int:
    """How much a text says: Han characters count one each, other words one each."""
    text = _without_urls(text)
    return count_han(text) + len(_WORD.findall(HAN.sub(" ", text)))


def is_question(text: str) -> bool:
    """Whether a message asks something.

    A question ends with ``?`` or ``？`` (links and trailing emoji aside), or
    starts with an English question word (``what``, ``does``, ``anyone`` …), or
    is Chinese ending in a question particle (``吗``, ``呢`` …), or is Chinese
    with an interrogative (``为什么``, ``有没有`` …) and no closing full stop.
    """
    stripped = _without_urls(text).strip()
    if not stripped:
        return False
    tail = re.sub(r"[\s\W_]+$", "", stripped, flags=re.UNICODE)
    trailing = stripped[len(tail) :]
    if "?" in trailing or "？" in trailing:
        return True
    if _STATEMENT_END.search(stripped):
        return False
    last_sentence = re.split(r"[.!。！？?\n]", stripped.rstrip(".!。！ "))[-1].strip()
    if _EN_QUESTION_START.match(last_sentence) and not HAN.search(last_sentence):
        return True
    if HAN.search(last_sentence):
        return bool(_ZH_QUESTION_END.search(last_sentence)) or bool(
            _ZH_QUESTION_WORDS.search(last_sentence)
        )
    return False


def is_decision(text: str) -> bool:
    """Whether a message states a decision (``we decided``, ``let's go with``, ``决定`` …).

    Questions (``did we decide?``) and negated cues (``haven't decided``,
    ``还没决定``, ``不同意``) do not count.
    """
    if is_question(text):
        return False
    english = bool(_EN_DECISION.search(text)) and not _EN_NEGATION.search(text)
    chinese = bool(_ZH_DECISION.search(_ZH_NEGATION.sub("", text)))
    return english or chinese


@cache
def _jieba_tokenizer() -> object:
    import jieba  # noqa: PLC0415 - slow to load: only when needed

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.dt  # the process-wide tokenizer: one dictionary in memory, shared with twins


def _chinese_words(text: str) -> list[str]:
    tokenizer = _jieba_tokenizer()
    words: list[str] = list(tokenizer.cut(text))  # type: ignore[attr-defined]
    return words


def key_terms(text: str) -> list[str]:
    """The content words of a message, lower-cased, for key words and topic labels.

    English words of three letters or more that are not stop words; Chinese
    words of two characters or more (segmented with ``jieba``) that are not
    stop words. Links are left out.
    """
    text = _without_urls(text).lower()
    terms: list[str] = []
    has_han = HAN.search(text) is not None
    for chunk in re.split(f"({HAN.pattern}+)", text) if has_han else [text]:
        if not chunk:
            continue
        if HAN.match(chunk):
            terms.extend(
                word
                for word in _chinese_words(chunk)
                if len(word) >= 2 and word not in _ZH_STOPWORDS
            )
        else:
            for found in _EN_WORD.findall(chunk):
                word = found[:-2] if found.endswith("'s") else found
                if len(word) >= 3 and word not in _EN_STOPWORDS and not word.isdigit():
                    terms.append(word)
    return terms
