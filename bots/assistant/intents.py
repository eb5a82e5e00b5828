"""What a question to Hearth asks for, told from cue words in English and Chinese (pure).

Each kind of question is answered on purpose by its own module; anything that is no
catch-up, no "who knows", no decision, no "what did Ana say" and no request for help
is a plain question, answered with quotes from the chat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bots.assistant.chat_search import subject_terms


class Intent(StrEnum):
    """What a member asks Hearth for."""

    CATCH_UP = "catch_up"
    WHO_KNOWS = "who_knows"
    DECISION = "decision"
    MEMBER_SAID = "member_said"
    HELP = "help"
    QUESTION = "question"


@dataclass(frozen=True, slots=True)
class Asked:
    """A classified question: its intent, the subject it is about, and a member it names."""

    intent: Intent
    topic: str
    """The subject in the asker's words, cue words taken out ("friday dinner", "周五聚餐")."""
    member_name: str | None = None
    """For ``MEMBER_SAID``: the name as written ("Ana", "老王")."""


_I = re.IGNORECASE

_HELP = re.compile(
    r"^\W*(?:(?:hi|hello|hey)\W*)?(?:help\W*$|what can you do|what do you do|what are you|"
    r"who are you|how do(?:es)? (?:i|you|this) (?:use|work)|how can you help|commands\W*$)"
    r"|\bwhat can you do\b|\bhow do i use you\b"
    r"|你能做什么|你会做什么|你会什么|你可以做什么|你能干什么|你能干嘛|怎么用你|你是谁|^\W*帮助\W*$",
    _I,
)
_CATCH_UP = re.compile(
    r"\bwhat (?:did|have) i miss(?:ed)?\b|\bcatch me up\b|\bfill me in\b|\bwhat'?s new\b"
    r"|\bwhat (?:happened|did you all talk about) (?:while|since)\b|\bwhat did i miss\b"
    r"|\banything i missed\b|\bi(?:'ve| have)? missed\b|\bget me up to speed\b"
    r"|我错过了?什么|错过了什么|错过啥|漏了什么|漏了啥|补个课|给我补课|帮我补课|刚才(?:大家)?聊了(?:什么|啥)"
    r"|(?:之前|刚才)(?:发生|聊)了(?:什么|啥)|有什么新(?:消息|鲜事)",
    _I,
)
_WHO_KNOWS = re.compile(
    r"\bwho(?:'s| is)? (?:here |in here |in this (?:group|chat) )?"
    r"(?:knows?(?: (?:about|anything about|a lot about|much about|of))?|can help(?: me)?(?: with)?|"
    r"(?:is|'s) (?:good at|an expert (?:in|on|at)|into|familiar with|experienced (?:in|with))|"
    r"understands|has experience (?:with|in)|could help(?: me)?(?: with)?|should i ask about)\s+"
    r"|\bwho(?:'s| is)? (?:here |in here )?(?:actually |really |else )?"
    r"(?:good|great|handy|experienced|familiar|an expert|a pro|into|knows?|understands|can)\b"
    r"(?: (?:with|at|in|on|about|enough to|how to))?\s+"
    r"|\bwho (?:here|in here|in this (?:group|chat)) (?=\w)"
    r"|\b(?:does |is there )?any(?:one|body) (?:here |in here )?(?:good|handy|experienced)"
    r"(?: (?:with|at|in|on))?\s+"
    r"|\b(?:has |have )?any(?:one|body) (?:here |in here )?(?:ever )?(?:done|tried|been to)\s+"
    r"|\bany(?:one|body) (?:here |in here )?who\s+(?:\w+\s+)??(?:about\s+)?"
    r"|\b(?:does |is there )?any(?:one|body) (?:here |in here )?"
    r"(?:know(?:s)? (?:about|anything about|a lot about|much about)|familiar with|good at|"
    r"an expert (?:in|on|at)|experienced (?:in|with)|understand|who knows about|"
    r"(?:can|could) help(?: me)? with)\s+"
    r"|谁(?:比较|最|更)?(?:懂|会|了解|熟悉|擅长|精通|能帮(?:我|忙)?(?:看看|解决)?|可以帮(?:我|忙)?|知道(?:关于)?)"
    r"|有(?:没有)?人(?:比较)?(?:懂|会|了解|熟悉|擅长|精通)"
    r"|(?:有(?:没有)?人|谁)(?:[\u4e00-\u9fff]{1,4}?)过(?=\S)"
    r"|谁家(?:也|还)?|谁(?:也|还)(?=\S)"
    r"|谁(?:玩|玩过|去过|用过|做过|试过|养过?|清楚|搞过|学过)"
    r"|有没有(?:人)?(?:养|玩|去过|用过|做过|试过|搞过|学过)"
    r"|问谁",
    _I,
)
_TRAILING_WHO = re.compile(
    r"[，,\s]*(?:有)?谁(?:清楚|知道|用过|懂|了解|会|试过|去过)(?:吗|呢|啊)?[？?。!！\s]*$"
)
_MEMBER_SAID_EN = re.compile(
    r"\bwhat (?:did|does|has|do) (?P<name>@?[\w][\w.'’ -]{0,40}?) "
    r"(?:say|said|think|thought|write|wrote|mention|mentioned|suggest|suggested|recommend|"
    r"recommended|post|posted|feel)(?: about| of| on| regarding)?\s+(?P<topic>.+)"
    r"|\bwhat(?:'s| is| was) (?P<name2>@?[\w][\w.'’ -]{0,40}?)(?:'s|’s) "
    r"(?:take|view|opinion|advice|thought|thoughts|recommendation) (?:on|about|of)"
    r"\s+(?P<topic2>.+)",
    _I,
)
_MEMBER_SAID_ZH = re.compile(
    r"^(?P<name>@?[^\s，,。？?！!:：]{1,12}?)(?:对|关于)(?P<topic>.+?)"
    r"(?:怎么看|怎么说|有什么看法|说了什么|说过什么|是什么看法|的看法|有啥看法|说了啥|怎么想)"
    r"|^(?P<name2>@?[^\s，,。？?！!:：]{1,12}?)(?:怎么看|怎么说|说了什么|说过什么|说了啥|提过什么)"
    r"(?:关于)?(?P<topic2>.*)",
    _I,
)
_NOT_A_MEMBER = frozenset(
    {
        "we", "you", "i", "they", "people", "everyone", "everybody", "the group", "the chat",
        "anyone", "anybody", "someone", "somebody", "us", "y'all", "you all", "it", "this",
        "that", "the team", "folks",
        "我们", "大家", "你", "你们", "他们", "我", "群里", "有人", "别人", "谁",
    }
)  # fmt: skip
_DECISION = re.compile(
    r"\bwhat (?:did|have|had) (?:we|you guys|you all|y'all|people|the group|everyone) "
    r"(?:decide|decided|agree|agreed|settle|settled|choose|chose|pick|picked|land|landed|plan|planned)\b"
    r"|\bwhat (?:was|has been|is) (?:decided|agreed|settled|planned|the plan|the decision)\b"
    r"|\bdid (?:we|you guys|everyone|people) (?:decide|agree|settle|pick|choose)\b"
    r"|\bdecision (?:on|about)\b|\bwhat(?:'s| is) the plan\b"
    r"|\b(?:is|are|was|were) .{1,60}? "
    r"(?:decided|settled|confirmed|final|fixed|on|still on)\s*\??\s*$"
    r"|\bwhen(?:'s| is| are| was| will)\b|\bwhat time(?:'s| is| are| was)?\b|\bwhat day\b"
    r"|定了吗|定了没|定下来了?吗|定好了?吗|决定了?(?:什么|吗|没)|怎么定的|定的(?:什么|啥|哪)"
    r"|定在(?:哪|什么|几)|定了(?:几|多少|哪)|商量(?:好|出)?了?(?:什么|吗)|什么时候|几点|哪天|哪一天|几号|星期几|周几"
    r"|\b(?:end(?:s|ed)? up|in the end|finally|eventually)\b|最后|最终|到底"
    r"|\b(?:was|were|is|are|has|have|had|did|got) \S.{0,60}?\b(?:moved|changed|postponed|"
    r"rescheduled|pushed back|brought forward|cancell?ed|called off)\b"
    r"|(?:改|换|挪|推迟|延期|提前)(?:到|成|为|在)(?:哪|什么|啥|几)|(?:推迟|延期|取消)了?(?:吗|没)",
    _I,
)
_CHANGE_CUES = (
    r"(?:moved|changed|postponed|rescheduled|pushed back|brought forward|cancell?ed|called off)"
    r"(?: to| from| until| till)?"
)
"""A change asked about ("moved to", "改到") says a decision is asked for, not what about."""
_LEAD = re.compile(
    r"^\W*(?:(?:hi|hello|hey|ok|okay|so|um|quick question)\b[\s,!.:]*)*"
    r"(?:(?:hearth|@hearth)\b[\s,!.:]*)?(?:please\b[\s,]*)?(?:can you tell me\b\s*|tell me\b\s*)?"
    r"|^\s*(?:请问|问一下|问下|想问一下|想问下)[\s，,]*",
    _I,
)
_TOPIC_CUES = re.compile(
    r"\b(?:what (?:did|have|had) (?:we|you guys|you all|y'all|people|the group|everyone) "
    r"(?:decide|decided|agree|agreed|settle|settled|choose|chose|pick|picked|land|landed|plan|planned)"
    r"(?: on| about| for| regarding)?|what (?:was|has been|is) (?:decided|agreed|settled|planned)"
    r"(?: on| about| for)?|did (?:we|you guys|everyone|people) (?:decide|agree|settle|pick|choose)"
    r"(?: on| about)?|decision (?:on|about)|what(?:'s| is) the plan (?:for|with)|"
    r"decided|settled|confirmed|final|still on|end(?:s|ed)? up|in the end|finally|eventually|"
    + _CHANGE_CUES
    + r")\b|最后|最终|到底|(?:改|换|挪|推迟|延期|提前)(?:到|成|为|在)|推迟|延期|取消"
    r"|定了吗|定了没|定下来了?吗|定好了?吗|决定了?(?:什么|吗|没)|怎么定的|定的(?:什么|啥)|商量(?:好|出)?了?(?:什么|吗)",
    _I,
)
_PRONOUN = re.compile(
    r"(?:this|that|it|these|those|this stuff|that stuff|这个|这些|这方面|这种事|这事|这块|这)?", _I
)
_TRAILING = re.compile(r"[\s?？!！.。,，:：~～]+$|(?<=[\u4e00-\u9fff])(?:吗|呢|呀|啊|吧|嘛)$")


