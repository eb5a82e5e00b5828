"""The messages that tell what members care about, and vectors that compare across languages.

A member's interests show in their substantive messages only: greetings,
thanks, acknowledgements, wishes, compliments, emoji and short chit-chat say
nothing about what someone cares about (:func:`substantive_terms`). A message
that copies another member's (a sign-up list passed on with one more name) is
not its author's own words either (:func:`own_words`).

A multilingual embedder still places every English message on one side of
every Chinese one. :func:`neutral_vectors` projects out the directions from the
chat's mean to where each script's messages sit (:mod:`jobs.script_offsets`:
the embedder's fixed language centres, blended with the scripts' own means
as more messages back them); :class:`ScriptCalibration` then
puts the cosines of each pair of scripts on one scale (standard scores), as an
English and a Chinese message on the same subject are less alike than two
Chinese ones.

Pure and synchronous; vectors are float32 numpy arrays throughout.
"""

from __future__ import annotations

import logging
import math
import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from jobs.languages import HAN, Language, count_han, script_of
from jobs.script_offsets import MIN_SCRIPT_ROWS, ScriptCentres, offset_basis, script_offsets
from jobs.text_cues import key_terms
from jobs.vector_math import FloatMatrix, IntArray, as_float32, unit_rows, unit_rows_in_place
from jobs.web_links import without_urls

FloatArray = npt.NDArray[np.float32]

MIN_KEY_TERMS = 2
"""A substantive message has at least this many key terms once small talk is taken out."""
MIN_CONTENT = 8
"""... and at least this much content: a Han character or a number counts 1, another word 2."""

_SMALL_TALK = re.compile(
    r"(?i)"
    # Chinese greetings, thanks, acks, wishes and laughter
    r"哈{2,}|嘿{2,}|呵{2,}|嘻{2,}|嗯{1,}|哦{1,}|噢|喔|哇|耶|啊{1,}"
    r"|谢谢(?:你|您|大家|啦|了)?|多谢|感谢(?:大家|你|您)?|辛苦(?:了|啦)?|麻烦(?:了|你了|您了)"
    r"|欢迎(?:欢迎|新朋友|新人|加入)?|大家好|你好|您好|早上好|早安|午安|晚安|晚上好"
    r"|收到|好的|好滴|好嘞|好哒|好呀|好啊|没问题|可以的|了解|明白了?|懂了|对对对?|是的|同意|确实"
    r"|一路顺风|一路平安|注意安全|路上小心|玩得开心|恭喜(?:恭喜)?|\w{1,4}快乐"
    r"|加油|厉害了?|牛(?:啊|逼|哇|了)|赞{2,}|点赞|羡慕|期待|不客气|客气了|抱歉|不好意思"
    # compliments and exclamations: 太专业了, 好可爱, 真好看, 拍得真好
    r"|太\w{1,3}了|[好真超](?:可爱|漂亮|好看|美|厉害|专业|帅|香|棒|赞|贴心|用心|有感觉)"
    r"|\w得(?:真|太|好|很|超)?(?:好|棒|不错|漂亮)"
    # English
    r"|\b(?:thanks?(?: you)?(?: so much| all| everyone)?|thx|ty|cheers|welcome(?: aboard)?"
    r"|hi|hello|hey|morning all|good (?:morning|night|evening|afternoon)|gn|congrats"
    r"|congratulations|see you(?: (?:all|there|soon|then))?|sounds good|lol|lmao|haha\w*"
    r"|ok(?:ay)?|yes|yep|yeah|nope|sure|agreed|same|me too|nice one|well done|great job"
    r"|have fun|safe travels|take care|good luck|no worries|sorry|awesome|cool|nice|wow"
    r"|happy (?:new year|birthday|holidays?|[\w-]+ (?:day|festival))|merry christmas)\b"
    r"|\+1"
)


_GENERIC_TERMS = frozenset(
    """since ago anyone anybody someone somebody everyone everybody else last first next
    around across along almost already always never often sometimes usually probably
    enough another quite bit kind sort stuff guys folks week weekend weekends month year
    morning evening night tonight monday tuesday wednesday thursday friday saturday sunday
    minute minutes min hour hours ready done try tried trying said says tell told ask
    asked look looks looking seems feel feels getting take took put come coming came went
    gone give gave keep kept start started finally recently soon later earlier little
    big small old new best better worse fine wait post posted share shared check let
    saw see seen sees make made makes get gets got thing things one two three four five six
    seven eight nine ten second third update bad sure lot lots way ways people anything
    一只 一个 一种 一下子 一堆 一点点 不少 很多 好多 没定 还没 已经 今天 明天 昨天 我家 我们家 家里
    周一 周二 周三 周四 周五 周六 周日 周末 星期一 星期二 星期三 星期四 星期五 星期六
    星期日 星期天 上周 下周 这周 本周 上周末 下周末 今晚 明晚 昨晚 晚上 早上 上午 下午
    中午 最近 刚才 刚刚 一会 一会儿 小时 分钟 时间 有人 一起 看看 试试 怎么样 不错 挺好
    好像 第一次 第一个 一次 差不多 直接 主要 平时 之类 一般 喜欢 准备 打算 下次 上次
    这次 那次 今年 去年 明年 以上 左右 大概 终于 开始 结束 回来 出发 到了 感谢 辛苦 哈哈哈哈
    """.split()
)
"""Words about when, who and how much rather than what: no interest is named by them."""

