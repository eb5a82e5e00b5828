"""Whether a chat message asks something, and which of its sentences do, in English and Chinese.

Surface cues only (punctuation, particles, question words, word order), so it
runs on every message of a busy day. Every sentence of a message is read: a
question followed by context ("Anyone tried X in production? Curious…") or
preceded by it counts. A question word used as an indefinite ("谁都可以",
"whatever works") or in an embedded clause ("我只关心文档好不好读", "I know how
it works") does not.

Besides :func:`is_question` and :func:`question_sentences`, the module tells
small talk and rhetorical questions (:func:`is_idle_question`), an asker settling
their own question (:func:`settles_own_question`), an asker's thanks
(:func:`acknowledges`) and messages shaped like an answer (:func:`opens_like_answer`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from jobs.languages import HAN
from jobs.web_links import without_urls

# --- sentences ------------------------------------------------------------------------------

_EMOJI = "\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d"
_BREAK = re.compile(
    r"[？?！!。；;…]+[\"'”’)）」』]*"  # strong ends, with closing quotes
    rf"|[{_EMOJI}]+\s*"  # emoji close a sentence in chat
    r"|\n+"
    r"|(?<![.\d])\.(?:\s+|$)"  # a full stop before a space, not in numbers or "..."
    r"|\.{2,}\s*"
)
_CLAUSE = re.compile(r"[，,、：:]")
_TRAILING = re.compile(r"[\s\W_]+$")
_TRAILING_LAUGH = re.compile(r"(?:哈{2,}|[啊呀哇])+$")


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` with their end marks (``？?。！!…`` and line breaks)."""
    pieces: list[str] = []
    start = 0
    for match in _BREAK.finditer(text):
        piece = text[start : match.end()].strip()
        if piece:
            pieces.append(piece)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        pieces.append(tail)
    return pieces


def _tail_marks(sentence: str) -> tuple[str, str]:
    """``sentence`` without its trailing marks and emoji, and those marks."""
    found = _TRAILING.search(sentence)
    if found is None:
        return sentence, ""
    return sentence[: found.start()], found.group(0)


# --- Chinese -------------------------------------------------------------------------------

_ZH_PARTICLE_ANYWHERE = re.compile(r"吗(?!啡)")
_ZH_PARTICLE_END = re.compile(r"(?:(?<![这那什怎多要])么|(?:是|对|没错|没问题)吧)$")
_ZH_NE_END = re.compile(r"呢$")
_ZH_PROGRESSIVE = re.compile(r"[在正还着]")
_ZH_ASKING_PHRASE = re.compile(
    r"请问|想问一下|想问问|问一下|问下|求推荐|求助|请教|求问|求教"
    r"|不知道(?:有没有人|有人|大家|各位|你们)|想知道|好奇"
)
_ZH_INTERROGATIVE = re.compile(
    r"为什么|为啥|干嘛|干吗|干什么|怎么|怎样|咋|什么|啥|哪(?!怕)|谁|多少|多久|多长|多远|是否"
    r"|(?<![十好这那前后过头最近第零一二三四五六七八九两\d有搞买拍来做写聊吃喝看玩带拿找请送发加用试等了])"
    r"几(?=[点个号天位次岁时分块本张人月年周遍种样])"
    r"|([\u4e00-\u9fff])[不没]\1"  # A-not-A: 好不好, 有没有, 去不去
)
_ZH_REPEATABLE = re.compile(r"[不没一]")
_ZH_INDEFINITE_AFTER = re.compile(r"^[^，。！？,.!?]{0,6}?[都也]")
_ZH_INDEFINITE = re.compile(
    r"没什么|不算什么|没有什么|什么的|不怎么|哪里哪里|或多或少|多多少少|怎么说呢"
    r"|多少(?:有|会|也|还|带|沾)"
)
_ZH_EMBEDDING = re.compile(
    r"关心|在乎|在意|不管|无论|不论|取决于|看情况|看看|再看|要看|得看|就看|研究|了解了|学会"
    r"|教你|分享|记录|总结|说明|解释|讲了|发现|想通|搞懂|弄懂|搞清楚|弄清楚|明白了|懂了|知道了"
    r"|查到|找到|随便|只要|在想|还在想|想想|纠结|琢磨|测试|试试|试一下|检查|验证|看下|看一下"
    r"|统计|数一下|算一下|登记|报一下"
    r"|还是看|看你|看他|看她|看大家|我觉得|我感觉|我认为"
    r"|(?:[不没我他她都也]|我们|他们|她们)(?:知道|清楚|确定|记得|明白|懂|晓得)"
    r"|忘了"
)
_ZH_NO_EMBED_WORDS = ("为什么", "为啥")


