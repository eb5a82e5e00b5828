"""The member page's words for a chat digest that featured the member."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC

from bots.storage.digest_features_store import FeaturedIn
from jobs.digest_features import FeatureKind
from locales import N_, format_day, tr_marked

WITH_TITLE = {
    FeatureKind.TOPIC: N_("Featured in the digest of {chat} on {day}: topic {title}"),
    FeatureKind.DECISION: N_("Featured in the digest of {chat} on {day}: your decision {title}"),
    FeatureKind.QUESTION: N_(
        "Featured in the digest of {chat} on {day}: your open question {title}"
    ),
    FeatureKind.LINK: N_("Featured in the digest of {chat} on {day}: the link you shared {title}"),
}
"""The history line per kind, with what the digest showed (already in quotation marks)."""

WITHOUT_TITLE = {
    FeatureKind.TOPIC: N_("Featured in the digest of {chat} on {day}: a topic you took part in"),
    FeatureKind.DECISION: N_("Featured in the digest of {chat} on {day}: a decision of yours"),
    FeatureKind.QUESTION: N_("Featured in the digest of {chat} on {day}: your open question"),
    FeatureKind.NEWCOMER: N_("Featured in the digest of {chat} on {day}: welcomed as a newcomer"),
    FeatureKind.LINK: N_("Featured in the digest of {chat} on {day}: a link you shared"),
}
"""The history line per kind when there is no title (a newcomer, or a title erased by a
``/forget`` of another member)."""

ANY_KIND = N_("Featured in the digest of {chat} on {day}")

QUOTES = ("“", "”", "「", "」", '"')


def featured_summary(feature: FeaturedIn, chat: str) -> str:
    """``Featured in the digest of Hikers on Mon 7 Dec 2026: topic “…”`` in the current
    language; the day is the UTC day it was posted."""
    day = format_day(feature.posted_at.astimezone(UTC))
    try:
        kind: FeatureKind | None = FeatureKind(feature.kind)
    except ValueError:
        kind = None
    if kind is not None and feature.title and kind in WITH_TITLE:
        return tr_marked(WITH_TITLE[kind], chat=chat, day=day, title=quoted(feature.title))
    if kind is not None and kind in WITHOUT_TITLE:
        return tr_marked(WITHOUT_TITLE[kind], chat=chat, day=day)
    return tr_marked(ANY_KIND, chat=chat, day=day)


def quoted(title: str) -> str:
    """The title in quotation marks, unless it already holds some (``Alice: “…”``)."""
    return title if any(mark in title for mark in QUOTES) else f"“{title}”"


def distinct(features: Sequence[FeaturedIn]) -> list[FeaturedIn]:
    """The features once each, though two linked accounts of the person were both featured."""
    seen: set[tuple[int, object, str, str | None]] = set()
    kept: list[FeaturedIn] = []
    for feature in features:
        key = (feature.chat_id, feature.posted_at, feature.kind, feature.title)
        if key not in seen:
            seen.add(key)
            kept.append(feature)
    return kept
