"""The owner loop: members see what their twin said and confirm, correct or delete it.

When a member posts again after being away, Hearth privately lists what their twin
said (or drafted) meanwhile. ``/twin log`` lists recent answers; ``/twin confirm N``,
``/twin correct N TEXT`` and ``/twin delete N`` review one; in draft mode
``/twin approve N`` posts a drafted answer and ``/twin discard N`` drops it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from adapters.model import Chat, ChatKind, Member, OutgoingReply, Platform
from adapters.ports import ReplySender
from bots.storage.forget import ERASED_BY_ASKER, ERASED_SOURCES
from bots.storage.records import TwinReplyView
from bots.storage.repository import Storage
from twins.labels import twin_label

log = logging.getLogger(__name__)

REPORT_LIMIT = 5
SNIPPET = 90
ASKER_ERASED = "(question removed at the asker's request, with its answer)"
ANSWER_ERASED = "(answer removed: it quoted messages you deleted with /forget)"
REVIEW_HINT = (
    "Reply /twin confirm N, /twin correct N <your answer> or /twin delete N "
    "(N is the number before each answer)."
)


def _snippet(text: str | None, limit: int = SNIPPET) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _where(view: TwinReplyView) -> str:
    return view.chat_title or f"{view.chat_platform} chat {view.chat_platform_id}"


def _answer_body(text: str) -> str:
    """The answer without its first line when that line is the "… is away" preamble."""
    lines = text.splitlines()
    return " ".join(lines[1:]) if len(lines) > 1 else text


def describe(view: TwinReplyView) -> str:
    """One line about one twin reply, for the owner."""
    asker = view.asker_name or "someone"
    state = {"draft": " [waiting for your approval]", "discarded": " [discarded]"}.get(
        view.status, ""
    )
    review = "" if view.review == "unreviewed" else f" [{view.review}]"
    head = f"#{view.id} in {_where(view)}, {view.created_at:%Y-%m-%d %H:%M} UTC{state}{review}: "
    if view.erased == ERASED_BY_ASKER:
        return head + f"{asker} asked {ASKER_ERASED}"
    answer = (
        ANSWER_ERASED if view.erased == ERASED_SOURCES else f"“{_snippet(_answer_body(view.text))}”"
    )
    return head + f"{asker} asked “{_snippet(view.question_text)}” → {answer}"


class OwnerReview:
    """Reports twin answers to their owner and carries out the owner's verdicts."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def report_if_back(
        self, member: Member, member_id: int, chat: Chat, sender: ReplySender
    ) -> int:
        """Tell a member who just posted (stored as ``member_id``) what their twin said."""
        profile = await self._storage.profile(member_id)
        pending = await self._storage.replies_to_report(profile.member_ids)
        if not pending:
            return 0
        shown = pending[-REPORT_LIMIT:]
        more = len(pending) - len(shown)
        lines = [f"Welcome back! While you were away your twin answered {len(pending)} time(s):"]
        lines += [describe(view) for view in shown]
        if more:
            lines.append(f"…and {more} earlier; /twin log lists them.")
        lines.append(REVIEW_HINT)
        if any(view.status == "draft" for view in pending):
            lines.append("Drafts: /twin approve N posts one, /twin discard N drops it.")
        await sender.send(
            OutgoingReply(chat=chat, text="\n".join(lines), private=True, recipient=member)
        )
        await self._storage.mark_owner_notified([v.id for v in pending], datetime.now(UTC))
        return len(pending)

    async def log(self, member_id: int) -> str:
        """The owner's recent twin answers."""
        profile = await self._storage.profile(member_id)
        recent = await self._storage.recent_twin_replies(profile.member_ids, limit=10)
        if not recent:
            return "Your twin has not answered anyone yet."
        return "\n".join(["Your twin's recent answers:", *map(describe, recent), REVIEW_HINT])

    async def _owned(self, member_id: int, number: str) -> TwinReplyView | str:
        if not number.lstrip("#").isdigit():
            return f"“{number}” is not an answer number; /twin log shows them."
        view = await self._storage.twin_reply(int(number.lstrip("#")))
        profile = await self._storage.profile(member_id)
        if view is None or view.member_id not in profile.member_ids:
            return f"Your twin has no answer #{number.lstrip('#')}; /twin log shows them."
        return view

    async def confirm(self, member_id: int, number: str) -> str:
        """Mark an answer as right."""
        view = await self._owned(member_id, number)
        if isinstance(view, str):
            return view
        await self._storage.review_twin_reply(view.id, review="confirmed")
        return f"Confirmed #{view.id}."

    async def correct(self, member_id: int, number: str, correction: str) -> str:
        """Store the owner's own answer; the twin gives it to the same question from now on."""
        view = await self._owned(member_id, number)
        if isinstance(view, str):
            return view
        if not correction.strip():
            return "Usage: /twin correct N <your answer>"
        if view.erased == ERASED_BY_ASKER:
            return f"#{view.id}'s question was removed at the asker's request; nothing to correct."
        await self._storage.review_twin_reply(view.id, review="corrected", correction=correction)
        return (
            f"Thanks: #{view.id} is corrected. When someone asks this again, your twin gives "
            "your answer."
        )

    async def delete(self, member_id: int, number: str, sender: ReplySender) -> str:
        """Take an answer back: delete its message in the chat where the platform allows."""
        view = await self._owned(member_id, number)
        if isinstance(view, str):
            return view
        await self._storage.review_twin_reply(view.id, review="deleted")
        removed = False
        if view.platform_message_id and view.chat_platform == sender.platform.value:
            removed = await sender.delete(_chat_of(view), view.platform_message_id)
        if removed:
            return f"Deleted #{view.id} from {_where(view)}."
        return f"Marked #{view.id} as deleted; the message itself could not be removed."

    async def approve(self, member_id: int, number: str, sender: ReplySender) -> str:
        """Post a drafted answer in the chat it was asked in."""
        view = await self._owned(member_id, number)
        if isinstance(view, str):
            return view
        if view.status != "draft":
            return f"#{view.id} is not a draft waiting for approval."
        if view.chat_platform != sender.platform.value:
            return f"#{view.id} was asked on {view.chat_platform}; approve it there."
        name = await self._storage.member_name(view.member_id)
        sent = await sender.send(
            OutgoingReply(
                chat=_chat_of(view),
                text=view.text,
                reply_to_message_id=view.question_platform_id,
                label=twin_label(name),
            )
        )
        await self._storage.mark_twin_reply(
            view.id, status="sent", platform_message_id=sent.platform_message_id
        )
        await self._storage.review_twin_reply(view.id, review="confirmed")
        return f"Posted #{view.id} in {_where(view)}."

    async def discard(self, member_id: int, number: str) -> str:
        """Drop a drafted answer."""
        view = await self._owned(member_id, number)
        if isinstance(view, str):
            return view
        if view.status != "draft":
            return f"#{view.id} is not a draft waiting for approval."
        await self._storage.mark_twin_reply(view.id, status="discarded")
        return f"Discarded #{view.id}."


def _chat_of(view: TwinReplyView) -> Chat:
    return Chat(
        Platform(view.chat_platform),
        view.chat_platform_id,
        ChatKind(view.chat_kind),
        view.chat_title,
    )
