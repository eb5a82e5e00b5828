"""Key words that set one group of messages apart from the others (class-based TF-IDF)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from jobs.text_cues import key_terms


def terms_per_message(texts: Sequence[str]) -> list[frozenset[str]]:
    """The distinct key terms of each text (see :func:`jobs.text_cues.key_terms`)."""
    return [frozenset(key_terms(text)) for text in texts]


def distinctive_terms(
    groups: Sequence[Sequence[frozenset[str]]], *, top: int = 5, min_messages: int = 2
) -> list[tuple[str, ...]]:
    """The ``top`` key terms of each group of messages, most distinctive first.

    Each group is a list of messages, each message its set of terms. A term
    scores ``tf * log(1 + A / f)``: ``tf`` the share of the group's messages
    that use it, ``f`` how many messages use it across all groups and ``A``
    the average group size, so words every group uses sink. A term must
    appear in ``min_messages`` messages of the group (or in all of a smaller
    group's messages) to count.
    """
    total: Counter[str] = Counter()
    per_group: list[Counter[str]] = []
    for messages in groups:
        counts: Counter[str] = Counter()
        for terms in messages:
            counts.update(terms)
        per_group.append(counts)
        total.update(counts)
    average = sum(len(messages) for messages in groups) / max(1, len(groups))
    result: list[tuple[str, ...]] = []
    for messages, counts in zip(groups, per_group, strict=True):
        size = max(1, len(messages))
        needed = min(min_messages, size)
        scored = [
            (count / size * math.log(1.0 + average / total[term]), term)
            for term, count in counts.items()
            if count >= needed
        ]
        scored.sort(key=lambda item: (-item[0], -len(item[1]), item[1]))
        result.append(tuple(term for _, term in scored[:top]))
    return result
