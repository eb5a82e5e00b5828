"""Checks that the word naming a shared interest is one a member reads as that interest.

Three causes of a wrong why-line hold for any chat, in any language:

- the two quoted messages use one word for different things ("a sign-up sheet"
  and "a sheet of chicken wire"), or a word any two messages may share ("news"):
  a word names an interest only when its two messages are alike beyond the
  chat's usual (:func:`usual_likeness`, :func:`alike_beyond_usual`);
- a verb or an adjective ("fed", "lovely", 上架) says less of a subject than a
  noun ("starter", 胶片): :func:`subject_weight` weighs nouns first;
- a quote cut to a length may leave the word out: :func:`excerpt_showing` cuts
  it around the word.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from jobs.interest_words import word_tag
from jobs.languages import HAN
from jobs.text_cues import excerpt

SPREADS = 2.0
"""Two messages are alike beyond the chat's usual when their likeness lies this many
spreads above the median of pairs of messages of different members (the spread measured
robustly, by the median absolute deviation, so that the chat's few pairs on one subject
do not widen it)."""
_MAD_TO_SD = 1.4826
SAMPLED_PAIRS = 20_000
"""How many pairs of messages :func:`usual_likeness` measures at most."""
_NOUN_TAGS = ("n", "vn", "nz")
_OTHER_TAGS = ("v", "a", "d", "z")
"""Tags (first letters) of verbs, adjectives, adverbs and states: words that are no subject."""
LEAST_SUBJECT_WEIGHT = 0.3
"""How much a word that is no noun weighs against a noun (1)."""


def usual_likeness(
    vectors: npt.NDArray[np.floating],
    owners: npt.NDArray[np.int64],
    *,
    spreads: float = SPREADS,
    seed: int = 0,
) -> float:
    """The likeness (cosine of rows of ``vectors``, written by ``owners``) above which two
    messages of different members are more alike than the chat's usual: the median of
    such pairs plus ``spreads`` robust spreads; 0 with too few.

    Measured on at most ``SAMPLED_PAIRS`` pairs drawn at random (seeded), so a large
    chat costs no more than a small one.
    """
    count = len(vectors)
    if count < 2 or len(np.unique(owners)) < 2:
        return 0.0
    if count * (count - 1) // 2 <= SAMPLED_PAIRS:
        left, right = np.triu_indices(count, 1)
    else:
        rng = np.random.default_rng(seed)
        left = rng.integers(0, count, SAMPLED_PAIRS)
        right = rng.integers(0, count, SAMPLED_PAIRS)
    keep = owners[left] != owners[right]
    if not keep.any():
        return 0.0

    def unit(rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        # only the sampled rows, as float32: a large chat's matrix is not copied
        x = np.asarray(vectors[rows], dtype=np.float32)
        found: npt.NDArray[np.float32] = x / np.maximum(
            np.linalg.norm(x, axis=1, keepdims=True), 1e-9
        )
        return found

    sims = np.einsum("ij,ij->i", unit(left[keep]), unit(right[keep]))
    median = float(np.median(sims))
    spread = _MAD_TO_SD * float(np.median(np.abs(sims - median)))
    return median + spreads * spread


def alike_beyond_usual(
    first: Sequence[float] | npt.NDArray[np.floating],
    second: Sequence[float] | npt.NDArray[np.floating],
    usual: float | None,
) -> bool:
    """Whether two messages' vectors are closer than the chat's ``usual`` (``None``: not known,
    any pair is)."""
    if usual is None:
        return True
    a = np.asarray(first, dtype=np.float32)
    b = np.asarray(second, dtype=np.float32)
    norms = float(np.linalg.norm(a) * np.linalg.norm(b))
    return norms > 0 and float(a @ b) / norms >= usual


def _noun_share(tags: Sequence[str]) -> float | None:
    counts = Counter(
        "n" if tag.startswith(_NOUN_TAGS) else "o"
        for tag in tags
        if tag.startswith((*_NOUN_TAGS, *_OTHER_TAGS))
    )
    total = counts["n"] + counts["o"]
    return counts["n"] / total if total else None


def subject_weight(term: str) -> float:
    """How much ``term`` names a subject, ``LEAST_SUBJECT_WEIGHT`` to 1: 1 for a noun (or a word
    the dictionaries do not know), less for verbs and adjectives.

    A Chinese word goes by its tag in the segmenter's dictionary; an English word by the
    tags of the Chinese words the bilingual dictionary gives for it ("fed": mostly verbs).
    """
    if HAN.search(term):
        share = _noun_share([word_tag(term)]) if word_tag(term) else None
    else:
        from memory.term_bridge import term_bridge  # noqa: PLC0415 - read only when needed

        share = _noun_share([word_tag(word) for word in term_bridge().chinese_of(term)])
    if share is None:
        return 1.0
    return LEAST_SUBJECT_WEIGHT + (1.0 - LEAST_SUBJECT_WEIGHT) * share


def _place(text: str, words: Sequence[str]) -> tuple[int, int] | None:
    lowered = text.lower()
    found = [(lowered.find(word.lower()), len(word)) for word in words if word]
    found = [(at, size) for at, size in found if at >= 0]
    return min(found) if found else None


def excerpt_showing(text: str, limit: int, words: Sequence[str] = ()) -> str:
    """``text`` cut to ``limit`` characters (see :func:`jobs.text_cues.excerpt`) so that the
    first of ``words`` it holds is shown: from its start when the word falls within, else
    from a little before the word, marked with a leading ``…``."""
    flat = " ".join(text.split())
    shown = excerpt(flat, limit)
    place = _place(flat, words)
    if place is None or place[0] + place[1] <= len(shown.rstrip("…")):
        return shown
    at, size = place
    lead = max(0, min(at - limit // 4, len(flat) - limit + 1))
    if lead > 0 and not HAN.match(flat[lead]):
        space = flat.find(" ", lead, at)
        lead = space + 1 if space >= 0 else lead
    return "…" + excerpt(flat[lead:], max(size + 2, limit - 1))
