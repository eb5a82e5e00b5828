"""What each member of a chat talks about, comparable across languages.

A member's interests come from their substantive messages only: greetings,
thanks, acknowledgements, emoji and short chit-chat say nothing about what
someone cares about (:func:`is_substantive`). The message vectors are made
language-neutral first (:func:`neutral_vectors`): a multilingual embedder
still places every English message on one side of every Chinese one, so the
direction between the scripts' mean vectors is projected out, and the chat's
mean is removed, leaving what sets one message apart from the chat's usual
talk. Each member's messages are then grouped into a few interests (spherical
k-means), each a unit centroid.

Two members share an interest when an interest of one is close to an
interest of the other, closer than those interests usually are to other
members' interests: an interest's *baseline* is how alike it is, on average,
to the closest interest of a member of the chat, so what everyone talks about
is no reason for two of them to meet (:func:`shared_interests`).

Pure and synchronous; vectors are float32 numpy arrays throughout.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from jobs.languages import Language, script_of
from jobs.nearest_neighbours import top_k_neighbours
from jobs.text_cues import content_length, key_terms
from jobs.topic_clustering import similarity_spread
from jobs.vector_math import FloatMatrix, IntArray, spherical_kmeans, unit_rows

FloatArray = npt.NDArray[np.float32]

MIN_KEY_TERMS = 2
"""A substantive message has at least this many key terms once small talk is taken out."""
MIN_CONTENT = 4
"""... and at least this much content (Han characters and words, see ``content_length``)."""

_SMALL_TALK = re.compile(
    r"(?i)"
    # Chinese greetings, thanks, acks, wishes and laughter
    r"哈{2,}|嘿{2,}|呵{2,}|嘻{2,}|嗯{1,}|哦{1,}|噢|喔|哇|耶|啊{1,}"
    r"|谢谢(?:你|您|大家|啦|了)?|多谢|感谢(?:大家|你|您)?|辛苦(?:了|啦)?|麻烦(?:了|你了|您了)"
    r"|欢迎(?:欢迎|新朋友|新人|加入)?|大家好|你好|您好|早上好|早安|午安|晚安|晚上好"
    r"|收到|好的|好滴|好嘞|好哒|好呀|好啊|没问题|可以的|了解|明白了?|懂了|对对对?|是的|同意|确实"
    r"|一路顺风|一路平安|注意安全|路上小心|玩得开心|恭喜(?:恭喜)?|生日快乐|节日快乐|新年快乐"
    r"|加油|厉害了?|太棒了|好棒|真棒|牛(?:啊|逼|哇|了)|太牛了|赞{2,}|点赞|太赞了|好赞|羡慕|期待|不客气|客气了|抱歉|不好意思"
    # English
    r"|\b(?:thanks?(?: you)?(?: so much| all| everyone)?|thx|ty|cheers|welcome(?: aboard)?"
    r"|hi|hello|hey|morning all|good (?:morning|night|evening|afternoon)|gn|congrats"
    r"|congratulations|see you(?: (?:all|there|soon|then))?|sounds good|lol|lmao|haha\w*"
    r"|ok(?:ay)?|yes|yep|yeah|nope|sure|agreed|same|me too|nice one|well done|great job"
    r"|have fun|safe travels|take care|good luck|no worries|sorry|awesome|cool|nice|wow)\b"
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


def substantive_terms(text: str) -> list[str] | None:
    """The distinct key terms of a substantive message, or ``None`` for small talk.

    Media placeholders and small-talk phrases (greetings, thanks, acks,
    wishes, laughter, in both languages) are taken out first, so
    "谢谢，周日跑了北京半马" still counts while "辛苦了🌹" or "Thanks, see you!" do
    not; what is left must hold ``MIN_KEY_TERMS`` distinct key terms and
    ``MIN_CONTENT`` of content.
    """
    rest = _SMALL_TALK.sub(" ", _PLACEHOLDER.sub(" ", text))
    if content_length(rest) < MIN_CONTENT:
        return None
    terms = [term for term in dict.fromkeys(key_terms(rest)) if term not in _GENERIC_TERMS]
    return terms if len(terms) >= MIN_KEY_TERMS else None


def is_substantive(text: str) -> bool:
    """Whether a message says something (see :func:`substantive_terms`)."""
    return substantive_terms(text) is not None


def neutral_vectors(
    vectors: npt.ArrayLike, texts: Sequence[str], *, min_per_script: int = 5
) -> FloatMatrix:
    """Message vectors with the language and the chat's common direction taken out.

    Every script (see :func:`jobs.languages.script_of`) written in at least
    ``min_per_script`` of the messages has a mean vector; the directions from
    the overall mean to each script's mean are projected out, then the
    overall mean is subtracted and the rows normalised again.
    """
    x = unit_rows(vectors) if len(texts) else np.zeros((0, 0), dtype=np.float32)
    if len(x) != len(texts):
        raise ValueError("give one text per vector")
    if len(x) < 2:
        return x
    mean = x.mean(axis=0, dtype=np.float64)
    scripts = np.asarray([str(script_of(text) or "") for text in texts])
    directions = []
    for script in (Language.ENGLISH, Language.CHINESE, Language.OTHER):
        rows = scripts == str(script)
        if int(rows.sum()) >= min_per_script:
            directions.append(x[rows].mean(axis=0, dtype=np.float64) - mean)
    centred = (x - mean).astype(np.float64)
    if len(directions) >= 2:
        basis, _ = np.linalg.qr(np.stack(directions, axis=1))
        centred -= (centred @ basis) @ basis.T
    return unit_rows(centred.astype(np.float32))


@dataclass(frozen=True, slots=True, eq=False)
class ChatInterests:
    """The interests of a chat's members: row ``i`` is an interest of ``owners[i]``.

    ``vectors`` are unit centroids in the language-neutral space;
    ``messages[i]`` are the rows (in the messages given) that make interest
    ``i``; ``baselines[i]`` is how alike interest ``i`` is, on average, to
    the closest interest of another member.
    """

    owners: IntArray
    vectors: FloatMatrix
    messages: tuple[IntArray, ...]
    baselines: FloatArray

    def __len__(self) -> int:
        return len(self.owners)

    @property
    def sizes(self) -> IntArray:
        """How many messages make each interest."""
        sizes: IntArray = np.asarray([len(rows) for rows in self.messages], dtype=np.int64)
        return sizes

    def of_member(self, member_id: int) -> IntArray:
        """The rows of one member's interests."""
        rows: IntArray = np.flatnonzero(self.owners == member_id).astype(np.int64)
        return rows


