"""Build a chat digest from a period's messages: topics, decisions, open questions and more.

:func:`build_digest` is synchronous, pure and CPU-bound (run it with
``asyncio.to_thread``); :func:`compose_digest` embeds the messages with an
:class:`~memory.embedder.Embedder` when no vectors are at hand, builds the
digest off the event loop and lets an optional summariser word the topics.

Decisions, open questions and newcomers
    Decisions are stated (a decision act) or proposed and agreed to; a
    later decision on the same subject replaces an earlier one (see
    :mod:`jobs.digest_decisions`). A question is open unless a reply, a
    quote, the asker, an addressee, an answer in turn or a nearby or
    alike message of another member answers it (see
    :mod:`jobs.open_questions`). Newcomers come from joins,
    self-introductions and welcomes (see :mod:`jobs.digest_newcomers`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import numpy.typing as npt

from jobs.digest_decisions import DecisionRules, find_decisions
from jobs.digest_model import (
    Digest,
    DigestDecision,
    DigestMessage,
    DigestPeriod,
    MemberActivity,
    MessageRef,
    SharedLink,
    Topic,
)
from jobs.digest_newcomers import find_newcomers
from jobs.digest_summaries import TopicSummariser, summarise_topics
from jobs.keywords import distinctive_terms, terms_per_message
from jobs.languages import Language, detect_language
from jobs.open_questions import AnswerRules, unanswered_questions
from jobs.text_cues import (
    content_length,
    find_urls,
    key_terms,
    title_of,
)
from jobs.topic_clustering import (
    DEFAULT_MERGE_SPREAD,
    TopicClusters,
    contextual_vectors,
    find_topics,
)
from jobs.vector_math import FloatMatrix, unit_rows
from memory.embedder import Embedder
from memory.hash_embedder import HashEmbedder


@dataclass(frozen=True, slots=True)
class DigestOptions:
    """Knobs of a digest; the defaults suit a daily digest of a group chat."""

    min_messages: int = 5
    """Below this many messages the period is quiet: counts only, no sections."""
    language: Language | None = None
    """The language to write in; ``None`` detects the chat's main language."""
    max_topics: int = 5
    min_topic_share: float = 0.02
    """A topic needs this share of the period's messages (and at least 2 messages)."""
    merge_spread: float = DEFAULT_MERGE_SPREAD
    """Topics merge while alike by this many standard deviations of chance similarity."""
    merge_similarity: float | None = None
    """A fixed merge threshold (centred cosine) instead of ``merge_spread``."""
    reply_weight: float = 0.5
    """How much a reply leans towards the message it answers when clustering."""
    follow_weight: float = 0.5
    """How much a short message leans towards the one just before it (within ``follow_gap``)."""
    short_message: int = 5
    """Messages with fewer content words (or Han characters) than this are short."""
    follow_gap: timedelta = timedelta(minutes=5)
    key_messages: int = 3
    title_chars: int = 80
    sample_texts: int = 20
    keywords: int = 4
    max_decisions: int = 5
    max_questions: int = 5
    min_question_length: int = 3
    answer_window: timedelta = timedelta(hours=6)
    nearby_messages: int = 8
    """A message this close after a question may answer it by sharing a key term."""
    nearby_gap: timedelta = timedelta(minutes=30)
    agreement_gap: timedelta = timedelta(minutes=30)
    """Agreement to a proposal counts within this time after it."""
    bot_names: tuple[str, ...] = ("hearth",)
    """Names that address the bot: such messages are never decisions or open questions."""
    max_links: int = 8
    max_active_members: int = 5
    seed: int = 0
    extra_stop_terms: frozenset[str] = field(default_factory=frozenset)
    """Words never used as key words (members' names never are either)."""


