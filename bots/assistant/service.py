"""The assistant: Hearth's own answers when a member addresses it.

``ask`` is the core: it tells what the question asks for (:mod:`bots.assistant.intents`)
and answers from this chat's messages only, every claim quoted with its author, day and
link, or says it does not know. ``handle`` is the router's entry: it keeps to the chat's
switch and the rate limits, answers in the reply language (in a group the language an admin
set for the chat, else the question's; in private the question's, else the member's app
language: :class:`bots.reply_languages.ReplyLanguages`) and threads the reply under
the question (without a label line: the platform shows Hearth as the sender). Answers are
extractive (with a chat model configured, a plain question may be worded by it from the
same quotes, under guardrails: see :mod:`bots.assistant.llm_answer`);
nothing in a message is ever followed as an instruction, and a question naming another
chat or DMs still gets only this chat's messages.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from adapters.model import Message, OutgoingReply, SentReply
from adapters.ports import DeliveryError, ReplySender
from bots.assistant.answer import AssistantAnswer
from bots.assistant.answer_render import (
    Quote,
    answer_language,
    busy,
    chat_heading,
    dont_know,
    help_text,
    no_chats,
    quote_line,
    reply_language_of,
    topic_shown,
    unavailable,
)
from bots.assistant.catch_up import CatchUp
from bots.assistant.chat_search import ChatSearch
from bots.assistant.decisions_lookup import DecisionLookup
from bots.assistant.intents import Intent, classify, without_lead
from bots.assistant.limits import AssistantLimits, Verdict
from bots.assistant.llm_answer import AnswerWriter, Cited
from bots.assistant.member_said import member_said
from bots.assistant.who_knows import TOP, rank_members, thanked_counts
from bots.mention_responder import is_stale
from bots.reply_languages import ReplyLanguages
from bots.storage.assistant_queries import ChatPerson
from bots.storage.personal_digest_store import PersonalDigestStore
from bots.storage.repository import Storage
from jobs.decision_cues import is_proposal
from jobs.digest_model import DigestDecision
from jobs.languages import Language
from jobs.question_cues import is_question
from locales import Language as ReplyLanguage
from locales import tr, trn, using
from memory.embedder import Embedder
from memory.records import MemoryHit
from memory.store import MemoryStore
from twins.answerer import TwinAnswerer
from twins.retrieval_twin import RetrievalTwin

log = logging.getLogger(__name__)

HEARTH_LABEL: str | None = None
"""Hearth's own answers carry no label line: every platform (and the playground) shows them
as sent by Hearth, like its answers to commands; twin answers carry their twin label."""
MAX_QUESTION_CHARS = 1_000
MAX_PRIVATE_CHATS = 5
"""A private question is answered over at most this many of the asker's groups."""


@dataclass(frozen=True, slots=True)
class _Asking:
    """One question being answered: where, by whom, about what, asked in which script."""

    chat_id: int
    asker_id: int
    question: str
    topic: str
    asked_in: Language
    now: datetime
    people: dict[int, ChatPerson]

    @property
    def names(self) -> dict[int, str]:
        """Display names by member id."""
        return {member_id: person.display_name for member_id, person in self.people.items()}


