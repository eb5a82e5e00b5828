"""Digests of what happened in a chat, built from stored messages and their vectors."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bots.message_vectors import message_vectors
from bots.settings import HearthSettings
from bots.storage.digest_features_store import DigestFeatureStore
from bots.storage.repository import PERIOD_MESSAGES_LIMIT, Storage
from jobs.digest_builder import DigestOptions, compose_digest
from jobs.digest_features import digest_features
from jobs.digest_model import Digest, DigestMessage, DigestPeriod
from jobs.digest_render import DISCORD_MAX_CHARS, render_digest
from jobs.digest_summaries import TopicSummariser
from jobs.languages import Language
from jobs.llm_topic_summaries import LLMTopicSummariser
from locales import current
from memory.embedder import Embedder
from memory.store import MemoryStore
from twins.chat_models import chat_model_name

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

log = logging.getLogger(__name__)

DEFAULT_PERIOD = timedelta(hours=24)
MAX_CHARS = DISCORD_MAX_CHARS
"""Every part fits the smallest platform limit, so a digest reads the same everywhere."""


def digest_summariser(
    model: BaseChatModel | None, settings: HearthSettings
) -> TopicSummariser | None:
    """A summariser over ``model`` for digest topics, or ``None`` for extractive digests.

    ``None`` when there is no chat model or ``DIGEST_LLM_TOKEN_BUDGET`` is 0.
    """
    if model is None or settings.digest_llm_token_budget <= 0:
        return None
    log.info(
        "digest topics are summarised with chat model %s (%s), at most %d tokens per digest",
        chat_model_name(model),
        settings.llm_provider,
        settings.digest_llm_token_budget,
    )
    return LLMTopicSummariser(model, timeout_seconds=settings.llm_timeout_seconds)


async def period_messages(
    storage: Storage,
    chat_id: int,
    period: DigestPeriod,
    *,
    limit: int = PERIOD_MESSAGES_LIMIT,
    newest: bool = False,
) -> list[DigestMessage]:
    """The chat's messages in ``period``, as digests read them (oldest first).

    With ``limit``, at most that many: the first ones of the period, or with ``newest``
    the last ones.
    """
    stored = await storage.period_messages(chat_id, period.start, period.end, limit, newest=newest)
    return [
        DigestMessage(
            message_id=m.id,
            member_id=m.member_id,
            member_name=m.member_name,
            text=m.text,
            sent_at=m.sent_at,
            permalink=m.permalink,
            reply_to_message_id=m.reply_to_id,
        )
        for m in stored
    ]


@dataclass(frozen=True, slots=True)
class ComposedDigest:
    """A chat digest as built (``digest``) and as chat messages (``parts``; none when quiet
    and no quiet line is wanted)."""

    digest: Digest
    parts: list[str]


class ChatDigests:
    """Builds a chat's digest for a period; vectors come from memory, not re-embedding.

    With a ``summariser``, topics are worded by it within ``token_budget``
    tokens per chat and digest; without one (or with a budget of 0) digests
    stay extractive.

    A digest is written in the current reply language, which its caller sets from the
    chat (:meth:`bots.reply_languages.ReplyLanguages.for_chat`).
    """

    def __init__(
        self,
        storage: Storage,
        memory: MemoryStore,
        embedder: Embedder,
        *,
        summariser: TopicSummariser | None = None,
        token_budget: int = 2000,
    ) -> None:
        self._storage = storage
        self._memory = memory
        self._embedder = embedder
        self._summariser = summariser if token_budget > 0 else None
        self._token_budget = token_budget
        self._features = DigestFeatureStore(storage.engine)

    async def render(
        self,
        chat_id: int,
        end: datetime,
        length: timedelta = DEFAULT_PERIOD,
        chat_title: str | None = None,
        quiet_line: bool = True,
    ) -> list[str]:
        """The digest of ``[end - length, end)`` as chat messages.

        A quiet period gives one line, or no message at all with ``quiet_line=False``.
        """
        composed = await self.compose(chat_id, end, length, chat_title, quiet_line)
        return composed.parts

    async def compose(
        self,
        chat_id: int,
        end: datetime,
        length: timedelta = DEFAULT_PERIOD,
        chat_title: str | None = None,
        quiet_line: bool = True,
    ) -> ComposedDigest:
        """The digest of ``[end - length, end)``, built and rendered as :meth:`render` does."""
        period = DigestPeriod(end - length, end)
        messages = await period_messages(self._storage, chat_id, period)
        known = await message_vectors(
            self._memory, self._embedder, [(m.message_id, m.text) for m in messages]
        )
        vectors = [known[m.message_id] for m in messages] if messages else None
        joined = await self._storage.joined_between(chat_id, period.start, period.end)
        seen_before = await self._storage.members_seen_before(
            chat_id, sorted({m.member_id for m in messages}), period.start
        )
        digest = await compose_digest(
            messages,
            period,
            vectors=vectors,
            embedder=self._embedder if vectors else None,  # for its language direction
            chat_title=chat_title,
            joined=joined,
            seen_before=seen_before,
            summariser=self._summariser,
            token_budget=self._token_budget,
            options=DigestOptions(language=Language(current())),
        )
        return ComposedDigest(
            digest, render_digest(digest, max_chars=MAX_CHARS, quiet_line=quiet_line)
        )

    async def record_featured(
        self, chat_id: int, digest: Digest, posted_at: datetime | None = None
    ) -> int:
        """Remember whom ``digest``, just posted in the chat, featured; how many features.

        Call it once a part was sent. A failure to store is logged and otherwise ignored:
        the digest is out already, and its record must not fail the post.
        """
        features = digest_features(digest)
        if not features:
            return 0
        try:
            return await self._features.record(chat_id, posted_at or datetime.now(UTC), features)
        except Exception:
            log.exception("could not record whom the digest of chat %s featured", chat_id)
            return 0
