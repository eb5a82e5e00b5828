"""What counts as a member's own substantive words, and vectors that compare across languages."""

from __future__ import annotations

import numpy as np
import pytest

from jobs.member_interests import (
    ScriptCalibration,
    evidence_weight,
    is_nickname,
    is_substantive,
    neutral_vectors,
    own_words,
    script_codes,
    substantive_terms,
    term_rarity,
)
from jobs.vector_math import unit_rows
from tests.jobs.intro_chat import ANA, WEI, chat

SMALL_TALK = [
    "没买。",
    "一路顺风",
    "哈哈",
    "哈哈哈哈重在过程",
    "辛苦静姐🌹",
    "中秋快乐🥮",
    "好的，我车是白色的",
    "唐哥这镜头太专业了",
    "小葡萄这张好可爱",
    "[图片][图片][图片]",
    "👍👍",
    "+1",
    "收到～",
    "Thanks, see you!",
    "Nice one Dan! 🎉",
    "Count me in 👍",
    "Lunch plans anyone?",
]
SUBSTANTIVE = [
    ("周日跑了北京半马", {"北京", "半马"}),
    ("谢谢，周日跑了北京半马", {"北京", "半马"}),
    ("我家猫今天去绝育了，医生说要戴一周伊丽莎白圈😿", {"绝育", "医生"}),
    ("Ran my first half marathon on Sunday", {"half", "marathon"}),
    ("Thanks! Saw a kingfisher at the lake during my run", {"kingfisher", "lake"}),
]


@pytest.mark.parametrize("text", SMALL_TALK)
def test_small_talk_says_nothing_about_interests(text: str) -> None:
    assert substantive_terms(text) is None
    assert not is_substantive(text)


@pytest.mark.parametrize(("text", "some_terms"), SUBSTANTIVE)
def test_substantive_messages_keep_their_terms(text: str, some_terms: set[str]) -> None:
    terms = substantive_terms(text)
    assert terms is not None and some_terms <= set(terms)
    assert len(terms) == len(set(terms))


def test_nicknames_and_common_words_name_no_interest() -> None:
    assert all(is_nickname(term) for term in ["老周", "小林", "阿杰", "鹏哥", "静姐", "王老师"])
    assert not any(is_nickname(term) for term in ["跑步", "小朋友", "老虎菜", "running"])
    assert "鹏哥" not in (substantive_terms("鹏哥这是要开启新人生了，羡慕") or [])
    assert term_rarity("翠鸟") > term_rarity("一只") and term_rarity("绝育") > term_rarity("工作")
    assert term_rarity("kingfisher") == 1.0
    assert evidence_weight("好的") == 0.0
    assert (
        0
        < evidence_weight("周日跑了北京半马")
        < evidence_weight("周日跑了北京半马，配速五分半，下个月想试试全马")
    )
    assert evidence_weight("周日跑了北京半马，配速五分半，下个月想试试全马") == 1.0


def test_a_list_passed_on_is_not_its_senders_own_words() -> None:
    texts = [
        "接龙：1. 老周 2. 阿杰",
        "接龙：1. 老周 2. 阿杰 3. 小林",
        "接龙：1. 老周 2. 阿杰",
        "我也去",
    ]
    assert own_words(texts, [1, 2, 1, 3]) == [True, False, True, True]


def test_language_neutral_vectors_bring_one_subject_together_across_languages() -> None:
    messages, vectors = chat()
    texts = [m.text for m in messages]
    ana_runs = messages.index(next(m for m in messages if m.member_id == ANA))
    wei_runs = messages.index(next(m for m in messages if m.member_id == WEI))
    centred = unit_rows(vectors - vectors.mean(axis=0))
    assert float(centred[ana_runs] @ centred[wei_runs]) < 0  # the language outweighs the subject
    neutral = neutral_vectors(vectors, texts)
    assert neutral.dtype == np.float32
    assert float(neutral[ana_runs] @ neutral[wei_runs]) > 0.5
    others = [i for i, m in enumerate(messages) if m.member_id not in (ANA, WEI)]
    assert float(neutral[ana_runs] @ neutral[wei_runs]) > float(
        (neutral[others] @ neutral[ana_runs]).max()
    )


def test_scores_are_standard_within_each_pair_of_scripts() -> None:
    rng = np.random.default_rng(3)
    english = unit_rows(np.r_[[[1.0, 0.0]] * 40] + 0.3 * rng.standard_normal((40, 2)))
    chinese = unit_rows(np.r_[[[0.0, 1.0]] * 40] + 0.3 * rng.standard_normal((40, 2)))
    x = np.vstack([english, chinese]).astype(np.float32)
    texts = ["running shoes"] * 40 + ["跑步鞋子"] * 40
    scripts = script_codes(texts)
    owners = np.arange(80, dtype=np.int64)
    calibration = ScriptCalibration.fit(x, scripts, owners)
    across = calibration.standard(np.asarray([x[0] @ x[40]]), scripts[:1], scripts[40:41])
    within = calibration.standard(np.asarray([x[0] @ x[1]]), scripts[:1], scripts[1:2])
    assert abs(float(across[0])) < 4 and abs(float(within[0])) < 4
    assert calibration.mean[1, 2] < calibration.mean[1, 1]


def test_a_float16_matrix_is_made_neutral_in_place_as_float32_would_be() -> None:
    rng = np.random.default_rng(9)
    texts = ["running shoes and trails"] * 40 + ["周末去爬山吗"] * 30 + ["", "ok"] * 5
    vectors = rng.standard_normal((len(texts), 32)).astype(np.float32)
    vectors[:40] += 2.0  # one script's messages lean one way
    half = vectors.astype(np.float16)
    expected = neutral_vectors(half.astype(np.float32), texts)
    found = neutral_vectors(half, texts, overwrite=True)
    assert found is half and found.dtype == np.float16  # worked on in place
    np.testing.assert_allclose(found.astype(np.float32), expected, atol=2e-3)
