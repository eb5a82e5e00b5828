"""Words that can name a shared interest, and the pair of them two messages have in common.

An introduction names what two members share with words taken from the very
messages it quotes (:func:`evidence_words`). A word qualifies when it is a
content word (not a grammatical piece such as "放在" or "开了个", not a time,
quantity or place name, see :func:`is_content_word`) and distinctive in the
chat (few of its messages use it). Two messages in different languages (or
with different words for one thing) are matched by their words' vectors:
the vectors of all the words considered are centred per script, so that
"跑步" is closest to "running" rather than to any other Chinese word, and a
pair of words counts when each is the other's best match and close enough.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from jobs.languages import HAN, Language, script_of
from jobs.member_interests import term_rarity

_FUNCTION_CHARACTERS = frozenset("了个在着过的得地不没吗呢吧啊把被给点些就都也又还很太去来")
"""Grammatical characters: a word holding one is a phrase piece, not a thing (放在, 开了个)."""
_NON_CONTENT_TAGS = ("a", "ns", "t", "m", "q", "r", "p", "c", "u", "d", "f", "y", "e", "o")
"""Part-of-speech tags (of the segmenter's dictionary) of words that name no interest:
adjectives, places, times, numbers, measures, pronouns, prepositions, conjunctions,
particles, adverbs, directions, interjections."""

MAX_SHARE = 0.03
"""A distinctive word is used by at most this share of the chat's messages (and at least 8)."""
MIN_MATCH = 0.3
"""Least cosine of two different words' centred vectors for them to name one interest."""


@cache
def _tags() -> Mapping[str, str]:
    import jieba.posseg  # noqa: PLC0415 - slow to load: only when needed

    tags: Mapping[str, str] = jieba.posseg.dt.word_tag_tab
    return tags


def word_tag(term: str) -> str:
    """The segmenter dictionary's part-of-speech tag of a Chinese word ("" when unknown)."""
    return _tags().get(term, "")


_NOUN_TAGS = ("n", "zg")
MIN_SINGLE_RARITY = 0.65
"""Least rarity in the language (``term_rarity``) of a one-character noun that may name
an interest: 猫, 狗, 鸟 may, 人, 事, 钱 may not."""


def is_single_noun(term: str) -> bool:
    """Whether a one-character Chinese word is a particular enough noun to name an interest."""
    return (
        len(term) == 1
        and HAN.match(term) is not None
        and _tags().get(term, "") in _NOUN_TAGS
        and term_rarity(term) >= MIN_SINGLE_RARITY
    )


def single_nouns(text: str) -> list[str]:
    """The particular one-character nouns of a text (see :func:`is_single_noun`), in order.

    Key terms leave one-character words out; "我家猫" or "奶牛猫" are about 猫.
    """
    found: dict[str, None] = {}
    for chunk in _HAN_RUN.findall(text):
        for word in _segment(chunk):
            if is_single_noun(word):
                found[word] = None
    return list(found)


_HAN_RUN = re.compile(f"(?:{HAN.pattern})+")


def _segment(chunk: str) -> list[str]:
    import jieba  # noqa: PLC0415 - slow to load: only when needed

    words: list[str] = list(jieba.dt.cut(chunk))
    return words


_NOT_A_PREFIX = frozenset("我你他她它这那每各某本该其此哪谁几一二三四五六七八九十两")
"""Characters that do not join a word beside them: pronouns, demonstratives, numbers."""


def whole_word(term: str, texts: Sequence[str]) -> str:
    """``term`` with the one character the segmenter left beside it in every one of ``texts``.

    "黑神话" is cut into "黑" and "神话": when each text has the same lone
    character (a content character, not a pronoun, number or grammatical one)
    just before, or just after, every ``term``, it belongs to the word.
    """
    if not HAN.match(term) or not texts:
        return term
    before: set[str | None] = set()
    after: set[str | None] = set()
    for text in texts:
        words = [word for chunk in _HAN_RUN.findall(text) for word in [*_segment(chunk), ""]]
        places = [i for i, word in enumerate(words) if word == term]
        if not places:
            return term
        before.update(words[i - 1] if i > 0 else None for i in places)
        after.update(words[i + 1] if i + 1 < len(words) else None for i in places)

    def joins(found: set[str | None]) -> str:
        char = next(iter(found)) if len(found) == 1 else None
        if not char or len(char) != 1 or char in _FUNCTION_CHARACTERS or char in _NOT_A_PREFIX:
            return ""
        return char

    return joins(before) + term + joins(after)


_NOT_AN_INTEREST = frozenset(
    """weather forecast rain raining rainy sunny cloudy windy snow snowing hot cold warm
    decide decided decision decisions agree agreed plan plans planned schedule scheduled
    meeting meetings meet vote voted sort sorted cover covered list sign confirm confirmed
    arrange arranged organise organize remind reminder note notes update updates thing
    store shop place spot area side stuff question questions idea ideas problem issue
    help bring brought buy bought pay paid free cheap price prices money work working
    job office home house room door week weekend today tonight tomorrow yesterday
    account booking january february march april may june july august september october
    november december morning afternoon evening night noon early late soon
    meetup meetups gathering ask asking asked wondering sense
    天气 下雨 降温 预报 决定 确定 同意 商量 安排 计划 开会 会议 提醒 通知 确认 报名 登记
    问题 想法 主意 地方 东西 事情 时间 帮忙 工作 上班 加班 公司 房子 门口 楼下 价格 便宜
    账号 预约 聚会 聚餐 问下 请问 想问 问问
    """.split()
)
"""Words of the chat's small talk and logistics (weather, plans and decisions, errands,
work, places in general, months, meetups, asking): what members arrange together, never
an interest they share."""


def _inflected_verb(word: str) -> bool:
    """Whether an English word is a past form of a verb ("decided", "pulled"): a verb
    form names no interest. Words of five letters or more ending in -ed whose stem the
    dictionary knows."""
    if len(word) < 5 or not word.endswith("ed"):
        return False
    from memory.term_bridge import term_bridge  # noqa: PLC0415 - read only when needed

    known = term_bridge().chinese
    return word[:-2] in known or word[:-1] in known or word[:-3] in known


def _derived_modifier(word: str) -> bool:
    """Whether an English word is an adjective or adverb made with -ly from a word the
    dictionary knows ("lovely", "quickly", "friendly"): it says how, not what. "family"
    or "jelly" are not (their stems are no words)."""
    if len(word) < 6 or not word.endswith("ly"):
        return False
    from memory.term_bridge import term_bridge  # noqa: PLC0415 - read only when needed

    known = term_bridge().chinese
    stem = word[:-2]
    return stem in known or (stem.endswith("i") and stem[:-1] + "y" in known)


def is_content_word(term: str) -> bool:
    """Whether a key term can name an interest: a content word, not a phrase piece, a place
    or the chat's small talk and logistics (weather, plans, errands)."""
    if term in _NOT_AN_INTEREST:
        return False
    if HAN.search(term):
        if len(term) == 1:
            return is_single_noun(term)
        if any(char in _FUNCTION_CHARACTERS for char in term):
            return False
        return not _tags().get(term, "n").startswith(_NON_CONTENT_TAGS)
    return (
        len(term) >= 3
        and not any(char.isdigit() or char == "'" for char in term)
        and not _inflected_verb(term)
        and not _derived_modifier(term)
    )


def is_distinctive(term: str, counts: Mapping[str, int], documents: int) -> bool:
    """Whether few of the chat's ``documents`` messages use ``term`` (``counts``: per term)."""
    return counts.get(term, 0) <= max(8.0, MAX_SHARE * documents)


@dataclass(frozen=True, slots=True)
class WordMatch:
    """The words naming what two messages share: one word, or one of each ("跑步 / running")."""

    words: tuple[str, ...]
    shared: bool
    """Both messages use the words themselves (else each has its own, matched by vectors)."""
    score: float


def centred_vectors(
    term_vectors: Mapping[str, Sequence[float] | npt.NDArray[np.floating]],
    script_directions: Mapping[str, npt.NDArray[np.float32]] | None = None,
) -> dict[str, npt.NDArray[np.float32]]:
    """Unit word vectors with each script's mean taken out (needs a few words per script).

    With ``script_directions`` (from the mean of all the words to each script's,
    measured on many messages, see ``IntroPlan.script_directions``), the
    words' mean and their script's direction are taken out instead: a few
    words on one subject have that subject in their mean. (Directions of
    another width than the word vectors' are not used.)
    """
    terms = list(term_vectors)
    if not terms:
        return {}
    x = np.asarray([np.asarray(term_vectors[t], dtype=np.float32) for t in terms])
    scripts = np.asarray([str(script_of(t) or "") for t in terms])
    widths = {len(direction) for direction in (script_directions or {}).values()}
    if script_directions and widths == {x.shape[1]}:
        x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)
        x -= x.mean(axis=0)
        for i, script in enumerate(scripts.tolist()):
            if script in script_directions:
                x[i] -= script_directions[script]
        x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)
        return {term: x[i] for i, term in enumerate(terms)}
    for script in set(scripts.tolist()):
        rows = scripts == script
        if int(rows.sum()) >= 3:
            x[rows] -= x[rows].mean(axis=0)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)
    return {term: x[i] for i, term in enumerate(terms)}