def find_interests(
    owners: Sequence[int] | npt.NDArray[np.integer],
    x: FloatMatrix,
    *,
    merge_spread: float = 1.0,
    max_interests: int = 8,
    baseline_sample: int = 256,
    seed: int = 0,
) -> ChatInterests:
    """Group each member's messages (rows of ``x``, written by ``owners``) into interests.

    A member's messages are merged by average linkage while the mean cosine
    between two groups is at least ``merge_spread`` standard deviations of
    the cosine between random messages of the chat, then further until at
    most ``max_interests`` are left. ``x`` must hold unit rows, as
    :func:`neutral_vectors` gives. Baselines are measured against up to
    ``baseline_sample`` members.
    """
    ids = np.asarray(owners, dtype=np.int64)
    if len(ids) != len(x):
        raise ValueError("give one owner per message vector")
    threshold = merge_spread * similarity_spread(x, seed=seed)
    order = np.argsort(ids, kind="stable")
    members, starts = np.unique(ids[order], return_index=True)
    bounds = [*starts.tolist(), len(ids)]
    owner_rows: list[int] = []
    centroids: list[FloatMatrix] = []
    groups: list[IntArray] = []
    for position, member in enumerate(members.tolist()):
        rows = order[bounds[position] : bounds[position + 1]]
        labels = _member_groups(x[rows], threshold, max_interests, seed)
        for label in range(int(labels.max()) + 1):
            chosen = np.sort(rows[labels == label]).astype(np.int64)
            owner_rows.append(member)
            centroids.append(unit_rows(x[chosen].sum(axis=0))[0])
            groups.append(chosen)
    dimension = x.shape[1] if x.ndim == 2 else 0
    vectors = (
        np.stack(centroids).astype(np.float32)
        if centroids
        else np.zeros((0, dimension), dtype=np.float32)
    )
    owner_ids = np.asarray(owner_rows, dtype=np.int64)
    baselines = _baselines(owner_ids, vectors, baseline_sample, seed)
    return ChatInterests(owner_ids, vectors, tuple(groups), baselines)


