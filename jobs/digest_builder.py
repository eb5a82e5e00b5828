"""Build a chat digest from a period's messages: topics, decisions, open questions and more.

:func:`build_digest` is synchronous, pure and CPU-bound (run it with
``asyncio.to_thread``); :func:`compose_digest` embeds the messages with an
:class:`~memory.embedder.Embedder` when no vectors are at hand, builds the
digest off the event loop and lets an optional summariser word the topics.

Unanswered questions
    A message is a question when :func:`jobs.text_cues.is_question` says so
    and it says enough (``min_question_length`` content words or Han
    characters). It counts as answered when another member replies to it;
    when the very next message of the chat comes from another member within
    ``follow_gap`` and is short, or alike to the question, or from whoever
    spoke just before the question, or the question broke a silence (an
    answer in turn); or when another member posts in the same topic within
    ``answer_window`` a message alike to the question. "Alike" means a
    centred cosine of at least the topic merge threshold. In the last two
    cases the later message must not be a reply to a third member's message.
    Every other question is listed as unanswered, the latest first.
"""

from __future__ import annotations

import asyncio
import bisect
import dataclasses
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import numpy.typing as npt

from jobs.conversation_threads import ThreadWeights
from jobs.digest_model import (
    Digest,
    DigestMessage,
    DigestPeriod,
    MemberActivity,
    MessageRef,
    Newcomer,
    SharedLink,
)
from jobs.digest_summaries import TopicSummariser, summarise_topics
from jobs.digest_topics import conversation_topics, main_topics
from jobs.languages import Language, detect_language
from jobs.text_cues import (
    content_length,
    find_urls,
    is_decision,
    is_question,
)
from jobs.topic_clustering import DEFAULT_APART_SPREAD, DEFAULT_MERGE_SPREAD, TopicClusters
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
    max_topics: int = 12
    """At most this many topics, however busy the period, so a digest stays readable."""
    topics_per_sqrt_message: float = 0.75
    """Quieter periods have fewer: at most this times the square root of the message count."""
    min_topic_messages: int = 3
    """A topic needs this many messages, at least 2 of them more than small talk."""
    min_topic_share: float = 0.01
    """A topic needs this share of the period's messages too."""
    merge_spread: float = DEFAULT_MERGE_SPREAD
    """Parts of one conversation merge into a topic while alike by this many standard
    deviations of chance similarity (see :mod:`jobs.topic_clustering`)."""
    apart_spread: float = DEFAULT_APART_SPREAD
    """Topics that do not carry on from each other (the same subject on two days) need this many."""
    thread_affinity: float = 2.0
    """What a link of the conversation (a reply, a turn) adds to two messages' similarity,
    in standard deviations of chance similarity."""
    merge_similarity: float | None = None
    """A fixed merge threshold (centred cosine) instead of ``merge_spread`` and ``apart_spread``;
    also the likeness threshold of unanswered questions."""
    threads: ThreadWeights = field(default_factory=ThreadWeights)
    """How replies, turns and bursts of talk shape what a message is about."""
    short_message: int = 5
    """Messages with fewer content words (or Han characters) than this are short."""
    follow_gap: timedelta = timedelta(minutes=5)
    key_messages: int = 3
    title_terms: int = 3
    """A topic's subject line names up to this many key words."""
    title_chars: int = 80
    sample_texts: int = 20
    keywords: int = 4
    max_decisions: int = 5
    max_questions: int = 5
    min_question_length: int = 3
    answer_window: timedelta = timedelta(hours=6)
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
) -> Digest:
    """The digest of ``messages`` sent within ``period``.

    ``vectors`` holds one embedding per message, in the order of
    ``messages`` (``None`` falls back to bag-of-words vectors). Messages
    outside the period are ignored. ``joined`` names members who joined
    during the period (``member_id -> name``), posting or not; members whose
    messages carry ``is_newcomer`` are newcomers too.
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
        newcomers=_newcomers(kept, joined or {}),
        active_members=_active_members(kept, options.max_active_members),
        chat_title=chat_title,
    )
    if base.is_quiet or not kept:
        return base
    clusters, weights = conversation_topics(kept, matrix, options)
    return dataclasses.replace(
        base,
        topics=main_topics(kept, matrix, clusters, weights, language=language, options=options),
        decisions=_decisions(kept, options.max_decisions),
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
    """Topics of the period's messages (see :func:`jobs.digest_topics.conversation_topics`)."""
    return conversation_topics(messages, x, options)[0]


