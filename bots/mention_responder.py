"""What happens when someone @-mentions a member who is away: their twin may answer.

A twin answers only when all of these hold: the message is new (not an edit
or a re-delivery, nor a message recovered from the chat's history more than a
few minutes after it was posted), its author is a person and not a bot or another twin, the
mentioned member opted in to a twin in this chat (and has not switched it off
since, on any linked account), twins are allowed in the chat, and the member
has not posted here for the chat's absence time. The twin quotes the member's
own messages (from every linked account) in this chat, or in all their group
chats when they chose that scope.

When a twin could answer but does not (its member is present, it is paused, or the rate
limit is reached) and no other twin answered the message, the asker may get one short
notice instead (see ``bots.twin_notices``); a member without a twin causes none.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

from adapters.model import Message, OutgoingReply
from adapters.ports import DeliveryError, ReplySender
from bots.metrics import HearthMetrics
from bots.personas import Personas
from bots.reply_languages import ReplyLanguages
from bots.storage.records import KnownMember
from bots.storage.repository import Storage
from bots.store_outages import is_store_outage
from bots.twin_limits import TwinRateLimits
from bots.twin_notices import Silence, SilenceReason, TwinNotices
from jobs.text_cues import is_question
from locales import current, tr, using
from memory.records import MemoryScope
from twins.answer import TwinAnswer, TwinQuestion
from twins.answer_wording import cannot_search
from twins.answerer import TwinAnswerer
from twins.corrections import Correction, CorrectionMatcher
from twins.labels import looks_like_twin_message, twin_label

log = logging.getLogger(__name__)

MAX_TWINS_PER_MESSAGE = 3
"""At most this many twins answer one message, however many members it mentions."""

MAX_QUESTION_CHARS = 2_000

STALE_AFTER = timedelta(minutes=5)
"""A message recovered from history after downtime older than this wakes no twin: the
conversation has moved on, and an answer to it would arrive out of the blue."""


def is_stale(message: Message, now: datetime | None = None) -> bool:
    """Whether ``message`` was recovered from history after downtime and is too old to
    react to now (it is still stored and searchable)."""
    moment = now or datetime.now(UTC)
    return message.recovered and moment - message.sent_at > STALE_AFTER


class MentionResponder:
    """Finds the absent, opted-in members a message addresses and lets their twins answer."""

    def __init__(
        self,
        storage: Storage,
        twin: TwinAnswerer,
        *,
        corrections: CorrectionMatcher | None = None,
        limits: TwinRateLimits | None = None,
        personas: Personas | None = None,
        metrics: HearthMetrics | None = None,
        notices: TwinNotices | None = None,
        languages: ReplyLanguages | None = None,
    ) -> None:
        self._storage = storage
        self._personas = personas
        self._twin = twin
        self._corrections = corrections
        self._limits = limits or TwinRateLimits()
        self._metrics = metrics or HearthMetrics()
        self._notices = notices or TwinNotices()
        self._languages = languages or ReplyLanguages(storage)

    async def respond(
        self, message: Message, chat_id: int, asker_id: int, sender: ReplySender
    ) -> int:
        """Answer ``message`` for each absent twin it addresses; returns how many answered.

        ``chat_id`` and ``asker_id`` are the ids the message was stored under. Most
        messages address nobody and cost no query here. When no twin answered although
        one could have, the asker may be told why (see ``bots.twin_notices``). Answers and
        notices are in the chat's language when an admin chose one, else in the question's.
        """
        addresses_someone = message.mentions or message.reply_to_member is not None
        if not addresses_someone or message.sender.is_bot or is_stale(message):
            return 0
        if looks_like_twin_message(message.text):
            return 0
        settings = await self._storage.chat_settings(chat_id)
        if not settings.twins_enabled:
            return 0
        answered = 0
        silence: Silence | None = None
        language: str | None = None
        for target in await self._addressed_members(message, chat_id, asker_id):
            if answered >= MAX_TWINS_PER_MESSAGE:
                break
            if not has_twin(target):
                continue
            now = datetime.now(UTC)
            held = held_back(target, message, settings.twin_absence_minutes, now)
            if held is not None:
                silence = silence or held
                continue
            if not self._limits.allows(chat_id, asker_id, now):
                log.info("twin answers rate-limited in chat %s for asker %s", chat_id, asker_id)
                await self._storage.record_twin_limit_hit(chat_id)
                silence = Silence.busy(self._limits.wait(chat_id, asker_id, now))
                break
            language = language or await self._language(message)
            self._limits.record(chat_id, asker_id, now)
            with using(language):
                await self._answer(message, chat_id, asker_id, target, sender)
            answered += 1
        if answered == 0 and silence is not None and worth_a_notice(silence, message):
            await self._notices.tell(
                message,
                silence,
                sender,
                chat_id=chat_id,
                asker_id=asker_id,
                now=datetime.now(UTC),
                language=await self._language(message),
            )
        return answered

    async def _language(self, message: Message) -> str:
        """The language of a twin's answer to ``message`` and of a notice about it: the
        chat's setting when an admin chose one, else the question's script. A lookup that
        fails for any reason but a store outage keeps the current language."""
        try:
            return await self._languages.for_question(message.chat, question_text(message))
        except Exception as error:
            if is_store_outage(error):
                raise
            log.exception("could not tell the language of a twin answer; keeping the current")
            return current()

    async def _addressed_members(
        self, message: Message, chat_id: int, asker_id: int
    ) -> list[KnownMember]:
        """The members ``message`` mentions or replies to, never its author."""
        platform = message.chat.platform
        found: dict[int, KnownMember] = {}
        targets: list[tuple[str | None, str | None]] = []
        for mention in message.mentions:
            if mention.member is not None:
                targets.append((None, mention.member.platform_user_id))
            else:
                targets.append((mention.username, None))
        if message.reply_to_member is not None and not message.reply_to_member.is_bot:
            targets.append((None, message.reply_to_member.platform_user_id))
        for username, user_id in targets:
            if user_id == message.sender.platform_user_id:
                continue
            known = await self._storage.find_chat_member(
                chat_id, platform, username=username, platform_user_id=user_id
            )
            if known is not None and known.member_id not in found and known.member_id != asker_id:
                found[known.member_id] = known
        return list(found.values())

    async def _answer(
        self,
        message: Message,
        chat_id: int,
        asker_id: int,
        target: KnownMember,
        sender: ReplySender,
    ) -> None:
        question = twin_question(
            target,
            question_text(message),
            chat_id=chat_id,
            asker_id=asker_id,
            persona=(
                await self._personas.prompt_text(chat_id, target.member_id)
                if self._personas is not None
                else None
            ),
        )
        try:
            answer = await self._corrected_answer(question, target, chat_id)
            if answer is None:
                answer = await self._twin.answer(question)
        except Exception:
            # Memory (or the embedder) is out of reach: say so instead of staying silent.
            log.warning(
                "the twin of member %s could not search memory; it says so instead",
                target.member_id,
                exc_info=True,
            )
            answer = cannot_search_now(question)
        if answer.abstained:
            self._metrics.twin_abstains.inc()
        else:
            self._metrics.twin_answers.inc()
        draft = target.profile.twin_mode == "draft"
        reply_id = await self._storage.record_twin_reply(
            chat_id=chat_id,
            member_id=target.member_id,
            asker_member_id=asker_id,
            question_platform_id=message.platform_message_id,
            question_text=question.question,
            text=answer.text,
            source_message_ids=[s.message_id for s in answer.sources],
            status="draft" if draft else "pending",
            abstained=answer.abstained,
        )
        if draft:
            name = target.display_name
            await sender.send(
                OutgoingReply(
                    chat=message.chat,
                    text=tr(
                        "{name} reviews twin answers before they are posted; a draft is "
                        "waiting for {name}'s approval.",
                        name=name,
                    ),
                    reply_to_message_id=message.platform_message_id,
                    label=answer.label,
                )
            )
            return
        reply = OutgoingReply(
            chat=message.chat,
            text=answer.text,
            reply_to_message_id=message.platform_message_id,
            label=answer.label,
        )
        try:
            sent = await sender.send(reply)
        except DeliveryError:
            await self._storage.mark_twin_reply(reply_id, status="failed")
            log.error(
                "twin reply %s for member %s could not be delivered", reply_id, target.member_id
            )
            raise
        await self._storage.mark_twin_reply(
            reply_id, status="sent", platform_message_id=sent.platform_message_id
        )

    async def _corrected_answer(
        self, question: TwinQuestion, target: KnownMember, chat_id: int
    ) -> TwinAnswer | None:
        """The member's own corrected answer, when they corrected the same question before."""
        if self._corrections is None:
            return None
        chat = None if target.profile.all_chats else chat_id
        views = await self._storage.corrections(target.profile.member_ids, chat)
        known = [
            Correction(v.id, v.question_text or "", v.correction or "", v.created_at)
            for v in views
            if v.correction
        ]
        match = await self._corrections.best(question.question, known)
        if match is None:
            return None
        name = target.display_name
        return TwinAnswer(
            label=twin_label(name),
            text=tr(
                "{name} answered this before: “{answer}” (corrected by {name}, {day})",
                name=name,
                answer=match.answer,
                day=f"{match.corrected_at:%Y-%m-%d}",
            ),
        )


