"""The main topics of a digest: conversations a member would recognise, and what names them.

Topics form from messages that say something; small talk (greetings,
thanks, "+1", laughter, stickers; :mod:`jobs.small_talk`) never makes or
titles a topic, but counts as taking part in the conversation it answers.
Each message is read with its conversation (replies, turns, bursts of talk;
:mod:`jobs.conversation_threads`) and clustered
(:mod:`jobs.topic_clustering`); talk on different days joins one topic only
when it shares a key word (:func:`subject_terms`) or is very alike.

How many topics a digest shows grows with the period's activity: a topic
needs ``min_topic_messages`` messages, ``min_topic_share`` of the period's
and two with substance (or one that two other members take up: a plan
answered "see you there" and "count me in"); of those, the ones whose messages say most are
shown, at most ``topics_per_sqrt_message`` times the square root of the
number of messages and never more than ``max_topics`` (a day of 20 messages
has 2 or 3, a week of 150 about 9).

A topic's title is the sentence that best names it, quoted after its author
(``王磊：“…”``): usually the one that opens the conversation, or its most
central message; a piece of a message is never shown in Hearth's own voice.
Its key words go with it (words that can name a subject, used by at least a
fifth of its messages); they make the title ("部署 · Docker · 镜像") only
when no sentence says enough.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from jobs.conversation_threads import (
    attach_to_threads,
    bursts,
    isolated_labels,
    thread_edges,
    thread_vectors,
)
from jobs.digest_model import TERM_SEPARATOR, DigestMessage, MessageRef, Topic
from jobs.keywords import TIME_WORDS, distinctive_terms, names_a_subject, terms_per_message
from jobs.languages import Language, script_of
from jobs.quoting import quoted
from jobs.small_talk import MIN_SUBSTANCE, substance, without_placeholders
from jobs.text_cues import excerpt, key_terms
from jobs.topic_clustering import (
    DEFAULT_ALIKE_SPREAD,
    TopicClusters,
    centre_by_script,
    find_topics,
    similarity_spread,
)
from jobs.vector_math import FloatMatrix, centred_unit_rows
from jobs.web_links import without_urls

if TYPE_CHECKING:
    from jobs.digest_builder import DigestOptions

FloatArray = npt.NDArray[np.float64]

MAX_MESSAGE_WEIGHT = 20.0
"""When weighing what a topic says, a long message counts like a few short ones, not more."""
MIN_QUOTE_SUBSTANCE = 6
"""A sentence quoted for a topic says at least this much (see :mod:`jobs.small_talk`)."""
_QUOTE_CANDIDATES = 15
"""How many of a topic's most central messages may give its quote."""
_KEYWORD_SHARE = 0.2
"""A topic's key word is used by at least this share of its messages (and by two)."""
_TAKEN_UP_BY = 2
"""A topic with one message of substance needs this many other members taking part in it."""
_OPENING_BONUS = 2.0
"""What opening a conversation adds to a sentence's claim to name it (half for the reply)."""
_SENTENCE_BREAK = re.compile(r"(?<=[。！？!?…；;])|(?<=\.)\s+|\n")


def conversation_topics(
    messages: Sequence[DigestMessage], x: FloatMatrix, options: DigestOptions
) -> tuple[TopicClusters, FloatArray, list[frozenset[str]]]:
    """The topics of the period's messages, how much each message says, and each
    message's :func:`topic_terms`.

    ``messages`` are in time order with their unit vectors ``x``. Messages
    with substance are blended with their conversation and clustered (their
    rows are the ``core``); small talk then takes the topic of the message it
    answers, or a label of its own. The clusters' ``centred`` vectors and
    likeness ``threshold`` are those of the messages' own words.
    """
    names = frozenset(message.member_name for message in messages)
    weights = np.fromiter(
        (substance(message.text, names) for message in messages), dtype=np.float64, count=len(x)
    )
    small = weights < MIN_SUBSTANCE
    core = np.flatnonzero(~small)
    if len(core) == 0:
        core = np.arange(len(x))
        small[:] = False
    terms = topic_terms(messages, options)
    subjects = subject_terms(terms)
    centred = centre_by_script(
        x,
        [script_of(message.text) for message in messages],
        core,
        centres=options.language_centres,
    )
    spread = similarity_spread(centred[core], seed=options.seed)
    edges = thread_edges(centred, messages, small, options.threads, spread=spread)
    clusters = find_topics(
        thread_vectors(centred, edges, small, options.threads),
        rows=core,
        bursts=bursts(messages, options.threads.burst_gap),
        affinity=edges,
        affinity_weight=options.thread_affinity,
        merge_spread=options.merge_spread,
        apart_spread=options.apart_spread,
        merge_similarity=options.merge_similarity,
        spread=spread,
        terms=subjects,
        unshared_spread=options.unshared_spread,
        seed=options.seed,
    )
    labels = attach_to_threads(messages, clusters.labels, options.threads)
    # Whether two messages are alike is a matter of their own words, not of their context.
    plain = centred_unit_rows(x)
    alike = (
        options.merge_similarity
        if options.merge_similarity is not None
        else DEFAULT_ALIKE_SPREAD * similarity_spread(plain, seed=options.seed)
    )
    found = dataclasses.replace(
        clusters, labels=isolated_labels(labels), centred=plain, threshold=alike
    )
    return found, weights, terms


