"""/forget through the router: the member's words leave SQL, memory and the files; others stay."""

from __future__ import annotations

import asyncio

from bots.app import Hearth
from tests.support import RecordingSender, command, message
from tests.traces import everything_in_sql, files_holding, secret_words, until_no_trace


async def settle(hearth: Hearth) -> None:
    async with asyncio.timeout(60):
        await hearth.worker.drain()


async def test_forget_erases_the_members_words_everywhere_and_nobody_elses(
    hearth: Hearth, memory_kind: str, database_url: str
) -> None:
    english, chinese = secret_words()
    asked = "zq" + english[::-1]
    sender = RecordingSender()
    for text in ["The Fern Creek loop is my favourite trail for beginners", "I bake sourdough"]:
        await hearth.router.handle(message("bob", text, minutes_ago=120), sender)
    await hearth.router.handle(command("bob", "twin", "on"), sender)
    await hearth.router.handle(message("alice", f"I keep the {english} key under the mat"), sender)
    await hearth.router.handle(message("alice", f"我的暗号是{chinese}，别告诉别人"), sender)
    await hearth.router.handle(
        message("alice", f"@bob is {asked} a good trail for beginners?", mentions=("bob",)),
        sender,
    )
    await hearth.router.handle(
        message("carol", "@bob which trail is good for beginners?", mentions=("bob",)), sender
    )
    await settle(hearth)
    engine = hearth.storage.engine
    assert asked in await everything_in_sql(engine)
    alice = await hearth.storage.ensure_member(command("alice", "forget").sender)
    assert await hearth.memory.count(member_id=alice) == 3
    if memory_kind == "edge" or database_url.startswith("sqlite"):
        assert files_holding(hearth.settings.data_dir, english, chinese, asked)

    await hearth.router.handle(command("alice", "forget"), sender)

    assert "deleted 3 of your messages" in sender.texts()[-1]
    assert "question(s) to other members' twins here are erased" in sender.texts()[-1]
    everything = await everything_in_sql(engine)
    assert all(token not in everything for token in (english, chinese, asked))
    assert await hearth.memory.count(member_id=alice) == 0
    # The memory shard is rewritten within seconds.
    await until_no_trace(hearth.settings.data_dir, english, chinese, asked)
    # Bob's log still tells both answers apart; Carol's question is untouched.
    await hearth.router.handle(command("bob", "twin", "log"), sender)
    log = sender.texts()[-1]
    assert "someone asked (question removed at the asker's request, with its answer)" in log
    assert "Carol asked “which trail is good for beginners?”" in log
    assert await hearth.storage.count_messages() == 3
    assert await hearth.memory.count() == 3
