"""What did Ana say about X? Answered through Ana's twin, under her twin's rules.

Hearth does not search around a member's choices: the question goes to her twin (the same
answering path as an @-mention), so it is answered only when her twin is on in this chat,
within the scope she chose, not while she paused it, and not while she reviews her twin's
answers before they are posted (draft mode). Otherwise Hearth says why and
quotes nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime

from adapters.model import Platform
from bots.assistant.answer import AssistantAnswer
from bots.assistant.answer_render import Quote, quote_line
from bots.assistant.intents import Intent
from bots.mention_responder import has_twin, twin_question
from bots.storage.assistant_queries import ChatPerson
from bots.storage.records import KnownMember
from bots.storage.repository import Storage
from locales import tr
from twins.answerer import TwinAnswerer


def find_person(people: Mapping[int, ChatPerson], name: str) -> ChatPerson | None:
    """The chat member ``name`` refers to: by full name, handle, then first name."""
    wanted = name.casefold().lstrip("@").strip()
    humans = [p for p in people.values() if not p.is_bot]
    for key in (_full_name, _handle, _first_name):
        found = [p for p in humans if key(p) == wanted]
        if len(found) == 1:
            return found[0]
    return None


def _full_name(person: ChatPerson) -> str:
    return person.display_name.casefold()


def _handle(person: ChatPerson) -> str:
    return (person.username or "").casefold()


def _first_name(person: ChatPerson) -> str:
    words = person.display_name.casefold().split()
    return words[0] if words else ""


async def member_said(
    storage: Storage,
    twin: TwinAnswerer,
    *,
    chat_id: int,
    asker_id: int,
    name: str,
    question: str,
    now: datetime,
    people: Mapping[int, ChatPerson],
    question_id: str | None = None,
) -> AssistantAnswer:
    """What the named member said about the question, quoted by their twin's rules.

    With ``question_id`` (the platform id of the message asking), what Hearth answers for
    the member's twin is recorded in the member's twin log, as an @-mention of the twin is,
    so that they can review it (``/twin log``, the welcome-back report).
    """
    person = find_person(people, name)
    unknown = tr("I don't know who {name} is in this chat.", name=name)
    if person is None:
        return AssistantAnswer(Intent.MEMBER_SAID, unknown, False)
    shown = person.display_name
    target = await storage.find_chat_member(
        chat_id, Platform(person.platform), platform_user_id=person.platform_user_id
    )
    if target is None:
        return AssistantAnswer(Intent.MEMBER_SAID, unknown, False)
    refusal = await _refusal(storage, chat_id, target, shown, now)
    if refusal is not None:
        return AssistantAnswer(Intent.MEMBER_SAID, refusal, False)
    asked = twin_question(target, question, chat_id=chat_id, asker_id=asker_id, now=now)
    answer = await twin.answer(asked)
    if answer.abstained or not answer.sources:
        silent = tr("{name} hasn't talked about that here (that I can see).", name=shown)
        said = AssistantAnswer(Intent.MEMBER_SAID, silent, False)
    else:
        lines = [tr("What {name} said here:", name=shown)]
        lines += [
            "• " + quote_line(Quote(shown, source.text, source.sent_at, source.permalink), now=now)
            for source in answer.sources
        ]
        said = AssistantAnswer(
            Intent.MEMBER_SAID,
            "\n".join(lines),
            True,
            source_message_ids=tuple(source.message_id for source in answer.sources),
        )
    return await _logged(
        storage,
        said,
        target.member_id,
        asked.question,
        question_id,
        chat_id=chat_id,
        asker_id=asker_id,
    )


async def _refusal(
    storage: Storage, chat_id: int, target: KnownMember, shown: str, now: datetime
) -> str | None:
    """Why the member's words are not quoted (their twin's rules), or ``None``."""
    if not (await storage.chat_settings(chat_id)).twins_enabled:
        return tr(
            "Twins are off in this chat, so I don't quote what members said. "
            "You could ask them directly."
        )
    if not has_twin(target):
        return tr(
            "{name} has not switched on a twin in this chat, so I don't quote them. "
            "You could ask {name} directly.",
            name=shown,
        )
    if target.profile.paused(now):
        return tr("{name} has paused their twin, so I don't quote them now.", name=shown)
    if target.profile.twin_mode == "draft":
        return tr(
            "{name} reviews what their twin says before it is posted, so I don't quote them "
            "here. You could ask {name} directly.",
            name=shown,
        )
    return None


async def _logged(
    storage: Storage,
    answer: AssistantAnswer,
    member_id: int,
    question: str,
    question_id: str | None,
    *,
    chat_id: int,
    asker_id: int,
) -> AssistantAnswer:
    """``answer``, recorded in the member's twin log (pending until it is delivered)."""
    if question_id is None:
        return answer
    reply_id = await storage.record_twin_reply(
        chat_id=chat_id,
        member_id=member_id,
        asker_member_id=asker_id,
        question_platform_id=question_id,
        question_text=question,
        text=answer.text,
        source_message_ids=answer.source_message_ids,
    )
    return dataclasses.replace(answer, twin_reply_id=reply_id)
