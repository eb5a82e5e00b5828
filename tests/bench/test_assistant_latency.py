"""The assistant latency benchmark: its background chat and its questions per intent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from bench import assistant_latency
from bench.assistant_latency import QUESTIONS, latency_table, measure, questions
from bots.app import Hearth
from bots.settings import HearthSettings
from bots.storage.repository import Storage
from memory.hash_embedder import HashEmbedder
from memory.store import MemoryStore


def test_questions_cycle_through_phrasings_with_topic_and_name_filled_in() -> None:
    for intent in QUESTIONS:
        asked = questions(intent, 7, "Bg 2")
        assert len(asked) == 7
        assert not any("{" in q or "}" in q for q in asked)
    said = questions("member_said", 2, "Bg 2")
    assert said[0] == "what did Bg 2 say about painting?"
    assert said[1] == "Bg 2说过露营的事吗？"


def test_the_table_marks_a_p95_above_the_target() -> None:
    lines = latency_table({"help": [10.0] * 20, "catch_up": [10.0] * 18 + [900.0] * 2})
    assert lines[1].startswith("help") and lines[1].endswith("ok (p95 target 300)")
    assert lines[2].startswith("catch_up") and "ABOVE" in lines[2]
    assert lines[3].split()[:2] == ["all", "40"]


@dataclass(frozen=True)
class Reply:
    text: str = "I don't know"
    known: bool = False
    source_message_ids: tuple[int, ...] = ()
    suggested_member_ids: tuple[int, ...] = ()


class Recorder:
    """A stand-in for the assistant (built on another branch)."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.asked: list[tuple[int, str, str]] = []

    async def ask(
        self, chat_id: int, asker_member_id: int, question: str, *, now: datetime | None = None
    ) -> Reply:
        name = await self.storage.member_name(asker_member_id)
        self.asked.append((await self.storage.count_messages(chat_id=chat_id), name, question))
        return Reply()


async def test_the_chat_is_filled_and_every_intent_is_timed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[Recorder] = []

    def build_assistant(storage: Storage, _memory: MemoryStore, _embedder: object) -> Recorder:
        made.append(Recorder(storage))
        return made[-1]

    monkeypatch.setattr(assistant_latency, "build_assistant", build_assistant)
    hearth = await Hearth.build(
        HearthSettings(HEARTH_DATA_DIR=tmp_path), embedder=HashEmbedder(384)
    )
    try:
        texts = [f"sample message {i} about painting and camping" for i in range(40)]
        lines = await measure(hearth, texts, stored=1200, repeats=3)
    finally:
        await hearth.close()
    assert lines[0].startswith("stored 1200 messages (1200 in memory)")
    assert [line.split()[0] for line in lines[2:]] == [*QUESTIONS, "all"]
    assert [line.split()[1] for line in lines[2:]] == ["3"] * len(QUESTIONS) + ["18"]
    [assistant] = made
    assert len(assistant.asked) == 4 * len(QUESTIONS)
    assert {(count, name) for count, name, _ in assistant.asked} == {(1200, "Bg 1")}