def _mask(match: re.Match[str]) -> str:
    return "＿" * len(match.group(0))


_ZH_LEAD_FILLER = re.compile(r"^[\s＿对了还有那就是另外顺便话说]*$")


def _wonders(before: str, embedding: re.Match[str], word: str) -> bool:
    """``不知道…多久`` opening a sentence asks (not ``不知道为什么``, not ``我不知道``)."""
    return (
        embedding.group(0) == "不知道"
        and word not in _ZH_NO_EMBED_WORDS
        and bool(_ZH_LEAD_FILLER.match(before[: embedding.start()]))
    )


_QUOTED = re.compile(r"《[^》]*》|“[^”]*”|「[^」]*」")


def _zh_interrogative(clause: str) -> bool:
    """Whether a Chinese clause uses a question word as a question, not embedded or indefinite.

    Titles and quotations (``《当我谈跑步时我谈些什么》``) are left out.
    """
    masked = _ZH_INDEFINITE.sub(_mask, _QUOTED.sub(_mask, clause))
    for match in _ZH_INTERROGATIVE.finditer(masked):
        word = match.group(0)
        if match.group(1) and _ZH_REPEATABLE.match(match.group(1)):
            continue
        before = masked[: match.start()]
        embedding = _ZH_EMBEDDING.search(before)
        if embedding is not None and not _wonders(before, embedding, word):
            continue
        indefinite = word not in _ZH_NO_EMBED_WORDS and match.group(1) is None
        if indefinite and word != "是否" and _ZH_INDEFINITE_AFTER.match(masked[match.end() :]):
            continue
        return True
    return False


def _zh_asks(sentence: str, statement_end: bool) -> bool:
    sentence = _QUOTED.sub(_mask, sentence)
    if _ZH_PARTICLE_ANYWHERE.search(sentence) or _ZH_ASKING_PHRASE.search(sentence):
        return True
    for raw in _CLAUSE.split(sentence):
        clause, _ = _tail_marks(raw.strip())
        clause = _ZH_INDEFINITE.sub(_mask, _TRAILING_LAUGH.sub("", clause))
        if not clause:
            continue
        if _ZH_PARTICLE_END.search(clause):
            return True
        if _ZH_NE_END.search(clause):
            short = len(HAN.findall(clause)) <= 6 and not _ZH_PROGRESSIVE.search(clause)
            if short or _zh_interrogative(clause):
                return True
        if not statement_end and _zh_interrogative(clause):
            return True
    return False


# --- English -------------------------------------------------------------------------------

