"""Hybrid retrieval for twins: meaning and keywords fused, with neighbouring turns and dates.

For a question put to a member's twin, :class:`HybridRetriever`

1. takes the member's own name, and the other forms it goes by (老马, "Auntie
   Liu", :mod:`memory.name_forms`), out of the question: every message searched
   is theirs, so the name only adds noise;
2. asks memory for up to ``pool`` of the member's messages in scope by meaning
   (the embedder's vectors) and by keywords (BM25 over words, which catches
   names, places and Chinese terms that embeddings blur) in one call, then
   searches keywords again, leaving out the words the member writes in many of
   the messages found by meaning, when there are such words;
3. gives each message, in each list, a share of its best neighbour's score:
   the member's own turn just before or after it, in the same chat, a few
   minutes apart. A chat reply often makes sense only beside the turn next to
   it. A message with no neighbour is its own context, so it is not held back.
   A message with no word of its own ("👍", "哈哈哈") is near every question
   in meaning, so its own similarity is not trusted: it ranks by its
   neighbours only;
4. fuses the two lists by reciprocal rank (RRF), which needs no common score
   scale. A message written in another script than the question that shares
   no word with it cannot be judged by keywords: instead of counting as a
   miss, it gets half its dense vote, as if keywords were as likely to agree
   as not;
5. when the question names a period ("on 3 June, 2023", "yesterday",
   "上周六"), adds a third RRF term that ranks the messages sent then.

See :mod:`twins.retrieval_keywords` for scripts, wordless messages and common
words.

Scores are only for ordering. The dense similarity of each message is kept
beside it, so the relevance gate can still judge it on the embedder's scale.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from memory.embedder import Embedder
from memory.name_forms import name_forms
from memory.records import MemoryHit, MemoryScope, PeerScores
from memory.store import MemoryStore, peer_scores, search_hybrid
from twins.cross_lingual import translated_keywords
from twins.question_names import question_names
from twins.retrieval_dates import DateWindow, date_windows
from twins.retrieval_keywords import (
    SPACED_LETTER,
    Script,
    is_wordless,
    script_of,
    specific_keywords,
)
from twins.scripts import CJK

log = logging.getLogger(__name__)

_LETTER = re.compile(SPACED_LETTER)


@dataclass(frozen=True, slots=True)
class RetrievalSettings:
    """How :class:`HybridRetriever` ranks; the defaults are what twins use.

    ``pool``: messages fetched from each search, at least the number asked
    for (a twin's scope is usually smaller, so every message of the member is
    a candidate; a scope of 10,000 messages costs about 10 ms on one core).
    ``rrf_k``: the RRF constant; small values let a first place count.
    ``context_weight``: share of the best neighbour's score a message gets.
    ``context_gap``: neighbouring turns are at most this far apart (in a group
    chat, turns further apart usually answer different people).
    ``period_before`` / ``period_after``: how far a named period is widened,
    since people tell of a day in the days after it.
    ``common_share``: a word found in more than this share of the member's
    messages searched is left out of the keyword search (1 keeps every word).
    ``keywords``, ``context``, ``dates``, ``strip_names``: each step can be
    switched off; all off is plain dense search. ``scripts`` (a message in
    another script gets half its dense vote for keywords) and ``wordless`` (a
    message without words ranks by its neighbours) refine the keyword and the
    dense list.
    """

    pool: int = 500
    rrf_k: float = 10.0
    context_weight: float = 0.5
    context_gap: timedelta = timedelta(minutes=5)
    period_before: timedelta = timedelta(days=1)
    period_after: timedelta = timedelta(days=3)
    common_share: float = 0.2
    keywords: bool = True
    context: bool = True
    dates: bool = True
    strip_names: bool = True
    scripts: bool = True
    wordless: bool = True
    translate: bool = True


DENSE_ONLY = RetrievalSettings(
    pool=20,
    keywords=False,
    context=False,
    dates=False,
    strip_names=False,
    scripts=False,
    wordless=False,
    translate=False,
)
"""Plain dense search: the embedder's nearest messages, nothing else (as twins searched before)."""


