"""What the assistant answers: the body, whether the chat covered it, and what it quotes."""

from __future__ import annotations

from dataclasses import dataclass

from bots.assistant.intents import Intent


@dataclass(frozen=True, slots=True)
class AssistantAnswer:
    """An answer to a question put to Hearth.

    ``text`` is the body posted in the chat (as is, with no label line); ``known`` is
    false when the chat never covered the question ("I don't know"). ``source_message_ids``
    are the stored messages quoted, in the order shown; ``suggested_member_ids`` the
    members named for a "who knows" question, best first. ``twin_reply_id`` is the entry
    in the named member's twin log when a "what did Ana say" question went to her twin.
    """

    intent: Intent
    text: str
    known: bool
    source_message_ids: tuple[int, ...] = ()
    suggested_member_ids: tuple[int, ...] = ()
    twin_reply_id: int | None = None
