"""The optional topic summariser: used when present, within the chat's token budget."""

from __future__ import annotations

from collections.abc import Sequence

from jobs.digest_builder import compose_digest
from jobs.digest_model import DigestMessage
from jobs.digest_render import render_digest
from jobs.digest_summaries import estimate_tokens, summarise_topics
from memory.hash_embedder import HashEmbedder
from tests.jobs.helpers import DAY, message
from tests.jobs.test_digest_builder import BAKING, HIKING, LAPTOPS


class RecordingSummariser:
    def __init__(self, answer: str | None = "A short summary.", fail: bool = False) -> None:
        self.calls: list[tuple[list[str], str, int]] = []
        self.authors: list[list[str]] = []
        self.answer = answer
        self.fail = fail

    async def summarise(
        self,
        topic_texts: Sequence[str],
        language: str,
        max_tokens: int,
        *,
        authors: Sequence[str] = (),
    ) -> str | None:
        self.calls.append((list(topic_texts), language, max_tokens))
        self.authors.append(list(authors))
        if self.fail:
            raise RuntimeError("model unavailable")
        return self.answer


def _messages() -> list[DigestMessage]:
    texts = HIKING + BAKING + LAPTOPS
    return [message(1 + i % 4, text, 30.0 * i) for i, text in enumerate(texts)]


async def test_embeds_with_the_embedder_and_summarises_topics() -> None:
    summariser = RecordingSummariser()
    digest = await compose_digest(
        _messages(), DAY, embedder=HashEmbedder(512), summariser=summariser
    )
    assert len(digest.topics) == 3
    assert len(summariser.calls) == 3
    assert all(topic.summary == "A short summary." for topic in digest.topics)
    assert all(language == "en" for _, language, _ in summariser.calls)
    # each text comes with its author, so the summary can say who said what
    by_text = {m.text: m.member_name for m in _messages()}
    for (texts, _, _), authors in zip(summariser.calls, summariser.authors, strict=True):
        assert authors == [by_text[text] for text in texts]
    rendered = render_digest(digest)[0]
    assert rendered.count("\n   A short summary.\n") == 3
    assert "messages · member" in rendered


async def test_budget_limits_the_calls_and_their_input() -> None:
    summariser = RecordingSummariser()
    digest = await compose_digest(_messages(), DAY, embedder=HashEmbedder(512))
    summarised = await summarise_topics(
        digest, summariser, token_budget=300, max_tokens_per_topic=100
    )
    assert len(summariser.calls) == 1
    texts, _, max_tokens = summariser.calls[0]
    assert max_tokens == 100
    authors = summariser.authors[0]
    lines = [f"{author}: {text}" for author, text in zip(authors, texts, strict=True)]
    assert sum(estimate_tokens(line) for line in lines) <= 300 - 100 - 60
    assert summarised.topics[0].summary is not None
    assert summarised.topics[1].summary is None


async def test_failures_and_empty_answers_keep_the_extractive_digest() -> None:
    digest = await compose_digest(_messages(), DAY, embedder=HashEmbedder(512))
    for summariser in (RecordingSummariser(fail=True), RecordingSummariser(answer="  ")):
        kept = await summarise_topics(digest, summariser)
        assert kept == digest


def test_token_estimates() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("三个字") == 3
    assert 4 <= estimate_tokens("one two three") <= 5