@dataclass(frozen=True, slots=True)
class RankedHit:
    """A retrieved message with the scores it was ranked by.

    ``score`` is the fused score (ordering only). ``similarity`` is the
    message's own dense similarity to the query, ``None`` when it was found by
    keywords only, outside the dense pool; ``keyword_score`` its own BM25
    score, 0 when it shares no word with the query. ``in_period`` is true when
    it was sent in a period the question names.
    """

    hit: MemoryHit
    score: float
    similarity: float | None
    keyword_score: float
    in_period: bool = False


@dataclass(frozen=True, slots=True)
class PeerQuery:
    """Whose messages to score the query against besides the member's: everyone in
    ``chat_id`` but ``member_ids`` (see :func:`memory.store.peer_scores`)."""

    chat_id: int
    member_ids: tuple[int, ...]
    limit: int = 5


@dataclass(frozen=True, slots=True)
class Retrieval:
    """The result of one retrieval: the query as searched, its vector and the ranking."""

    query: str
    vector: list[float]
    hits: list[RankedHit]
    periods: list[DateWindow] = field(default_factory=list)
    best_similarity: float | None = None
    """The highest dense similarity in the whole pool, ``None`` when nothing was found."""
    pool: list[MemoryHit] = field(default_factory=list)
    """Every message searched by meaning (up to ``pool``), best first: the member's vocabulary."""
    keyword_pool: list[MemoryHit] = field(default_factory=list)
    """Every message that shares a word with the keyword query, best first."""
    keyword_query: str = ""
    """What keywords searched: the query less the member's common words ("" for nothing)."""
    peers: PeerScores | None = None
    """The other members' scores for the query, when asked for and the member's messages
    were found (``None`` otherwise)."""


class HybridRetriever:
    """Ranks a member's messages for a question; see the module docstring for the steps.

    Every hit is inside the given scope: hits a store returns outside it are
    dropped (and logged) before ranking.
    """

    def __init__(
        self,
        embedder: Embedder,
        memory: MemoryStore,
        settings: RetrievalSettings | None = None,
    ) -> None:
        self._embedder = embedder
        self._memory = memory
        self._settings = settings or RetrievalSettings()
        if self._settings.pool < 1:
            raise ValueError("pool must be positive")

    @property
    def settings(self) -> RetrievalSettings:
        """The ranking settings."""
        return self._settings

    async def retrieve(
        self,
        question: str,
        scope: MemoryScope,
        limit: int,
        *,
        names: Sequence[str] = (),
        now: datetime | None = None,
        peers: PeerQuery | None = None,
    ) -> Retrieval:
        """The ``limit`` best messages in ``scope`` for ``question``, best first.

        ``names`` are the member's names, taken out of the question; ``now``
        (default: the current time) resolves dates such as "yesterday". With
        ``peers``, the other members' scores for the query come back too
        (:attr:`Retrieval.peers`): memory finds them while the hits are ranked.
        """
        settings = self._settings
        if settings.strip_names:
            query = strip_names(question, [form for name in names for form in name_forms(name)])
        else:
            query = question.strip()
        vector = await self._embedder.embed_query(query)
        pool = max(settings.pool, limit)
        words = query if settings.keywords else ""
        if settings.keywords and settings.translate:
            # segmenting and the dictionary's first read are CPU work: off the event loop
            extra = await asyncio.to_thread(translated_keywords, query) if CJK.search(query) else ""
            words = f"{query} {extra}" if extra else query
        keyword: list[MemoryHit] = []
        if settings.keywords:
            # Both pools at once, keywords for the whole query; searched again only when
            # the dense pool shows that some of its words are common for this member.
            found, by_words = await search_hybrid(self._memory, vector, words, scope, pool)
            dense, keyword = _in_scope(found, scope), _in_scope(by_words, scope)
            if settings.common_share < 1 and dense:
                texts = [hit.text for hit in dense]
                specific = await asyncio.to_thread(
                    specific_keywords, words, texts, settings.common_share
                )
                if specific is not None:
                    words = specific
                    searched = (
                        await self._memory.search_keywords(words, scope, pool) if words else []
                    )
                    keyword = _in_scope(searched, scope)
        else:
            dense = _in_scope(await self._memory.search(vector, scope, pool), scope)
        scored = None
        if peers is not None and dense:
            names = (
                await asyncio.to_thread(question_names, query)
                if CJK.search(query)
                else question_names(query)
            )
            scored = asyncio.ensure_future(
                peer_scores(
                    self._memory,
                    vector,
                    query,
                    chat_id=peers.chat_id,
                    member_ids=peers.member_ids,
                    limit=peers.limit,
                    names=names,
                )
            )
        try:
            periods = (
                date_windows(query, now or datetime.now(UTC)) if settings.dates and dense else []
            )
            script = script_of(query) if settings.scripts else None
            ranked = await asyncio.to_thread(
                fuse, dense, keyword, periods, settings, script, limit=limit
            )
        except BaseException:
            if scored is not None:
                scored.cancel()
            raise
        best = max((hit.score for hit in dense), default=None)
        return Retrieval(
            query,
            vector,
            ranked,
            periods,
            best,
            dense,
            keyword,
            words,
            None if scored is None else await scored,
        )


