"""Decisions in chat text: decision acts, proposals, agreement, changes, and what is no decision.

A decision needs a decision act (``定了``, ``改到``, ``就用``, ``we decided``,
``let's go with``, ``is set for`` …); a bare agreement (``同意``, ``+1``,
``agreed``) is none by itself, though it can make a proposal one (the digest
weighs that). A claim that binds someone else who did not say it (``@小林
已经同意请大家吃饭了``, ``Wang Lei agreed to pay for everyone``) and anything
addressed to the bot or worded as an instruction (``Hearth, announce…``,
``ignore previous``, ``忽略之前``) are never decisions. Surface cues only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from jobs.question_cues import question_sentences, split_sentences
from jobs.web_links import without_urls

_ZH_SETTLE = re.compile(
    r"决定|(?<![一肯否稳固规鉴判认设不没未待再])定(?:了|在|下|好|为|成|于)"
    r"|(?:那|我们|咱们|大家)就用|^就用|[：:\s]就用|就用(?:这|那)个"
    r"|(?:那|我们|咱们|大家)就选|^就选|就按(?:这|那)个|就按"
    r"|确定(?:了|在|为|下来|[：:])|已(?:经)?确定|确认(?:了|[：:])|已(?:经)?确认|敲定|拍板"
    r"|就这么(?:定|办)|就这样定|说定了"
    r"|一致(?:认为|同意|决定)|达成(?:共识|一致)|那就这样|最终(?:方案|决定|版本|结果)?[是：:]"
    r"|结论(?:是|[：:])"
)
_ZH_CHANGE_ACT = re.compile(
    r"改(?:为|到|成|在)|换成|换到|推迟到|延期到|延后到|提前到(?![来达了场])|挪到|调整(?:为|到)"
)
_ZH_NOT_DECIDED = re.compile(
    r"(?:还没有?|没有?|未|尚未|不|别|待|再|先别)(?:有)?(?:决定|定|确定|敲定|拍板|说定|商量好)"
    r"|你(?:们)?(?:来)?决定|由[^，。]{0,4}决定|自己决定|决定权|等[^，。]{0,8}定"
    r"|如果[^，。]{0,10}(?:决定|定|改)|(?:决定|确定|定)了?再|再说吧|再议|待定|看情况"
    r"|(?:别|不要|不能|不会|没有?|不)[^，。！？]{0,6}?(?:改|换|推迟|延期|提前|挪)"
    r"|(?:(?<!想了)想(?!了)|打算|准备|考虑|可能|也许|或许)[^，。！？]{0,4}?(?:定|改|换|决定)"
)
_ZH_PERSONAL = re.compile(r"^(?:我(?!们)|俺)")
_ZH_OWN_AFFAIRS = re.compile(r"^定")
"""``我…定了``: one's own affairs settled (``我新房子定了``), unlike ``我决定…``."""
_EN_BARE_CHANGE = re.compile(
    r"(?i)^(?:(?:update|change|correction)\s*[:：-]\s*)?(?:now\s+)?(?:moved|changed|switched"
    r"|rescheduled|pushed|postponed|bumped)\s+(?:it\s+)?(?:back\s+)?(?:to|until)\b"
)
_ZH_FILLER = re.compile(r"^[\s好的嗯哦那就吧啊ok，,]*", re.IGNORECASE)
_ZH_CLAUSE = re.compile(r"[，,；;。！!]")
_EN_ACT = re.compile(
    r"(?i)\bwe(?:'ve|\s+have)?\s+(?:all\s+|finally\s+)?(?:decided|settled|chose|picked"
    r"|agreed\s+(?:on|to|that))\b"
    r"|\bwe\s+(?:all\s+)?agreed\b"
    r"|\b(?:it'?s|it\s+is)\s+(?:decided|settled|official|final|confirmed)\b"
    r"|\bdecision\s*(?:is|was|:)|\bfinal\s+(?:decision|answer|call|plan)\b"
    r"|\bsettled\s+on\b|(?<!\bi\s)(?<!\bhe\s)(?<!\bshe\s)\bdecided\s+(?:on|to)\b"
    r"|\blet'?s\s+(?:go\s+with|make\s+it|stick\s+with|lock\s+(?:it\s+)?in|settle\s+on|book)\b"
    r"|\bwe(?:'ll|\s+will|'re|\s+are)\s+(?:go(?:ing)?\s+with|stick(?:ing)?\s+with"
    r"|switch(?:ing)?\s+to|mov(?:e|ing)\s+(?:it\s+)?to)\b"
    r"|\b(?:is|are|was|has\s+been|have\s+been|'s)\s+(?:now\s+)?(?:moved|changed|switched"
    r"|rescheduled|pushed|postponed|bumped)\s+(?:back\s+)?(?:to|until)\b"
    r"|^(?:update\s*:\s*)?(?:moved|changed|rescheduled|pushed|postponed)\s+(?:it\s+)?(?:to|until)\b"
    r"|\b(?:moving|changing|switching)\s+(?:it|the\s+\w+)\s+to\b"
    r"|\b(?:is|are)\s+(?:now\s+)?(?:set\s+(?:for|on|at)|confirmed|booked|locked(?:\s+in)?"
    r"|scheduled|finali[sz]ed)\b"
    r"|^(?:final|decision|decided|confirmed|conclusion)\s*[:：]"
    r"|\bit'?s\s+a\s+(?:plan|deal)\b|\bdone\s+deal\b|\bconsensus\s+is\b"
)
_EN_NOT_DECIDED = re.compile(
    r"(?i)\b(?:not|never|no|haven'?t|hasn'?t|didn'?t|don'?t|doesn'?t|isn'?t|wasn'?t|aren'?t"
    r"|undecided|yet\s+to)\b[\w\s']{0,15}\b(?:decided|agreed|settled|decision|go(?:ing)?\s+with"
    r"|consensus|set|confirmed|final|booked)\b"
    r"|\b(?:tbd|tba|undecided|not\s+final)\b"
    r"|\b(?:if|once|until|when|whether|unless|before)\s+we\s+(?:decide|agree|settle|pick|choose)"
)


