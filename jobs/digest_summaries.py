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
from jobs.languages import HAN, Language, count_han

logger = logging.getLogger(__name__)

PROMPT_OVERHEAD_TOKENS = 60
"""Tokens counted for a summariser's own instructions on each call."""


class TopicSummariser(Protocol):
    """Summarises one topic's messages in a language, in at most ``max_tokens`` tokens."""

    async def summarise(
        self, topic_texts: Sequence[str], language: str, max_tokens: int
    ) -> str | None:
        """A short summary of ``topic_texts`` in ``language`` (``en`` or ``zh``), or ``None``."""
        ...


def estimate_tokens(text: str) -> int:
    """A rough token count: one per Han character, four per three other words."""
    han = count_han(text)
    words = len(HAN.sub(" ", text).split())
    return han + (4 * words + 2) // 3


async def summarise_topics(
    digest: Digest,
    summariser: TopicSummariser,
    *,
    token_budget: int = 2000,
    max_tokens_per_topic: int = 120,
) -> Digest:
    """``digest`` with topic summaries, spending at most ``token_budget`` tokens.

    Topics are summarised largest first. Each call is charged its input
    (estimated with :func:`estimate_tokens`, plus a fixed prompt overhead)
    and its ``max_tokens``; a topic's least central texts are dropped until
    its call fits what is left, and summarising stops when nothing fits.
    """
    remaining = token_budget
    language = "zh" if digest.language is Language.CHINESE else "en"
    topics = list(digest.topics)
    for index, topic in enumerate(topics):
        allowance = remaining - max_tokens_per_topic - PROMPT_OVERHEAD_TOKENS
        if allowance <= 0:
            break
        texts: list[str] = []
        spent = 0
        for text in topic.sample_texts:
            cost = estimate_tokens(text)
            if spent + cost > allowance:
                break
            texts.append(text)
            spent += cost
        if not texts:
            continue
        remaining -= spent + max_tokens_per_topic + PROMPT_OVERHEAD_TOKENS
        try:
            summary = await summariser.summarise(texts, language, max_tokens_per_topic)
        except Exception:
            logger.warning("topic summariser failed; keeping the extractive topic", exc_info=True)
            continue
        if summary and summary.strip():
            topics[index] = dataclasses.replace(topic, summary=" ".join(summary.split()))
    return dataclasses.replace(digest, topics=tuple(topics))
