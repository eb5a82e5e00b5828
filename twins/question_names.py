"""The names a question holds, and whether a chat ever wrote them.

A question that names a person or place the member never wrote ("What LGBTQ+
events has Caroline joined?" asked of Gina) is rarely theirs to answer; one
that names something nobody in the chat ever wrote almost never is. To weigh
that, names must be found reliably:

- who the question is put to: "@周妍", "Ashfox, which class…" (a capitalised
  first word before a comma, unless it is a word like "Also" or "Hey");
- Latin script: capitalised words that do not open a sentence, less calendar
  words (months, weekdays: "in June" names no one);
- Chinese: the person and place names jieba's tagger finds, where it is
  reliable. A person's name jieba did not know as a word (周妍, 金浩) is kept;
  a dictionary word it tags as a name is kept only when it opens with a common
  surname or 小 / 老 / 阿 (李娜, 小雨, 刘阿姨) and is no kinship word (孙子,
  老公), so 过敏 and 幼儿园 are no names. A place is kept (杭州, 天目山) unless
  it is made only of direction and landform characters (城市, 东西, 上山). A
  name run together with the word after it (金浩家, 赵敏那) loses that word.
  Familiar forms of address are names too, however jieba cuts them: 老陈,
  小王, 高叔, 刘阿姨; so is a capitalised Latin word written against Chinese
  ("Kevin发的文章").

The member's own name, in every form (:mod:`memory.name_forms`), is taken out
of the question before it comes here. :func:`written_in` tells whether a text
holds a name.
"""

from __future__ import annotations

import re

from memory.name_forms import holds_name
from twins.scripts import CJK
from twins.text_cache import TextCache

_NAME = re.compile(r"(?<=[\w,;:] )[A-Z][a-z]{2,}\b")
_MENTION = re.compile(r"@([^\s@,，:：!?！？]{2,})")
_CALLED = re.compile(r"^\W*([A-Z][a-z]{2,})(?:\s+[A-Z][a-z]+)?\s*[,，]")
"""A capitalised first word before a comma: the person a question is put to ("Ashfox, …")."""
_OPENERS = frozenset(
    """
    also and but so then now well okay hey hello dear yes yeah wait sorry thanks please
    besides anyway actually honestly btw plus still though just oh and what who when where
    which how why
    """.split()
)
"""First words before a comma that call no one ("Also, …", "Hey, …")."""
_CALENDAR = frozenset(
    """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    monday tuesday wednesday thursday friday saturday sunday
    mon tue tues wed thu thur thurs fri sat sun
    today tomorrow yesterday tonight
    """.split()
)
"""Calendar words: capitalised, but no one's name."""

_PERSON_TAGS = frozenset({"nr", "nrfg", "nrt"})
_PLACE_TAGS = frozenset({"ns"})
_GENERIC_PLACE = re.compile(r"^[东西南北中上下左右内外前后里门山水城市乡镇]+$")
"""A "place" made only of direction and landform characters is a common word (城市, 上山)."""
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
    "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎"
    "贺顾毛郝龚邵万钱严覃武戴莫孔向汤小老阿"
)
"""The most common surnames, and the prefixes of a familiar form of address (小陈, 老马)."""
_ADDRESS = re.compile(
    rf"[老小阿][{''.join(sorted(_SURNAMES - set('小老阿')))}]"
    rf"|[{''.join(sorted(_SURNAMES - set('小老阿')))}]"
    r"(?:阿姨|叔叔|大爷|奶奶|爷爷|老师|师傅|老板|大姐|大哥|姨|叔|姐|哥|总)"
)
"""A familiar form of address: 老陈, 小王, 高叔, 刘阿姨 (see :mod:`memory.name_forms`)."""
_LATIN_IN_CHINESE = re.compile(r"(?<![A-Za-z])[A-Z][a-z]+(?=[\u4e00-\u9fff])")
"""A capitalised Latin word written right against Chinese: a name ("Kevin发的")."""
_KINSHIP = frozenset(
    "孙子 孙女 儿子 女儿 老公 老婆 老伴 老爸 老妈 老爷 老师 老板 老家 小孩 小姐 小伙 阿姨 "
    "叔叔 舅舅 姥姥 姥爷 奶奶 爷爷 外婆 外公".split()
)
"""Words that name a relation, not a person, though jieba may tag them as names."""
_TRAILING = "家那这开的说和跟帮用"
"""A character jieba may join to the name before it (金浩家, 赵敏那)."""


def question_names(question: str) -> tuple[str, ...]:
    """The names of people and places in ``question``, lower-cased, sorted (remembered)."""
    return _names(question)


def _find_names(question: str) -> tuple[str, ...]:
    names = {name.lower() for name in _NAME.findall(question)}
    names |= {name.lower() for name in _MENTION.findall(question)}
    called = _CALLED.match(question)
    if called and called.group(1).lower() not in _OPENERS:
        names.add(called.group(1).lower())
    names -= _CALENDAR
    if CJK.search(question):
        names |= _chinese_names(question)
    return tuple(sorted(names))


_names = TextCache(_find_names, 4096)


def _chinese_names(text: str) -> set[str]:
    import jieba.posseg  # noqa: PLC0415 - slow to load: only for Chinese questions

    known = jieba.posseg.dt.word_tag_tab
    names = {match.lower() for match in _LATIN_IN_CHINESE.findall(text)}
    names |= {match.group(0) for match in _ADDRESS.finditer(text)}
    for pair in jieba.posseg.cut(text):
        word, flag = pair.word, pair.flag
        if len(word) < 2 or not CJK.search(word):
            continue
        if flag in _PERSON_TAGS and (
            word not in known or (word[0] in _SURNAMES and word not in _KINSHIP)
        ):
            if len(word) > 2 and word[-1] in _TRAILING:
                word = word[:-1]
            names.add(word)
        elif flag in _PLACE_TAGS and not _GENERIC_PLACE.match(word):
            names.add(word)
    return names


def written_in(name: str, text: str) -> bool:
    """Whether ``text`` holds ``name`` (see :func:`memory.name_forms.holds_name`)."""
    return holds_name(text, name)