_EN_LEAD = re.compile(
    r"(?i)^(?:(?:@\S+|hey|hi|hello|so|ok|okay|and|but|also|btw|quick\s+q(?:uestion)?|question"
    r"|guys|folks|all|everyone|y'?all|um+|uh+|well|oh|actually|honestly|seriously|random\s+q"
    r"|q)\b[\s,:;.!-]*)+"
)
_EN_VOCATIVE = re.compile(r"^[A-Z][\w.'-]{1,30}(?:\s[A-Z][\w.'-]{1,30})?\s*[,:]\s+")
_EN_SUBJECT = r"(?:i|we|you|he|she|it|they|this|that|there|the|my|our|your|his|her|their)\b"
_EN_WH = re.compile(
    r"(?i)^(?:what|why|how|when|where|who|whom|whose|which)(?=[\s']|$)"
    r"(?!\s+(?:a|an)\b)"  # what a day
    r"(?!\s+(?:nice|cool|great|lovely|sweet|awesome|fun|funny|sad|kind|weird|strange|amazing"
    r"|beautiful|cute|exciting|annoying|true|wonderful|terrible|horrible|clever|smart)\b)"
)
_EN_WH_SUBORDINATE = re.compile(
    rf"(?i)^(?:what|how|when|where|who|whom)\s+{_EN_SUBJECT}"
    r"(?!\s+(?:is|are|was|were|do|does|did|can|could|would|should|will|have|has)\b)"
)
_EN_AUX = re.compile(
    r"(?i)^(?:"
    r"(?:is|are|was|were|am|isn'?t|aren'?t|wasn'?t|weren'?t)\s+"
    r"(?:it|this|that|there|you|we|they|he|she|i|anyone|anybody|everyone|the|these|those)\b"
    r"|(?:do|does|did|don'?t|doesn'?t|didn'?t)\s+"
    r"(?:you|we|i|they|he|she|it|anyone|anybody|someone|somebody|everyone|people|y'?all|the|this"
    r"|that|any)\b"
    r"|(?:can|could|would|should|will|shall|may|might|won'?t|can'?t|couldn'?t|wouldn'?t"
    r"|shouldn'?t)\s+(?:you|we|i|someone|somebody|anyone|anybody|they|he|she|it|this|that"
    r"|the|y'?all)\b"
    r"|(?:have|has|had|haven'?t|hasn'?t)\s+"
    r"(?:you|anyone|anybody|someone|somebody|we|they|he|she|it|everyone|any\s+of\s+you)\b"
    r"|(?:anyone|anybody|any\s+of\s+you)\b(?!\s+(?:can|could|who|is\s+welcome)\b)"
    r"|any\s+(?:ideas?|thoughts|tips|suggestions|recommendations|recs|advice|luck|news"
    r"|updates?|chance|word|plans?|takers)\b"
    r")"
)
_EN_INDIRECT = re.compile(
    r"(?i)\b(?:i\s+wonder|i'?m\s+wondering|i\s+was\s+wondering|wondering|curious)\s+"
    r"(?:if|whether|how|what|why|who|where|when|which)\b"
)


def _en_asks(sentence: str) -> bool:
    core = _EN_LEAD.sub("", sentence.strip())
    core = _EN_VOCATIVE.sub("", core)
    if _EN_INDIRECT.search(core):
        return True
    if _EN_WH.match(core):
        return not _EN_WH_SUBORDINATE.match(core)
    return bool(_EN_AUX.match(core))


# --- questions -----------------------------------------------------------------------------

_STATEMENT_MARK = re.compile(r"[.!。！]")


def _asks(sentence: str) -> bool:
    core, marks = _tail_marks(_QUOTED.sub(_mask, sentence))
    if not core:
        return False
    if "?" in marks or "？" in marks:
        return True
    statement_end = bool(_STATEMENT_MARK.search(marks))
    if HAN.search(core):
        return _zh_asks(core, statement_end)
    return not statement_end and _en_asks(core)


def question_sentences(text: str) -> list[str]:
    """The sentences of ``text`` that ask something, in order (links left out)."""
    return [sentence for sentence in split_sentences(without_urls(text)) if _asks(sentence)]


def is_question(text: str) -> bool:
    """Whether any sentence of a message asks something.

    A sentence asks when it ends with ``?``/``？``; or, in Chinese, holds the
    particle ``吗``, ends a clause with ``么``, ``是吧``/``对吧`` or a short
    ``…呢``, uses an asking phrase (``请问``, ``求推荐``), or, without a closing
    full stop, a question word (``为什么``, ``谁``, ``哪``, ``多少``, ``几点``,
    ``好不好`` …) that no verb before it embeds (``不知道``, ``关心``) and that is
    no indefinite (``谁都``, ``没什么``); or, in English, without a closing
    full stop, starts with a question word (not ``what a``, not a subordinate
    ``how it works``), an inverted auxiliary (``is it``, ``does anyone``), an
    ``anyone …``/``any ideas`` opener, or says ``wondering if``.
    """
    return bool(question_sentences(text))


