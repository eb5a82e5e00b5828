"""A member's personal digest: what in their group chats is for them, built and rendered.

:func:`build_personal_digest` is pure and synchronous (run it with
``asyncio.to_thread``); the caller gathers, per group chat the member is in,
the period's messages with their vectors. Three kinds of items come out, each
a message of someone else, never the member's own:

Mentions
    Messages whose text names the member's ``@username`` (any case, as a whole
    handle: ``@bob`` does not match ``@bobby`` or ``mail@bob.org``).
Replies
    Messages that reply to one of the member's messages in the same chat.
Questions for them
    Questions of others that nobody answered (the chat digest's rule, see
    :func:`jobs.digest_builder.find_unanswered`) and that are about what the
    member talks about. Each chat brings the member's interest vector there and
    a baseline: vectors of the chat's recent messages by others. A question
    counts when its similarity to the interest vector is at least
    ``interest_margin`` standard deviations above the baseline's mean
    similarity: the question must be clearly more on the member's subjects than
    what the chat usually says (with a roughly normal spread, only about one
    message in six clears one standard deviation). Because the rule is relative
    to each chat's own spread, it holds for any embedding model and any chat,
    however alike its messages are. Chats with fewer than ``min_baseline``
    baseline messages, or no interest vector, give no questions: there is
    nothing to tell typical from particular. The most clearly relevant
    questions across all chats are kept, at most ``max_questions``.

A message that is several of these is listed once: as a mention, else a reply.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from jobs.digest_builder import find_unanswered
from jobs.digest_model import DigestMessage, DigestPeriod, MessageRef
from jobs.digest_render import (
    DISCORD_MAX_CHARS,
    continued,
    pack_sections,
    period_label,
)
from jobs.languages import Language, language_of_script
from jobs.text_cues import excerpt
from jobs.vector_math import unit_rows
from locales import tr, using


class ItemKind(StrEnum):
    """Why a message is in the member's digest."""

    MENTION = "mention"
    REPLY = "reply"
    QUESTION = "question"


@dataclass(frozen=True, slots=True)
class PersonalDigestOptions:
    """Knobs of a personal digest; see the module notes for the question rule."""

    max_questions: int = 5
    max_items: int = 20
    """Mentions, and replies, listed at most (the latest); the rest are counted."""
    interest_margin: float = 1.0
    """How many baseline standard deviations a question must be above the baseline's mean."""
    min_baseline: int = 5
    """Fewer baseline messages than this in a chat give no questions there."""


@dataclass(frozen=True, slots=True)
class ChatActivity:
    """One group chat the member is in, over the period, as the digest reads it.

    ``messages`` are people's messages of the period (the member's own included, so
    that replies and answers are seen). ``vectors`` holds one embedding per message,
    in order (``None``: bag-of-words, and no questions). ``interest`` is the member's
    interest vector in this chat, ``baseline`` the vectors of the chat's recent
    messages by others. ``authors`` names who wrote messages replied to from before
    the period (message id -> member id).
    """

    chat_id: int
    title: str
    messages: Sequence[DigestMessage]
    vectors: npt.ArrayLike | None = None
    interest: Sequence[float] | None = None
    baseline: npt.ArrayLike | None = None
    authors: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PersonalItem:
    """One message in the digest, where it was said, and (for questions) how relevant."""

    kind: ItemKind
    chat_id: int
    chat_title: str
    message: MessageRef
    relevance: float | None = None
    """For questions: standard deviations above the chat's typical similarity."""


@dataclass(frozen=True, slots=True)
class PersonalDigest:
    """A member's digest of a period; render it with :func:`render_personal_digest`."""

    member_id: int
    period: DigestPeriod
    language: Language
    mentions: tuple[PersonalItem, ...] = ()
    replies: tuple[PersonalItem, ...] = ()
    questions: tuple[PersonalItem, ...] = ()
    more_mentions: int = 0
    more_replies: int = 0

    @property
    def is_empty(self) -> bool:
        """Whether nothing in the period is for the member."""
        return not (self.mentions or self.replies or self.questions)


def mentions_handle(text: str, username: str) -> bool:
    """Whether ``text`` names ``@username`` as a whole handle, in any case."""
    handle = username.lstrip("@")
    if not handle:
        return False
    pattern = rf"(?<![\w@.])@{re.escape(handle)}(?![\w]|[.\-][\w])"
    return re.search(pattern, text, flags=re.IGNORECASE) is not None