def evidence_words(
    first: Sequence[str],
    second: Sequence[str],
    weight: Mapping[str, float],
    vectors: Mapping[str, npt.NDArray[np.float32]] | None = None,
    *,
    language: Language = Language.ENGLISH,
    limit: int = 2,
) -> WordMatch | None:
    """The words two messages (given by their key terms) share, best first, or ``None``.

    ``weight`` holds the candidate words (content words, distinctive in the
    chat) and how much each says; words not in it are passed over. Words both
    messages use come first; else, with ``vectors`` (see
    :func:`centred_vectors`), the best mutual match of a word of each, in two
    scripts; else an English and a Chinese word the dictionary gives for one
    thing (:func:`jobs.shared_terms.bridged_words`).
    """
    left = [t for t in dict.fromkeys(first) if t in weight]
    right = [t for t in dict.fromkeys(second) if t in weight]
    common = _common_words(left, right, weight)
    if common:
        ranked = sorted(common, key=lambda t: (-common[t], t))
        best = common[ranked[0]]
        chosen = tuple(t for t in ranked[:limit] if common[t] >= best / 2)
        return WordMatch(chosen, True, best)
    found = _vector_match(left, right, weight, vectors or {}, language)
    return found or _bridged_match(left, right, weight, language)


def _common_words(
    left: Sequence[str], right: Sequence[str], weight: Mapping[str, float]
) -> dict[str, float]:
    """The words both messages use, an English word in any of its forms ("lake" and
    "lakes": named by the form the two share, else the shorter), with their weight."""
    from memory.term_bridge import term_bridge  # noqa: PLC0415 - read only when needed

    def key(term: str) -> str:
        return term if HAN.search(term) else term_bridge().lemma(term)

    right_of = {key(term): term for term in right}
    found: dict[str, float] = {}
    for term in left:
        other = right_of.get(key(term))
        if other is None:
            continue
        name = term if term == other else min(term, other, key=lambda t: (len(t), t))
        found[name] = max(found.get(name, 0.0), weight[term], weight[other])
    return found