# --- what surrounds a question -------------------------------------------------------------

_SMALL_TALK = re.compile(
    r"(?i)^(?:@\S+\s*)*(?:"
    r"how\s+(?:are|r)\s+(?:you|ya|u|we|y'?all|everyone|everybody|things)(?:\s+(?:all|guys|doing"
    r"|today|folks|two))*"
    r"|how'?s\s+(?:it\s+going|everyone|everybody|life|things|your\s+(?:day|week|weekend))"
    r"|how\s+(?:have\s+you\s+been|was\s+your\s+(?:day|week|weekend|trip))|what'?s\s+up|sup|wassup"
    r"|who\s+knows|why\s+not|isn'?t\s+it|right|no|eh|huh|really|seriously|you\s+know|ya\s+know"
    r"|am\s+i\s+right|who\s+cares|what\s+else\s+is\s+new|how\s+cool\s+is\s+that"
    r"|how\s+about\s+that|what\s+could\s+(?:possibly\s+)?go\s+wrong|ok|okay|yes|lol|anyone|hello"
    r"|(?:大家|你们|各位|你)?(?:好吗|还好吗|最近好吗|最近怎么样|在吗|在不在|吃了吗|吃饭了吗|睡了吗"
    r"|下班了吗)"
    r"|(?:有人|有人在)吗|对吧|是吧|是吗|真的吗|不是吗|难道不是吗|可不是吗|谁知道呢|为什么不呢"
    r"|怎么可能|何必呢|干嘛呢|有什么用|啊|嗯|哈+"
    r")[\s\W_哈啊呀]*$"
)
_RHETORICAL = re.compile(
    r"^(?:难道|岂不|何必|何苦)|有什么好[^，。？?]{1,6}的|谁知道呢|谁晓得呢|天知道"
    r"|^我(?:什么时候|啥时候|哪里|哪儿|哪)(?:说|同意|答应|讲|去)|哪(?:天|次|回)不是"
    r"|^(?:你|这|那|他|她)?不是[^，。？?]{0,20}吗[\s\W_哈]*$"
    r"|这(?:是|叫)什么|什么鬼|搞什么|^(?:急|怕|慌|吵|笑|哭|装)什么"
    r"|(?i:^who\s+doesn'?t\b|\bwho\s+knows[\s\W_]*$)"
    r"|(?i:did\s+i\s+miss\s+anything|what\s+did\s+i\s+miss)"
    r"|我错过了什么"
)


_TAG_CLAUSE = re.compile(
    r"(?i)^(?:难道不是吗|不是吗|对吧|是吧|对不对|是不是|right|isn'?t\s+it)[\s\W_]*$"
)


def _echo(sentence: str) -> bool:
    """A word or two repeated with a question mark (``桐梓林？``, ``Tomorrow?``)."""
    core, _ = _tail_marks(sentence)
    han = len(HAN.findall(core))
    words = len(re.findall(r"[A-Za-z]+", HAN.sub(" ", core)))
    if han > 4 or words > 2 or han + words == 0:
        return False
    if han:
        return not (_ZH_PARTICLE_ANYWHERE.search(core) or _zh_interrogative(core))
    return not (_EN_WH.match(core) or _EN_AUX.match(core))


def is_idle_question(sentence: str) -> bool:
    """Whether a question sentence is a greeting, tag, echo or rhetorical: nothing to answer."""
    core = sentence.strip()
    if _SMALL_TALK.match(core) or _RHETORICAL.search(core) or _echo(core):
        return True
    last = _CLAUSE.split(core)[-1].strip()
    return last != core and bool(_RHETORICAL.search(last) or _TAG_CLAUSE.match(last))


