"""Digest topics: subjects a member would recognise, never titled by small talk."""

from __future__ import annotations

import math
import random
from datetime import timedelta

import pytest

from jobs.digest_builder import DigestOptions, build_digest
from jobs.digest_model import DigestMessage, DigestPeriod
from jobs.digest_render import render_digest
from jobs.digest_topics import TERM_SEPARATOR, topic_limit
from jobs.small_talk import is_small_talk
from tests.jobs.helpers import DAY_START, hash_vectors
from tests.jobs.topic_chat import MEMBERS, SMALL_TALK, WEEK, chat_messages, subjects


def test_every_subject_of_the_week_is_a_topic_of_its_own() -> None:
    messages = chat_messages()
    digest = build_digest(messages, hash_vectors(messages), WEEK)
    found = [set(topic.message_ids) for topic in digest.topics]
    for subject, ids in subjects().items():
        holders = [topic for topic in found if len(topic & ids) >= math.ceil(0.8 * len(ids))]
        assert len(holders) == 1, subject
        others = set().union(*(other for name, other in subjects().items() if name != subject))
        assert not holders[0] & others, subject


def test_the_same_subject_on_two_days_is_one_topic() -> None:
    messages = chat_messages()
    digest = build_digest(messages, hash_vectors(messages), WEEK)
    docker = subjects()["docker"]
    days = {m.sent_at.date() for m in messages if m.message_id in docker}
    assert len(days) == 2
    assert any(docker <= set(topic.message_ids) for topic in digest.topics)


def test_small_talk_never_makes_or_titles_a_topic() -> None:
    messages = chat_messages()
    digest = build_digest(messages, hash_vectors(messages), WEEK)
    by_id = {m.message_id: m for m in messages}
    assert digest.topics
    for topic in digest.topics:
        assert not any(chatter in topic.title for chatter in SMALL_TALK), topic.title
        assert not is_small_talk(topic.title, MEMBERS.values()), topic.title
        if TERM_SEPARATOR in topic.title:
            assert all(term in topic.keywords for term in topic.title.split(TERM_SEPARATOR))
        else:  # a sentence of one of its messages, quoted after its author's name
            assert topic.quote is not None and topic.quote.message_id in topic.message_ids
            assert topic.title == f"{topic.quote.member_name}：“{topic.quote.text}”"
        said = [by_id[i].text for i in topic.message_ids if by_id[i].text not in SMALL_TALK]
        assert len(said) >= 2
    # small talk still counts as taking part in the conversation it answers
    thanks = next(m for m in messages if m.text == "好的谢谢大佬🙏")
    holder = next(t for t in digest.topics if thanks.message_id in t.message_ids)
    assert subjects()["docker"] <= set(holder.message_ids)


def test_each_topic_links_its_first_message() -> None:
    messages = chat_messages()
    digest = build_digest(messages, hash_vectors(messages), WEEK)
    by_id = {m.message_id: m for m in messages}
    text = "\n".join(render_digest(digest))
    for topic in digest.topics:
        first = min(topic.message_ids, key=lambda i: (by_id[i].sent_at, i))
        assert topic.first_message is not None
        assert topic.first_message.message_id == first
        assert f"第一条消息：{by_id[first].permalink}" in text
        assert topic.participants and set(topic.participants) <= set(MEMBERS.values())


_SUBJECTS = [
    "kubernetes cluster nodes autoscaling pods helm chart",
    "sourdough starter flour loaves oven crust hydration",
    "marathon training pace intervals tempo mileage shoes",
    "invoice billing stripe subscription refunds customers",
    "guitar chords fingerpicking strings capo rhythm",
    "garden tomatoes compost seedlings watering mulch",
    "postgres index vacuum queries replication schema",
    "camera lens aperture portraits exposure tripod",
    "chess openings gambit endgame tactics puzzles",
    "bicycle gears chain brakes tyres saddle",
]
_CHATTER = ["haha", "thanks!", "+1", "lol", "nice", "👍", "ok", "good morning all"]


def _busy_period(
    subject_count: int, per_subject: int, chatter: int, days: int
) -> list[DigestMessage]:
    """Bursts of talk about distinct subjects, one per few hours, with small talk between."""
    rng = random.Random(subject_count * 100 + per_subject)
    messages: list[DigestMessage] = []
    for s in range(subject_count):
        words = _SUBJECTS[s].split()
        start = DAY_START + timedelta(hours=s * days * 24 / subject_count + 1)
        for k in range(per_subject):
            member = 1 + (s + k) % 6
            text = " ".join(rng.sample(words, 4)) + " " + rng.choice(["today", "again", "here"])
            messages.append(
                _message(len(messages) + 1, member, text, start + timedelta(minutes=2 * k))
            )
        for k in range(chatter):
            moment = start + timedelta(minutes=2 * per_subject + k)
            messages.append(_message(len(messages) + 1, 1 + k % 6, rng.choice(_CHATTER), moment))
    return messages


def _message(identifier: int, member: int, text: str, sent_at: object) -> DigestMessage:
    return DigestMessage(
        message_id=identifier,
        member_id=member,
        member_name=f"member{member}",
        text=text,
        sent_at=sent_at,  # type: ignore[arg-type]
        permalink=f"https://t.me/c/9/{identifier}",
    )


@pytest.mark.parametrize(
    ("subject_count", "per_subject", "chatter", "days", "expected"),
    [
        (9, 14, 3, 7, (8, 10)),  # a busy week: about 150 messages
        (2, 8, 2, 1, (2, 3)),  # a quiet day: 20 messages
    ],
)
def test_the_number_of_topics_grows_with_activity(
    subject_count: int, per_subject: int, chatter: int, days: int, expected: tuple[int, int]
) -> None:
    messages = _busy_period(subject_count, per_subject, chatter, days)
    period = DigestPeriod(DAY_START, DAY_START + timedelta(days=days))
    digest = build_digest(messages, hash_vectors(messages), period)
    low, high = expected
    assert low <= len(digest.topics) <= high, [t.title for t in digest.topics]
    for topic in digest.topics:
        texts = {m.text.rsplit(" ", 1)[0] for m in messages if m.message_id in topic.message_ids}
        subjects_held = {
            s
            for s, words in enumerate(_SUBJECTS)
            if any(set(t.split()) <= set(words.split()) for t in texts)
        }
        assert len(subjects_held) == 1, topic.title


def test_the_topic_limit_follows_the_message_count() -> None:
    options = DigestOptions()
    assert topic_limit(20, options) in {2, 3}
    assert 8 <= topic_limit(150, options) <= 10
    assert topic_limit(10_000, options) == options.max_topics
    assert topic_limit(1, options) == 1


def test_a_period_of_only_small_talk_links_and_emoji_has_no_topics() -> None:
    texts = [
        "哈哈哈哈",
        "👍👍",
        "https://example.com/a",
        "thanks!",
        "+1",
        "😂😂😂",
        "收到",
        "ok",
    ] * 3
    messages = [
        _message(i + 1, i % 3, text, DAY_START + timedelta(minutes=i))
        for i, text in enumerate(texts)
    ]
    digest = build_digest(messages, hash_vectors(messages), WEEK)
    assert not digest.is_quiet
    assert digest.topics == ()
    assert all("1.  (" not in part for part in render_digest(digest))