def strip_names(question: str, names: Sequence[str]) -> str:
    """``question`` without the given names (and their possessive ``'s`` or ``的``), spaces tidied.

    A name in a spaced script ends where its letters end, so "Tom是哪里人" and
    "Tom的猫" lose "Tom" as "Tom, where" does. Returns the question unchanged
    when nothing would be left of it.
    """
    text = question
    for name in sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True):
        escaped = re.escape(name)
        if CJK.search(name):  # no spaces between words: match anywhere
            text = re.sub(rf"@?{escaped}(?:的)?", " ", text, flags=re.IGNORECASE)
        else:
            pattern = rf"@?{escaped}(?:['’]s|\s*的)?"
            text = re.sub(pattern, _whole_word, text, flags=re.IGNORECASE)
    text = re.sub(r"\s+([,.?!;:，。？！])", r"\1", " ".join(text.split()))
    text = re.sub(r"[,，;:]+([.?!。？！])", r"\1", text)  # "which trail, Bob?"
    text = re.sub(r"^[\s,，;:：]+", "", text)  # "Bob, which trail?"
    return text if re.search(r"\w", text) else question.strip()


def _whole_word(match: re.Match[str]) -> str:
    """A space for a name that stands alone, the name itself when it is part of a longer word."""
    text, start, end = match.string, match.start(), match.end()
    inside = (start and _LETTER.match(text, start - 1)) or _LETTER.match(text, end)
    return match.group(0) if inside else " "


