"""A round in a chat above the exact limit: its vectors held as float16, planted pairs still met."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from jobs.intro_matcher import IntroOptions
from jobs.intro_planner import ChatMessage, model_chat, plan_introductions
from jobs.shared_interests import InterestOptions
from jobs.vector_math import unit_rows

MEMBERS = 160
PER_MEMBER = 6
DIM = 48
LARGE = IntroOptions(
    interests=InterestOptions(exact_limit=300, candidates=6, large_neighbours=4, topic_limit=400)
)
"""Small sizes forced through the large-chat path (candidates first, few neighbours)."""


def planted_chat() -> tuple[list[ChatMessage], np.ndarray]:
    """Members 1..160 in planted pairs (1+2, 3+4, ...), each pair on a subject of its own,
    writing on different days in words of that subject."""
    rng = np.random.default_rng(11)
    subjects = unit_rows(rng.standard_normal((MEMBERS // 2, DIM)).astype(np.float32))
    owners = np.repeat(np.arange(1, MEMBERS + 1), PER_MEMBER)
    noise = rng.standard_normal((len(owners), DIM)).astype(np.float32) * 0.6 / np.sqrt(DIM)
    vectors = unit_rows(subjects[(owners - 1) // 2] + noise)
    order = rng.permutation(len(owners))  # members interleaved in the chat
    start = datetime(2026, 1, 1, tzinfo=UTC)
    messages = []
    for place, row in enumerate(order.tolist()):
        subject = (int(owners[row]) - 1) // 2
        words = " ".join(f"topic{subject}word{w}" for w in rng.choice(8, size=4, replace=False))
        messages.append(
            ChatMessage(
                place + 1,
                int(owners[row]),
                f"{words} notes",
                sent_at=start + timedelta(hours=7 * place),
            )
        )
    return messages, vectors[order]


def planted_share(plan) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    pairs = [
        (a, b)
        for intro in plan.intros
        for i, a in enumerate(intro.group.member_ids)
        for b in intro.group.member_ids[i + 1 :]
    ]
    planted = sum(1 for a, b in pairs if (min(a, b) + 1) // 2 == (max(a, b) + 1) // 2)
    return planted / max(1, len(pairs)), len({m for pair in pairs for m in pair})


def test_a_large_chat_held_as_float16_still_meets_its_planted_pairs() -> None:
    messages, vectors = planted_chat()
    names = {member: f"Member {member}" for member in range(1, MEMBERS + 1)}
    half = vectors.astype(np.float16)
    plan = plan_introductions(messages, half, names, options=LARGE, overwrite=True)
    share, introduced = planted_share(plan)
    assert share >= 0.9
    assert introduced >= 0.9 * MEMBERS
    full = plan_introductions(messages, vectors.copy(), names, options=LARGE, overwrite=True)
    same = {i.group.member_ids for i in plan.intros} & {i.group.member_ids for i in full.intros}
    assert len(same) >= 0.9 * len(full.intros)  # float16 changes little
    assert plan.profiles.vectors.dtype == np.float32
    np.testing.assert_allclose(plan.profiles.vectors, full.profiles.vectors, atol=2e-3)


def test_float16_stays_float16_above_the_exact_limit_only() -> None:
    messages, vectors = planted_chat()
    large = model_chat(messages, vectors.astype(np.float16), LARGE, overwrite=True)
    assert large.neutral.dtype == np.float16  # worked on in place, never copied to float32
    assert len(large.neutral) > LARGE.interests.exact_limit
    small_options = IntroOptions(interests=InterestOptions(exact_limit=len(messages)))
    small = model_chat(messages, vectors.astype(np.float16), small_options, overwrite=True)
    assert small.neutral.dtype == np.float32  # the exact path computes on float32
