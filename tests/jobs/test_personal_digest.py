"""The personal digest builder and renderer: mentions, replies, questions for the member."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from jobs.digest_builder import find_unanswered
from jobs.digest_model import DigestPeriod
from jobs.languages import Language
from jobs.personal_digest import (
    ChatActivity,
    ItemKind,
    PersonalDigestOptions,
    build_personal_digest,
    mentions_handle,
    render_personal_digest,
)
from tests.jobs.helpers import DAY, DAY_START, hash_vectors, message

BOB = 2


def test_a_handle_is_matched_whole_and_in_any_case() -> None:
    assert mentions_handle("@bob which trail?", "bob")
    assert mentions_handle("thanks @BOB.", "bob")
    assert mentions_handle("(cc @bob)", "@Bob")
    assert not mentions_handle("@bobby which trail?", "bob")
    assert not mentions_handle("write to mail@bob.org", "bob")
    assert not mentions_handle("ask @bob.smith", "bob")
    assert not mentions_handle("bob, which trail?", "bob")
    assert not mentions_handle("@bob", "")


def test_mentions_and_replies_of_others_within_the_period() -> None:
    before = message(BOB, "I know the Skyline Ridge trail well", -60, message_id=9001)
    own = message(BOB, "Morning all, @bob here", 10, message_id=9002)
    messages = [
        message(1, "@Bob which trail do you recommend?", 20, name="Alice", message_id=9003),
        message(3, "Agreed, thanks!", 30, name="Carol", message_id=9004, reply_to=9001),
        message(1, "Nice photo", 40, name="Alice", message_id=9005, reply_to=9002),
        message(3, "@bob and a reply too", 50, name="Carol", message_id=9006, reply_to=9002),
        message(3, "@bob ages ago", 60 * 25, name="Carol", message_id=9007),
        message(1, "@carol lunch?", 70, name="Alice", message_id=9008),
        own,
    ]
    chat = ChatActivity(7, "Hikers", messages, authors={9001: BOB})
    digest = build_personal_digest(BOB, "bob", [chat], DAY)
    assert [i.message.message_id for i in digest.mentions] == [9003, 9006]
    assert [i.message.message_id for i in digest.replies] == [9004, 9005]
    assert all(i.chat_title == "Hikers" for i in digest.mentions + digest.replies)
    assert {i.kind for i in digest.replies} == {ItemKind.REPLY}
    assert not digest.questions and not digest.is_empty
    assert before.message_id not in {i.message.message_id for i in digest.replies}

    nobody = build_personal_digest(BOB, None, [chat], DAY)
    assert not nobody.mentions  # no handle: no mentions, replies still found
    assert [i.message.message_id for i in nobody.replies] == [9004, 9005, 9006]
    assert build_personal_digest(4, "dave", [chat], DAY).is_empty


def test_too_many_mentions_are_counted_not_listed() -> None:
    messages = [message(1, f"@bob number {i}", i, message_id=9100 + i) for i in range(8)]
    digest = build_personal_digest(
        BOB,
        "bob",
        [ChatActivity(7, "Hikers", messages)],
        DAY,
        options=PersonalDigestOptions(max_items=3),
    )
    assert [i.message.text for i in digest.mentions] == [
        "@bob number 5",
        "@bob number 6",
        "@bob number 7",
    ]
    assert digest.more_mentions == 5
    assert "…and 5 more" in render_personal_digest(digest)[0]


HIKING = [
    "The Skyline Ridge trail is my favourite hike, steep climb and great summit views",
    "I hiked the Fern Creek trail again, the waterfall hike is lovely in spring",
    "Hiking boots matter more than anything on a long mountain trail",
]
CHATTER = [
    "The bakery on Main Street has a new sourdough loaf",
    "Traffic on the bridge was terrible this morning",
    "Did you see the football match last night",
    "My cat knocked over the plant again",
    "The new cinema downtown shows old films on Sundays",
    "Rent went up again in our building",
    "I am learning to play the guitar",
    "The library opens late on Thursdays",
]


def _chat_with_questions(*, answer_hiking: bool = False) -> ChatActivity:
    """Bob's hiking messages make his interest; others chat and ask two questions."""
    messages = [
        message(BOB, text, 10 + i * 10, message_id=9200 + i) for i, text in enumerate(HIKING)
    ]
    for i, text in enumerate(CHATTER):
        messages.append(message(3, text, 100 + i * 10, name="Carol", message_id=9300 + i))
    hiking = message(
        1, "Which trail makes the best hike with a summit view?", 400, name="Alice", message_id=9400
    )
    baking = message(
        3, "Does anyone have a sourdough loaf recipe?", 300, name="Carol", message_id=9401
    )
    messages += [baking, hiking]
    if answer_hiking:
        messages.append(
            message(4, "Skyline Ridge!", 402, name="Dave", message_id=9402, reply_to=9400)
        )
    vectors = hash_vectors(messages)
    others = [i for i, m in enumerate(messages) if m.member_id != BOB]
    interest = vectors[: len(HIKING)].mean(axis=0)
    return ChatActivity(
        7, "Town", messages, vectors=vectors, interest=interest.tolist(), baseline=vectors[others]
    )