_PLACEHOLDER = re.compile(r"\[[^\[\]\s]{1,12}\]")
"""What chat exports put for media: ``[图片]``, ``[视频]``, ``[Sticker]``."""


_LATIN_WORD = re.compile(r"[^\W\d_]{2,}")
_NUMBER = re.compile(r"\d+")


def _content(text: str) -> int:
    """How much a text says: Han characters and numbers 1 each, other words 2 each."""
    rest = HAN.sub(" ", without_urls(text))
    return count_han(text) + len(_NUMBER.findall(rest)) + 2 * len(_LATIN_WORD.findall(rest))


def substantive_terms(text: str) -> list[str] | None:
    """The distinct key terms of a substantive message, or ``None`` for small talk.

    Media placeholders and small-talk phrases (greetings, thanks, acks,
    wishes, laughter, in both languages) are taken out first, so
    "谢谢，周日跑了北京半马" still counts while "辛苦了🌹" or "Thanks, see you!" do
    not; what is left must hold ``MIN_KEY_TERMS`` distinct key terms and
    ``MIN_CONTENT`` of content.
    """
    return message_cues(text)[0]


def message_cues(text: str) -> tuple[list[str] | None, float]:
    """A message's :func:`substantive_terms` and :func:`evidence_weight`, in one pass."""
    rest = _SMALL_TALK.sub(" ", _PLACEHOLDER.sub(" ", text))
    content = _content(rest)
    weight = min(1.0, content / FULL_CONTENT)
    if content < MIN_CONTENT:
        return None, weight
    terms = [
        term
        for term in dict.fromkeys(key_terms(rest))
        if term not in _GENERIC_TERMS and not is_nickname(term)
    ]
    return (terms if len(terms) >= MIN_KEY_TERMS else None), weight


FULL_CONTENT = 16
"""Messages with this much content (see ``MIN_CONTENT``) count fully as evidence of an interest."""


def evidence_weight(text: str) -> float:
    """How much a message can tell about an interest, from 0 to 1: short ones tell less.

    Small talk and media placeholders are left out before measuring.
    """
    return message_cues(text)[1]


_NICKNAME = re.compile(
    r"^(?:[老小阿][\u4e00-\u9fff]|[\u4e00-\u9fff][哥姐总]|[\u4e00-\u9fff]{1,2}老师)$"
)
"""How Chinese speakers call each other: 老周, 小林, 阿杰, 鹏哥, 静姐, 王总, 李老师."""


def is_nickname(term: str) -> bool:
    """Whether a term is a way of calling someone (老周, 小林, 鹏哥…): no interest."""
    return bool(_NICKNAME.match(term))


@cache
def _dictionary() -> tuple[dict[str, int], int]:
    """The segmenter's word frequencies and their total (the process-wide dictionary)."""
    import jieba  # noqa: PLC0415 - slow to load: only when needed

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    frequencies: dict[str, int] = jieba.dt.FREQ
    return frequencies, max(1, int(jieba.dt.total))


def term_rarity(term: str) -> float:
    """How particular a Chinese word is in the language at large, from about 0.4 to 1.

    From the word frequencies of the segmenter's dictionary: "工作" or "一只"
    weigh about half of "翠鸟" or "绝育". Other words weigh 1.
    """
    if not HAN.search(term):
        return 1.0
    frequencies, total = _dictionary()
    return min(1.0, math.log(total / (frequencies.get(term, 0) + 1)) / _RARE_LOG)


_RARE_LOG = 14.0
"""``log(total / frequency)`` of a word the dictionary counts about 30 times in 60 million."""


def is_substantive(text: str) -> bool:
    """Whether a message says something (see :func:`substantive_terms`)."""
    return substantive_terms(text) is not None