def subject_terms(terms: Sequence[frozenset[str]]) -> list[frozenset[str]]:
    """Each message's words (its :func:`topic_terms`) that can name a subject (not time
    words or other words that name no subject)."""
    vocabulary = {term for found in terms for term in found}
    subjects = {term for term in vocabulary if names_a_subject(term)}
    return [found & subjects for found in terms]


def topic_limit(message_count: int, options: DigestOptions) -> int:
    """How many topics a period of ``message_count`` messages may show."""
    scaled = round(options.topics_per_sqrt_message * math.sqrt(message_count))
    return max(1, min(options.max_topics, scaled))


@dataclass(frozen=True, slots=True)
class _Period:
    """What every topic of a period is built from."""

    messages: Sequence[DigestMessage]
    x: FloatMatrix
    labels: npt.NDArray[np.int64]
    core: npt.NDArray[np.bool_]
    terms: Sequence[frozenset[str]]
    names: frozenset[str]
    language: Language
    options: DigestOptions


def main_topics(
    messages: Sequence[DigestMessage],
    x: FloatMatrix,
    clusters: TopicClusters,
    weights: FloatArray,
    *,
    language: Language,
    options: DigestOptions,
    terms: Sequence[frozenset[str]] | None = None,
) -> tuple[Topic, ...]:
    """The period's main topics, those that say most first (see the module notes).

    ``weights`` is how much each message says (:func:`jobs.small_talk.substance`);
    ``terms`` are the messages' :func:`topic_terms` when already found.
    """
    labels, core = clusters.labels, clusters.core
    if not (weights >= MIN_SUBSTANCE).any():
        return ()  # only small talk, links or emoji: nothing makes a topic
    n = len(messages)
    min_size = max(options.min_topic_messages, math.ceil(options.min_topic_share * n))
    sizes = np.bincount(labels)
    core_sizes = np.bincount(labels[core], minlength=len(sizes))
    said = np.bincount(labels[core], np.minimum(weights[core], MAX_MESSAGE_WEIGHT), len(sizes))
    speakers = np.zeros(len(sizes), dtype=np.int64)
    for cluster, _ in {(int(labels[i]), m.member_id) for i, m in enumerate(messages)}:
        speakers[cluster] += 1
    eligible = [
        c
        for c in range(len(sizes))
        if sizes[c] >= min_size
        and (core_sizes[c] >= 2 or (core_sizes[c] == 1 and speakers[c] >= _TAKEN_UP_BY + 1))
    ]
    eligible.sort(key=lambda c: (-said[c], -sizes[c], c))
    chosen = eligible[: topic_limit(n, options)]
    if not chosen:
        return ()
    names = frozenset(message.member_name for message in messages)
    terms = topic_terms(messages, options) if terms is None else list(terms)
    groups = [[terms[i] for i in np.flatnonzero((labels == c) & core)] for c in range(len(sizes))]
    keywords = distinctive_terms(groups, top=max(8, options.keywords, options.title_terms))
    period = _Period(messages, x, labels, core, terms, names, language, options)
    topics = (
        _topic(period, cluster, [term for term in keywords[cluster] if term not in TIME_WORDS])
        for cluster in chosen
    )
    return tuple(topic for topic in topics if topic.title.strip())


_MENTION = re.compile(r"(?<![\w.])@[^\s@,，。:：!！?？()（）]{1,64}")
"""An @-mention: it names whom a message is for (someone who may not have posted in the
period, so not among its writers' names), never what it is about."""


def topic_terms(messages: Sequence[DigestMessage], options: DigestOptions) -> list[frozenset[str]]:
    """Each message's key terms, without the members' names, @-mentions, small talk
    ("收到", "thanks") and ``options.extra_stop_terms``."""
    names = frozenset(message.member_name for message in messages)
    texts = [_MENTION.sub(" ", without_placeholders(message.text)) for message in messages]
    terms = terms_per_message(texts)
    stop = options.extra_stop_terms | {part for name in names for part in key_terms(name)}
    vocabulary = {term for found in terms for term in found} - stop
    kept = {term for term in vocabulary if substance(term, names) > 0}
    return [frozenset(found & kept) for found in terms]


