"""Checks on a chat model's draft before a twin posts it.

A draft is rejected (:class:`UnusableAnswer`) when it cites a source that does
not exist or none at all, echoes the prompt's markup or instructions, or links
somewhere no source links to. Lines that claim to be the member, to be a person,
or that write a label of their own are removed (the adapter adds the real
label). When the draft makes plans, promises or money commitments, a line that
the member will confirm is added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from locales import tr, using
from memory.untrusted_text import BLOCK_TAG, URL, repeats_instructions, without_reasoning
from twins.labels import looks_like_twin_message
from twins.prompt_builder import BuiltPrompt

_CITATION = re.compile(r"\[\s*(\d{1,3}(?:\s*[,，、;]\s*\d{1,3})*)\s*\]")
_FULL_WIDTH_CITATION = re.compile(r"[【［]\s*(\d{1,3}(?:\s*[,，、;]\s*\d{1,3})*)\s*[】］]")
_MARKUP = re.compile(
    rf"</?\s*(?:{BLOCK_TAG}|source|question|persona|context)\b|<\|im_(?:start|end)\|>",
    re.IGNORECASE,
)
_LABEL_LINE = re.compile(
    r"twin of\b|automated reply|自动回复|分身|^\W*(?:label|标签|署名)\s*[:：]",
    re.IGNORECASE,
)
_NOT_AUTOMATED = re.compile(
    r"\bI\s*(?:'m|’m|\s+am)\s+(?:not\s+(?:a|an|the|your)?\s*(?:bot|twin|ai|assistant|"
    r"machine|automated)|(?:a\s+)?(?:real\s+)?(?:human|person)\b)"
    r"|我(?:不是|并不是)(?:机器人|分身|AI|bot|自动)|我是真人",
    re.IGNORECASE,
)

_COMMITMENT = re.compile(
    "|".join(
        [
            # money
            r"[$€£¥￥]\s?\d",
            r"\d\s?(?:usd|eur|gbp|rmb|cny|dollars?|bucks|euros?|pounds?|yuan)\b",
            r"\b(?:pay|pays|paid|paying|payment|transfer|wire|venmo|paypal|lend|loan|owe|"
            r"reimburse|refund|chip in|split the (?:bill|cost))\b",
            # meetings and plans
            r"\blet'?s\b|\bmeet(?:ing)? (?:you|up|at|on)\b|\bsee you (?:at|on|there|then|"
            r"tomorrow|tonight|soon)\b",
            r"\b(?:i|we)(?:'ll|’ll| will| shall)\b|\bcount me in\b|\bsign me up\b",
            r"\b(?:schedule|book|booked|reserve|reserved|appointment|rsvp)\b",
            # promises and agreements
            r"\b(?:promise|promised|guarantee|i agree|agreed|deal|you have my word)\b",
            r"\b(?:i|we) can do (?:that|it)\b",
            # Chinese
            r"付款|付钱|转账|打钱|借钱|借给|还钱|报销|红包|\d+\s*(?:元|块|万)",
            r"见面|碰头|约好|约在|约个|不见不散|到时候见|明天见|我会|我来|我去|我带|我请",
            r"保证|答应|同意|没问题|一言为定|说定了|就这么定|预订|预约|订好",
        ]
    ),
    re.IGNORECASE,
)
_ALREADY_CONFIRMS = re.compile(r"will confirm|会确认|确认一下|本人确认", re.IGNORECASE)


class UnusableAnswer(ValueError):
    """A draft the twin must not post; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class CheckedAnswer:
    """A draft that passed the checks: the text to post and the source numbers it cites."""

    text: str
    cited: tuple[int, ...]
    abstained: bool = False
    removed_lines: tuple[str, ...] = ()
    commitment: bool = False


