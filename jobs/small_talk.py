"""Small talk: messages that keep a conversation going but say nothing about its subject.

Greetings, thanks, acknowledgements ("收到", "+1", "ok"), laughter ("哈哈哈",
"lol"), praise and cheers ("厉害", "nice!"), stickers and photos without a
caption, emoji and a name or a form of address ("辛苦静姐🌹", "Thanks Tom!").
Such messages still count as taking part in the conversation they answer, but
they do not make a topic of their own and never title one.

The rule is general language, in English and Chinese: cue phrases, laughter,
emoji, placeholders and names are taken out of the text, and what is left is
weighed: each Chinese character that is not a particle, pronoun or filler
counts one, each English content word two, each number one. A message is
small talk when less than :data:`MIN_SUBSTANCE` is left.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from functools import lru_cache

from jobs.languages import HAN
from jobs.web_links import without_urls

MIN_SUBSTANCE = 4
"""A message needs this much substance (see the module notes) not to be small talk."""

_PLACEHOLDER = re.compile(r"\[[^\[\]\n]{1,12}\]|<[^<>\n]{1,24}>|【[^【】\n]{1,12}】")
_LAUGHTER = re.compile(
    r"[哈呵嘿嘻嘎]{2,}|(?i:\b(?:a?(?:ha){2,}h?|(?:he){2,}h?|(?:hi){2,}|lo+l|lmf?ao+|rofl|xd+)\b)"
    r"|233+|6{3,}"
)
_ZH_CUES = (
    # greetings and goodbyes
    "大家好 各位好 你好 您好 早上好 早安 上午好 中午好 下午好 晚上好 晚安 午安 哈喽 哈罗 嗨 "
    "拜拜 再见 回见 欢迎欢迎 欢迎 "
    # thanks and apologies
    "谢谢 多谢 感谢 谢啦 谢了 辛苦了 辛苦啦 辛苦 麻烦了 不客气 客气了 客气 不用谢 "
    "不好意思 抱歉 对不起 "
    # acknowledgements
    "收到 好的 好滴 好嘞 好咧 好呀 好啊 好吧 行吧 没问题 可以的 嗯嗯 嗯呢 哦哦 是的 没错 "
    "对对对 对对 对的 确实 明白了 明白 了解了 了解 知道了 懂了 同意 同感 赞同 附议 同上 "
    "我也是 我也一样 一样 来了来了 来了 来啦 "
    # reactions, praise and cheers
    "哇塞 哇哦 天哪 天啊 我的天 卧槽 牛逼 牛啊 太强了 厉害了 太厉害了 厉害 点赞 真棒 好棒 "
    "太棒了 优秀 恭喜恭喜 恭喜 加油 冲冲冲 好羡慕 羡慕 太好了 好看 好可爱 可爱 笑死我了 "
    "笑死 绝了 呜呜 真的吗 是吗 哈 嘿 哇"
).split()
_ZH_FILLER = frozenset(
    "的了啦呀吧呢吗嘛么哦噢喔嗯啊哎唉呃额嘞咧滴哟呦哈嘿呵嘻哇嗷诶欸"
    "我你您他她它们咱俺这那也都很就还太真好对是在有又再刚才挺超更最"
    "个些一下得地着过给被把让跟和与及或但而不没"
)
_ADDRESS_PREFIX = "老小阿"
_ADDRESS_SUFFIX = "姐哥兄总工哥们"
_ZH_ADDRESS = (
    "大家 各位 兄弟们 兄弟 朋友们 老师们 老师 大佬们 大佬 同学们 同学 老铁 亲们 宝子们".split()
)
_EN_CUES = frozenset(
    """hi hey hello hiya yo morning evening afternoon night gm gn bye goodbye cya see later
    welcome thanks thank thx tx ty tysm tyvm cheers appreciate appreciated ok okay k kk sure
    yes yeah yep yup ya yea no nope nah got noted roger sounds sound fine alright right true
    exactly indeed agreed agree same too lol lmao rofl haha wow nice cool great awesome
    amazing congrats congratulations well done job love lovely perfect brilliant neat sweet
    yay woo woohoo hooray bravo omg oh ah ahh aha hmm hm np problem sorry oops done here
    coming omw totally definitely absolutely wtf damn gosh jeez ugh meh please pls plz
    guys folks everyone everybody all team mate bro dude man yall happy glad good fun
    interesting awesome excited exciting haha hahaha ikr idk tbh imo btw fyi ty welcome
    a an the i me my mine we us our you your u it its this that these those is am are was
    were be been being do does did so very really just much many lot lots and or but to
    for of in on at with from by as if then than there here also still yet too again one
    gonna wanna can could would should will shall may might must have has had get got go
    what how wow who why when where which whoa yesss yess sooo""".split()
)
_EN_WORD = re.compile(r"[a-z][a-z0-9'+#.-]*[a-z0-9+#]|[a-z]")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_CONTRACTION = re.compile(r"n?'(?:s|m|re|ll|ve|d|t)$")


@lru_cache(maxsize=1)
def _zh_cue_pattern() -> re.Pattern[str]:
    phrases = sorted({*_ZH_CUES, *_ZH_ADDRESS}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, phrases)))


@lru_cache(maxsize=256)
def _name_pattern(names: frozenset[str]) -> re.Pattern[str] | None:
    """Members' names, their parts and Chinese forms of address built on them (老何, 静姐)."""
    pieces: set[str] = set()
    han_chars: set[str] = set()
    for given in names:
        name = given.strip().lower()
        if not name:
            continue
        pieces.add(name)
        pieces.update(part for part in re.split(r"[\s._\-]+", name) if len(part) >= 2)
        han_chars.update(HAN.findall(name))
    alternatives = [re.escape(piece) for piece in sorted(pieces, key=len, reverse=True)]
    if han_chars:
        chars = "".join(sorted(han_chars))
        alternatives.append(f"[{_ADDRESS_PREFIX}][{chars}]|[{chars}][{_ADDRESS_SUFFIX}]")
    if not alternatives:
        return None
    return re.compile("|".join(alternatives))


