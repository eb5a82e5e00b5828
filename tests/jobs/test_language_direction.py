"""The language direction taken out of message vectors does not depend on what a chat says."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from jobs.digest_builder import compose_digest
from jobs.digest_model import DigestMessage
from jobs.languages import script_of
from jobs.member_interests import neutral_vectors
from jobs.script_offsets import script_offsets
from memory.hash_embedder import HashEmbedder
from memory.language_centres import cache_file
from tests.jobs.helpers import DAY, message

WIDTH = 64
_SUBJECTS = {
    0: ("camera", "portrait", "lens", "相机", "人像", "镜头"),
    1: ("run", "marathon", "pace", "跑步", "配速", "马拉松"),
    2: ("recipe", "soup", "oven", "菜谱", "炖汤", "烤箱"),
}
_LANGUAGE_AXIS = 10


class BilingualEmbedder:
    """Vectors of a subject (by its words), a language offset (Chinese) and some noise:
    a multilingual model in small."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._noise = HashEmbedder(WIDTH)

    @property
    def dimension(self) -> int:
        return WIDTH

    @property
    def name(self) -> str:
        return self._name

    def embed(self, text: str) -> list[float]:
        x = 0.35 * np.asarray(self._noise.embed(text))
        for axis, words in _SUBJECTS.items():
            if any(word in text.lower() for word in words):
                x[axis] += 1.0
        if str(script_of(text)) == "zh":
            x[_LANGUAGE_AXIS] += 1.2
        return (x / np.linalg.norm(x)).tolist()

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        return [self.embed(text) for text in texts]

    async def embed_query(self, text: str) -> list[float]:
        return self.embed(text)


PHOTO_ZH = [
    "新买的相机拍人像对焦很快，眼控对焦太方便了",
    "人像镜头大家推荐哪一支？预算五千左右",
    "周末去江边拍人像，相机电池要多带两块",
    "逆光人像用这支镜头，相机曝光要加一档",
    "昨天拍的人像修完了，这支镜头的焦外真好看",
]
PHOTO_EN = [
    "I shoot portraits with a 50mm lens, the camera autofocus is superb",
    "For portrait work I'd pick the 85mm lens over the zoom on that camera",
    "My old camera still takes a fine portrait with a cheap prime lens",
]
RUN_EN = [
    "Did anyone run the riverside 10k? My pace was better than last year",
    "Training for the marathon, long run of 18 km on Saturday at an easy pace",
    "My knee hurts after every long run, any marathon physio you'd recommend?",
    "New shoes made my run so much better, the pace feels easy now",
]
SOUP_EN = [
    "Tried a new soup recipe tonight, the oven roasted tomatoes made it",
    "That soup recipe needs the oven at 200 for half an hour",
    "I doubled the soup recipe and froze half, the oven trick works",
]


def _chat() -> list[DigestMessage]:
    """An English chat where a newcomer's few Chinese messages are all about one subject."""
    timeline = [
        *[(2, text, 20 + 40 * i) for i, text in enumerate(RUN_EN)],
        *[(3, text, 300 + 30 * i) for i, text in enumerate(SOUP_EN)],
        *[(4, text, 500 + 25 * i) for i, text in enumerate(PHOTO_ZH)],
        *[(5, text, 520 + 40 * i) for i, text in enumerate(PHOTO_EN)],
    ]
    return [message(member, text, minute) for member, text, minute in sorted(timeline, key=_at)]


def _at(entry: tuple[int, str, int]) -> int:
    return entry[2]


async def test_a_few_chinese_messages_on_one_subject_keep_their_topic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    embedder = BilingualEmbedder(f"bilingual-{tmp_path.name}")
    messages = _chat()
    vectors = await embedder.embed_passages([m.text for m in messages])
    digest = await compose_digest(messages, DAY, vectors=vectors, embedder=embedder)
    ids = {m.text: m.message_id for m in messages}
    photo = {ids[text] for text in PHOTO_ZH + PHOTO_EN}
    running = {ids[text] for text in RUN_EN}
    holder = [t for t in digest.topics if len(set(t.message_ids) & photo) >= 6]
    assert len(holder) == 1  # the Chinese and the English photography talk: one topic
    assert {ids[text] for text in PHOTO_ZH} <= set(holder[0].message_ids)
    assert not set(holder[0].message_ids) & running
    assert any(running <= set(t.message_ids) for t in digest.topics)
    assert cache_file(embedder.name, WIDTH).exists()  # measured once, kept