def _topic(period: _Period, cluster: int, keywords: Sequence[str]) -> Topic:
    """One topic: its subject, a quote that names it, its people and its first message."""
    messages, options = period.messages, period.options
    rows: list[int] = np.flatnonzero(period.labels == cluster).tolist()
    members = np.flatnonzero((period.labels == cluster) & period.core)
    centroid = period.x[members].sum(axis=0)
    norm = float(np.linalg.norm(centroid))
    centrality = period.x[members] @ (centroid / norm if norm > 0 else centroid)
    ranked = [int(members[i]) for i in np.argsort(-centrality, kind="stable")]
    used = Counter(term for i in members.tolist() for term in period.terms[i])
    shared = [term for term in keywords if used[term] >= 2]
    quote = _quote(period, ranked, members.tolist(), shared)
    enough = max(2, math.ceil(_KEYWORD_SHARE * len(members)))
    keywords = [term for term in shared if used[term] >= enough and names_a_subject(term)]
    if quote is not None:
        title = quoted(quote.member_name, quote.text, period.language)
    else:
        title = subject_line(keywords, options.title_terms, options.title_chars)
    speakers = Counter(messages[i].member_id for i in rows)
    people = {messages[i].member_id: messages[i].member_name for i in rows}
    participant_ids = tuple(
        member for member, _ in sorted(speakers.items(), key=lambda kv: (-kv[1], people[kv[0]]))
    )
    samples = ranked[: options.sample_texts]
    return Topic(
        title=title,
        keywords=tuple(keywords[: options.keywords]),
        size=len(rows),
        participants=tuple(people[m] for m in participant_ids),
        participant_ids=participant_ids,
        key_messages=tuple(
            messages[i].ref() for i in key_messages(messages, ranked, options.key_messages)
        ),
        first_at=messages[rows[0]].sent_at,
        last_at=messages[rows[-1]].sent_at,
        message_ids=tuple(messages[i].message_id for i in rows),
        sample_texts=tuple(messages[i].text for i in samples),
        sample_authors=tuple(messages[i].member_name for i in samples),
        first_message=messages[rows[0]].ref(),
        quote=quote,
    )


def subject_line(keywords: Sequence[str], count: int, limit: int) -> str:
    """A subject in key words, at most ``count`` of them and ``limit`` characters."""
    line = ""
    for term in keywords[:count]:
        longer = f"{line}{TERM_SEPARATOR}{term}" if line else term
        if len(longer) > limit:
            break
        line = longer
    return line


def _quote(
    period: _Period, ranked: Sequence[int], in_order: Sequence[int], keywords: Sequence[str]
) -> MessageRef | None:
    """The sentence that best names the topic's subject.

    Each sentence of the most central messages (``ranked``) and of the
    messages that open the conversation (``in_order``: the topic's messages
    with substance, in time order) scores for the topic's key words it
    names (words two of its messages use), for naming two key words of its
    own, for what it says (its substance, up to a point), for how central
    its message is, and for
    opening the conversation, where the subject is usually stated. Its
    ``text`` is that sentence without links or media placeholders, cut to
    ``title_chars``. Small
    talk is never chosen; a sentence needs :data:`MIN_QUOTE_SUBSTANCE`
    unless none has it.
    """
    wanted = set(keywords)
    shortlist = list(ranked[: min(_QUOTE_CANDIDATES, max(5, len(ranked) // 3))])
    opening = {row: _OPENING_BONUS / (place + 1) for place, row in enumerate(in_order[:2])}
    shortlist += [row for row in opening if row not in shortlist]
    central = {row: rank / len(shortlist) for rank, row in enumerate(ranked)}
    best: tuple[float, int, str] | None = None
    for i in shortlist:
        shown = without_placeholders(without_urls(period.messages[i].text))
        for part in _SENTENCE_BREAK.split(shown):
            sentence = " ".join(part.split())
            weight = substance(sentence, period.names)
            if weight < MIN_SUBSTANCE:
                continue
            own = set(key_terms(sentence)) & period.terms[i]
            score = (
                2.0 * len(own & wanted)
                + (1.0 if len(own) >= 2 else 0.0)
                + (1.0 if weight >= MIN_QUOTE_SUBSTANCE else -2.0)
                + min(weight, MAX_MESSAGE_WEIGHT) / 10.0
                - 1.5 * min(central.get(i, 1.0), 1.0)
                + opening.get(i, 0.0)
            )
            if best is None or score > best[0]:
                best = (score, i, sentence)
    if best is None:
        return None
    _, row, sentence = best
    text = excerpt(sentence, period.options.title_chars)
    return dataclasses.replace(period.messages[row].ref(), text=text)


def key_messages(messages: Sequence[DigestMessage], ranked: Sequence[int], count: int) -> list[int]:
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
