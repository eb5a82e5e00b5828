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
from bots.reply_languages import ReplyLanguages
from bots.storage.forget import ERASED_BY_ASKER, ERASED_SOURCES
from bots.storage.records import TwinReplyView
from bots.storage.repository import Storage
from locales import N_, tr, tr_marked, trn, using
from twins.labels import twin_label

log = logging.getLogger(__name__)

REPORT_LIMIT = 5
SNIPPET = 90
_STATES = {"draft": N_(" [waiting for your approval]"), "discarded": N_(" [discarded]")}
"""The mark after a reply that was not posted (one of the reply's statuses)."""
_REVIEWS = {
    "confirmed": N_(" [confirmed]"),
    "corrected": N_(" [corrected]"),
    "deleted": N_(" [deleted]"),
}
"""The mark after a reply the owner reviewed (an unreviewed one has none)."""


def review_hint() -> str:
    """How to review the answers listed."""
    return tr(
        "Reply /twin confirm N, /twin correct N <your answer> or /twin delete N "
        "(N is the number before each answer)."
    )


def _snippet(text: str | None, limit: int = SNIPPET) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _where(view: TwinReplyView) -> str:
    return view.chat_title or tr(
        "{platform} chat {chat}", platform=view.chat_platform, chat=view.chat_platform_id
    )


def _answer_body(text: str) -> str:
    """The answer without its first line when that line is the "… is away" preamble."""
    lines = text.splitlines()
    return " ".join(lines[1:]) if len(lines) > 1 else text


def describe(view: TwinReplyView) -> str:
    """One line about one twin reply, for the owner (in the current reply language)."""
    asker = view.asker_name or tr("someone")
    state = tr_marked(_STATES[view.status]) if view.status in _STATES else ""
    review = tr_marked(_REVIEWS[view.review]) if view.review in _REVIEWS else ""
    head = tr(
        "#{number} in {where}, {when} UTC",
        number=view.id,
        where=_where(view),
        when=f"{view.created_at:%Y-%m-%d %H:%M}",
    )
    head += state + review
    if view.erased == ERASED_BY_ASKER:
        return tr(
            "{head}: {asker} asked (question removed at the asker's request, with its answer)",
            head=head,
            asker=asker,
        )
    if view.erased == ERASED_SOURCES:
        answer = tr("(answer removed: it quoted messages you deleted with /forget)")
    else:
        answer = f"“{_snippet(_answer_body(view.text))}”"
    return tr(
        "{head}: {asker} asked “{question}” → {answer}",
        head=head,
        asker=asker,
        question=_snippet(view.question_text),
        answer=answer,
    )


