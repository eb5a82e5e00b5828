"""Two processes that add the same settings row at once both succeed (PostgreSQL)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bots.storage.database import create_engine
from bots.storage.repository import Storage
from tests.support import GROUP, member

ROUNDS = 8


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_two_replicas_change_a_new_chats_settings_at_once(database_url: str) -> None:
    first, second = Storage(create_engine(database_url)), Storage(create_engine(database_url))
    try:
        for i in range(ROUNDS):
            chat_id = await first.ensure_chat(replace(GROUP, platform_chat_id=f"-100{i}"))
            results = await asyncio.gather(
                first.set_digest_schedule(chat_id, '{"every": "day"}'),
                second.set_digest_quiet_line(chat_id, True),
                return_exceptions=True,
            )
            assert results == [None, None]
            assert await first.digest_quiet_line(chat_id)
    finally:
        await first.close()
        await second.close()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_member_opts_in_from_two_replicas_at_once(database_url: str) -> None:
    first, second = Storage(create_engine(database_url)), Storage(create_engine(database_url))
    try:
        chat_id = await first.ensure_chat(GROUP)
        for i in range(ROUNDS):
            member_id = await first.ensure_member(member(f"m{i}"))
            results = await asyncio.gather(
                first.set_twin_enabled(chat_id, member_id, True),
                second.set_twin_enabled(chat_id, member_id, True),
                return_exceptions=True,
            )
            assert results == [None, None]
            assert await second.twin_enabled(chat_id, member_id)
    finally:
        await first.close()
        await second.close()