def _bridged_match(
    left: Sequence[str], right: Sequence[str], weight: Mapping[str, float], language: Language
) -> WordMatch | None:
    """The words of two messages the dictionary gives for one thing in two languages."""
    from jobs.shared_terms import bridge_specificity, bridged_words  # noqa: PLC0415 - cyclic

    bridged = sorted(
        bridged_words(left, right),
        key=lambda pair: (-min(weight[pair[0]], weight[pair[1]]) * bridge_specificity(*pair), pair),
    )
    if bridged:
        words = sorted(bridged[0], key=lambda term: script_of(term) is not language)
        return WordMatch(
            tuple(words),
            False,
            min(weight[t] for t in words) * bridge_specificity(words[0], words[1]),
        )
    return None


def _vector_match(
    left: Sequence[str],
    right: Sequence[str],
    weight: Mapping[str, float],
    vectors: Mapping[str, npt.NDArray[np.float32]],
    language: Language,
) -> WordMatch | None:
    """The best mutual match of a word of each message by their vectors, across scripts:
    two words of one script matched by their vectors are often false friends (坐反, 高反)."""
    left = [t for t in left if t in vectors]
    right = [t for t in right if t in vectors]
    if not left or not right:
        return None
    sims = np.asarray(
        [
            [
                float(vectors[a] @ vectors[b]) if script_of(a) != script_of(b) else -1.0
                for b in right
            ]
            for a in left
        ]
    )
    i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
    if sims[i, j] < MIN_MATCH or int(np.argmax(sims[:, j])) != i:
        return None
    pair = [left[int(i)], right[int(j)]]
    pair.sort(key=lambda term: script_of(term) is not language)
    score = float(sims[i, j]) * min(weight[pair[0]], weight[pair[1]])
    return WordMatch(tuple(pair), False, score)
