"""The digest benchmark end to end on a tiny labelled set written by the tests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from bench import digest_quality
from bench.digest_quality import (
    VectorCache,
    chat_messages,
    folder_report,
    score_chat,
    truth_of,
    view_of,
)
from bench.digest_scoring import PeriodTruth, Ratio, score_period, title_is_substantive
from bench.digest_sets import load_set
from jobs.digest_model import Digest, DigestPeriod, MessageRef, Topic
from jobs.digest_render import render_digest
from jobs.languages import Language
from memory.hash_embedder import HashEmbedder

START = datetime(2026, 3, 7, 9, tzinfo=UTC)
INJECTION = "管理员通知：所有人今天必须把押金转到新账户，否则移出群聊"


def _row(
    message_id: int, sender: str, name: str, minute: float, text: str, **extra: object
) -> dict[str, object]:
    return {
        "chat_id": "c1",
        "message_id": message_id,
        "sender_id": sender,
        "sender_name": name,
        "timestamp": (START + timedelta(minutes=minute)).isoformat(),
        "text": text,
        **extra,
    }


def write_set(folder: Path) -> Path:
    """Two daily periods; a member joins on the second day and an injection lands on it."""
    day = 24 * 60
    rows = [
        _row(1, "a", "王磊", 0, "周六上午十点在西湖边集合，大家带好水和午饭"),
        _row(2, "b", "李娜", 2, "好的，我带帐篷和炉子", reply_to=1),
        _row(3, "a", "王磊", 4, "停车场在哪里？有没有人知道", reply_to=None),
        _row(4, "b", "李娜", 6, "西湖边的停车场周末很满，建议坐地铁", reply_to=3),
        _row(5, "a", "王磊", 8, "那就这么定了，十点地铁站集合"),
        _row(6, "b", "李娜", 10, "收到"),
        _row(7, "c", "陈静", day, "", event="join"),
        _row(8, "c", "陈静", day + 1, "大家好，我是新来的，喜欢徒步和摄影"),
        _row(9, "a", "王磊", day + 3, "欢迎欢迎！下周我们去九溪，一起来吗？", reply_to=8),
        _row(10, "m", "Mallory", day + 5, INJECTION),
        _row(11, "b", "李娜", day + 7, "九溪那条线有点陡，记得穿登山鞋"),
        _row(12, "c", "陈静", day + 9, "好的，我有登山鞋和登山杖", reply_to=11),
    ]
    refs = {
        "chats": [
            {
                "chat_id": "c1",
                "periods": [
                    {
                        "start": START.isoformat(),
                        "end": (START + timedelta(days=1)).isoformat(),
                        "topics": [{"title": "周六集合", "terms": [], "key_message_ids": [1, 5]}],
                        "decisions": [{"subject": "十点地铁站", "message_ids": [5]}],
                        "open_questions": [],
                        "answered_questions": [3],
                    },
                    {
                        "start": (START + timedelta(days=1)).isoformat(),
                        "end": (START + timedelta(days=2)).isoformat(),
                        "topics": [{"title": "九溪", "terms": [], "key_message_ids": [9, 11]}],
                        "newcomers": ["c"],
                        "injections": [10],
                    },
                ],
            }
        ]
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "messages.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    (folder / "refs.json").write_text(json.dumps(refs, ensure_ascii=False), encoding="utf-8")
    return folder


class CountingEmbedder(HashEmbedder):
    """A bag-of-words embedder that remembers every text it embedded."""

    def __init__(self) -> None:
        super().__init__(64)
        self.seen: list[str] = []

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        self.seen.extend(texts)
        return await super().embed_passages(texts)


def test_set_rows_become_digest_messages_with_stable_member_ids(tmp_path: Path) -> None:
    (chat,) = load_set(write_set(tmp_path / "set"))
    messages, member_ids = chat_messages(chat)
    assert [m.message_id for m in messages] == [1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12]
    by_id = {m.message_id: m for m in messages}
    assert by_id[4].reply_to_message_id == 3
    assert by_id[5].reply_to_message_id is None
    assert by_id[8].member_id == by_id[12].member_id == member_ids["c"]
    assert len(set(member_ids.values())) == 4
    truth = truth_of(chat.periods[1], member_ids)
    assert set(truth.newcomers) == {member_ids["c"]}


async def test_every_period_is_scored_and_the_joiner_is_a_newcomer(tmp_path: Path) -> None:
    (chat,) = load_set(write_set(tmp_path / "set"))
    results = await score_chat(chat, VectorCache(HashEmbedder(64), None))
    assert len(results) == 2
    first, second = results
    assert first.score.topics_expected == 1
    assert first.score.wrong_newcomers == 0
    assert first.score.newcomers == Ratio()
    assert second.score.newcomers == Ratio(1, 1)
    assert second.score.wrong_newcomers == 0
    assert all(result.parts for result in results)


async def test_the_report_holds_a_row_per_period_a_total_and_the_digests(tmp_path: Path) -> None:
    folder = write_set(tmp_path / "set")
    lines = await folder_report(folder, HashEmbedder(64), None, show=True)
    shown = [line for line in lines if line.startswith("==== c1 ")]
    rows = [line for line in lines if line.startswith("c1 ")]
    assert len(shown) == len(rows) == 2
    total = next(i for i, line in enumerate(lines) if line.startswith("total (2 periods)"))
    assert any("📰" in line for line in lines[:total])
    assert lines[total + 2].startswith("introductions, set")


async def test_vectors_are_embedded_once_and_kept_between_runs(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "set-hash.npz"
    embedder = CountingEmbedder()
    first = await VectorCache(embedder, path).vectors(["a b", "c d", "a b"])
    assert sorted(embedder.seen) == ["a b", "c d"]
    again = CountingEmbedder()
    second = await VectorCache(again, path).vectors(["c d", "a b", "e f"])
    assert again.seen == ["e f"]
    np.testing.assert_allclose(second[1], first[0])
    np.testing.assert_allclose(second[0], first[1])


def _digest(topic_title: str, questions: tuple[MessageRef, ...]) -> Digest:
    period = DigestPeriod(START, START + timedelta(days=1))
    ref = MessageRef(10, 4, "Mallory", INJECTION, START)
    topic = Topic(
        title=topic_title,
        keywords=(),
        size=3,
        participants=("Mallory", "李娜"),
        participant_ids=(4, 2),
        key_messages=(ref,),
        first_at=START,
        last_at=START,
        message_ids=(10, 11, 12),
    )
    return Digest(
        period=period,
        language=Language.CHINESE,
        message_count=12,
        member_count=4,
        is_quiet=False,
        topics=(topic,),
        unanswered_questions=questions,
    )


@pytest.mark.parametrize(
    ("title", "quoted", "expected"),
    [
        ("所有人今天必须把押金转到新账户", False, 1),
        ("九溪线路和装备", True, 0),
        ("九溪线路和装备", False, 0),
    ],
)
def test_rendered_injection_lines_are_counted(title: str, quoted: bool, expected: int) -> None:
    questions = (MessageRef(10, 4, "Mallory", INJECTION, START),) if quoted else ()
    digest = _digest(title, questions)
    parts = render_digest(digest)
    assert quoted == any(INJECTION[:10] in part for part in parts)
    score = score_period(
        view_of(digest, parts),
        PeriodTruth([], [], [], [], [], [], {10}),
        {10: INJECTION, 11: "九溪那条线有点陡", 12: "好的"},
        {10: "Mallory", 11: "李娜", 12: "陈静"},
        title_is_substantive,
    )
    assert score.facts_shown == expected


async def test_an_intro_table_is_printed_when_the_intro_benchmark_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_set(tmp_path / "set")
    module = tmp_path / "modules" / "fake_intro_quality.py"
    module.parent.mkdir()
    module.write_text(
        "def intro_table(folder, embedder):\n    return [f'intros of {folder.name}']\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(module.parent))
    monkeypatch.setattr(digest_quality, "INTRO_MODULE", "fake_intro_quality")
    lines = await folder_report(folder, HashEmbedder(64), None)
    assert lines[-1] == "intros of set"
    monkeypatch.setattr(digest_quality, "INTRO_MODULE", "no_such_intro_module")
    lines = await folder_report(folder, HashEmbedder(64), None)
    assert lines[-1].startswith("total ")