def test_an_open_question_about_the_members_interests_is_listed() -> None:
    chat = _chat_with_questions()
    open_questions = {q.message_id for q in find_unanswered(chat.messages, chat.vectors, DAY)}
    assert {9400, 9401} <= open_questions  # both open: relevance decides
    digest = build_personal_digest(BOB, "bob", [chat], DAY)
    assert [i.message.message_id for i in digest.questions] == [9400]
    [question] = digest.questions
    assert question.kind is ItemKind.QUESTION and question.relevance is not None
    assert question.relevance >= PersonalDigestOptions().interest_margin


def test_an_answered_question_is_not_listed() -> None:
    chat = _chat_with_questions(answer_hiking=True)
    assert 9400 not in {q.message_id for q in find_unanswered(chat.messages, chat.vectors, DAY)}
    assert build_personal_digest(BOB, "bob", [chat], DAY).questions == ()


def test_questions_need_an_interest_and_a_baseline() -> None:
    chat = _chat_with_questions()
    from dataclasses import replace

    assert build_personal_digest(BOB, "bob", [replace(chat, interest=None)], DAY).is_empty
    few = replace(chat, baseline=np.asarray(chat.baseline)[:3])
    assert build_personal_digest(BOB, "bob", [few], DAY).is_empty


def test_the_members_own_question_is_never_listed() -> None:
    chat = _chat_with_questions()
    from dataclasses import replace

    mine = [replace(m, member_id=BOB) if m.message_id == 9400 else m for m in chat.messages]
    assert build_personal_digest(BOB, "bob", [replace(chat, messages=mine)], DAY).is_empty


def test_at_most_max_questions_the_most_relevant_first() -> None:
    texts = [
        "Which trail is a good hike with a summit view?",
        "Which hiking boots for a steep mountain trail?",
        "Any waterfall hike near Fern Creek?",
    ]
    chat = _chat_with_questions()
    messages = list(chat.messages)
    for i, text in enumerate(texts):
        messages.append(message(1, text, 500 + i * 30, name="Alice", message_id=9500 + i))
    vectors = hash_vectors(messages)
    others = [i for i, m in enumerate(messages) if m.member_id != BOB]
    from dataclasses import replace

    wider = replace(chat, messages=messages, vectors=vectors, baseline=vectors[others])
    digest = build_personal_digest(
        BOB, "bob", [wider], DAY, options=PersonalDigestOptions(max_questions=2)
    )
    assert len(digest.questions) == 2
    scores = [q.relevance or 0.0 for q in digest.questions]
    assert scores == sorted(scores, reverse=True)


def test_render_in_english_and_chinese_within_the_limit() -> None:
    messages = [
        message(1, f"@bob {'long words ' * 30} {i}", i, name="Alice", message_id=9600 + i)
        for i in range(20)
    ]
    chat = ChatActivity(7, "Hikers", messages)
    digest = build_personal_digest(BOB, "bob", [chat], DAY)
    parts = render_personal_digest(digest, max_chars=1000)
    assert len(parts) > 1 and all(len(p) <= 1000 for p in parts)
    text = "\n".join(parts)
    assert parts[0].startswith("📬 Your digest · Tue 3 Nov 2026")
    assert "💬 Mentions of you" in text and "Hikers · Alice: “@bob long words" in text
    assert all(f"https://t.me/c/1/{9600 + i}" in text for i in range(20))

    chinese = build_personal_digest(BOB, "bob", [chat], DAY, language=Language.CHINESE)
    first = render_personal_digest(chinese)[0]
    assert first.startswith("📬 你的个人摘要 · 2026年11月3日")
    assert "💬 提到你的消息" in first and "「Hikers」Alice：" in first


def test_an_empty_digest_renders_nothing() -> None:
    period = DigestPeriod(DAY_START, DAY_START + timedelta(hours=24))
    digest = build_personal_digest(BOB, "bob", [], period)
    assert digest.is_empty and render_personal_digest(digest) == []


@pytest.mark.parametrize("margin", [0.5, 1.0, 2.0])
def test_a_higher_margin_never_lists_more(margin: float) -> None:
    low = build_personal_digest(
        BOB,
        "bob",
        [_chat_with_questions()],
        DAY,
        options=PersonalDigestOptions(interest_margin=0.0),
    )
    high = build_personal_digest(
        BOB,
        "bob",
        [_chat_with_questions()],
        DAY,
        options=PersonalDigestOptions(interest_margin=margin),
    )
    assert {q.message.message_id for q in high.questions} <= {
        q.message.message_id for q in low.questions
    }
