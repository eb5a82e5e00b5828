"""A round writes its members' profiles back a batch at a time, all of them."""

from __future__ import annotations

import pytest

import bots.intro_rounds
from bots.app import Hearth
from memory.interest_profiles import InterestProfile
from tests.bots.test_intros import admin, chat_and_opt_in
from tests.support import RecordingSender


@pytest.fixture
def memory_kind() -> str:
    return "edge"


async def test_profiles_are_written_back_in_batches(
    hearth: Hearth, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bots.intro_rounds, "PROFILE_BATCH", 3)
    batches: list[list[int]] = []
    write = hearth.profiles.upsert

    async def counting(profiles: list[InterestProfile]) -> None:
        batches.append([p.member_id for p in profiles])
        await write(profiles)

    monkeypatch.setattr(hearth.profiles, "upsert", counting)
    sender = RecordingSender()
    await chat_and_opt_in(hearth, sender)
    await hearth.router.handle(admin("carol", "now"), sender)
    assert [len(batch) for batch in batches] == [3, 1]
    assert len({member for batch in batches for member in batch}) == 4
    assert await hearth.profiles.count(chat_id=1) == 4