def _in_period(
    messages: Sequence[DigestMessage], vectors: FloatMatrix | None, period: DigestPeriod
) -> tuple[list[DigestMessage], FloatMatrix | None]:
    keep = [i for i, message in enumerate(messages) if message.sent_at in period]
    keep.sort(key=lambda i: (messages[i].sent_at, messages[i].message_id))
    kept = [messages[i] for i in keep]
    if vectors is None:
        return kept, None
    return kept, vectors[np.asarray(keep, dtype=np.int64)] if keep else vectors[:0]


def lexical_vectors(texts: Sequence[str], dimension: int = 256) -> FloatMatrix:
    """Bag-of-words vectors, for digests built without an embedding model."""
    embedder = HashEmbedder(dimension)
    return unit_rows([embedder.embed(text) for text in texts])


def build_digest(
    messages: Sequence[DigestMessage],
    vectors: npt.ArrayLike | None,
    period: DigestPeriod,
    *,
    options: DigestOptions | None = None,
    chat_title: str | None = None,
    joined: Mapping[int, str] | None = None,
    seen_before: Collection[int] | None = None,
) -> Digest:
    """The digest of ``messages`` sent within ``period``.

    ``vectors`` holds one embedding per message, in the order of
    ``messages`` (``None`` falls back to bag-of-words vectors). Messages
    outside the period are ignored. ``joined`` names members who joined
    during the period (``member_id -> name``), posting or not; members whose
    messages carry ``is_newcomer`` are newcomers too. ``seen_before`` holds
    the period's members who posted before it (``None``: unknown); with it,
    members who introduce themselves or are welcomed are newcomers too.
    """
    options = options or DigestOptions()
    kept, matrix = _period_rows(messages, vectors, period)
    language = options.language or detect_language(message.text for message in kept)
    members = {message.member_id for message in kept}
    base = Digest(
        period=period,
        language=language,
        message_count=len(kept),
        member_count=len(members),
        is_quiet=len(kept) < options.min_messages,
        newcomers=find_newcomers(kept, joined or {}, seen_before),
        active_members=_active_members(kept, options.max_active_members),
        chat_title=chat_title,
    )
    if base.is_quiet or not kept:
        return base
    clusters = _find_topics(kept, matrix, options)
    return dataclasses.replace(
        base,
        topics=_topics(kept, matrix, clusters.labels, options),
        decisions=_decisions(kept, clusters, options),
        unanswered_questions=_unanswered(kept, clusters, options),
        links=_links(kept, options.max_links),
    )


def find_unanswered(
    messages: Sequence[DigestMessage],
    vectors: npt.ArrayLike | None,
    period: DigestPeriod,
    *,
    options: DigestOptions | None = None,
) -> tuple[MessageRef, ...]:
    """Every question of ``period`` nobody answered, the latest first.

    The same rule as the digest's unanswered questions (see the module notes),
    without the ``max_questions`` cut and without the quiet-period threshold.
    ``vectors`` holds one embedding per message (``None``: bag-of-words).
    """
    options = dataclasses.replace(options or DigestOptions(), max_questions=len(messages))
    kept, matrix = _period_rows(messages, vectors, period)
    if not kept:
        return ()
    return _unanswered(kept, _find_topics(kept, matrix, options), options)


def _period_rows(
    messages: Sequence[DigestMessage], vectors: npt.ArrayLike | None, period: DigestPeriod
) -> tuple[list[DigestMessage], FloatMatrix]:
    """The period's messages in time order and their unit vectors (bag-of-words without)."""
    matrix = None if vectors is None or not messages else unit_rows(vectors)
    if matrix is not None and len(matrix) != len(messages):
        raise ValueError("give exactly one vector per message")
    kept, matrix = _in_period(messages, matrix, period)
    if matrix is None:
        matrix = (
            lexical_vectors([message.text for message in kept])
            if kept
            else np.zeros((0, 0), dtype=np.float32)
        )
    return kept, matrix