_SETTLED = re.compile(
    r"(?i)算了|不用了|没事了|找到了|搞定了|解决了|查到了|弄好了|搞好了|自己(?:查|找|搞|弄|解决)"
    r"|知道了|明白了|懂了|可以了|好了好了"
    r"|\b(?:never\s*mind|nvm|figured\s+(?:it\s+)?out|found\s+it|got\s+it\s+working|solved"
    r"|sorted(?:\s+it)?|scratch\s+that|ignore\s+(?:that|me)|answering\s+my\s+own|works\s+now"
    r"|fixed\s+it)\b"
)


def settles_own_question(text: str) -> bool:
    """Whether the asker says the question is settled (``算了我自己查到了``, ``nvm, found it``)."""
    return bool(_SETTLED.search(text))


_ACK = re.compile(
    r"(?i)谢谢|感谢|多谢|谢啦|谢了|明白了|懂了|了解了|原来如此|原来是这样|收到|有道理|学到了"
    r"|我试试|试一下|管用|有用|好使"
    r"|\b(?:thanks|thank\s+you|thx|ty|tysm|got\s+it|makes\s+sense|good\s+to\s+know|that\s+worked"
    r"|that\s+helps|helpful|will\s+try|i'?ll\s+try|perfect|legend|cheers)\b"
)


def acknowledges(text: str) -> bool:
    """Whether a message thanks for or takes up an answer (``谢谢``, ``got it``, ``I'll try``)."""
    return bool(_ACK.search(text))


_ANSWER_OPENING = re.compile(
    r"(?i)^(?:@\S+\s*)*(?:"
    r"(?:yes|yeah|yep|yup|no|nope|nah|sure|definitely|probably|depends|afaik|iirc|imo|imho)\b"
    r"|i\s+(?:think|use|used|usually|would|'d|have|had|did|do|tried|found|prefer|recommend)\b"
    r"|i'?ve\s+(?:used|tried|been|had|seen)\b|we\s+(?:use|used|have|had|tried)\b"
    r"|(?:try|use|check)\b|you\s+(?:can|could|need|should|might|have\s+to)\b"
    r"|it(?:'s|\s+is|\s+was|\s+depends)\b|not\s+sure\b|in\s+my\s+experience\b"
    r"|是的|对的|对啊|不是|没有|有的|可以|不行|不能|能的|会的|不会|用过|没用过|我用|我们用|我在用"
    r"|试试|建议|推荐|应该|好像|据我所知|一般|大概|差不多|可能|不用|需要|不需要|我觉得|我感觉"
    r"|我试过|之前|我记得|我知道|你可以|可以试试|直接|还没|已经|有啊|有[，,！!]|是啊|没呢"
    r"|没(?:去过|试过|听说|见过)"
    r")"
)
_NON_ANSWER = re.compile(
    r"(?i)我也不知道|我不知道|不懂|不清楚|帮不了|不了解|没研究过|没玩过|没试过|不太会"
    r"|\b(?:i\s+don'?t\s+know|no\s+idea|not\s+sure|can'?t\s+help|dunno|no\s+clue"
    r"|never\s+(?:used|tried))\b"
)
_BANTER = re.compile(r"(?i)哈{2,}|[😂🤣😆😅]|\b(?:lol|lmao|haha+)\b")


@lru_cache(maxsize=8192)
def is_non_answer(text: str) -> bool:
    """Whether a reply says it cannot answer (``我不懂这个``, ``no idea``, ``never used it``)."""
    return bool(_NON_ANSWER.search(text))


def is_banter(text: str) -> bool:
    """Whether a message laughs (``哈哈``, ``😂``, ``lol``): a joke, not an answer, when short."""
    return bool(_BANTER.search(text))


def opens_like_answer(text: str) -> bool:
    """Whether a message starts the way answers do (``yes``, ``I use…``, ``试试``, ``用过``)."""
    return bool(_ANSWER_OPENING.match(text.strip()))