def mostly_cjk(text: str) -> bool:
    """True when CJK characters outweigh Latin letters (four letters per character)."""
    cjk = len(re.findall(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return cjk * 4 > latin and cjk > 0


def strip_reasoning(text: str) -> str:
    """Drop ``<think>…</think>`` blocks that reasoning models put before the answer."""
    stripped = without_reasoning(text)
    if stripped is None:
        raise UnusableAnswer("the draft ends inside a reasoning block")
    return stripped


def normalise_citations(text: str) -> str:
    """Full-width citation brackets (``【1】``, ``［1］``) become ``[1]``."""
    return _FULL_WIDTH_CITATION.sub(lambda m: f"[{m.group(1)}]", text)


def cited_numbers(text: str) -> list[int]:
    """The source numbers cited as ``[n]`` (or ``[n, m]``), in order of first citation."""
    numbers: list[int] = []
    for match in _CITATION.finditer(text):
        for part in re.split(r"[,，、;]", match.group(1)):
            number = int(part)
            if number not in numbers:
                numbers.append(number)
    return numbers


def _name_variants(member_name: str) -> list[str]:
    name = " ".join(member_name.split())
    variants = [name] if name else []
    first = name.split(" ")[0] if name else ""
    if len(first) >= 2 and first != name:
        variants.append(first)
    return variants


@lru_cache(maxsize=256)
def _claim_patterns(member_name: str) -> tuple[re.Pattern[str], ...]:
    """The compiled "I am <name>" patterns for a member's name and its first name."""
    found: list[re.Pattern[str]] = []
    for variant in _name_variants(member_name):
        name = re.escape(variant)
        not_possessive = r"(?![’']s)"
        patterns = (
            rf"\bI\s*(?:'m|’m|\s+am)\s+(?:really\s+|actually\s+|truly\s+|indeed\s+)?"
            rf"(?:the\s+real\s+)?{name}\b{not_possessive}",
            rf"^\W*(?:this is|it'?s|it is)\s+(?:really\s+)?{name}\b{not_possessive}",
            rf"^\W*{name}\s+here\b",
            rf"^\W*[*_]*{name}[*_]*\s*[:：]",
            rf"\b{name}\s+(?:himself|herself|themself|themselves|in person|personally)\b",
            rf"\bspeaking as\s+{name}\b",
            rf"我(?:就|真的|才|其实)?是\s*{name}",
            rf"{name}\s*本人",
        )
        found += [re.compile(pattern, re.IGNORECASE) for pattern in patterns]
    return tuple(found)


def identity_claim(line: str, member_name: str) -> bool:
    """True when ``line`` is a label, claims to be the member, or claims to be a person."""
    if looks_like_twin_message(line) or _LABEL_LINE.search(line):
        return True
    if _NOT_AUTOMATED.search(line):
        return True
    if any(pattern.search(line) for pattern in _claim_patterns(member_name)):
        return True
    return "我本人" in line


def strip_identity_claims(text: str, member_name: str) -> tuple[str, list[str]]:
    """``text`` without its identity-claim lines, and the lines removed."""
    kept: list[str] = []
    removed: list[str] = []
    for line in text.splitlines():
        (removed if identity_claim(line, member_name) else kept).append(line)
    return "\n".join(kept).strip(), removed


def detects_commitment(text: str) -> bool:
    """True when ``text`` makes plans, promises, agreements or money commitments."""
    return _COMMITMENT.search(text) is not None


def confirmation_line(member_name: str, chinese: bool) -> str:
    """The line added to an answer that commits the member to something, in the answer's
    own language (Chinese or else English)."""
    with using("zh" if chinese else "en"):
        return tr("{name} will confirm.", name=member_name)


def _known_urls(prompt: BuiltPrompt) -> set[str]:
    known: set[str] = set()
    for source in prompt.sources:
        if source.permalink:
            known.add(source.permalink.rstrip("/.,"))
        known.update(url.rstrip("/.,") for url in URL.findall(source.text))
    return known


def is_abstention(text: str, abstain_token: str) -> bool:
    """True when the draft says the sources do not answer (the token, however spaced)."""
    squashed = re.sub(r"[\s_\-]+", "", text).upper()
    return re.sub(r"[\s_\-]+", "", abstain_token).upper() in squashed


def check_answer(raw: str, prompt: BuiltPrompt, member_name: str) -> CheckedAnswer:
    """The draft ``raw`` checked against ``prompt``; raises :class:`UnusableAnswer`."""
    text = strip_reasoning(raw).strip()
    if not text:
        raise UnusableAnswer("the draft is empty")
    if is_abstention(text, prompt.abstain_token):
        return CheckedAnswer(text="", cited=(), abstained=True)
    if _MARKUP.search(text):
        raise UnusableAnswer("the draft echoes the prompt's markup")
    if repeats_instructions(text, prompt.system_text):
        raise UnusableAnswer("the draft repeats the instructions")
    text, removed = strip_identity_claims(text, member_name)
    if not text:
        raise UnusableAnswer("nothing is left after removing identity claims")
    known = _known_urls(prompt)
    unknown = [url for url in URL.findall(text) if url.rstrip("/.,") not in known]
    if unknown:
        raise UnusableAnswer(f"the draft links to {len(unknown)} address(es) no source has")
    text = normalise_citations(text)
    cited = cited_numbers(text)
    missing = [n for n in cited if not 1 <= n <= len(prompt.sources)]
    if missing:
        raise UnusableAnswer(f"the draft cites source(s) {missing} of {len(prompt.sources)}")
    if not cited:
        raise UnusableAnswer("the draft cites no source")
    commitment = detects_commitment(text)
    if commitment and not _ALREADY_CONFIRMS.search(text):
        text = f"{text}\n{confirmation_line(member_name, mostly_cjk(text))}"
    return CheckedAnswer(
        text=text, cited=tuple(cited), removed_lines=tuple(removed), commitment=commitment
    )
