"""How the assistant words its answers, in the reply language (:func:`locales.current`).

Every claim from the chat is a quote with its author, day and link
(``Ana, Tue 3 Mar: “…” (link)`` / ``Ana，3月3日 周二：“…”（链接）``), written through
:func:`jobs.quoting.quoted`: Hearth never states a message's claim in its own voice.
The fixed phrases are in the message catalog (``locales/zh/assistant.po``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from jobs.digest_model import MessageRef
from jobs.languages import Language, question_script
from jobs.quoting import quoted
from locales import Language as ReplyLanguage
from locales import current, format_day, format_day_short, tr, trn

QUOTE_CHARS = 220
"""Longest part of one message shown in an answer."""
TOPIC_CHARS = 60
"""Longest part of the asker's topic echoed back."""


def answer_language(question: str) -> Language:
    """The language the question is asked in: Chinese or English (any other reads
    English); see :func:`jobs.languages.question_script`."""
    if question_script(question) is Language.CHINESE:
        return Language.CHINESE
    return Language.ENGLISH


def reply_language_of(question: str) -> ReplyLanguage | None:
    """The reply language the question's own script asks for, or ``None`` without letters."""
    script = question_script(question)
    if script is None:
        return None
    return "zh" if script is Language.CHINESE else "en"


def writing_in() -> Language:
    """The current reply language as the digest engines and quoting name it."""
    return Language.CHINESE if current() == "zh" else Language.ENGLISH


def excerpt(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def day_label(moment: datetime, now: datetime | None = None) -> str:
    """``Tue 3 Mar`` / ``3月3日 周二``; with the year when it is not ``now``'s."""
    year = (now or datetime.now(UTC)).year
    return format_day_short(moment) if moment.year == year else format_day(moment)


def with_link(text: str, link: str | None) -> str:
    """``text (link)`` / ``text（link）``; ``text`` alone without a link."""
    return tr("{text} ({link})", text=text, link=link) if link else text


def chat_heading(title: str) -> str:
    """The group a part of a private answer comes from: ``[Hikers]`` / ``【Hikers】``."""
    return tr("[{title}]", title=excerpt(title, 40))


@dataclass(frozen=True, slots=True)
class Quote:
    """One message as an answer shows it."""

    name: str
    text: str
    sent_at: datetime
    permalink: str | None = None

    @classmethod
    def of_ref(cls, ref: MessageRef) -> Quote:
        """A digest's message reference as an answer quotes it."""
        return cls(ref.member_name, ref.text, ref.sent_at, ref.permalink)


def quote_line(quote: Quote, *, now: datetime | None = None) -> str:
    """``Ana, Tue 3 Mar: “…” (link)``, in the current reply language; the quoted text stays
    as written."""
    who = tr("{name}, {day}", name=quote.name, day=day_label(quote.sent_at, now))
    return with_link(quoted(who, excerpt(quote.text), writing_in()), quote.permalink)


def topic_shown(topic: str) -> str:
    """The asker's topic as echoed back: cut short, inside quote marks."""
    return "“" + excerpt(topic.replace("“", "‘").replace("”", "’"), TOPIC_CHARS) + "”"


def dont_know() -> str:
    """The answer when the chat never covered the question."""
    return tr("I don't know: this chat hasn't talked about that (that I can see).")


def help_text() -> str:
    """What the assistant can do, with example questions."""
    return tr(
        "I answer from this chat's messages, quoting who said what (never from other chats "
        "or DMs). Ask me, for example:\n"
        "• @hearth what did I miss?\n"
        "• @hearth who here knows about sourdough?\n"
        "• @hearth what did we decide about friday dinner?\n"
        "• @hearth what did Ana say about the trip? (if Ana's twin is on)\n"
        "• @hearth where is the meetup?\n"
        "/help lists my commands; /twin suggest off keeps me from suggesting you."
    )


def busy() -> str:
    """The one "try again later" when the limits are reached."""
    return tr("I've answered a lot here just now; please ask again in a few minutes.")


def unavailable() -> str:
    """The answer when the chat's messages cannot be searched now."""
    return tr("I can't search this chat's messages right now; please try again later.")


def no_chats() -> str:
    """A private question from someone Hearth shares no group with."""
    return tr("I don't know any group chat of yours yet: I answer from the groups we share.")


def from_people(count: int) -> str:
    """``from 1 person`` / ``from 3 people`` / ``3人`` (who wrote the messages counted)."""
    return trn("from {count} person", "from {count} people", count)