def _zh_acts(sentence: str) -> bool:
    """A Chinese decision act: settling (``定了``, ``就用``) or changing with a subject or a time.

    ``我…定了`` (one's own affairs), negated, prohibited (``别改到``) and
    tentative (``我想定在``) acts do not count; a change with neither subject
    nor time (``改成 activeTab 就行``) is advice, and one of one's own without a
    time (``我刚换到一本书``) is no group matter.
    """
    masked = _ZH_NOT_DECIDED.sub("＿", sentence)
    for clause in _ZH_CLAUSE.split(masked):
        body = clause.strip()
        if not body:
            continue
        settle = _ZH_SETTLE.search(body)
        if settle is not None and not (
            _ZH_PERSONAL.match(body) and _ZH_OWN_AFFAIRS.match(settle.group(0))
        ):
            return True
        change = _ZH_CHANGE_ACT.search(body)
        if change is not None:
            subject = _ZH_FILLER.sub("", body[: change.start()])
            timed = names_a_time(body[change.end() :])
            if timed or (subject and not _ZH_PERSONAL.match(subject)):
                return True
    return False


def changes_without_subject(text: str) -> bool:
    """Whether a change leaves its subject out (``那改到周日吧``, ``Moved to Friday``).

    Such a change refers to the plan just settled.
    """
    text = without_urls(text).strip()
    if _EN_BARE_CHANGE.match(text):
        return True
    for clause in _ZH_CLAUSE.split(text):
        change = _ZH_CHANGE_ACT.search(clause)
        if change is not None and not _ZH_FILLER.sub("", clause[: change.start()]):
            return True
    return False


_EN_SO_THEN = re.compile(
    r"(?i)\bso\s+(?:it'?s|it\s+is|that'?s|we'?re\s+on\s+for)\s+[^.!?]{1,60}?\bthen\b"
)
"""``ok, so it's Saturday the 21st then``: settling a plan, when a day or time is named."""


def _acts(sentence: str) -> bool:
    english = (
        bool(_EN_ACT.search(sentence))
        or bool(_EN_SO_THEN.search(sentence) and names_a_time(sentence))
    ) and not _EN_NOT_DECIDED.search(sentence)
    return english or _zh_acts(sentence)