class OwnerReview:
    """Reports twin answers to their owner and carries out the owner's verdicts."""

    def __init__(self, storage: Storage, languages: ReplyLanguages | None = None) -> None:
        self._storage = storage
        self._languages = languages or ReplyLanguages(storage)

    async def report_if_back(
        self,
        member: Member,
        member_id: int,
        chat: Chat,
        sender: ReplySender,
        *,
        news: bool | None = None,
    ) -> int:
        """Tell a member who just posted (stored as ``member_id``) what their twin said.

        The report goes privately, in the member's own language (their app language, else
        what they write); in a private chat it is simply a reply there. ``news=False``:
        the caller already knows nothing waits to be reported.
        """
        if news is False:
            return 0
        profile = await self._storage.profile(member_id)
        pending = await self._storage.replies_to_report(profile.member_ids)
        if not pending:
            return 0
        with using(await self._languages.for_member(member)):
            text = _report(pending)
        await sender.send(OutgoingReply(chat=chat, text=text, private=True, recipient=member))
        await self._storage.mark_owner_notified([v.id for v in pending], datetime.now(UTC))
        return len(pending)

    async def log(self, member_id: int) -> str:
        """The owner's recent twin answers."""
        profile = await self._storage.profile(member_id)
        recent = await self._storage.recent_twin_replies(profile.member_ids, limit=10)
        if not recent:
            return tr("Your twin has not answered anyone yet.")
        return "\n".join([tr("Your twin's recent answers:"), *map(describe, recent), review_hint()])

    async def _owned(self, member_id: int, number: str) -> TwinReplyView | str:
        if not number.lstrip("#").isdigit():
            return tr("“{number}” is not an answer number; /twin log shows them.", number=number)
        view = await self._storage.twin_reply(int(number.lstrip("#")))
        profile = await self._storage.profile(member_id)
        if view is None or view.member_id not in profile.member_ids:
            return tr(
                "Your twin has no answer #{number}; /twin log shows them.",
                number=number.lstrip("#"),
            )
        return view

    async def confirm(self, member_id: int, number: str) -> str:
        """Mark an answer as right."""
        view = await self._owned(member_id, number)
        if isinstance(view, str):
            return view
        await self._storage.review_twin_reply(view.id, review="confirmed")
        return tr("Confirmed #{number}.", number=view.id)

    async def correct(self, member_id: int, number: str, correction: str) -> str:
        """Store the owner's own answer; the twin gives it to the same question from now on."""
        view = await self._owned(member_id, number)
        if isinstance(view, str):
            return view
        if not correction.strip():
            return tr("Usage: /twin correct N <your answer>")
        if view.erased == ERASED_BY_ASKER:
            return tr(
                "#{number}'s question was removed at the asker's request; nothing to correct.",
                number=view.id,
            )
        await self._storage.review_twin_reply(view.id, review="corrected", correction=correction)
        return tr(
            "Thanks: #{number} is corrected. When someone asks this again, your twin gives "
            "your answer.",
            number=view.id,
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
            return tr("Deleted #{number} from {where}.", number=view.id, where=_where(view))
        return tr(
            "Marked #{number} as deleted; the message itself could not be removed.",
            number=view.id,
        )

    async def approve(self, member_id: int, number: str, sender: ReplySender) -> str:
        """Post a drafted answer in the chat it was asked in."""
        view = await self._owned(member_id, number)
        if isinstance(view, str):
            return view
        if view.status != "draft":
            return tr("#{number} is not a draft waiting for approval.", number=view.id)
        if view.chat_platform != sender.platform.value:
            return tr(
                "#{number} was asked on {platform}; approve it there.",
                number=view.id,
                platform=view.chat_platform,
            )
        name = await self._storage.member_name(view.member_id)
        chat = _chat_of(view)
        with using(await self._languages.for_question(chat, view.question_text or "")):
            label = twin_label(name)  # the draft's own language, not the owner's
        sent = await sender.send(
            OutgoingReply(
                chat=chat,
                text=view.text,
                reply_to_message_id=view.question_platform_id,
                label=label,
            )
        )
        await self._storage.mark_twin_reply(
            view.id, status="sent", platform_message_id=sent.platform_message_id
        )
        await self._storage.review_twin_reply(view.id, review="confirmed")
        return tr("Posted #{number} in {where}.", number=view.id, where=_where(view))

    async def discard(self, member_id: int, number: str) -> str:
        """Drop a drafted answer."""
        view = await self._owned(member_id, number)
        if isinstance(view, str):
            return view
        if view.status != "draft":
            return tr("#{number} is not a draft waiting for approval.", number=view.id)
        await self._storage.mark_twin_reply(view.id, status="discarded")
        return tr("Discarded #{number}.", number=view.id)


def _report(pending: list[TwinReplyView]) -> str:
    """The welcome-back report of ``pending`` replies (the newest few), in the current
    reply language."""
    shown = pending[-REPORT_LIMIT:]
    more = len(pending) - len(shown)
    lines = [
        trn(
            "Welcome back! While you were away your twin answered {count} time:",
            "Welcome back! While you were away your twin answered {count} times:",
            len(pending),
        )
    ]
    lines += [describe(view) for view in shown]
    if more:
        lines.append(tr("…and {more} earlier; /twin log lists them.", more=more))
    lines.append(review_hint())
    if any(view.status == "draft" for view in pending):
        lines.append(tr("Drafts: /twin approve N posts one, /twin discard N drops it."))
    return "\n".join(lines)


def _chat_of(view: TwinReplyView) -> Chat:
    return Chat(
        Platform(view.chat_platform),
        view.chat_platform_id,
        ChatKind(view.chat_kind),
        view.chat_title,
    )