_START_GROUPS = 24
"""A member with more messages starts from this many k-means groups rather than one per message."""


def _member_groups(x: FloatMatrix, threshold: float, most: int, seed: int) -> IntArray:
    """Labels ``0..k-1`` of one member's messages: average-linkage groups, at most ``most``."""
    n = len(x)
    if n <= _START_GROUPS:
        labels = np.arange(n, dtype=np.int64)
    else:
        _, labels = spherical_kmeans(x, _START_GROUPS, seed=seed)
    k = int(labels.max()) + 1
    sums = np.zeros((k, x.shape[1]), dtype=np.float64)
    np.add.at(sums, labels, x.astype(np.float64))
    sizes = np.bincount(labels, minlength=k).astype(np.float64)
    alive = sizes > 0
    parent = np.arange(k)
    linkage = (sums @ sums.T) / np.maximum(np.outer(sizes, sizes), 1.0)
    np.fill_diagonal(linkage, -np.inf)
    linkage[~alive, :] = -np.inf
    linkage[:, ~alive] = -np.inf
    while alive.sum() > 1:
        a, b = divmod(int(np.argmax(linkage)), k)
        if linkage[a, b] < threshold and alive.sum() <= most:
            break
        sums[a] += sums[b]
        sizes[a] += sizes[b]
        alive[b] = False
        parent[b] = a
        row = (sums @ sums[a]) / np.maximum(sizes * sizes[a], 1.0)
        row[~alive] = -np.inf
        row[a] = -np.inf
        linkage[a, :] = row
        linkage[:, a] = row
        linkage[b, :] = -np.inf
        linkage[:, b] = -np.inf
    for cluster in range(k):
        root = cluster
        while parent[root] != root:
            root = parent[root]
        parent[cluster] = root
    roots: IntArray = np.unique(parent[labels], return_inverse=True)[1].astype(np.int64)
    return roots


def _baselines(owners: IntArray, vectors: FloatMatrix, sample: int, seed: int) -> FloatArray:
    """Each interest's mean similarity to the closest interest of other (sampled) members."""
    baselines = np.zeros(len(owners), dtype=np.float32)
    members = np.unique(owners)
    if len(members) < 2:
        return baselines
    if len(members) > sample:
        members = np.sort(np.random.default_rng(seed).choice(members, sample, replace=False))
    columns = np.flatnonzero(np.isin(owners, members))
    column_owners = owners[columns]  # sorted by member: interests are made member by member
    starts = np.flatnonzero(np.r_[True, column_owners[1:] != column_owners[:-1]])
    segment_members = column_owners[starts]
    for start in range(0, len(owners), 2048):
        stop = min(len(owners), start + 2048)
        sims = vectors[start:stop] @ vectors[columns].T
        best = np.maximum.reduceat(sims, starts, axis=1)
        own = owners[start:stop, None] == segment_members[None, :]
        counted = (~own).sum(axis=1)
        total = np.where(own, 0.0, best).sum(axis=1)
        baselines[start:stop] = total / np.maximum(counted, 1)
    return baselines


@dataclass(frozen=True, slots=True)
class SharedInterest:
    """The best interest two members share: ``score`` is its excess over both baselines."""

    score: float
    member_a: int
    member_b: int
    interest_a: int
    interest_b: int


def interest_score(interests: ChatInterests, i: int, j: int) -> float:
    """How much interests ``i`` and ``j`` are alike beyond what either is to a usual member."""
    cosine = float(interests.vectors[i] @ interests.vectors[j])
    return cosine - float(max(interests.baselines[i], interests.baselines[j]))