def _clean(text: str) -> str:
    words = " ".join(text.split())
    before = None
    while before != words:
        before = words
        words = _TRAILING.sub("", words).strip()
        words = re.sub(r"^[,，:：;；.。!！?？、]+\s*", "", words)
        words = re.sub(r"^(?:about|on|with|in|of|for|regarding|关于|对于)\s+", "", words, flags=_I)
        words = re.sub(r"^(?:关于|对于)", "", words)
        words = re.sub(r"^(?:here|in here)\b\s*", "", words, flags=_I)
    return words


def without_lead(question: str) -> str:
    """``question`` without greetings, Hearth's name and polite openings."""
    text = " ".join(question.split())
    text = re.sub(r"(?<!\w)@hearth\w*\b[\s,:，：]*", "", text, flags=_I)
    return _LEAD.sub("", text, count=1).strip()


def classify(question: str) -> Asked:
    """What ``question`` asks for, and the subject it is about (see the module notes)."""
    text = without_lead(question)
    if not _clean(text) or _HELP.search(text):
        return Asked(Intent.HELP, "")
    if _CATCH_UP.search(text):
        return Asked(Intent.CATCH_UP, "")
    said = _member_said(text)
    if said is not None:
        return said
    trailing = _TRAILING_WHO.search(text)
    if trailing is not None:
        return Asked(Intent.WHO_KNOWS, _clean(text[: trailing.start()]))
    who = _WHO_KNOWS.search(text)
    if who is not None:
        after = _clean(_asking_part(text[who.end() :]))
        after = _clean(re.sub(r"^(?:吗|呢)|(?:吗|呢|的人)$", "", after))
        before = _clean(text[: who.start()])
        # "满月送什么，谁懂这个" and "哪里好吃，谁最懂吃": when the words after the cue
        # name no subject of their own, the subject came before it.
        if before and not subject_terms(after):
            after = f"{before} {after}".strip() if not _PRONOUN.fullmatch(after) else before
        return Asked(Intent.WHO_KNOWS, after)
    if _DECISION.search(text):
        topic = _clean(_TOPIC_CUES.sub(" ", text))
        return Asked(Intent.DECISION, topic)
    return Asked(Intent.QUESTION, _clean(text))


def _asking_part(text: str) -> str:
    """Up to the first question mark: what follows is the asker's situation, not the topic."""
    return re.split(r"[?？]", text, maxsplit=1)[0]


def _member_said(text: str) -> Asked | None:
    for pattern in (_MEMBER_SAID_EN, _MEMBER_SAID_ZH):
        found = pattern.search(text)
        if found is None:
            continue
        name = found.group("name") or found.group("name2")
        topic = found.group("topic") or found.group("topic2") or ""
        name = name.strip().lstrip("@").strip()
        if not name or name.lower() in _NOT_A_MEMBER:
            continue
        return Asked(Intent.MEMBER_SAID, _clean(topic), name)
    return None
