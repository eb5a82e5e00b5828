"""Topics on different days merge only when they share a key word, unless very alike."""

from __future__ import annotations

import numpy as np
import pytest

from jobs.digest_builder import DigestOptions
from jobs.digest_topics import main_topics, subject_terms, topic_terms
from jobs.languages import Language
from jobs.small_talk import MIN_SUBSTANCE, substance
from jobs.topic_clustering import TopicClusters, find_topics
from jobs.vector_math import unit_rows
from tests.jobs.helpers import hash_vectors, message


def _two_days_alike(seed: int = 0) -> np.ndarray:
    """Two conversations on two days (rows 0-3, 4-7), alike, and a third far from both."""
    rng = np.random.default_rng(seed)
    base = np.zeros((12, 16), dtype=np.float32)
    base[:4, 0] = 1.0
    base[4:8, 0] = 0.8
    base[4:8, 1] = 0.6
    base[8:, 2] = 1.0
    return unit_rows(base + 0.05 * rng.standard_normal(base.shape).astype(np.float32))


def _labels(terms: list[frozenset[str]], unshared: float | None) -> list[int]:
    clusters = find_topics(
        _two_days_alike(),
        bursts=[0] * 4 + [1] * 4 + [2] * 4,
        apart_spread=0.3,
        unshared_spread=unshared,
        spread=1.0,
        terms=terms,
    )
    return [int(label) for label in clusters.labels]


@pytest.mark.parametrize(
    ("first", "second"),
    [({"potluck", "date"}, {"work day", "pallets"}), ({"龙泉山", "集合"}, {"换书", "场地"})],
)
def test_alike_talk_on_two_days_without_a_shared_key_word_stays_apart(
    first: set[str], second: set[str]
) -> None:
    terms = [frozenset(first)] * 4 + [frozenset(second)] * 4 + [frozenset({"weather"})] * 4
    labels = _labels(terms, unshared=2.0)
    assert len(set(labels[:4])) == 1 and len(set(labels[4:8])) == 1
    assert labels[0] != labels[4]
    # without weighing words the two days are one topic: the rule, not the vectors, splits them
    merged = _labels(terms, unshared=None)
    assert merged[0] == merged[4]


@pytest.mark.parametrize("word", ["potluck", "龙泉山"])
def test_alike_talk_on_two_days_sharing_a_key_word_is_one_topic(word: str) -> None:
    terms = (
        [frozenset({word, "date"})] * 4
        + [frozenset({word, "pallets"})] * 4
        + [frozenset({"weather"})] * 4
    )
    labels = _labels(terms, unshared=2.0)
    assert labels[0] == labels[4]
    assert labels[0] != labels[8]


def test_subject_terms_leave_out_names_and_time_words() -> None:
    messages = [
        message(1, "周六龙泉山徒步，明天早上集合", 0, name="阿杰"),
        message(2, "阿杰 龙泉山的路线发一下", 1, name="小鹿"),
        message(3, "Potluck on Saturday, Dana brings the cider", 2, name="Dana"),
    ]
    found = subject_terms(topic_terms(messages, DigestOptions()))
    assert "龙泉山" in found[0] and "龙泉山" in found[1]
    assert not {"周六", "明天", "早上"} & found[0]
    assert "阿杰" not in found[1]
    assert "potluck" in {term.lower() for term in found[2]}
    assert "dana" not in {term.lower() for term in found[2]}


def test_an_at_mention_is_no_key_word_even_of_someone_who_did_not_post() -> None:
    messages = [
        message(1, "@bob which trail do you recommend for beginners?", 0, name="Carol"),
        message(2, "@wei 你对什么过敏？@bob 也说一下", 1, name="Dan"),
        message(3, "Ask me at hi@bob.example about the trail", 2, name="Alice"),
    ]
    found = [{term.lower() for term in terms} for terms in topic_terms(messages, DigestOptions())]
    assert "trail" in found[0] and "bob" not in found[0]
    assert not {"wei", "bob"} & found[1] and "过敏" in found[1]
    assert "trail" in found[2]


@pytest.mark.parametrize(
    ("plan", "replies", "named"),
    [
        (
            "Friday dinner: let's go with Chengdu Taste on Main Street, 7pm. "
            "I booked a table for six, and they have vegetarian and peanut-free dishes.",
            ("Perfect, see you there.", "Count me in 👍"),
            "Chengdu Taste",
        ),
        (
            "周五聚餐就定在春熙路的老码头火锅，晚上七点。我订了一个十人的包间，还点了不辣的鸳鸯锅底。",
            ("好的👍", "收到🙏"),
            "老码头火锅",
        ),
    ],
)
def test_a_plan_two_members_take_up_is_a_topic_titled_by_its_subject(
    plan: str, replies: tuple[str, str], named: str
) -> None:
    messages = [
        message(1, plan, 0, name="alice", message_id=1),
        message(2, replies[0], 2, name="carol"),
        message(3, replies[1], 3, name="dan"),
        *(message(4 + k % 2, text, 300 + 2 * k) for k, text in enumerate(_OTHER_TALK[named])),
    ]
    x = hash_vectors(messages)
    names = frozenset(m.member_name for m in messages)
    weights = np.asarray([substance(m.text, names) for m in messages], dtype=np.float64)
    labels = np.asarray([0, 0, 0] + [1] * len(_OTHER_TALK[named]), dtype=np.int64)
    clusters = TopicClusters(labels, x, 0.1, weights >= MIN_SUBSTANCE)
    topics = main_topics(
        messages, x, clusters, weights, language=Language.ENGLISH, options=DigestOptions()
    )
    plans = [topic for topic in topics if 1 in topic.message_ids]
    assert len(plans) == 1
    assert plans[0].size == 3 and named in plans[0].title


_OTHER_TALK = {
    "Chengdu Taste": (
        "Is the badminton court free on Wednesday evening?",
        "after eight the badminton court is empty every week",
        "then I will book two badminton courts",
        "great, I will bring badminton rackets and new shuttles",
    ),
    "老码头火锅": (
        "羽毛球馆周三晚上有场地吗",
        "周三八点以后羽毛球馆都空着",
        "那我订两片羽毛球场地",
        "好，我带羽毛球拍和新买的球",
    ),
}
