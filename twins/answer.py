"""What a twin is asked and what it answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from memory.records import MemoryScope


@dataclass(frozen=True, slots=True)
class TwinQuestion:
    """A question put to a member's twin.

    ``scope`` fixes which memories the twin may use: by default only the
    member's own messages in the chat where the question was asked.
    """

    member_id: int
    member_name: str
    question: str
    asked_at: datetime
    scope: MemoryScope
    last_seen_at: datetime | None = None
    persona: str | None = None
    """The member's persona (interests, tone, languages, own note), for twins that write."""
    asker_id: int | None = None
    """Who asked: their messages (the question itself among them) are no evidence that the
    fact belongs to someone other than the member."""


@dataclass(frozen=True, slots=True)
class TwinSource:
    """One of the member's own messages that an answer rests on."""

    message_id: int
    text: str
    sent_at: datetime
    permalink: str | None
    score: float


@dataclass(frozen=True, slots=True)
class TwinAnswer:
    """A twin's answer: its label, its body, and the sources it quotes."""

    label: str
    text: str
    sources: tuple[TwinSource, ...] = field(default_factory=tuple)
    abstained: bool = False
    model: str | None = None
    """The chat model that wrote ``text``; ``None`` when the text quotes retrieval alone."""
    prompt_tokens: int | None = None
    """The estimated size of the prompt, when a chat model wrote ``text``."""