def neutral_vectors(
    vectors: npt.ArrayLike,
    texts: Sequence[str],
    *,
    min_per_script: int = MIN_SCRIPT_ROWS,
    scripts: Sequence[Language | None] | None = None,
    overwrite: bool = False,
    centres: ScriptCentres | None = None,
) -> FloatMatrix:
    """Message vectors with the language and the chat's common direction taken out.

    The directions between the scripts (see :func:`jobs.languages.script_of`
    and :func:`jobs.script_offsets.script_offsets`: from the fixed ``centres``
    when given, else from the means of the scripts written in at least
    ``min_per_script`` of the messages) are projected out, then the overall
    mean is subtracted and the rows normalised again. ``scripts`` are the
    texts' scripts when already known. With ``overwrite``, a float32 matrix
    given is changed in place (no copy of many vectors).
    """
    if not len(texts):
        x = np.zeros((0, 0), dtype=np.float32)
    else:
        if (
            overwrite
            and isinstance(vectors, np.ndarray)
            and vectors.dtype == np.float16
            and len(vectors) == len(texts) >= 2
        ):
            return _neutral_half(vectors, texts, min_per_script, scripts, centres)
        x = unit_rows_in_place(vectors) if overwrite else unit_rows(vectors)
    if len(x) != len(texts):
        raise ValueError("give one text per vector")
    if len(x) < 2:
        return x
    mean = x.mean(axis=0, dtype=np.float64)
    known = scripts if scripts is not None else [script_of(text) for text in texts]
    written = np.asarray([str(script or "") for script in known])
    means, counts = {}, {}
    for script in Language:
        rows = written == str(script)
        counts[str(script)] = int(rows.sum())
        if counts[str(script)]:
            means[str(script)] = masked_mean(x, rows)
    basis = offset_basis(
        script_offsets(means, counts, mean, centres=centres, min_rows=min_per_script)
    )
    for start in range(0, len(x), _ROW_BLOCK):  # in place, a block of rows at a time
        centred = x[start : start + _ROW_BLOCK].astype(np.float64) - mean
        if basis is not None:
            centred -= (centred @ basis) @ basis.T
        x[start : start + _ROW_BLOCK] = centred
    for start in range(0, len(x), _ROW_BLOCK):
        block = x[start : start + _ROW_BLOCK]
        norms = np.linalg.norm(as_float32(block), axis=1, keepdims=True)
        np.divide(block, norms, out=block, where=norms > 0, casting="same_kind")
    return x


_ROW_BLOCK = 1 << 14


def _neutral_half(
    x: FloatMatrix,
    texts: Sequence[str],
    min_per_script: int,
    scripts: Sequence[Language | None] | None,
    centres: ScriptCentres | None,
) -> FloatMatrix:
    """:func:`neutral_vectors` of a large chat's float16 matrix ``x``, in place, in two passes
    over it (normalised and summed per script; centred, projected and normalised), each
    a block of rows at a time in float32 (sums in float64)."""
    known = scripts if scripts is not None else [script_of(text) for text in texts]
    codes = np.asarray([_SCRIPT_CODES.get(str(script or ""), -1) for script in known])
    sums = np.zeros((len(_SCRIPT_CODES) + 1, x.shape[1]), dtype=np.float64)
    every_script = np.arange(len(_SCRIPT_CODES))
    for start in range(0, len(x), _ROW_BLOCK):
        block = x[start : start + _ROW_BLOCK]
        rows = block.astype(np.float32)
        if not np.isfinite(rows).all():
            raise ValueError("vectors must be finite")
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        np.divide(rows, norms, out=rows, where=norms > 0)
        block[...] = rows
        sums[-1] += rows.sum(axis=0, dtype=np.float64)
        chosen = codes[start : start + _ROW_BLOCK][None, :] == every_script[:, None]
        sums[:-1] += chosen.astype(np.float32) @ rows
    mean = sums[-1] / len(x)
    counts = np.bincount(codes[codes >= 0], minlength=len(_SCRIPT_CODES))
    basis = offset_basis(
        script_offsets(
            {script: sums[code] / max(1, counts[code]) for script, code in _SCRIPT_CODES.items()},
            {script: int(counts[code]) for script, code in _SCRIPT_CODES.items()},
            mean,
            centres=centres,
            min_rows=min_per_script,
        )
    )
    centre = mean.astype(np.float32)
    across = None if basis is None else basis.astype(np.float32)
    for start in range(0, len(x), _ROW_BLOCK):
        centred = x[start : start + _ROW_BLOCK].astype(np.float32) - centre
        if across is not None:
            centred -= (centred @ across) @ across.T
        norms = np.linalg.norm(centred, axis=1, keepdims=True)
        np.divide(centred, norms, out=centred, where=norms > 0)
        x[start : start + _ROW_BLOCK] = centred
    return x


_SCRIPT_CODES = {str(script): code for code, script in enumerate(Language)}
"""Scripts as small integers."""