def fuse(
    dense: Sequence[MemoryHit],
    keyword: Sequence[MemoryHit],
    periods: Sequence[DateWindow],
    settings: RetrievalSettings,
    script: Script | None = None,
    *,
    limit: int | None = None,
) -> list[RankedHit]:
    """Every hit of either list (the best ``limit`` of them), ranked by the fused score,
    best first.

    ``script`` is the question's (see :func:`~twins.retrieval_keywords.script_of`);
    ``None`` lets keywords judge every message. CPU work over at most two
    pools of hits: run it off the event loop.
    """
    hits: dict[int, MemoryHit] = {}
    similarity: dict[int, float] = {}
    for hit in dense:
        hits.setdefault(hit.message_id, hit)
        similarity[hit.message_id] = hit.score
    bm25: dict[int, float] = {}
    for hit in keyword:
        hits.setdefault(hit.message_id, hit)
        bm25[hit.message_id] = hit.score
    if not hits:
        return []
    order = sorted(hits.values(), key=lambda h: (h.chat_id, h.member_id, _utc(h.sent_at)))
    ids = [hit.message_id for hit in order]
    # Ties keep the order the store returned them in.
    dense_at = {hit.message_id: n for n, hit in enumerate(dense)}
    keyword_at = {hit.message_id: n for n, hit in enumerate(keyword)}
    dense_order = np.array([dense_at.get(i, len(dense_at)) for i in ids])
    keyword_order = np.array([keyword_at.get(i, len(keyword_at)) for i in ids])
    floor = min(similarity.values(), default=0.0)
    dense_scores = np.array([similarity.get(i, floor) for i in ids], dtype=np.float64)
    keyword_scores = np.array([bm25.get(i, 0.0) for i in ids], dtype=np.float64)
    if settings.wordless:  # near every question in meaning: trust the neighbours only
        # only where it matters (and costs less): above the median similarity
        high = dense_scores > np.median(dense_scores)
        wordless = np.array(
            [bool(up) and is_wordless(hit.text) for up, hit in zip(high, order, strict=True)]
        )
        dense_scores = np.where(wordless, floor, dense_scores)
    if settings.context:
        previous, following = _neighbours(order, settings.context_gap)
        dense_scores = _with_context(dense_scores, previous, following, settings.context_weight)
        keyword_scores = _with_context(keyword_scores, previous, following, settings.context_weight)
    everyone = np.ones(len(ids), dtype=bool)
    fused = _rrf(dense_scores, dense_order, everyone, settings.rrf_k)
    if settings.keywords:
        vote = _rrf(keyword_scores, keyword_order, keyword_scores > 0, settings.rrf_k)
        if script is not None:  # keywords cannot judge it: as likely to agree as not
            foreign = np.array([script_of(hit.text) not in (None, script) for hit in order])
            vote = np.where(foreign & (keyword_scores <= 0), fused / 2, vote)
        fused += vote
    in_period = np.zeros(len(ids), dtype=bool)
    if periods:
        windows = [w.widened(settings.period_before, settings.period_after) for w in periods]
        in_period = np.array([any(w.contains(h.sent_at) for w in windows) for h in order])
        if in_period.any():
            fused += _rrf(fused, dense_order, in_period, settings.rrf_k)
    ranking = np.lexsort((dense_order, -dense_scores, -fused))[:limit]
    return [
        RankedHit(
            hit=order[j],
            score=float(fused[j]),
            similarity=similarity.get(ids[j]),
            keyword_score=bm25.get(ids[j], 0.0),
            in_period=bool(in_period[j]),
        )
        for j in ranking
    ]


def _rrf(scores: np.ndarray, ties: np.ndarray, eligible: np.ndarray, k: float) -> np.ndarray:
    """``1 / (k + rank)`` for eligible entries by score, then ``ties`` (rank 1 is best); else 0."""
    out = np.zeros(len(scores), dtype=np.float64)
    positions = np.flatnonzero(eligible)
    if positions.size:
        ranked = positions[np.lexsort((ties[positions], -scores[positions]))]
        out[ranked] = 1.0 / (k + np.arange(1, ranked.size + 1))
    return out


def _neighbours(order: Sequence[MemoryHit], gap: timedelta) -> tuple[list[int], list[int]]:
    """For each hit (sorted by chat, member, time): the index of its turn before, after, or -1."""
    previous = [-1] * len(order)
    following = [-1] * len(order)
    for j in range(1, len(order)):
        before, hit = order[j - 1], order[j]
        if (
            before.chat_id == hit.chat_id
            and before.member_id == hit.member_id
            and _utc(hit.sent_at) - _utc(before.sent_at) <= gap
        ):
            previous[j] = j - 1
            following[j - 1] = j
    return previous, following


def _with_context(
    scores: np.ndarray, previous: list[int], following: list[int], weight: float
) -> np.ndarray:
    before = np.asarray(previous, dtype=np.intp)
    after = np.asarray(following, dtype=np.intp)
    near = np.maximum(
        np.where(before >= 0, scores[before], -np.inf), np.where(after >= 0, scores[after], -np.inf)
    )
    # a message without neighbours is its own context
    context = np.where((before >= 0) | (after >= 0), near, scores)
    result: np.ndarray = scores + weight * context
    return result


def _in_scope(hits: Sequence[MemoryHit], scope: MemoryScope) -> list[MemoryHit]:
    allowed = [hit for hit in hits if scope.allows(hit.member_id, hit.chat_id)]
    if len(allowed) != len(hits):
        log.error("memory returned %d hits outside the scope", len(hits) - len(allowed))
    return allowed


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
