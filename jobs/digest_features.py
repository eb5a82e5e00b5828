"""Whom a composed digest features, and how: the members it mentions, for their own pages."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from jobs.digest_model import Digest, MessageRef

TITLE_CHARS = 300
"""Longest title kept for a feature; longer ones end with an ellipsis."""


class FeatureKind(enum.StrEnum):
    """How a digest featured a member."""

    TOPIC = "topic"
    """They took part in one of its main topics (``title``: the topic's title)."""
    DECISION = "decision"
    """They stated or proposed one of its decisions (``title``: what was decided)."""
    QUESTION = "question"
    """It listed their question as open (``title``: the question)."""
    NEWCOMER = "newcomer"
    """It welcomed them as new in the chat (no title)."""
    LINK = "link"
    """They were the first to share one of its links (``title``: the address)."""


@dataclass(frozen=True, slots=True)
class DigestFeature:
    """One way a digest featured one member, with a link to the message it points at."""

    member_id: int
    kind: FeatureKind
    title: str | None = None
    permalink: str | None = None


def digest_features(digest: Digest) -> list[DigestFeature]:
    """Every member ``digest`` features and how, in the digest's order, without repeats.

    Topic participants, authors of decisions and of open questions, newcomers and the
    first sharer of each link. A quiet digest features nobody.
    """
    if digest.is_quiet:
        return []
    found: list[DigestFeature] = []
    for topic in digest.topics:
        ref = topic.quote or topic.first_message or _first(topic.key_messages)
        link = ref.permalink if ref is not None else None
        for member_id in topic.participant_ids:
            found.append(DigestFeature(member_id, FeatureKind.TOPIC, _title(topic.title), link))
    for decision in digest.decisions:
        found.append(_about(decision.ref, FeatureKind.DECISION))
    for question in digest.unanswered_questions:
        found.append(_about(question, FeatureKind.QUESTION))
    for newcomer in digest.newcomers:
        first = newcomer.first_message
        permalink = first.permalink if first is not None else None
        found.append(DigestFeature(newcomer.member_id, FeatureKind.NEWCOMER, None, permalink))
    for shared in digest.links:
        found.append(
            DigestFeature(
                shared.first.member_id, FeatureKind.LINK, _title(shared.url), shared.first.permalink
            )
        )
    unique: dict[tuple[int, FeatureKind, str | None], DigestFeature] = {}
    for feature in found:
        unique.setdefault((feature.member_id, feature.kind, feature.title), feature)
    return list(unique.values())


def _about(ref: MessageRef, kind: FeatureKind) -> DigestFeature:
    return DigestFeature(ref.member_id, kind, _title(ref.text), ref.permalink)


def _first(refs: tuple[MessageRef, ...]) -> MessageRef | None:
    return refs[0] if refs else None


def _title(text: str) -> str | None:
    flat = " ".join(text.split())
    if not flat:
        return None
    return flat if len(flat) <= TITLE_CHARS else flat[: TITLE_CHARS - 1].rstrip() + "…"