_CLAUSE = re.compile(r"[，,；;]")


@lru_cache(maxsize=8192)
def states_decision(text: str) -> bool:
    """Whether a sentence or clause that asks nothing carries a decision act, not negated.

    In an asking sentence the clauses before the question count on their own
    (``定在周六，大家没问题吧？`` states a decision and checks it).
    """
    text = without_urls(text)
    asking = set(question_sentences(text))
    for sentence in split_sentences(text):
        if sentence not in asking:
            if _acts(sentence):
                return True
            continue
        clauses = [clause for clause in _CLAUSE.split(sentence) if clause.strip()]
        if any(_acts(c) and not question_sentences(c) for c in clauses[:-1]):
            return True
    return False


def is_decision(text: str) -> bool:
    """Whether a message states a decision (``定了``, ``改到``, ``we decided``, ``let's go with``).

    Questions (``did we decide?``), negated cues (``还没定``, ``haven't decided``),
    bare agreement (``同意``, ``agreed``), claims that bind someone else and
    instruction-like messages do not count.
    """
    return states_decision(text) and not is_instruction_like(text) and not binds_someone_else(text)


# --- proposals and agreement ---------------------------------------------------------------

_PROPOSAL = re.compile(
    r"(?i)要不要|要不(?:就|咱们|我们)?|不如|我提议|提议|建议(?:我们|大家|咱们)|(?:我们|咱们|大家)(?:就)?[^，。？?]{1,15}吧"
    r"|定在[^，。？?]{1,12}(?:吧|吗|？|\?)|(?:怎么样|如何|行不行|可以吗|行吗|好不好|好吗)[？?]?$"
    r"|\bhow\s+about\b|\bwhat\s+about\b|\bshall\s+we\b|\bshould\s+we\b|\bwhy\s+don'?t\s+we\b"
    r"|\blet'?s\b|\bi\s+(?:propose|suggest)\b|\bproposal\s*:|\bsuggest\s+we\b"
    r"|\bmaybe\s+we\s+(?:should|could)\b|\bwe\s+could\b|\bworks?\s+for\s+(?:everyone|all|y'?all)\b"
)


_EN_PROPOSED_ACT = re.compile(
    r"(?i)\b(?:go\s+with|move\s+(?:it\s+)?to|switch\s+to|stick\s+with|make\s+it|book|pick|choose)\b"
)


def is_proposal(text: str) -> bool:
    """Whether a message proposes a definite choice (``要不要定在周六？``, ``how about Friday?``).

    The proposal must carry a decision act or name a day or time: ``要不要搞个
    聚会？`` is an idea, not yet a choice.
    """
    text = without_urls(text).strip()
    if not _PROPOSAL.search(text) or is_instruction_like(text):
        return False
    return _acts(text) or bool(_EN_PROPOSED_ACT.search(text)) or names_a_time(text)


_AGREEMENT = re.compile(
    r"(?i)^(?:@\S+\s*)*(?:(?:同意|赞成|附议|支持|\+1|＋1|好的?|好啊|好呀|好滴|可以|行|没问题|ok|okay"
    r"|okk|👍|👌|🙋|🙆|✅|就这样|没意见|我也行|我都行|都行|我也是|算我一个|同上|赞|妥|没毛病"
    r"|agreed?|sounds\s+(?:good|great|perfect|like\s+a\s+plan)|works\s+for\s+me|fine\s+by\s+me"
    r"|deal|yes|yep|yeah|sure|same|count\s+me\s+in|i'?m\s+in|me\s+too|perfect|great"
    r"|let'?s\s+do\s+it|love\s+it|good\s+idea|好主意|好办法)[\s,，!！~～]*)+"
    r"(?=$|\W|[啊呀哈呢吧的滴嘞了])"  # a whole cue: not 好久, not greatest
)
_DISAGREEMENT = re.compile(
    r"(?i)不同意|反对|不行|不好|不太|不要|算了|不去|没空|不方便|来不了|去不了"
    r"|\b(?:nah|no|nope|disagree|not\s+sure|don'?t|can'?t|won'?t|cannot|rather\s+not)\b"
)


