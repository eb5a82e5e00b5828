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
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import numpy.typing as npt

from jobs.conversation_threads import ThreadWeights
from jobs.digest_decisions import DecisionRules, find_decisions
from jobs.digest_model import (
    Digest,
    DigestDecision,
    DigestMessage,
    DigestPeriod,
    MemberActivity,
    MessageRef,
    SharedLink,
)
from jobs.digest_newcomers import find_newcomers
from jobs.digest_summaries import TopicSummariser, summarise_topics
from jobs.digest_topics import conversation_topics, main_topics
from jobs.languages import Language, detect_language
from jobs.open_questions import AnswerRules, unanswered_questions
from jobs.script_offsets import ScriptCentres
from jobs.text_cues import find_urls
from jobs.topic_clustering import (
    DEFAULT_APART_SPREAD,
    DEFAULT_MERGE_SPREAD,
    DEFAULT_UNSHARED_SPREAD,
    TopicClusters,
)
from jobs.vector_math import FloatMatrix, unit_rows
from memory.embedder import Embedder
from memory.hash_embedder import HashEmbedder
from memory.language_centres import language_centres


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
    unshared_spread: float | None = DEFAULT_UNSHARED_SPREAD
    """Topics that do not carry on from each other and share no subject word need this many
    (``None``: as many as ``apart_spread``): two plans on two days alike only in their dates
    stay two topics."""
    thread_affinity: float = 2.0
    """What a link of the conversation (a reply, a turn) adds to two messages' similarity,
    in standard deviations of chance similarity."""
    merge_similarity: float | None = None
    """A fixed merge threshold (centred cosine) instead of ``merge_spread`` and ``apart_spread``;
    also the likeness threshold of unanswered questions."""
    threads: ThreadWeights = field(default_factory=ThreadWeights)
    """How replies, turns and bursts of talk shape what a message is about."""
    language_centres: ScriptCentres | None = field(default=None, compare=False)
    """Where the embedder puts each language (``memory.language_centres``): the language
    direction taken out of the messages; ``None``: measured on the period's own messages
    (:func:`compose_digest` finds them for its ``embedder``)."""
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
    clusters, weights, terms = conversation_topics(kept, matrix, options)
    return dataclasses.replace(
        base,
        topics=main_topics(
            kept, matrix, clusters, weights, language=language, options=options, terms=terms
        ),
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
    return _unanswered(kept, conversation_topics(kept, matrix, options)[0], options)


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


def _decisions(
    messages: Sequence[DigestMessage], clusters: TopicClusters, options: DigestOptions
) -> tuple[DigestDecision, ...]:
    """The current decisions of the period, the latest ``max_decisions`` in time order."""
    if options.max_decisions <= 0:
        return ()
    rules = DecisionRules(agreement_gap=options.agreement_gap, bot_names=options.bot_names)
    found = find_decisions(messages, clusters.centred, clusters.labels, rules)
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
    ``embedder`` (else bag-of-words vectors); the language direction taken out
    of them is that of ``embedder`` when given (:mod:`memory.language_centres`).
    With a ``summariser``, topics get summaries within ``token_budget`` tokens
    for the whole chat; without one, or when it fails, the digest stays extractive.
    """
    if vectors is None and embedder is not None:
        inside = [message for message in messages if message.sent_at in period]
        messages = inside
        vectors = await embedder.embed_passages([message.text for message in inside])
    if embedder is not None and vectors is not None:
        options = options or DigestOptions()
        if options.language_centres is None:
            centres = await language_centres(embedder)
            options = dataclasses.replace(options, language_centres=centres)
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