class AssistantService:
    """Answers questions put to Hearth itself (see the module notes)."""

    def __init__(
        self,
        storage: Storage,
        memory: MemoryStore,
        embedder: Embedder,
        twin: TwinAnswerer | None = None,
        *,
        limits: AssistantLimits | None = None,
        writer: AnswerWriter | None = None,
        languages: ReplyLanguages | None = None,
    ) -> None:
        """``twin`` answers "what did Ana say" questions under Ana's twin rules (the
        retrieval-only twin when none is given); with a ``writer`` (a chat model) plain
        questions are worded by the model from the quotes found, else answered by them.
        ``languages`` tells the reply language (share the router's, so that a changed
        ``/settings language`` is seen at once)."""
        self._storage = storage
        self._languages = languages or ReplyLanguages(storage)
        self._twin = twin or RetrievalTwin(embedder, memory)
        self._limits = limits or AssistantLimits()
        self._writer = writer
        self._search = ChatSearch(embedder, memory)
        self._decisions = DecisionLookup(storage, memory, embedder, self._search)
        self._catch_up = CatchUp(storage, memory, embedder, PersonalDigestStore(storage.engine))

    async def ask(
        self,
        chat_id: int,
        asker_member_id: int,
        question: str,
        *,
        now: datetime | None = None,
        question_id: str | None = None,
        language: ReplyLanguage | None = None,
    ) -> AssistantAnswer:
        """Answer ``question`` from the chat's messages (no sending, no limits).

        ``question_id`` is the platform id of the message asking, when it will be answered
        in a chat: a "what did Ana say" answer is then recorded in Ana's twin log.
        ``language`` is the answer's (``en``/``zh``); by default the question's.
        """
        text = " ".join(question.split())[:MAX_QUESTION_CHARS]
        asked_in = answer_language(without_lead(text) or text)
        with using(language or asked_in.value):
            return await self._answer(
                chat_id,
                asker_member_id,
                text,
                asked_in=asked_in,
                moment=now or datetime.now(UTC),
                question_id=question_id,
            )

    async def _answer(
        self,
        chat_id: int,
        asker_member_id: int,
        text: str,
        *,
        asked_in: Language,
        moment: datetime,
        question_id: str | None,
    ) -> AssistantAnswer:
        asked = classify(text)
        if asked.intent is Intent.HELP:
            return AssistantAnswer(Intent.HELP, help_text(), True)
        if asked.intent is Intent.CATCH_UP:
            return await self._catch_up.answer(chat_id, asker_member_id, now=moment)
        people = await self._storage.chat_people(chat_id)
        if asked.intent is Intent.MEMBER_SAID and asked.member_name:
            return await member_said(
                self._storage,
                self._twin,
                chat_id=chat_id,
                asker_id=asker_member_id,
                name=asked.member_name,
                question=without_lead(text),
                now=moment,
                people=people,
                question_id=question_id,
            )
        asking = _Asking(
            chat_id=chat_id,
            asker_id=asker_member_id,
            question=without_lead(text),
            topic=asked.topic,
            asked_in=asked_in,
            now=moment,
            people=people,
        )
        if asked.intent is Intent.WHO_KNOWS:
            return await self._who_knows(asking)
        if asked.intent is Intent.DECISION:
            return await self._decision(asking)
        return await self._question(asking, Intent.QUESTION)

    async def handle(
        self,
        message: Message,
        sender: ReplySender,
        *,
        chat_id: int | None = None,
        asker_id: int | None = None,
    ) -> None:
        """Answer a message addressed to Hearth, within the chat's switch and the limits.

        ``chat_id`` and ``asker_id`` are Hearth's ids for a group message already stored
        (looked up when not given).
        """
        if message.sender.is_bot or message.edited_at is not None or is_stale(message):
            return
        if not message.text.strip():
            return
        if not message.chat.is_group:
            await self._in_private(message, sender)
            return
        if chat_id is None:
            chat_id = await self._storage.ensure_chat(message.chat)
        if asker_id is None:
            asker_id = await self._storage.ensure_member(message.sender)
        await self._in_group(message, sender, chat_id, asker_id)

    async def _in_group(
        self, message: Message, sender: ReplySender, chat_id: int, asker_id: int
    ) -> None:
        settings = await self._storage.chat_settings(chat_id)
        if not settings.assistant_enabled:
            return
        question = without_lead(message.text) or message.text
        language = await self._languages.for_question(message.chat, question)
        with using(language):
            if not await self._allowed(chat_id, asker_id, message, sender):
                return
            try:
                answer = await self.ask(
                    chat_id,
                    asker_id,
                    message.text,
                    now=message.sent_at,
                    question_id=message.platform_message_id,
                    language=language,
                )
            except Exception:
                log.warning("the assistant could not answer in chat %s", chat_id, exc_info=True)
                await self._reply(message, sender, unavailable())
                return
            await self._deliver(message, sender, answer.text, [answer])

    async def _private_language(self, message: Message) -> ReplyLanguage:
        """The question's language, else the member's (app language, what they write)."""
        asked = reply_language_of(without_lead(message.text) or message.text)
        return asked or await self._languages.for_member(message.sender)

    async def _in_private(self, message: Message, sender: ReplySender) -> None:
        with using(await self._private_language(message)) as language:
            await self._answer_privately(message, sender, language)

    async def _answer_privately(
        self, message: Message, sender: ReplySender, language: ReplyLanguage
    ) -> None:
        asker_id = await self._storage.ensure_member(message.sender)
        if not await self._allowed(("private", asker_id), asker_id, message, sender):
            return
        if classify(message.text).intent is Intent.HELP:
            await self._reply(message, sender, help_text())
            return
        profile = await self._storage.profile(asker_id)
        chats = await self._storage.member_group_chats(profile.member_ids)
        parts: list[str] = []
        answers: list[AssistantAnswer] = []
        first: AssistantAnswer | None = None
        for chat in chats[:MAX_PRIVATE_CHATS]:
            if not (await self._storage.chat_settings(chat.chat_id)).assistant_enabled:
                continue
            try:
                answer = await self.ask(
                    chat.chat_id,
                    chat.member_id,
                    message.text,
                    now=message.sent_at,
                    question_id=message.platform_message_id,
                    language=language,
                )
            except Exception:
                log.warning("the assistant could not search chat %s", chat.chat_id, exc_info=True)
                continue
            first = first or answer
            if answer.known:
                answers.append(answer)
                title = chat.title or tr("Group {number}", number=str(chat.chat_id))
                parts.append(f"{chat_heading(title)}\n{answer.text}")
        if not chats:
            text = no_chats()
        elif parts:
            text = "\n\n".join(parts)
        elif first is not None and first.intent is Intent.MEMBER_SAID:
            text, answers = first.text, [first]
        else:
            text = dont_know()
        # Only the answers shown are marked sent in their member's twin log.
        await self._deliver(message, sender, text, answers)

    async def _allowed(
        self,
        key: Hashable,
        asker_id: int,
        message: Message,
        sender: ReplySender,
    ) -> bool:
        verdict = self._limits.check(key, asker_id, datetime.now(UTC))
        if verdict is Verdict.TELL_BUSY:
            await self._reply(message, sender, busy())
        return verdict is Verdict.ANSWER

    async def _deliver(
        self,
        message: Message,
        sender: ReplySender,
        text: str,
        answers: Sequence[AssistantAnswer],
    ) -> None:
        """Send ``text`` and mark the twin log entries of ``answers`` sent (or failed)."""
        logged = [a.twin_reply_id for a in answers if a.twin_reply_id is not None]
        try:
            sent = await self._reply(message, sender, text)
        except DeliveryError:
            for reply_id in logged:
                await self._storage.mark_twin_reply(reply_id, status="failed")
            raise
        for reply_id in logged:
            await self._storage.mark_twin_reply(
                reply_id, status="sent", platform_message_id=sent.platform_message_id
            )

    @staticmethod
    async def _reply(message: Message, sender: ReplySender, text: str) -> SentReply:
        return await sender.send(
            OutgoingReply(
                chat=message.chat,
                text=text,
                reply_to_message_id=message.platform_message_id,
                label=HEARTH_LABEL,
            )
        )

    async def _question(
        self, asking: _Asking, intent: Intent, intro: str | None = None
    ) -> AssistantAnswer:
        hits = await self._search.answers(
            asking.chat_id, asking.question, asking.topic, now=asking.now
        )
        if not hits:
            return AssistantAnswer(intent, dont_know(), False)
        names = asking.names
        settled = await self._settled(asking, hits)
        if self._writer is not None and intro is None:
            found = [Cited(hit.message_id, _quote(hit, names)) for hit in hits]
            found += [Cited(d.ref.message_id, Quote.of_ref(d.ref)) for d in settled]
            written = await self._writer.write(asking.question, found, now=asking.now)
            if written is not None:
                return AssistantAnswer(intent, written.text, True, written.message_ids)
        lines = [intro or tr("From this chat:")]
        lines += ["• " + quote_line(_quote(hit, names), now=asking.now) for hit in hits]
        if settled:
            lines.append(tr("Settled since:"))
            lines += ["• " + quote_line(Quote.of_ref(d.ref), now=asking.now) for d in settled]
        sources = (*(h.message_id for h in hits), *(d.ref.message_id for d in settled))
        return AssistantAnswer(intent, "\n".join(lines), True, sources)

    async def _settled(self, asking: _Asking, hits: Sequence[MemoryHit]) -> list[DigestDecision]:
        """The decision that later settled what the first quoted message that proposed or
        asked the chat something proposed ("… two people a day instead of one.
        Thoughts?"), unless it is quoted already; none when there is none."""
        asked = next((h for h in hits if is_question(h.text) or is_proposal(h.text)), None)
        if asked is None:
            return []
        decision = await self._decisions.settled(asking.chat_id, asked, asking.now)
        if decision is None or decision.ref.message_id in {hit.message_id for hit in hits}:
            return []
        return [decision]

    async def _decision(self, asking: _Asking) -> AssistantAnswer:
        decisions = await self._decisions.find(
            asking.chat_id, asking.topic, asking.now, asking.names
        )
        if not decisions:
            intro = tr("I found no decision on that, but this was said:")
            return await self._question(asking, Intent.DECISION, intro=intro)
        lines = [tr("Latest decision:")]
        shown: list[int] = []
        for number, decision in enumerate(decisions[:3]):
            if number == 1:
                lines.append(tr("Also decided:"))
            lines.append("• " + quote_line(Quote.of_ref(decision.ref), now=asking.now))
            shown.append(decision.ref.message_id)
            if decision.replaces is not None:
                earlier = quote_line(Quote.of_ref(decision.replaces), now=asking.now)
                lines.append("  " + tr("(changed from {earlier})", earlier=earlier))
                shown.append(decision.replaces.message_id)
        return AssistantAnswer(Intent.DECISION, "\n".join(lines), True, tuple(shown))

    async def _who_knows(self, asking: _Asking) -> AssistantAnswer:
        chat_id, people = asking.chat_id, asking.people

        async def thanks(hits: Sequence[MemoryHit]) -> dict[int, int]:
            replies = await self._storage.replies_to(chat_id, [hit.message_id for hit in hits])
            return thanked_counts(replies, {hit.message_id: hit.member_id for hit in hits})

        ranked = await rank_members(
            self._search,
            chat_id,
            asking.topic,
            people=people,
            asker_id=asking.asker_id,
            now=asking.now,
            thanks=thanks,
            language=asking.asked_in,
        )
        top = [c for c in ranked if c.best is not None][:TOP]
        shown = topic_shown(asking.topic) if asking.topic else ""
        if not top:
            nobody = tr(
                "I don't know who here knows about {topic}: nobody I may suggest talked about it.",
                topic=shown,
            )
            return AssistantAnswer(Intent.WHO_KNOWS, nobody, False)
        lines = [tr("People here who talked about {topic}:", topic=shown)]
        sources: list[int] = []
        for rank, candidate in enumerate(top, start=1):
            best = candidate.best
            assert best is not None
            name = people[candidate.member_id].display_name
            line = quote_line(Quote(name, best.text, best.sent_at, best.permalink), now=asking.now)
            lines.append(
                trn(
                    "{rank}. {line} · {count} message on it",
                    "{rank}. {line} · {count} messages on it",
                    candidate.count,
                    rank=rank,
                    line=line,
                )
            )
            sources.append(best.message_id)
        return AssistantAnswer(
            Intent.WHO_KNOWS,
            "\n".join(lines),
            True,
            source_message_ids=tuple(sources),
            suggested_member_ids=tuple(c.member_id for c in top),
        )


def _quote(hit: MemoryHit, names: dict[int, str]) -> Quote:
    return Quote(names.get(hit.member_id, "?"), hit.text, hit.sent_at, hit.permalink)
