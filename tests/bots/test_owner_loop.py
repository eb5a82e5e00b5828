"""The owner loop: reports when back, review commands, pause, draft mode, corrections, limits."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace

import pytest

from adapters.model import Chat, ChatKind, Platform
from bots.app import Hearth
from tests.support import RecordingSender, command, member, message
from twins.labels import TWIN_MARK

DM_BOB = Chat(Platform.TELEGRAM, "id-bob", ChatKind.PRIVATE, "Bob")


@pytest.fixture
def memory_kind() -> str:
    """These flows do not depend on the memory backend; one is enough."""
    return "edge"


async def bob_away_with_twin(hearth: Hearth, sender: RecordingSender) -> None:
    await hearth.router.handle(
        message(
            "bob", "For beginners I recommend the Fern Creek loop, 6 km and flat", minutes_ago=120
        ),
        sender,
    )
    await hearth.router.handle(command("bob", "twin", "on"), sender)
    async with asyncio.timeout(60):
        await hearth.worker.drain()
    sender.replies.clear()


async def ask_bob(hearth: Hearth, sender: RecordingSender, text: str, who: str = "alice") -> None:
    await hearth.router.handle(message(who, f"@bob {text}", mentions=("bob",)), sender)


def number_in(text: str) -> str:
    found = re.search(r"#(\d+)", text)
    assert found, text
    return found.group(1)


async def test_owner_hears_what_the_twin_said_when_back_and_can_review(hearth: Hearth) -> None:
    sender = RecordingSender()
    await bob_away_with_twin(hearth, sender)
    await ask_bob(hearth, sender, "which trail for beginners?")
    assert sender.replies[-1].rendered().startswith(TWIN_MARK)
    await hearth.router.handle(message("bob", "I'm back!"), sender)
    report = sender.replies[-1]
    assert report.private and report.recipient == member("bob")
    assert "Alice asked “which trail for beginners?”" in report.text
    reply_id = number_in(report.text)
    # Told once only.
    await hearth.router.handle(message("bob", "still here"), sender)
    assert sender.replies[-1] is report

    await hearth.router.handle(
        replace(command("bob", "twin", "confirm", reply_id), chat=DM_BOB), sender
    )
    assert sender.texts()[-1] == f"Confirmed #{reply_id}."
    await hearth.router.handle(command("bob", "twin", "log"), sender)
    assert "[confirmed]" in sender.texts()[-1]
    await hearth.router.handle(command("bob", "twin", "delete", reply_id), sender)
    assert sender.texts()[-1].startswith(f"Deleted #{reply_id}")
    assert sender.deleted == ["sent-1"]


async def test_members_cannot_review_someone_elses_answers(hearth: Hearth) -> None:
    sender = RecordingSender()
    await bob_away_with_twin(hearth, sender)
    await ask_bob(hearth, sender, "which trail for beginners?")
    await hearth.router.handle(command("carol", "twin", "delete", "1"), sender)
    assert "no answer #1" in sender.texts()[-1]
    await hearth.router.handle(command("carol", "twin", "confirm", "abc"), sender)
    assert "not an answer number" in sender.texts()[-1]


async def test_a_correction_is_preferred_for_the_same_question(hearth: Hearth) -> None:
    sender = RecordingSender()
    await bob_away_with_twin(hearth, sender)
    await ask_bob(hearth, sender, "which trail do you recommend for beginners?")
    first_id = "1"
    await hearth.router.handle(
        command("bob", "twin", "correct", first_id, "Try", "the", "Lakeside", "path", "now"),
        sender,
    )
    assert "corrected" in sender.texts()[-1]
    await ask_bob(hearth, sender, "what trail would you recommend to a beginner?", who="carol")
    assert "answered this before: “Try the Lakeside path now”" in sender.texts()[-1]
    await ask_bob(hearth, sender, "what's your favourite football team?", who="dave")
    assert "Lakeside" not in sender.texts()[-1]


async def test_pause_and_resume(hearth: Hearth) -> None:
    sender = RecordingSender()
    await bob_away_with_twin(hearth, sender)
    await hearth.router.handle(replace(command("bob", "twin", "pause", "2h"), chat=DM_BOB), sender)
    assert "paused until" in sender.texts()[-1]
    sender.replies.clear()
    await ask_bob(hearth, sender, "which trail?")
    assert sender.texts() == ["Bob's twin isn't answering right now."]  # not why, nor until
    for bad in ("soon", "0h", "500d"):
        await hearth.router.handle(command("bob", "twin", "pause", bad), sender)
        assert "Example: /twin pause 2h" in sender.texts()[-1]
    await hearth.router.handle(command("bob", "twin", "resume"), sender)
    await ask_bob(hearth, sender, "which trail for beginners?", who="carol")
    assert sender.texts()[-1].startswith(TWIN_MARK)


async def test_draft_mode_waits_for_approval(hearth: Hearth) -> None:
    sender = RecordingSender()
    await bob_away_with_twin(hearth, sender)
    await hearth.router.handle(command("bob", "twin", "mode", "draft"), sender)
    sender.replies.clear()
    await ask_bob(hearth, sender, "which trail for beginners?")
    [note] = sender.replies
    assert "waiting for Bob's approval" in note.text and "Fern Creek" not in note.text
    await hearth.router.handle(message("bob", "back"), sender)
    report = sender.texts()[-1]
    assert "[waiting for your approval]" in report and "/twin approve N" in report
    draft_id = number_in(report)
    await hearth.router.handle(command("bob", "twin", "approve", draft_id), sender)
    posted = sender.replies[-2]
    assert posted.rendered().startswith(TWIN_MARK) and "Fern Creek" in posted.text
    assert sender.texts()[-1].startswith(f"Posted #{draft_id}")
    await hearth.router.handle(command("bob", "twin", "approve", draft_id), sender)
    assert "not a draft" in sender.texts()[-1]


async def test_rate_limits_per_asker(hearth: Hearth) -> None:
    sender = RecordingSender()
    await bob_away_with_twin(hearth, sender)
    for i in range(5):
        await ask_bob(hearth, sender, f"trail question number {i}?")
    # The default: 3 answers per asker per 10 minutes, then one notice (not one per question).
    assert [r.rendered().startswith(TWIN_MARK) for r in sender.replies] == [True] * 3 + [False]
    assert "try again in 10 minutes" in sender.texts()[-1]
    await ask_bob(hearth, sender, "which trail?", who="carol")
    assert len(sender.replies) == 5
    assert sender.texts()[-1].startswith(TWIN_MARK)
