"""Whom a composed digest features: topic participants, deciders, askers, newcomers, sharers."""

from __future__ import annotations

from jobs.digest_builder import build_digest
from jobs.digest_features import TITLE_CHARS, DigestFeature, FeatureKind, digest_features
from jobs.digest_model import DigestMessage
from tests.jobs.helpers import DAY, message

HIKING = [
    "the skyline ridge trail hike has a steep summit climb",
    "summit views from the ridge trail are worth the steep hike",
    "bring boots for the ridge trail, the summit hike is rocky",
    "is the skyline trail hike ok for beginners or too steep at the summit",
    "we did the ridge trail hike twice, summit sunrise was amazing",
    "trail maps for the skyline ridge hike and the summit loop",
    "the summit hike on the ridge trail takes four hours",
    "ridge trail hike parking fills up early, summit crowded by noon",
]
HOURS = 60.0


def _chat() -> list[DigestMessage]:
    """Members 1-3 talk about a hike; 4 decides, 5 shares a link, 6 asks and nobody answers."""
    talk = [message(1 + i % 3, text, 2 * i, name=f"Hiker{i % 3}") for i, text in enumerate(HIKING)]
    return [
        *talk,
        message(4, "OK we decided: the ridge trail hike on Saturday at 8", 30, name="Dee"),
        message(5, "Map of the loop: https://example.org/ridge-map", 3 * HOURS, name="Eli"),
        message(6, "Has anybody tried the new ramen place downtown?", 6 * HOURS, name="Fay"),
        message(6, "asking for dinner tonight", 6 * HOURS + 1, name="Fay"),
    ]


def _of(features: list[DigestFeature], member_id: int) -> dict[FeatureKind, DigestFeature]:
    """The member's features other than topics, by kind."""
    return {f.kind: f for f in features if f.member_id == member_id and f.kind != "topic"}


def test_every_part_of_a_digest_features_its_members() -> None:
    messages = _chat()
    digest = build_digest(messages, None, DAY, joined={10: "Nina"})
    features = digest_features(digest)

    for topic in digest.topics:  # every participant, with the topic's title and link
        quote = topic.quote or topic.first_message
        assert quote is not None
        for member_id in topic.participant_ids:
            assert DigestFeature(member_id, FeatureKind.TOPIC, topic.title, quote.permalink) in (
                features
            )
    for hiker in (1, 2, 3):
        titles = [f.title or "" for f in features if f.member_id == hiker]
        assert any("trail hike" in title for title in titles), hiker
    decided = _of(features, 4)[FeatureKind.DECISION]
    assert decided.title == "OK we decided: the ridge trail hike on Saturday at 8"
    assert decided.permalink == messages[8].permalink
    assert _of(features, 5)[FeatureKind.LINK].title == "https://example.org/ridge-map"
    asked = _of(features, 6)[FeatureKind.QUESTION]
    assert asked.title == "Has anybody tried the new ramen place downtown?"
    assert asked.permalink == messages[10].permalink
    assert _of(features, 10) == {FeatureKind.NEWCOMER: DigestFeature(10, FeatureKind.NEWCOMER)}
    # Each member once per kind and title, whoever else the digest names.
    keys = [(f.member_id, f.kind, f.title) for f in features]
    assert len(keys) == len(set(keys))
    assert {f.member_id for f in features} <= {1, 2, 3, 4, 5, 6, 10}


def test_a_quiet_digest_features_nobody() -> None:
    messages = [message(1, "anyone around?", 1), message(2, "yes, hi", 2)]
    digest = build_digest(messages, None, DAY, joined={3: "Nina"})
    assert digest.is_quiet and digest.newcomers
    assert digest_features(digest) == []


def test_long_titles_are_cut_and_blank_ones_dropped() -> None:
    long_question = "Does anyone know " + "a very long question " * 30 + "?"
    messages = [*_chat()[:8], message(7, long_question, 9 * HOURS)]
    digest = build_digest(messages, None, DAY)
    [asked] = [f for f in digest_features(digest) if f.kind is FeatureKind.QUESTION]
    assert asked.member_id == 7 and asked.title is not None
    assert len(asked.title) == TITLE_CHARS and asked.title.endswith("…")