def twin_question(
    target: KnownMember,
    text: str,
    *,
    chat_id: int,
    asker_id: int,
    persona: str | None = None,
    now: datetime | None = None,
) -> TwinQuestion:
    """The question for ``target``'s twin, asked in ``chat_id``, within the scope they chose.

    Their twin quotes their messages (from every linked account) in this chat, or in all
    their group chats when they chose that scope.
    """
    return TwinQuestion(
        member_id=target.member_id,
        member_name=target.display_name,
        question=text[:MAX_QUESTION_CHARS],
        asked_at=now or datetime.now(UTC),
        scope=MemoryScope(
            member_ids=target.profile.member_ids,
            chat_ids=None if target.profile.all_chats else (chat_id,),
        ),
        last_seen_at=target.last_message_at,
        asker_id=asker_id,
        persona=persona,
    )


def worth_a_notice(silence: Silence, message: Message) -> bool:
    """Whether the asker should hear why no twin answered ``message``.

    Only a question gets a notice: a remark needs no answer. A member who is present is
    simply in the conversation, so for them only a question that @-mentions them counts,
    not a reply.
    """
    if not is_question(question_text(message)):
        return False
    return silence.reason is not SilenceReason.PRESENT or bool(message.mentions)


def has_twin(target: KnownMember) -> bool:
    """Whether ``target`` is a person whose twin is on in this chat (paused or not)."""
    return not target.is_bot and target.twin_enabled and target.profile.twin_active


def held_back(
    target: KnownMember, message: Message, absence_minutes: float, now: datetime
) -> Silence | None:
    """Why ``target``'s twin does not answer ``message`` now, or ``None`` when it does.

    A member who posted within the chat's absence time is present and answers
    themselves; a paused twin is only "not answering" to others.
    """
    if target.last_message_at is not None:
        reference = max(message.sent_at, now)
        if reference - target.last_message_at < timedelta(minutes=absence_minutes):
            return Silence.present(target.display_name)
    if target.profile.paused(now):
        return Silence.not_answering(target.display_name)
    return None


def cannot_search_now(question: TwinQuestion) -> TwinAnswer:
    """The answer of a twin that cannot reach the member's memories right now (in the
    current reply language)."""
    name = question.member_name
    return TwinAnswer(
        label=twin_label(name),
        text=cannot_search(name),
        abstained=True,
    )


def question_text(message: Message) -> str:
    """The message text with @-handles taken out, as the question for the twin."""
    text = message.text
    text = re.sub(r"(?<!\w)@[A-Za-z0-9_]{2,64}\b", " ", text)
    return " ".join(text.split())