def best_shared_interest(
    interests: ChatInterests, member_a: int, member_b: int, *, min_support: int = 1
) -> SharedInterest | None:
    """The best-scoring pair of interests of two members.

    Only pairs of interests made of ``min_support`` messages or more between
    them count; ``None`` when there is no such pair.
    """
    rows_a, rows_b = interests.of_member(member_a), interests.of_member(member_b)
    if len(rows_a) == 0 or len(rows_b) == 0:
        return None
    cosines = interests.vectors[rows_a] @ interests.vectors[rows_b].T
    floor = np.maximum(interests.baselines[rows_a][:, None], interests.baselines[rows_b][None, :])
    sizes = interests.sizes
    support = sizes[rows_a][:, None] + sizes[rows_b][None, :]
    scores = np.where(support >= min_support, cosines - floor, -np.inf)
    if not np.isfinite(scores).any():
        return None
    i, j = np.unravel_index(int(np.argmax(scores)), scores.shape)
    return SharedInterest(float(scores[i, j]), member_a, member_b, int(rows_a[i]), int(rows_b[j]))


def shared_interests(
    interests: ChatInterests,
    members: Sequence[int] | None = None,
    *,
    min_score: float,
    min_support: int = 1,
    neighbours: int = 16,
    exact_limit: int = 6000,
    probes: int = 8,
    seed: int = 0,
) -> list[SharedInterest]:
    """Pairs of ``members`` (default: all) sharing an interest scoring ``min_score`` or more.

    The two interests must be made of ``min_support`` messages or more
    between them. Candidates are each interest's ``neighbours`` closest
    interests (exact up to ``exact_limit`` interests, approximate above);
    each pair appears once, with its best interests, best score first.
    """
    rows = (
        np.arange(len(interests), dtype=np.int64)
        if members is None
        else np.flatnonzero(np.isin(interests.owners, np.asarray(members, dtype=np.int64)))
    )
    if len(rows) < 2:
        return []
    owners = interests.owners[rows]
    indices, sims = top_k_neighbours(
        interests.vectors[rows], neighbours, exact_limit=exact_limit, probes=probes, seed=seed
    )
    k = indices.shape[1]
    left = np.repeat(np.arange(len(rows), dtype=np.int64), k)
    right = indices.ravel()
    valid = right >= 0
    left, right, cosine = left[valid], right[valid], sims.ravel()[valid]
    sizes = interests.sizes[rows]
    other = (owners[left] != owners[right]) & (sizes[left] + sizes[right] >= min_support)
    left, right, cosine = left[other], right[other], cosine[other]
    base = interests.baselines[rows]
    score = cosine - np.maximum(base[left], base[right])
    keep = score >= min_score
    left, right, score = left[keep], right[keep], score[keep]
    best: dict[tuple[int, int], SharedInterest] = {}
    for value, first, second in zip(score.tolist(), left.tolist(), right.tolist(), strict=True):
        i, j = (first, second) if owners[first] < owners[second] else (second, first)
        a, b = int(owners[i]), int(owners[j])
        known = best.get((a, b))
        if known is None or value > known.score:
            best[(a, b)] = SharedInterest(value, a, b, int(rows[i]), int(rows[j]))
    return sorted(best.values(), key=lambda s: (-s.score, s.member_a, s.member_b))


def term_counts(terms: Sequence[Sequence[str]], rows: Sequence[int] | IntArray) -> Counter[str]:
    """In how many of these messages (rows of ``terms``) each term appears."""
    counts: Counter[str] = Counter()
    for row in np.asarray(rows, dtype=np.int64).tolist():
        counts.update(set(terms[row]))
    return counts


def ranked_terms(
    counts: Counter[str], size: int, document_frequency: Counter[str], documents: int
) -> list[tuple[float, str]]:
    """Terms of a group of ``size`` messages, most distinctive against the chat first.

    A term scores its share of the group's messages times ``log(1 + N / f)``,
    ``f`` the number of the chat's ``N`` messages that use it; a term must be
    in two of the group's messages, or in its only one.
    """
    needed = min(2, size)
    scored = [
        (count / max(1, size) * math.log(1.0 + documents / max(1, document_frequency[term])), term)
        for term, count in counts.items()
        if count >= needed
    ]
    scored.sort(key=lambda item: (-item[0], -len(item[1]), item[1]))
    return scored
