"""What a digest is made of: the period's messages in, a structured digest out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from jobs.languages import Language


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


@dataclass(frozen=True, slots=True)
class DigestMessage:
    """A chat message of the period, as the digest needs it.

    ``message_id`` and ``member_id`` are Hearth's ids; ``reply_to_message_id``
    is the Hearth id of the message it answers (``None`` when it answers
    nothing, or a message outside the period). ``is_newcomer`` marks messages
    of members who joined the chat during the period.
    """

    message_id: int
    member_id: int
    member_name: str
    text: str
    sent_at: datetime
    permalink: str | None = None
    reply_to_message_id: int | None = None
    is_newcomer: bool = False

    def __post_init__(self) -> None:
        _require_aware(self.sent_at, "sent_at")

    def ref(self) -> MessageRef:
        """This message as a digest points at it."""
        return MessageRef(
            message_id=self.message_id,
            member_id=self.member_id,
            member_name=self.member_name,
            text=self.text,
            sent_at=self.sent_at,
            permalink=self.permalink,
        )


@dataclass(frozen=True, slots=True)
class DigestPeriod:
    """The half-open time range ``[start, end)`` a digest covers."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_aware(self.start, "start")
        _require_aware(self.end, "end")
        if self.end <= self.start:
            raise ValueError("a period must end after it starts")

    @classmethod
    def ending(cls, end: datetime, length: timedelta) -> DigestPeriod:
        """The period of ``length`` that ends at ``end``."""
        return cls(end - length, end)

    @property
    def length(self) -> timedelta:
        """How long the period is."""
        return self.end - self.start

    def __contains__(self, moment: object) -> bool:
        return isinstance(moment, datetime) and self.start <= moment < self.end


@dataclass(frozen=True, slots=True)
class MessageRef:
    """A message a digest points at: who said it, what, when, and its link."""

    message_id: int
    member_id: int
    member_name: str
    text: str
    sent_at: datetime
    permalink: str | None = None


TERM_SEPARATOR = " · "
"""Between the key words of a topic's subject line ("部署 · Docker · 镜像")."""


@dataclass(frozen=True, slots=True)
class Topic:
    """A main topic of the period: a cluster of messages about one thing.

    ``quote`` is the sentence that best names the subject, with its author
    and link (its ``text`` is that sentence only); ``title`` shows it quoted
    after its author (``王磊：“…”``), or, without a quote, the subject in key
    words ("部署 · Docker · 镜像"). Both come from messages with substance,
    never from small talk. ``first_message`` is where the conversation
    starts. ``summary`` is set only when a summariser wrote one.
    ``key_messages`` are the 1-3 most central messages; ``sample_texts`` the
    texts a summariser reads, most central first, and ``sample_authors`` who
    wrote each.
    """

    title: str
    keywords: tuple[str, ...]
    size: int
    participants: tuple[str, ...]
    participant_ids: tuple[int, ...]
    key_messages: tuple[MessageRef, ...]
    first_at: datetime
    last_at: datetime
    message_ids: tuple[int, ...] = ()
    sample_texts: tuple[str, ...] = ()
    summary: str | None = None
    sample_authors: tuple[str, ...] = ()
    first_message: MessageRef | None = None
    quote: MessageRef | None = None


@dataclass(frozen=True, slots=True)
class SharedLink:
    """A web link shared in the period: who shared it first, and how often."""

    url: str
    shared_by: tuple[str, ...]
    times: int
    first: MessageRef


@dataclass(frozen=True, slots=True)
class MemberActivity:
    """How many messages a member posted in the period."""

    member_id: int
    member_name: str
    messages: int


@dataclass(frozen=True, slots=True)
class DigestDecision:
    """A decision of the period, as its author stated or proposed it.

    ``ref`` is the message that states it (a proposal others agreed to
    counts: then ``ref`` is the proposal and ``agreed_by`` names who agreed).
    ``replaces`` is the earlier decision on the same subject that this one
    changed; only the latest of a chain is listed.
    """

    ref: MessageRef
    replaces: MessageRef | None = None
    agreed_by: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether this decision replaced an earlier one."""
        return self.replaces is not None


@dataclass(frozen=True, slots=True)
class Newcomer:
    """A member new in the period, with their first message if any.

    New means a join event in the period, or a first message that introduces
    its author or that others welcome (see :func:`jobs.digest_builder.build_digest`).
    """

    member_id: int
    member_name: str
    first_message: MessageRef | None = None


@dataclass(frozen=True, slots=True)
class Digest:
    """A structured digest of a chat over a period; render it with ``render_digest``."""

    period: DigestPeriod
    language: Language
    message_count: int
    member_count: int
    is_quiet: bool
    topics: tuple[Topic, ...] = ()
    decisions: tuple[DigestDecision, ...] = ()
    unanswered_questions: tuple[MessageRef, ...] = ()
    links: tuple[SharedLink, ...] = ()
    newcomers: tuple[Newcomer, ...] = ()
    active_members: tuple[MemberActivity, ...] = ()
    chat_title: str | None = None

    def summary_text(self, max_chars: int | None = None) -> str:
        """The digest's extractive summary as plain prose.

        Per topic its summary when a summariser wrote one, else its key
        messages; topics in order of first appearance, then the decisions.
        Within ``max_chars`` the best key message of each topic comes first
        (larger topics first), then the second ones, and so on; the chosen
        pieces are then printed in time order, so the text follows the chat.
        """
        pieces: list[tuple[int, datetime, str]] = []
        for rank, topic in enumerate(self.topics):
            if topic.summary:
                pieces.append((rank, topic.first_at, topic.summary))
                continue
            for depth, ref in enumerate(topic.key_messages):
                pieces.append((depth * len(self.topics) + rank, ref.sent_at, ref.text))
        base = len(pieces) + 1
        pieces.extend(
            (base + index, decision.ref.sent_at, decision.ref.text)
            for index, decision in enumerate(self.decisions)
        )
        chosen: list[tuple[datetime, int, str]] = []
        used = 0
        seen: set[str] = set()
        for priority, moment, text in sorted(pieces, key=lambda piece: piece[0]):
            if text in seen:
                continue
            if max_chars is not None and used >= max_chars:
                break
            seen.add(text)
            chosen.append((moment, priority, text))
            used += len(text) + 1
        text = " ".join(piece for _, _, piece in sorted(chosen))
        if max_chars is not None and len(text) > max_chars:
            text = text[:max_chars]
        return text
