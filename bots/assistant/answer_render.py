"""How the assistant words its answers, in English or Chinese.

Every claim from the chat is a quote with its author, day and link
(``Ana, 3 Mar: “…” (link)`` / ``Ana，3月3日：“…”（链接）``), written through
:func:`jobs.quoting.quoted`: Hearth never states a message's claim in its own voice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from jobs.digest_model import MessageRef
from jobs.languages import Language, count_han, script_of
from jobs.quoting import quoted

QUOTE_CHARS = 220
"""Longest part of one message shown in an answer."""
TOPIC_CHARS = 60
"""Longest part of the asker's topic echoed back."""


_CHINESE_FRAME = re.compile(r"[吗呢吧嘛？，。]|什么|怎么|哪|谁|几|有没有|有人|是不是")


def answer_language(question: str) -> Language:
    """The language to answer ``question`` in: Chinese when it is written in Chinese, or
    asked in Chinese around English names ("有人跑 Toronto Waterfront Marathon 吗？")."""
    if script_of(question) is Language.CHINESE:
        return Language.CHINESE
    if count_han(question) >= 2 and _CHINESE_FRAME.search(question):
        return Language.CHINESE
    return Language.ENGLISH


def excerpt(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def day_label(moment: datetime, language: Language) -> str:
    """``3 Mar`` / ``3月3日``."""
    if language is Language.CHINESE:
        return f"{moment.month}月{moment.day}日"
    return f"{moment.day} {moment:%b}"


@dataclass(frozen=True, slots=True)
class Quote:
    """One message as an answer shows it."""

    name: str
    text: str
    sent_at: datetime
    permalink: str | None = None
    chat_title: str | None = None

    @classmethod
    def of_ref(cls, ref: MessageRef) -> Quote:
        """A digest's message reference as an answer quotes it."""
        return cls(ref.member_name, ref.text, ref.sent_at, ref.permalink)


def quote_line(quote: Quote, language: Language) -> str:
    """``Ana, 3 Mar: “…” (link)``; with a chat title (private answers) ``[Title] `` first."""
    day = day_label(quote.sent_at, language)
    zh = language is Language.CHINESE
    who = f"{quote.name}，{day}" if zh else f"{quote.name}, {day}"
    line = quoted(who, excerpt(quote.text), language)
    if quote.permalink:
        line += f"（{quote.permalink}）" if zh else f" ({quote.permalink})"
    if quote.chat_title:
        line = f"[{excerpt(quote.chat_title, 40)}] {line}"
    return line


def topic_shown(topic: str) -> str:
    """The asker's topic as echoed back: cut short, inside quote marks."""
    return "“" + excerpt(topic.replace("“", "‘").replace("”", "’"), TOPIC_CHARS) + "”"


@dataclass(frozen=True, slots=True)
class Words:
    """Every fixed phrase of the assistant in one language."""

    dont_know: str
    said_here: str
    decision_latest: str
    decision_earlier: str
    changed_from: str
    no_decision_but: str
    who_knows: str
    who_knows_line: str
    nobody_knows: str
    not_opted_in: str
    twins_off: str
    paused: str
    reviews: str
    unknown_member: str
    member_said: str
    member_silent: str
    catch_up_head: str
    catch_up_first: str
    catch_up_nothing: str
    catch_up_for_you: str
    catch_up_decided: str
    catch_up_talked: str
    catch_up_said: str
    help: str
    busy: str
    no_chats: str
    message_one: str
    message_many: str
    person_one: str
    person_many: str

    def count_messages(self, count: int) -> str:
        """``1 message`` / ``3 messages`` / ``3条消息``."""
        return (self.message_one if count == 1 else self.message_many).format(count=count)

    def count_people(self, count: int) -> str:
        """``1 person`` / ``3 people`` / ``3人``."""
        return (self.person_one if count == 1 else self.person_many).format(count=count)


ENGLISH = Words(
    dont_know="I don't know: this chat hasn't talked about that (that I can see).",
    said_here="From this chat:",
    decision_latest="Latest decision:",
    decision_earlier="Also decided:",
    changed_from="changed from",
    no_decision_but="I found no decision on that, but this was said:",
    who_knows="People here who talked about {topic}:",
    who_knows_line="{rank}. {line} · {count} on it",
    nobody_knows="I don't know who here knows about {topic}: nobody I may suggest talked about it.",
    not_opted_in="{name} has not switched on a twin in this chat, so I don't quote them. "
    "You could ask {name} directly.",
    twins_off="Twins are off in this chat, so I don't quote what members said. "
    "You could ask them directly.",
    paused="{name} has paused their twin, so I don't quote them now.",
    reviews="{name} reviews what their twin says before it is posted, so I don't quote them "
    "here. You could ask {name} directly.",
    unknown_member="I don't know who {name} is in this chat.",
    member_said="What {name} said here:",
    member_silent="{name} hasn't talked about that here (that I can see).",
    catch_up_head="Since your last message ({since}): {count} from {people}.",
    catch_up_first="In the last day: {count} from {people}.",
    catch_up_nothing="Nothing new here since your last message.",
    catch_up_for_you="For you:",
    catch_up_decided="Decided:",
    catch_up_talked="Talked about:",
    catch_up_said="Latest messages:",
    help=(
        "I answer from this chat's messages, quoting who said what (never from other chats "
        "or DMs). Ask me, for example:\n"
        "• @hearth what did I miss?\n"
        "• @hearth who here knows about sourdough?\n"
        "• @hearth what did we decide about friday dinner?\n"
        "• @hearth what did Ana say about the trip? (if Ana's twin is on)\n"
        "• @hearth where is the meetup?\n"
        "/help lists my commands; /twin suggest off keeps me from suggesting you."
    ),
    busy="I've answered a lot here just now; please ask again in a few minutes.",
    no_chats="I don't know any group chat of yours yet: I answer from the groups we share.",
    message_one="{count} message",
    message_many="{count} messages",
    person_one="{count} person",
    person_many="{count} people",
)

CHINESE = Words(
    dont_know="我不知道：群里好像没聊过这个。",
    said_here="群里的相关消息：",
    decision_latest="最新决定：",
    decision_earlier="其他决定：",
    changed_from="之前是",
    no_decision_but="没找到相关决定，但群里有人说过：",
    who_knows="群里聊过{topic}的人：",
    who_knows_line="{rank}. {line} · 相关{count}",
    nobody_knows="我不知道群里谁懂{topic}：可以推荐的人里没人聊过。",
    not_opted_in="{name}没有在本群开启分身，所以我不引用TA的话。可以直接问{name}。",
    twins_off="本群关闭了分身功能，所以我不引用成员说过的话。可以直接问本人。",
    paused="{name}暂停了分身，所以我现在不引用TA的话。",
    reviews="{name}会先审核分身的回答再发出，所以我在这里不引用TA的话。可以直接问{name}。",
    unknown_member="我不知道本群里谁是{name}。",
    member_said="{name}在群里说过：",
    member_silent="{name}好像没在群里聊过这个。",
    catch_up_head="自你上次发言（{since}）以来：{people}发了{count}。",
    catch_up_first="过去一天：{people}发了{count}。",
    catch_up_nothing="自你上次发言以来，群里没有新消息。",
    catch_up_for_you="和你有关：",
    catch_up_decided="决定：",
    catch_up_talked="聊了：",
    catch_up_said="最新消息：",
    help=(
        "我根据本群的消息回答，并注明是谁说的（不看其他群或私聊）。比如可以问：\n"
        "• @hearth 我错过了什么？\n"
        "• @hearth 谁懂 Rust？\n"
        "• @hearth 周五聚餐定了吗？\n"
        "• @hearth 老王怎么看远程办公？（老王开启分身时）\n"
        "• @hearth 聚餐在哪里？\n"
        "/help 列出所有命令；/twin suggest off 让我不再推荐你。"
    ),
    busy="我刚在群里回答了很多问题，请过几分钟再问。",
    no_chats="我还不知道你在哪个群：我只根据我们共同所在的群回答。",
    message_one="{count}条消息",
    message_many="{count}条消息",
    person_one="{count}人",
    person_many="{count}人",
)


def words_for(language: Language) -> Words:
    """The phrases for ``language`` (English for anything but Chinese)."""
    return CHINESE if language is Language.CHINESE else ENGLISH