def is_agreement(text: str) -> bool:
    """Whether a message agrees with what was said (``同意``, ``+1``, ``sounds good``, ``👍``)."""
    text = text.strip()
    return bool(_AGREEMENT.match(text)) and not _DISAGREEMENT.search(text)


def is_disagreement(text: str) -> bool:
    """Whether a message objects (``不同意``, ``不行``, ``no``, ``can't make it``)."""
    return bool(_DISAGREEMENT.search(text.strip()))


_CHANGE = re.compile(
    r"(?i)改(?:为|到|成|在|期)|换成|换到|推迟|延期|延后|提前到|挪到|调整(?:为|到)|还是(?:用|选|定)"
    r"|\b(?:moved|moving|move\s+it|changed|change\s+it|changing|switch(?:ed|ing)?|rescheduled?"
    r"|pushed|postponed|bumped|instead|update\s*:|correction\s*:|scratch\s+that)\b"
)


_ADDITIVE = re.compile(r"(?i)也(?:改|换|定|调整)|\b(?:also|too|as\s+well)\b")


def adds_to_earlier(text: str) -> bool:
    """Whether a decision adds to earlier ones rather than replacing them (``也改成``, ``also``)."""
    return bool(_ADDITIVE.search(text))


def marks_change(text: str) -> bool:
    """Whether a message changes an earlier plan (``改到``, ``推迟``, ``moved to``, ``instead``)."""
    return bool(_CHANGE.search(text))


_TIME_SLOT = re.compile(
    r"(?i)周[一二三四五六日天]|星期[一二三四五六日天]|礼拜[一二三四五六日天]"
    r"|\d{1,2}\s*[点号日]|\d{1,2}\s*月\s*\d|[一二三四五六七八九十两]{1,3}[点号]"
    r"|明天|后天|今晚|明晚"
    r"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\s+\d"
    r"|\b\d{1,2}(?::\d{2})?\s*(?:am|pm)\b|\b\d{1,2}:\d{2}\b|\btomorrow\b|\btonight\b"
)


def names_a_time(text: str) -> bool:
    """Whether a message names a definite day or time (``周六``, ``三点``, ``Friday``, ``7pm``)."""
    return bool(_TIME_SLOT.search(text))


# --- what is never a decision ----------------------------------------------------------------

_ZH_COMMITMENT = (
    r"(?:已经|都|也)?(?:同意|答应|承诺|保证|说好|表示|愿意|决定)(?:了)?"
    r"|(?:会|要|负责|来)(?:请|付|出钱|买单|包|承担|报销)|请(?:大家|所有人|全体|全场)|买单|请客"
)
_EN_COMMITMENT = (
    r"(?:has\s+|had\s+|already\s+|just\s+)*(?:agreed|agrees|promised|promises|offered|offers"
    r"|volunteered|confirmed|said\s+(?:he|she|they)(?:'d|\s+would|\s+will)"
    r"|will\s+(?:pay|cover|buy|host|treat|handle)|is\s+(?:paying|covering|buying|treating|hosting)"
    r"|pays|is\s+going\s+to\s+(?:pay|cover|buy|host))"
)
_MENTION_BINDS = re.compile(rf"@\S+\s*(?:{_ZH_COMMITMENT})|(?i:@\S+\s+{_EN_COMMITMENT})")
_ZH_OTHER_BINDS = re.compile(
    r"([\u4e00-\u9fff]{1,3}?)(?:已经|都)?(?:同意|答应|承诺|说好|说了|说过)(?:了)?"
    r"[^，。！？!?]{0,10}?(?:请|付|出钱|买单|包|负责|承担|报销)"
)
_ZH_THIRD_PERSON_BINDS = re.compile(
    r"(?<!其)[他她](?:们)?(?:会|要|来|说)?[^，。！？!?]{0,4}?"
    r"(?:请大家|请客|请全|买单|出钱|付钱|全包|包了|负责)"
)
_ZH_SELF = re.compile(r"(?:我|我们|咱们|大家|俺)$")
_EN_OTHER_BINDS = re.compile(
    rf"\b(?!(?:I|We|They|Everyone|Everybody|All|You|It|This|That|Someone|Nobody)\b)"
    rf"([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?|(?i:he|she))\s+{_EN_COMMITMENT}"
)