def build_personal_digest(
    member_id: int,
    username: str | None,
    chats: Sequence[ChatActivity],
    period: DigestPeriod,
    *,
    language: Language = Language.ENGLISH,
    options: PersonalDigestOptions | None = None,
) -> PersonalDigest:
    """The digest of ``period`` for ``member_id`` from the chats they are in.

    ``username`` is the member's handle (without ``@``); without one there are
    no mentions. Only messages within ``period`` and by others are listed.
    """
    options = options or PersonalDigestOptions()
    mentions: list[PersonalItem] = []
    replies: list[PersonalItem] = []
    candidates: list[PersonalItem] = []
    for chat in chats:
        inside = [m for m in chat.messages if m.sent_at in period]
        authors = dict(chat.authors)
        authors.update({m.message_id: m.member_id for m in chat.messages})
        listed: set[int] = set()
        for message in inside:
            if message.member_id == member_id:
                continue
            if username and mentions_handle(message.text, username):
                mentions.append(
                    PersonalItem(ItemKind.MENTION, chat.chat_id, chat.title, message.ref())
                )
                listed.add(message.message_id)
            elif (
                message.reply_to_message_id is not None
                and authors.get(message.reply_to_message_id) == member_id
            ):
                replies.append(
                    PersonalItem(ItemKind.REPLY, chat.chat_id, chat.title, message.ref())
                )
                listed.add(message.message_id)
        candidates.extend(
            item
            for item in _questions(member_id, chat, period, options)
            if item.message.message_id not in listed
        )
    candidates.sort(key=lambda item: (-(item.relevance or 0.0), -item.message.sent_at.timestamp()))
    mentions.sort(key=lambda item: item.message.sent_at)
    replies.sort(key=lambda item: item.message.sent_at)
    limit = max(0, options.max_items)
    return PersonalDigest(
        member_id=member_id,
        period=period,
        language=language,
        mentions=tuple(mentions[-limit:] if limit else ()),
        replies=tuple(replies[-limit:] if limit else ()),
        questions=tuple(candidates[: max(0, options.max_questions)]),
        more_mentions=max(0, len(mentions) - limit),
        more_replies=max(0, len(replies) - limit),
    )


def _questions(
    member_id: int, chat: ChatActivity, period: DigestPeriod, options: PersonalDigestOptions
) -> list[PersonalItem]:
    """The chat's open questions of others that clear the interest rule (module notes)."""
    if chat.interest is None or chat.baseline is None or chat.vectors is None:
        return []
    if not chat.messages:
        return []
    baseline = unit_rows(chat.baseline)
    if len(baseline) < max(2, options.min_baseline):
        return []
    interest = unit_rows(np.asarray(chat.interest, dtype=np.float32))[0]
    typical = baseline @ interest
    mean, spread = float(typical.mean()), float(typical.std())
    if spread <= 1e-6:
        return []
    vectors = unit_rows(chat.vectors)
    if len(vectors) != len(chat.messages):
        raise ValueError("give exactly one vector per message")
    row = {message.message_id: i for i, message in enumerate(chat.messages)}
    found = []
    for question in find_unanswered(chat.messages, vectors, period):
        if question.member_id == member_id:
            continue
        relevance = (float(vectors[row[question.message_id]] @ interest) - mean) / spread
        if relevance >= options.interest_margin:
            found.append(
                PersonalItem(ItemKind.QUESTION, chat.chat_id, chat.title, question, relevance)
            )
    return found


# --- rendering ---------------------------------------------------------------------------


_EXCERPT_CHARS = 160
_TITLE_CHARS = 60


def _line(item: PersonalItem) -> str:
    text = tr(
        "• {chat} · {name}: “{text}”",
        chat=excerpt(item.chat_title, _TITLE_CHARS),
        name=excerpt(item.message.member_name, _TITLE_CHARS),
        text=excerpt(item.message.text, _EXCERPT_CHARS),
    )
    return f"{text} {item.message.permalink}" if item.message.permalink else text


def render_personal_digest(
    digest: PersonalDigest, *, max_chars: int = DISCORD_MAX_CHARS, zone: tzinfo | None = None
) -> list[str]:
    """The digest as direct messages of at most ``max_chars`` each; none when it is empty.

    The period is shown in ``zone`` (else as given), in the digest's language
    (Chinese, else English).
    """
    if digest.is_empty:
        return []
    period = digest.period
    if zone is not None:
        period = DigestPeriod(period.start.astimezone(zone), period.end.astimezone(zone))
    with using(language_of_script(digest.language)):
        header = tr("📬 Your digest · {period}", period=period_label(period))
        sections: list[tuple[str, list[str]]] = []
        for heading, items, more in (
            (tr("💬 Mentions of you"), digest.mentions, digest.more_mentions),
            (tr("↩️ Replies to you"), digest.replies, digest.more_replies),
            (tr("❓ Open questions you may know about"), digest.questions, 0),
        ):
            if not items:
                continue
            lines = [_line(item) for item in items]
            if more:
                lines.append(tr("…and {count} more", count=more))
            sections.append((heading, lines))
        return pack_sections(header, sections, max_chars, continued=continued())