def masked_mean(x: FloatMatrix, rows: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
    """The float64 mean of the rows of ``x`` where ``rows`` holds, without copying them all."""
    total = np.zeros(x.shape[1], dtype=np.float64)
    for start in range(0, len(x), _ROW_BLOCK):
        chosen = rows[start : start + _ROW_BLOCK]
        total += x[start : start + _ROW_BLOCK][chosen].sum(axis=0, dtype=np.float64)
    mean: npt.NDArray[np.float64] = total / max(1, int(rows.sum()))
    return mean


def own_words(texts: Sequence[str], authors: Sequence[int], *, lookback: int = 50) -> list[bool]:
    """Whether each text is its author's own, not a copy of another member's recent message.

    A text that starts with one of the ``lookback`` texts before it by
    someone else (eight characters or more, spaces aside) passes a list on.
    Earlier texts are filed by their first eight characters, so each text is
    compared only with those it could start with.
    """
    own = []
    window: deque[tuple[str, int]] = deque()
    filed: dict[str, list[tuple[str, int]]] = {}
    for text, author in zip(texts, authors, strict=True):
        flat = " ".join(text.split())
        copied = any(
            flat.startswith(earlier) and by != author for earlier, by in filed.get(flat[:8], ())
        )
        own.append(not copied)
        window.append((flat, author))
        if len(flat) >= 8:
            filed.setdefault(flat[:8], []).append((flat, author))
        if len(window) > lookback:
            gone, _ = window.popleft()
            if len(gone) >= 8:
                shelf = filed[gone[:8]]
                shelf.pop(0)
                if not shelf:
                    del filed[gone[:8]]
    return own


def script_codes(texts: Sequence[str]) -> IntArray:
    """A small integer per text for its script: 0 none, 1 English, 2 Chinese, 3 other."""
    return codes_of_scripts([script_of(text) for text in texts])


def codes_of_scripts(scripts: Sequence[Language | None]) -> IntArray:
    """:func:`script_codes` of texts written in ``scripts``."""
    order = {None: 0, Language.ENGLISH: 1, Language.CHINESE: 2, Language.OTHER: 3}
    codes: IntArray = np.asarray([order[script] for script in scripts], dtype=np.int64)
    return codes


@dataclass(frozen=True, slots=True, eq=False)
class ScriptCalibration:
    """Mean and spread of the cosine between messages of two members, per pair of scripts.

    ``standard(c, a, b)`` turns cosines ``c`` between messages in scripts
    ``a`` and ``b`` into standard scores, so that "unusually alike" means the
    same for two Chinese messages as for an English and a Chinese one.
    """

    mean: npt.NDArray[np.float32]
    spread: npt.NDArray[np.float32]

    @classmethod
    def fit(
        cls,
        x: FloatMatrix,
        scripts: IntArray,
        owners: IntArray,
        *,
        sample: int = 20000,
        min_pairs: int = 50,
        seed: int = 0,
    ) -> ScriptCalibration:
        """Estimate from up to ``sample`` random pairs of messages of different members."""
        size = 4
        mean = np.zeros((size, size), dtype=np.float32)
        spread = np.ones((size, size), dtype=np.float32)
        n = len(x)
        if n < 2:
            return cls(mean, spread)
        rng = np.random.default_rng(seed)
        left = rng.integers(0, n, size=sample)
        right = rng.integers(0, n, size=sample)
        keep = owners[left] != owners[right]
        left, right = left[keep], right[keep]
        cosines = np.einsum("ij,ij->i", as_float32(x[left]), as_float32(x[right]))
        if len(cosines) >= 2:
            mean[:] = float(cosines.mean())
            spread[:] = max(float(cosines.std()), 1e-6)
        a = np.minimum(scripts[left], scripts[right])
        b = np.maximum(scripts[left], scripts[right])
        for first in range(size):
            for second in range(first, size):
                chosen = cosines[(a == first) & (b == second)]
                if len(chosen) >= min_pairs:
                    mean[first, second] = mean[second, first] = float(chosen.mean())
                    spread[first, second] = spread[second, first] = max(float(chosen.std()), 1e-6)
        return cls(mean, spread)

    def standard(
        self, cosines: npt.NDArray[np.floating], first: IntArray, second: IntArray
    ) -> npt.NDArray[np.float32]:
        """Standard scores of ``cosines`` between messages in scripts ``first`` and ``second``."""
        second = np.asarray(second)
        if second.size and int(second.min()) == int(second.max()):  # one script on that side
            script = int(second.flat[0])
            mean, spread = self.mean[first, script], self.spread[first, script]
        else:
            mean, spread = self.mean[first, second], self.spread[first, second]
        scores: npt.NDArray[np.float32] = ((cosines - mean) / spread).astype(np.float32)
        return scores
