"""Digest building: topics, decisions, questions, links, newcomers, activity, quiet periods."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from jobs.digest_builder import DigestOptions, build_digest
from jobs.digest_model import DigestMessage, DigestPeriod
from jobs.languages import Language
from tests.jobs.helpers import DAY, DAY_START, hash_vectors, message

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
BAKING = [
    "my sourdough starter needs rye flour feeding before I bake",
    "sourdough loaves need a hot dutch oven and a strong starter",
    "feed the sourdough starter rye flour before you bake the loaves",
    "my sourdough crumb was dense, maybe the starter was weak",
    "bake sourdough loaves with more water and an active starter",
    "rye flour makes the sourdough starter bubbly before you bake",
    "bake the sourdough loaves hot, the starter rise is done",
    "the starter doubled overnight so the sourdough loaves bake well",
]
LAPTOPS = [
    "which laptop has the best battery life for linux programming",
    "my linux laptop battery drains fast when compiling code",
    "thinkpad laptops run linux well and the battery lasts",
    "the laptop keyboard matters more than battery for programming",
    "linux on a laptop needs good drivers for battery and wifi",
    "programming on a laptop with linux and an external monitor",
    "battery life on my linux laptop doubled after a kernel update",
    "best laptop for programming under linux with long battery",
]


def _topic_messages() -> list[DigestMessage]:
    messages = []
    for block, (texts, members) in enumerate(
        [(HIKING, (1, 2, 3)), (BAKING, (4, 5, 6)), (LAPTOPS, (7, 8, 9))]
    ):
        for i, text in enumerate(texts):
            messages.append(message(members[i % 3], text, 120 * block + 2 * i))
    return messages


def test_clearly_separated_topics_form_their_own_clusters() -> None:
    messages = _topic_messages()
    digest = build_digest(messages, hash_vectors(messages), DAY)
    assert not digest.is_quiet
    assert len(digest.topics) == 3
    found = {frozenset(topic.message_ids) for topic in digest.topics}
    expected = {frozenset(m.message_id for m in messages[i : i + 8]) for i in (0, 8, 16)}
    assert found == expected
    keywords = {word for topic in digest.topics for word in topic.keywords}
    assert {"sourdough", "laptop", "trail"} <= keywords or {
        "sourdough",
        "linux",
        "hike",
    } <= keywords
    for topic in digest.topics:
        assert topic.size == 8
        assert len(topic.participants) == 3
        assert 1 <= len(topic.key_messages) <= 3
        assert all(ref.message_id in topic.message_ids for ref in topic.key_messages)
        assert all(ref.permalink for ref in topic.key_messages)
        assert topic.title and len(topic.title) <= 80


def test_interleaved_topics_still_separate() -> None:
    texts = [(t, 1 + i % 3) for i, t in enumerate(HIKING)]
    texts += [(t, 4 + i % 3) for i, t in enumerate(BAKING)]
    order = [val for pair in zip(texts[:8], texts[8:], strict=True) for val in pair]
    messages = [message(member, text, 1.0 * i) for i, (text, member) in enumerate(order)]
    digest = build_digest(messages, hash_vectors(messages), DAY)
    groups = [{m.message_id for m in messages if m.text in set(HIKING)}]
    groups.append({m.message_id for m in messages if m.text in set(BAKING)})
    assert len(digest.topics) == 2
    assert {frozenset(t.message_ids) for t in digest.topics} == {frozenset(g) for g in groups}


def test_topics_fall_back_to_word_vectors_without_embeddings() -> None:
    messages = _topic_messages()
    digest = build_digest(messages, None, DAY)
    assert len(digest.topics) == 3


def test_vectors_must_match_messages() -> None:
    messages = _topic_messages()
    with pytest.raises(ValueError, match="one vector per message"):
        build_digest(messages, hash_vectors(messages)[:-1], DAY)


def test_messages_outside_the_period_are_ignored() -> None:
    inside = [message(1, f"hello number {i} from the trail", i) for i in range(6)]
    outside = message(2, "yesterday's news", -30)
    digest = build_digest([outside, *inside], None, DAY)
    assert digest.message_count == 6
    assert digest.member_count == 1


def test_quiet_period_below_the_minimum() -> None:
    messages = [message(1, "anyone around?", 1), message(2, "yes, hi", 2)]
    digest = build_digest(messages, None, DAY)
    assert digest.is_quiet
    assert digest.message_count == 2 and digest.member_count == 2
    assert digest.topics == () and digest.decisions == ()
    loud = build_digest(messages, None, DAY, options=DigestOptions(min_messages=2))
    assert not loud.is_quiet


def test_decisions_in_english_and_chinese() -> None:
    messages = [
        message(1, "where should the meetup be next week", 0),
        message(2, "the library or the cafe both work", 1),
        message(1, "OK we decided: the cafe on Thursday", 2),
        message(3, "就这么定了，周六早上八点出发", 3),
        message(2, "We haven't decided on the food yet", 4),
        message(3, "did we decide on the time?", 5),
    ]
    digest = build_digest(messages, None, DAY)
    assert [decision.ref.text for decision in digest.decisions] == [
        "OK we decided: the cafe on Thursday",
        "就这么定了，周六早上八点出发",
    ]


def test_unanswered_questions_rule() -> None:
    hours = 60.0
    messages = [
        # answered by an explicit reply from someone else
        message(1, "Does anyone know a good vet near the station?", 0, message_id=101),
        message(2, "totally unrelated chatter about football scores", 30),
        message(3, "Dr Lee on Main Street is a great vet", 40, reply_to=101),
        # answered in turn: the very next message, from another member, within minutes
        message(4, "what time does the farmers market open on sunday", 2 * hours, message_id=201),
        message(5, "it opens at eight on sunday mornings", 2 * hours + 1),
        # never answered: only the asker follows up; then someone replies to another member
        message(6, "Has anybody tried the new ramen place downtown?", 5 * hours, message_id=301),
        message(6, "asking for dinner tonight", 5 * hours + 1),
        message(7, "football scores were wild last night", 5 * hours + 2, reply_to=999),
        # too short to count
        message(8, "why?", 8 * hours),
        # a self-reply does not answer
        message(9, "怎么报名参加周末的徒步活动？", 10 * hours, message_id=401),
        message(9, "有人知道吗", 10 * hours + 20, reply_to=401),
    ]
    digest = build_digest(
        messages, None, DAY, options=DigestOptions(follow_gap=timedelta(minutes=5))
    )
    unanswered = [ref.message_id for ref in digest.unanswered_questions]
    assert 101 not in unanswered
    assert 201 not in unanswered
    assert 301 in unanswered
    assert 401 in unanswered
    assert unanswered.index(401) < unanswered.index(301)  # latest first
    assert all(ref.text != "why?" for ref in digest.unanswered_questions)


def test_answer_in_the_same_topic_within_the_window_counts() -> None:
    messages = [
        message(1, "which laptop has the best battery for linux programming?", 0, message_id=1),
        message(2, "sourdough starter rye flour feeding bake", 10),
        message(3, "sourdough loaves dutch oven bake rye flour", 11),
        message(4, "a thinkpad laptop with linux has the best battery for programming", 60),
        message(5, "sourdough rye flour starter loaves bake", 61),
    ]
    vectors = hash_vectors(messages)
    digest = build_digest(messages, vectors, DAY)
    assert [r.message_id for r in digest.unanswered_questions] == []
    late = build_digest(
        messages, vectors, DAY, options=DigestOptions(answer_window=timedelta(minutes=30))
    )
    assert [r.message_id for r in late.unanswered_questions] == [1]


def test_links_with_who_shared_them() -> None:
    messages = [
        message(1, "trail map https://maps.example.com/skyline.", 0, name="Alice"),
        message(2, "same one: https://maps.example.com/skyline and https://x.org", 1, name="Bob"),
        message(1, "again https://maps.example.com/skyline", 2, name="Alice"),
        message(3, "no links here", 3, name="Carol"),
        message(3, "nor here", 4, name="Carol"),
    ]
    digest = build_digest(messages, None, DAY)
    by_url = {link.url: link for link in digest.links}
    assert set(by_url) == {"https://maps.example.com/skyline", "https://x.org"}
    skyline = by_url["https://maps.example.com/skyline"]
    assert skyline.shared_by == ("Alice", "Bob")
    assert skyline.times == 3
    assert skyline.first.member_name == "Alice"
    assert by_url["https://x.org"].shared_by == ("Bob",)


def test_newcomers_and_most_active_members() -> None:
    messages = [message(1, f"message {i} from alice", i, name="Alice") for i in range(5)]
    messages += [message(2, f"message {i} from bob", 10 + i, name="Bob") for i in range(3)]
    messages += [message(3, "hi all, I'm new here!", 20, name="Dana", newcomer=True)]
    messages += [message(3, "glad to join", 21, name="Dana", newcomer=True)]
    digest = build_digest(messages, None, DAY, joined={4: "Eve"})
    assert [(n.member_id, n.member_name) for n in digest.newcomers] == [(3, "Dana"), (4, "Eve")]
    assert digest.newcomers[0].first_message is not None
    assert digest.newcomers[0].first_message.text == "hi all, I'm new here!"
    assert digest.newcomers[1].first_message is None
    assert [(a.member_name, a.messages) for a in digest.active_members] == [
        ("Alice", 5),
        ("Bob", 3),
        ("Dana", 2),
    ]


def test_language_is_detected_or_forced() -> None:
    chinese = [
        message(i % 3, text, i)
        for i, text in enumerate(["周末去爬山吗", "好啊", "几点集合？", "八点", "ok"])
    ]
    assert build_digest(chinese, None, DAY).language is Language.CHINESE
    forced = build_digest(chinese, None, DAY, options=DigestOptions(language=Language.ENGLISH))
    assert forced.language is Language.ENGLISH


def test_summary_text_follows_the_chat() -> None:
    messages = _topic_messages()
    digest = build_digest(messages, hash_vectors(messages), DAY)
    text = digest.summary_text()
    positions = [text.index(ref.text) for t in digest.topics for ref in t.key_messages]
    assert len(positions) == sum(len(t.key_messages) for t in digest.topics)
    short = digest.summary_text(max_chars=120)
    assert len(short) <= 120
    # the first pick of a short summary is the largest topic's most central message
    assert digest.topics[0].key_messages[0].text[:50] in short


def test_period_must_be_aware_and_ordered() -> None:
    with pytest.raises(ValueError):
        DigestPeriod(DAY_START.replace(tzinfo=None), DAY_START + timedelta(days=1))
    with pytest.raises(ValueError):
        DigestPeriod(DAY_START, DAY_START)
    assert DigestPeriod.ending(DAY_START, timedelta(days=1)).length == timedelta(days=1)


def test_three_thousand_messages_build() -> None:
    rng = np.random.default_rng(3)
    centres = rng.standard_normal((20, 64)).astype(np.float32)
    labels = rng.integers(0, 20, 3000)
    vectors = centres[labels] + 0.5 * rng.standard_normal((3000, 64)).astype(np.float32)
    messages = [
        message(int(labels[i]) % 7, f"topic {labels[i]} note {i}", i * 0.4) for i in range(3000)
    ]
    digest = build_digest(messages, vectors, DAY)
    assert digest.message_count == 3000
    # a busy day shows as many topics as a digest may hold, each one subject,
    # though twenty conversations run at once
    assert len(digest.topics) == DigestOptions().max_topics
    subject = {m.message_id: int(labels[i]) for i, m in enumerate(messages)}
    for topic in digest.topics:
        counts = np.bincount([subject[i] for i in topic.message_ids])
        assert counts.max() >= 0.9 * topic.size


def test_an_empty_period_is_quiet_or_empty() -> None:
    assert build_digest([], None, DAY).is_quiet
    empty = build_digest([], [], DAY, options=DigestOptions(min_messages=0))
    assert not empty.is_quiet and empty.message_count == 0 and empty.topics == ()


def test_chinese_chat_digest() -> None:
    texts = [
        (1, "这周六我们去爬香山吧，山顶的红叶正好"),
        (2, "香山周末人太多了，爬山要早点出发"),
        (3, "我觉得爬香山可以，七点在地铁站集合？"),
        (1, "就这么定了，周六早上七点地铁站集合爬香山"),
        (2, "好的，我带登山杖和水"),
        (4, "有人用过新的咖啡机吗？想买一台意式咖啡机"),
        (5, "意式咖啡机推荐德龙，咖啡豆要新鲜"),
        (4, "咖啡机的磨豆器是不是也很重要"),
        (6, "有没有人知道怎么申请公司的远程办公？"),
        (5, "分享一个咖啡豆的店 https://coffee.example.com/beans"),
        (3, "周六爬山的路线图 https://maps.example.com/xiangshan"),
    ]
    messages = [message(m, t, 10 * i) for i, (m, t) in enumerate(texts)]
    digest = build_digest(messages, hash_vectors(messages), DAY)
    assert digest.language is Language.CHINESE
    assert any("咖啡机" in topic.keywords for topic in digest.topics)
    assert [decision.ref.text for decision in digest.decisions] == [texts[3][1]]
    # later messages of the coffee talk do not answer an unrelated question
    assert texts[8][1] in [ref.text for ref in digest.unanswered_questions]
    assert [link.url for link in digest.links] == [
        "https://coffee.example.com/beans",
        "https://maps.example.com/xiangshan",
    ]


def test_an_answer_in_turn_needs_a_back_and_forth_or_a_fitting_reply() -> None:
    filler = [message(9, f"weather report number {i} sunny and warm", i) for i in range(5)]
    exchange = [
        message(1, "I finally finished the quilt for my sister", 10),
        message(2, "How long did the whole quilt take you to make?", 11, message_id=501),
        message(1, "About three months of evenings, mostly on weekends", 12),
    ]
    busy = [
        message(3, "The train strike is going to mess up my commute", 20),
        message(4, "Which museum has the best dinosaur exhibit in town?", 21, message_id=502),
        message(5, "The football match last night went to penalties again", 22),
    ]
    digest = build_digest([*filler, *exchange, *busy], None, DAY)
    assert [ref.message_id for ref in digest.unanswered_questions] == [502]