def _decisions(messages: Sequence[DigestMessage], limit: int) -> tuple[MessageRef, ...]:
    found = [
        message.ref()
        for message in messages
        if content_length(message.text) >= 4 and is_decision(message.text)
    ]
    return tuple(found[-limit:]) if limit > 0 else ()


def _unanswered(
    messages: Sequence[DigestMessage], clusters: TopicClusters, options: DigestOptions
) -> tuple[MessageRef, ...]:
    """Questions nobody answered, the latest first (see the module notes for the rule)."""
    labels = clusters.labels
    by_id = {message.message_id: message for message in messages}
    replied_by: defaultdict[int, set[int]] = defaultdict(set)
    for message in messages:
        if message.reply_to_message_id is not None:
            replied_by[message.reply_to_message_id].add(message.member_id)
    topic_rows: defaultdict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels.tolist()):
        topic_rows[label].append(i)
    topic_times = {label: [messages[i].sent_at for i in rows] for label, rows in topic_rows.items()}
    open_questions: list[MessageRef] = []
    for i, message in enumerate(messages):
        if content_length(message.text) < options.min_question_length:
            continue
        if not is_question(message.text):
            continue
        if replied_by[message.message_id] - {message.member_id}:
            continue
        label = int(labels[i])
        rows = topic_rows[label]
        times = topic_times[label]
        start = bisect.bisect_right(times, message.sent_at)
        stop = bisect.bisect_right(times, message.sent_at + options.answer_window)
        later = [j for j in rows[start:stop] if j > i]
        centred = clusters.centred
        alike = (centred[later] @ centred[i]) >= clusters.threshold if later else []
        candidates = [j for j, close in zip(later, alike, strict=True) if close]
        if _answers_in_turn(messages, i, clusters, options):
            candidates.insert(0, i + 1)
        answered = any(_answers(messages[j], message, by_id) for j in candidates)
        if not answered:
            open_questions.append(message.ref())
    open_questions.reverse()
    return tuple(open_questions[: options.max_questions])


def _answers_in_turn(
    messages: Sequence[DigestMessage], i: int, clusters: TopicClusters, options: DigestOptions
) -> bool:
    """Whether the message after question ``i`` reads as its answer in turn.

    It must come within ``follow_gap`` and be short, or alike to the question
    (as alike as the topic merge threshold), or come from whoever spoke just
    before the question (a back-and-forth between two members), or follow a
    question that broke a silence of more than ``follow_gap`` (nothing else
    was going on).
    """
    if i + 1 >= len(messages):
        return False
    question, after = messages[i], messages[i + 1]
    if after.sent_at - question.sent_at > options.follow_gap:
        return False
    opens = i == 0 or question.sent_at - messages[i - 1].sent_at > options.follow_gap
    exchange = i > 0 and messages[i - 1].member_id == after.member_id
    return (
        opens
        or exchange
        or content_length(after.text) < options.short_message
        or float(clusters.centred[i + 1] @ clusters.centred[i]) >= clusters.threshold
    )


def _answers(
    other: DigestMessage, question: DigestMessage, by_id: Mapping[int, DigestMessage]
) -> bool:
    """Whether ``other`` can answer ``question``: another member, not replying to a third."""
    if other.member_id == question.member_id:
        return False
    reply_to = other.reply_to_message_id
    target = by_id.get(reply_to) if reply_to is not None else None
    return target is None or target.member_id == question.member_id


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


def _newcomers(
    messages: Sequence[DigestMessage], joined: Mapping[int, str]
) -> tuple[Newcomer, ...]:
    found: dict[int, Newcomer] = {}
    for message in messages:
        if (message.is_newcomer or message.member_id in joined) and message.member_id not in found:
            found[message.member_id] = Newcomer(
                message.member_id, message.member_name, message.ref()
            )
    for member_id, name in joined.items():
        found.setdefault(member_id, Newcomer(member_id, name))
    return tuple(found.values())


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
    )
    if summariser is not None and digest.topics:
        digest = await summarise_topics(digest, summariser, token_budget=token_budget)
    return digest