async def test_fixed_centres_keep_what_a_script_s_few_messages_share(tmp_path: Path) -> None:
    embedder = BilingualEmbedder(f"bilingual-{tmp_path.name}")
    texts = PHOTO_ZH + PHOTO_EN + RUN_EN + SOUP_EN
    vectors = np.asarray(await embedder.embed_passages(texts), dtype=np.float32)
    english = ["Let's meet at the station at nine", "The weather is nice today"]
    chinese = ["我们九点在车站见", "今天天气很好"]
    centres = {
        "en": np.mean(await embedder.embed_passages(english), axis=0),
        "zh": np.mean(await embedder.embed_passages(chinese), axis=0),
    }
    own = neutral_vectors(vectors, texts)
    fixed = neutral_vectors(vectors, texts, centres=centres)
    zh, en, run = slice(0, 5), slice(5, 8), slice(8, 12)

    def alike(x: np.ndarray, a: slice, b: slice) -> float:
        return float((x[a] @ x[b].T).mean())

    # the chat's own Chinese mean is the photography subject's: taking it out erases it
    assert alike(own, zh, en) < alike(own, zh, run) + 0.1
    assert alike(fixed, zh, en) > alike(fixed, zh, run) + 0.5
    assert alike(fixed, zh, zh) > 0.5


def test_few_messages_of_a_script_lean_on_the_fixed_centres_many_on_their_own() -> None:
    rng = np.random.default_rng(5)
    centres = {"en": np.zeros(8), "zh": np.eye(8)[0]}
    mean = np.zeros(8)
    topic = np.eye(8)[3]  # what a script's few messages happen to share
    few = script_offsets(
        {"en": mean.copy(), "zh": topic + centres["zh"]},
        {"en": 95, "zh": 5},
        mean,
        centres=centres,
    )
    assert abs(float(few["zh"] @ topic)) < 0.5 * float(few["zh"] @ centres["zh"])
    own = {"en": rng.standard_normal(8), "zh": rng.standard_normal(8)}
    many = script_offsets(own, {"en": 60, "zh": 40}, mean, centres=centres)
    for script in ("en", "zh"):
        np.testing.assert_allclose(many[script], own[script])
    assert script_offsets(own, {"en": 60, "zh": 4}, mean).keys() == {"en"}  # no centres


def test_a_dozen_minority_messages_keep_the_chats_own_script_offsets() -> None:
    rng = np.random.default_rng(5)
    centres = {"en": rng.standard_normal(8), "zh": rng.standard_normal(8)}
    own = {"en": rng.standard_normal(8), "zh": rng.standard_normal(8)}
    mean = np.zeros(8)
    dozen = script_offsets(own, {"en": 88, "zh": 12}, mean, centres=centres)
    for script in ("en", "zh"):
        np.testing.assert_allclose(dozen[script], own[script])


def test_a_float16_matrix_takes_the_fixed_direction_out_as_float32_does() -> None:
    rng = np.random.default_rng(11)
    texts = ["running shoes and trails"] * 60 + ["周末去爬山吗"] * 6 + ["", "👍"] * 3
    vectors = rng.standard_normal((len(texts), 32)).astype(np.float32)
    vectors[60:, 0] += 3.0
    centres = {"en": np.zeros(32), "zh": np.eye(32)[0]}
    half = vectors.astype(np.float16)
    expected = neutral_vectors(half.astype(np.float32), texts, centres=centres)
    found = neutral_vectors(half, texts, overwrite=True, centres=centres)
    np.testing.assert_allclose(found.astype(np.float32), expected, atol=2e-3)
    assert float(np.abs(expected[:, 0]).max()) < 0.2  # the language axis is gone