def _find_topics(
    messages: Sequence[DigestMessage], x: FloatMatrix, options: DigestOptions
) -> TopicClusters:
    position = {message.message_id: i for i, message in enumerate(messages)}
    context: list[tuple[int, float]] = []
    for i, message in enumerate(messages):
        reply_to = message.reply_to_message_id
        parent = position.get(reply_to, -1) if reply_to is not None else -1
        if 0 <= parent < i:
            context.append((parent, options.reply_weight))
        elif (
            i > 0
            and message.sent_at - messages[i - 1].sent_at <= options.follow_gap
            and content_length(message.text) < options.short_message
        ):
            context.append((i - 1, options.follow_weight))
        else:
            context.append((-1, 0.0))
    blended = contextual_vectors(x, context)
    return find_topics(
        blended,
        merge_spread=options.merge_spread,
        merge_similarity=options.merge_similarity,
        seed=options.seed,
    )


def _topics(
    messages: Sequence[DigestMessage],
    x: FloatMatrix,
    labels: npt.NDArray[np.int64],
    options: DigestOptions,
) -> tuple[Topic, ...]:
    n = len(messages)
    min_size = max(2, math.ceil(options.min_topic_share * n))
    sizes = np.bincount(labels)
    chosen = [c for c in range(len(sizes)) if sizes[c] >= min_size][: options.max_topics]
    if not chosen:
        return ()
    terms = terms_per_message([message.text for message in messages])
    name_terms = {part for m in messages for part in key_terms(m.member_name)}
    stop = options.extra_stop_terms | name_terms
    if stop:
        terms = [frozenset(t - stop) for t in terms]
    groups = [[terms[i] for i in np.flatnonzero(labels == c)] for c in range(len(sizes))]
    keywords = distinctive_terms(groups, top=max(8, options.keywords))
    topics = []
    for cluster in chosen:
        members = np.flatnonzero(labels == cluster)
        rows: list[int] = members.tolist()
        centroid = x[members].sum(axis=0)
        norm = float(np.linalg.norm(centroid))
        centrality = x[members] @ (centroid / norm if norm > 0 else centroid)
        ranked = [int(members[i]) for i in np.argsort(-centrality, kind="stable")]
        substantive = [i for i in ranked if content_length(messages[i].text) >= 4] or ranked
        key = _key_messages(messages, substantive, options.key_messages)
        title_row = _title_message(substantive, terms, keywords[cluster], key[0])
        speakers = Counter(messages[i].member_id for i in rows)
        names = {messages[i].member_id: messages[i].member_name for i in rows}
        participant_ids = tuple(
            member for member, _ in sorted(speakers.items(), key=lambda kv: (-kv[1], names[kv[0]]))
        )
        topics.append(
            Topic(
                title=title_of(messages[title_row].text, options.title_chars),
                keywords=keywords[cluster][: options.keywords],
                size=len(members),
                participants=tuple(names[m] for m in participant_ids),
                participant_ids=participant_ids,
                key_messages=tuple(messages[i].ref() for i in key),
                first_at=messages[rows[0]].sent_at,
                last_at=messages[rows[-1]].sent_at,
                message_ids=tuple(messages[i].message_id for i in rows),
                sample_texts=tuple(messages[i].text for i in ranked[: options.sample_texts]),
            )
        )
    return tuple(topics)


