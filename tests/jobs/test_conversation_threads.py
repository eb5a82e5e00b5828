"""Conversation structure: replies, turns and bursts of talk shape what a message is about."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from jobs.conversation_threads import (
    ThreadWeights,
    attach_to_threads,
    bursts,
    isolated_labels,
    thread_edges,
    thread_vectors,
)
from jobs.vector_math import unit_rows
from tests.jobs.helpers import message


def _axes(*rows: int, dimension: int = 4) -> np.ndarray:
    return unit_rows(np.eye(dimension, dtype=np.float32)[list(rows)])


def test_bursts_break_at_long_silences() -> None:
    messages = [message(1, "a", 0), message(2, "b", 5), message(1, "c", 90), message(3, "d", 95)]
    assert bursts(messages, timedelta(minutes=30)).tolist() == [0, 0, 1, 1]
    assert bursts(messages, timedelta(hours=2)).tolist() == [0, 0, 0, 0]


def test_small_talk_takes_the_meaning_of_what_it_answers() -> None:
    messages = [
        message(1, "the ridge trail is closed on saturday", 0, message_id=1),
        message(2, "ok", 1, message_id=2),
        message(3, "sourdough needs a strong starter", 60, message_id=3),
    ]
    x = _axes(0, 1, 2)
    small = np.array([False, True, False])
    edges = thread_edges(x, messages, small)
    blended = thread_vectors(x, edges, small)
    # "ok" now points mostly where the message it follows points
    assert blended[1] @ x[0] > 0.7 > blended[1] @ x[1]
    # a message that says something keeps its own meaning; an hour later nothing blends
    assert blended[0] @ x[0] > 0.95 and blended[2] @ x[2] > 0.99


def test_replies_link_across_the_chat_and_turns_link_neighbours() -> None:
    messages = [
        message(1, "which lens for portraits", 0, message_id=10),
        message(2, "the football match went to penalties", 1, message_id=11),
        message(3, "an 85mm prime is the classic choice", 2, message_id=12, reply_to=10),
    ]
    x = _axes(0, 1, 0)
    edges = thread_edges(x, messages, np.zeros(3, dtype=bool), spread=0.5)
    pairs = {
        (int(a), int(b)): float(w)
        for a, b, w in zip(edges.earlier, edges.later, edges.weight, strict=True)
    }
    assert pairs[(0, 2)] >= ThreadWeights().reply  # the reply, and its neighbour two away
    # two unlike messages side by side, from a third member, hardly count as one talk
    assert pairs.get((0, 1), 0.0) < pairs[(0, 2)] / 4


def test_an_exchange_between_two_members_links_more_than_a_crowd() -> None:
    exchange = [message(1, "a", 0), message(2, "b", 1), message(1, "c", 2), message(2, "d", 3)]
    crowd = [message(1, "a", 0), message(2, "b", 1), message(3, "c", 2), message(4, "d", 3)]
    x = _axes(0, 0, 0, 0)
    small = np.zeros(4, dtype=bool)
    two = thread_edges(x, exchange, small)
    many = thread_edges(x, crowd, small)
    assert two.weight.sum() > many.weight.sum()


def test_small_talk_joins_the_topic_of_its_thread_or_stays_alone() -> None:
    messages = [
        message(1, "deploy failed again on the arm runner", 0, message_id=1),
        message(2, "haha", 1, message_id=2),
        message(3, "postgres vacuum is slow", 10, message_id=3),
        message(4, "+1", 11, message_id=4, reply_to=1),
        message(5, "good night", 300, message_id=5),
    ]
    labels = np.array([0, -1, 1, -1, -1])
    attached = attach_to_threads(messages, labels)
    assert attached.tolist() == [0, 0, 1, 0, -1]
    assert isolated_labels(attached).tolist() == [0, 0, 1, 0, 2]