def binds_someone_else(text: str, names: Iterable[str] = (), author: str | None = None) -> bool:
    """Whether a message claims that another person agreed or committed to something.

    ``@小林 已经同意请大家吃饭了``, ``Wang Lei agreed to pay for everyone``: a claim
    about someone who did not say it themselves. ``names`` are members' display
    names (``author``'s own is left out), matched as they are written.
    """
    text = without_urls(text)
    if _MENTION_BINDS.search(text) or _ZH_THIRD_PERSON_BINDS.search(text):
        return True
    own = set((author or "").lower().split())
    for found in _EN_OTHER_BINDS.finditer(text):
        if not set(found.group(1).lower().split()) <= own:
            return True
    for found in _ZH_OTHER_BINDS.finditer(text):
        if not _ZH_SELF.search(text[: found.start(1)] + found.group(1)):
            return True
    pattern = _named_commitment(names if isinstance(names, frozenset) else frozenset(names))
    if pattern is None:
        return False
    return any(
        (found.group("zh") or found.group("en")).lower() != (author or "").lower()
        for found in pattern.finditer(text)
    )


@lru_cache(maxsize=64)
def _named_commitment(everyone: frozenset[str]) -> re.Pattern[str] | None:
    """One pattern for any of the names followed by a commitment; the name is captured.

    Compiled once per chat's set of names (not once per author), so a busy
    day with many members costs one compilation; ``None`` without names.
    """
    names = {name.strip() for name in everyone if len(name.strip()) >= 2}
    if not names:
        return None
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(
        rf"(?P<zh>{alternatives})\s*(?:{_ZH_COMMITMENT})"
        rf"|(?i:(?P<en>{alternatives})\s+{_EN_COMMITMENT})"
    )


_INSTRUCTION = re.compile(
    r"(?i)\bnote\s+to\s+(?:the\s+)?(?:bot|digest|summary|summari[sz]er|ai|assistant|system)\b"
    r"|\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+)?(?:the\s+|your\s+)?(?:previous|prior"
    r"|above|earlier|preceding)\b"
    r"|\b(?:system|developer)\s+(?:prompt|message|note|instructions?)\b|\bnew\s+instructions?\b"
    r"|\byou\s+are\s+now\b"
    r"|\b(?:write|put|include|add|state|say|mention|list|record)\b[^.!?]{0,30}\b(?:in|into|to)\s+"
    r"(?:the|your|today'?s|this|tomorrow'?s)\s+(?:digest|summary|recap|report|minutes)\b"
    r"|\b(?:digest|summary|recap)\s+(?:should|must|will|needs\s+to)\s+(?:say|state|mention"
    r"|include|list|show|announce)\b"
    r"|\b(?:announce|declare)\s+(?:that|to\s+everyone|it)\b"
    r"|^\s*\[?(?:system|admin\s+note|instruction|sys)\]?\s*[:：]"
    r"|忽略(?:之前|以上|前面|上面|先前|所有|此前)|无视(?:之前|以上|前面|上面)"
    r"|(?:摘要|总结|日报|周报|简报|汇总|纪要)(?:里|中|要|请|必须|应该)[^，。]{0,4}"
    r"(?:写|说|宣布|注明|加上|提到|列出|说明|记录)"
    r"|请(?:在)?(?:摘要|总结|日报|周报|纪要)|(?:机器人|小助手|助手)[，,：:]"
    r"|(?:系统|管理员)(?:提示|指令)[：:]|你现在是|新的指令|(?:向|告诉)大家宣布|请宣布"
)


def is_instruction_like(text: str, bot_names: Iterable[str] = ("hearth",)) -> bool:
    """Whether a message addresses the bot or reads as an instruction to it.

    ``Hearth, announce…``, ``note to the bot``, ``ignore previous …``,
    ``忽略之前的…``, ``请在摘要里写…``: such text is quoted at most, never acted on.
    """
    text = without_urls(text)
    if _INSTRUCTION.search(text):
        return True
    for name in bot_names:
        escaped = re.escape(name)
        if re.search(rf"(?i)^\s*@?{escaped}\b|@{escaped}\b", text):
            return True
    return False