def _title_message(
    ranked: Sequence[int], terms: Sequence[frozenset[str]], keywords: Sequence[str], default: int
) -> int:
    """Among the most central messages, the one naming most of the topic's key words."""
    if not keywords:
        return default
    wanted = set(keywords)
    shortlist = ranked[: max(5, len(ranked) // 10)]
    best = max(shortlist, key=lambda i: (len(terms[i] & wanted), -shortlist.index(i)))
    return best if terms[best] & wanted else default


def _key_messages(
    messages: Sequence[DigestMessage], ranked: Sequence[int], count: int
) -> list[int]:
    """The most central messages, different members first."""
    chosen: list[int] = []
    speakers: set[int] = set()
    for i in ranked:
        if len(chosen) >= count:
            break
        if messages[i].member_id not in speakers:
            chosen.append(i)
            speakers.add(messages[i].member_id)
    for i in ranked:
        if len(chosen) >= count:
            break
        if i not in chosen:
            chosen.append(i)
    return chosen


def _decisions(
    messages: Sequence[DigestMessage], clusters: TopicClusters, options: DigestOptions
) -> tuple[DigestDecision, ...]:
    """The current decisions of the period, the latest ``max_decisions`` in time order."""
    if options.max_decisions <= 0:
        return ()
    rules = DecisionRules(agreement_gap=options.agreement_gap, bot_names=options.bot_names)
    found = find_decisions(messages, clusters.centred, clusters.threshold, clusters.labels, rules)
    return tuple(found[-options.max_decisions :])


def _unanswered(
    messages: Sequence[DigestMessage], clusters: TopicClusters, options: DigestOptions
) -> tuple[MessageRef, ...]:
    """Questions nobody answered, the latest first (see :mod:`jobs.open_questions`)."""
    rules = AnswerRules(
        follow_gap=options.follow_gap,
        short_message=options.short_message,
        min_question_length=options.min_question_length,
        answer_window=options.answer_window,
        nearby_messages=options.nearby_messages,
        nearby_gap=options.nearby_gap,
    )
    found = unanswered_questions(
        messages, clusters.centred, clusters.threshold, clusters.labels, rules
    )
    return tuple(found[: options.max_questions])


def _links(messages: Sequence[DigestMessage], limit: int) -> tuple[SharedLink, ...]:
    first: dict[str, DigestMessage] = {}
    sharers: defaultdict[str, list[str]] = defaultdict(list)
    times: Counter[str] = Counter()
    for message in messages:
        for url in dict.fromkeys(find_urls(message.text)):
            first.setdefault(url, message)
            times[url] += 1
            if message.member_name not in sharers[url]:
                sharers[url].append(message.member_name)
    ordered = sorted(first, key=lambda url: (-times[url], first[url].sent_at))[:limit]
    ordered.sort(key=lambda url: first[url].sent_at)
    return tuple(
        SharedLink(url=url, shared_by=tuple(sharers[url]), times=times[url], first=first[url].ref())
        for url in ordered
    )


def _active_members(messages: Sequence[DigestMessage], limit: int) -> tuple[MemberActivity, ...]:
    counts = Counter(message.member_id for message in messages)
    names = {message.member_id: message.member_name for message in messages}
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], names[kv[0]], kv[0]))
    return tuple(MemberActivity(member, names[member], count) for member, count in ranked[:limit])


async def compose_digest(
    messages: Sequence[DigestMessage],
    period: DigestPeriod,
    *,
    vectors: npt.ArrayLike | None = None,
    embedder: Embedder | None = None,
    summariser: TopicSummariser | None = None,
    token_budget: int = 2000,
    options: DigestOptions | None = None,
    chat_title: str | None = None,
    joined: Mapping[int, str] | None = None,
    seen_before: Collection[int] | None = None,
) -> Digest:
    """Build a digest without blocking the event loop.

    Uses ``vectors`` when given, else embeds the period's messages with
    ``embedder`` (else bag-of-words vectors). With a ``summariser``, topics
    get summaries within ``token_budget`` tokens for the whole chat; without
    one, or when it fails, the digest stays extractive.
    """
    if vectors is None and embedder is not None:
        inside = [message for message in messages if message.sent_at in period]
        messages = inside
        vectors = await embedder.embed_passages([message.text for message in inside])
    digest = await asyncio.to_thread(
        build_digest,
        messages,
        vectors,
        period,
        options=options,
        chat_title=chat_title,
        joined=joined,
        seen_before=seen_before,
    )
    if summariser is not None and digest.topics:
        digest = await summarise_topics(digest, summariser, token_budget=token_budget)
    return digest