def _without_names(text: str, names: frozenset[str]) -> str:
    pattern = _name_pattern(names)
    if pattern is None:
        return text

    def drop(match: re.Match[str]) -> str:
        piece = match.group(0)
        # Latin names only count as whole words ("Tom", not the "tom" of "tomorrow").
        if not HAN.search(piece) and _inside_word(text, match.start(), match.end()):
            return piece
        return " "

    return pattern.sub(drop, text)


def _inside_word(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return (before.isascii() and before.isalnum()) or (after.isascii() and after.isalnum())


def without_placeholders(text: str) -> str:
    """``text`` without the placeholders chat exports put for media ("[图片]", "<sticker>")."""
    return _PLACEHOLDER.sub(" ", text)


def substance(text: str, names: Iterable[str] = ()) -> float:
    """How much a message says beyond small talk (see the module notes for the weights).

    ``names`` are the chat members' names: a name, its parts and Chinese forms
    of address built on it ("老何", "静姐") say nothing about a subject.
    """
    text = _PLACEHOLDER.sub(" ", without_urls(text).lower())
    text = _LAUGHTER.sub(" ", text)
    text = _without_names(text, frozenset(names))
    text = _zh_cue_pattern().sub(" ", text)
    score = 0.0
    for char in HAN.findall(text):
        if char not in _ZH_FILLER:
            score += 1
    latin = HAN.sub(" ", text)
    score += len(_NUMBER.findall(latin))
    for found in _EN_WORD.findall(_NUMBER.sub(" ", latin)):
        word = _CONTRACTION.sub("", found.rstrip(".'"))
        if len(word) >= 2 and word not in _EN_CUES:
            score += 2
    return score


def is_small_talk(text: str, names: Collection[str] = ()) -> bool:
    """Whether a message is small talk: a greeting, thanks, an ack, laughter, an emoji…"""
    return substance(text, names) < MIN_SUBSTANCE
