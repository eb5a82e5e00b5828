"""Growth queries in SQL: week numbers as Python counts them, introductions a member was in."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from bots.storage.database import create_engine
from bots.storage.growth_queries import GrowthQueries, week_number
from bots.storage.intro_store import IntroStore
from bots.storage.repository import Storage
from tests.support import GROUP, OTHER_GROUP, member, message


async def test_sql_weeks_match_the_python_weeks_at_the_monday_boundary(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        storage = Storage(engine)
        moments = (
            datetime(2026, 11, 29, 23, 59, 59, tzinfo=UTC),  # Sunday
            datetime(2026, 11, 30, 0, 0, 0, tzinfo=UTC),  # Monday
            datetime(2026, 12, 6, 23, 59, 59, 999000, tzinfo=UTC),  # Sunday
            datetime(2026, 12, 7, 0, 0, 1, tzinfo=UTC),  # Monday
            datetime(2025, 6, 1, 12, 0, tzinfo=UTC),  # long before
        )
        for number, moment in enumerate(moments):
            await storage.ingest_message(
                dataclasses.replace(message("bob", f"note {number}"), sent_at=moment)
            )
        bob = await storage.ensure_member(member("bob"))
        first = week_number(moments[0])
        rows = await GrowthQueries(engine).week_counts([bob])
        assert [(row.week, row.messages) for row in rows] == [
            (week_number(moments[-1]), 1),
            (first, 1),
            (first + 1, 2),
            (first + 2, 1),
        ]
        assert [row.first_at for row in rows] == [moments[-1], moments[0], moments[1], moments[3]]
    finally:
        await engine.dispose()


async def test_introductions_a_member_was_part_of(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        storage = Storage(engine)
        bob, alice, carol, dan = [
            await storage.ensure_member(member(name)) for name in ("bob", "alice", "carol", "dan")
        ]
        group, other = await storage.ensure_chat(GROUP), await storage.ensure_chat(OTHER_GROUP)
        intros = IntroStore(engine)
        at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
        await intros.record_round(group, at, {(bob, alice): 0.5, (carol, dan): 0.4})
        await intros.record_round(other, at, {(alice, bob, carol): 0.3})
        await intros.record_round(group, at.replace(day=9), {(dan, alice): 0.6})
        queries = GrowthQueries(engine)
        assert await queries.introduction_counts([bob]) == {group: 1, other: 1}
        assert await queries.introduction_counts([dan]) == {group: 2}
        assert await queries.introduction_counts([bob, dan]) == {group: 3, other: 1}
        found = await queries.introductions([bob], 10)
        assert sorted((e.chat_id, e.others) for e in found) == sorted(
            [(group, ("Alice",)), (other, ("Alice", "Carol"))]
        )
    finally:
        await engine.dispose()
