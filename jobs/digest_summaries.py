"""Optional topic summaries written by a language model, within a token budget per chat.

The digest is extractive by default. An integrator that has a model (for
example through LangChain) passes a :class:`TopicSummariser`; its text then
stands for the topic in the rendered digest. A summariser that returns
``None``, an empty text or raises leaves the topic as it was.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from typing import Protocol

from jobs.digest_model import Digest
from jobs.languages import Language
from memory.prompt_tokens import estimate_tokens, truncate_to_tokens

logger = logging.getLogger(__name__)

PROMPT_OVERHEAD_TOKENS = 60
"""Tokens counted for a summariser's own instructions on each call, unless it says otherwise."""

MIN_TEXT_TOKENS = 16
"""A text is shortened to fit what is left of the budget, but never below this many tokens."""


class TopicSummariser(Protocol):
    """Summarises one topic's messages in a language, in at most ``max_tokens`` tokens.

    Chat messages are untrusted: the summary must say who said what ("王磊说…",
    "Ana says…"), never state a message as fact. ``authors`` name the member
    who wrote each text. A summariser whose own prompt costs more than
    :data:`PROMPT_OVERHEAD_TOKENS` per call may say so in a
    ``prompt_overhead_tokens`` attribute.
    """

    async def summarise(
        self,
        topic_texts: Sequence[str],
        language: str,
        max_tokens: int,
        *,
        authors: Sequence[str] = (),
    ) -> str | None:
        """A short, attributed summary of ``topic_texts`` in ``language`` (``en``/``zh``)."""
        ...


def prompt_overhead(summariser: TopicSummariser) -> int:
    """Tokens charged per call for ``summariser``'s own prompt.

    Its ``prompt_overhead_tokens`` when it has one, else :data:`PROMPT_OVERHEAD_TOKENS`.
    """
    declared = getattr(summariser, "prompt_overhead_tokens", None)
    if isinstance(declared, int) and declared >= 0:
        return declared
    return PROMPT_OVERHEAD_TOKENS


async def summarise_topics(
    digest: Digest,
    summariser: TopicSummariser,
    *,
    token_budget: int = 2000,
    max_tokens_per_topic: int = 120,
    max_text_tokens: int = 200,
) -> Digest:
    """``digest`` with topic summaries, spending at most ``token_budget`` tokens.

    Topics are summarised in the digest's order. Each call is charged its
    input (estimated with :func:`estimate_tokens`: each text with its
    author's name, plus the summariser's :func:`prompt_overhead`) and its
    ``max_tokens``. A topic's texts are given most central first, each cut
    to ``max_text_tokens``; the last one that fits is shortened to what is
    left, and summarising stops when less than :data:`MIN_TEXT_TOKENS` is
    left.
    """
    remaining = token_budget
    overhead = prompt_overhead(summariser)
    language = "zh" if digest.language is Language.CHINESE else "en"
    topics = list(digest.topics)
    for index, topic in enumerate(topics):
        allowance = remaining - max_tokens_per_topic - overhead
        if allowance < MIN_TEXT_TOKENS:
            break
        texts: list[str] = []
        authors: list[str] = []
        spent = 0
        for position, text in enumerate(topic.sample_texts):
            author = topic.sample_authors[position] if position < len(topic.sample_authors) else ""
            label = estimate_tokens(f"{author}: ") if author else 0
            room = min(allowance - spent - label, max_text_tokens)
            if room < MIN_TEXT_TOKENS:
                break
            cut = truncate_to_tokens(text, room)
            if cut.strip():
                texts.append(cut)
                authors.append(author)
                spent += estimate_tokens(cut) + label
        if not texts:
            continue
        remaining -= spent + max_tokens_per_topic + overhead
        try:
            summary = await summariser.summarise(
                texts, language, max_tokens_per_topic, authors=authors
            )
        except Exception:
            logger.warning("topic summariser failed; keeping the extractive topic", exc_info=True)
            continue
        if summary and summary.strip():
            topics[index] = dataclasses.replace(topic, summary=" ".join(summary.split()))
    return dataclasses.replace(digest, topics=tuple(topics))
