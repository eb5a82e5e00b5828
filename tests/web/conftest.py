"""A Hearth with its web pages on a free local port, and members with data to show."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from bots.app import Hearth
from bots.settings import HearthSettings
from memory.edge_store import EdgeMemoryStore
from tests.support import GROUP, OTHER_GROUP, RecordingSender, command, member, message

LINK = re.compile(r"https?://\S+/sign-in/\S+")


@dataclass
class WebWorld:
    """A running Hearth with the web on, Bob and Carol's data, and where the pages are."""

    hearth: Hearth
    base_url: str
    bob: int
    carol: int
    bob_answer: int
    carol_answer: int
    bob_chat: int
    carol_chat: int

    async def sign_in_link(self, who: str = "bob") -> str:
        """What ``/web`` sends ``who`` privately: their sign-in link."""
        sender = RecordingSender()
        chat = GROUP if who == "bob" else OTHER_GROUP
        await self.hearth.router.handle(command(who, "web", chat=chat), sender)
        reply = sender.replies[-1]
        assert reply.private and reply.recipient == member(who), reply
        found = LINK.search(reply.text)
        assert found, reply.text
        return found.group(0)


@pytest.fixture
async def world(tmp_path: Path, database_url: str, embedder) -> AsyncIterator[WebWorld]:  # type: ignore[no-untyped-def]
    settings = HearthSettings(
        HEARTH_DATA_DIR=tmp_path, DATABASE_URL=database_url, HEARTH_WEB_PORT=0
    )
    memory = EdgeMemoryStore(tmp_path / "edge", embedder.dimension)
    hearth = await Hearth.build(settings, embedder=embedder, memory=memory)
    try:
        sender = RecordingSender()
        for text in ("Fern Creek is the best beginner trail", "I bake sourdough on Sundays"):
            await hearth.router.handle(message("bob", text, minutes_ago=90), sender)
        await hearth.router.handle(
            message("carol", "My secret: I am allergic to peanuts", chat=OTHER_GROUP), sender
        )
        await hearth.router.handle(command("bob", "twin", "on"), sender)
        storage = hearth.storage
        bob = await storage.ensure_member(member("bob"))
        carol = await storage.ensure_member(member("carol"))
        bob_chat = await storage.ensure_chat(GROUP)
        carol_chat = await storage.ensure_chat(OTHER_GROUP)
        bob_answer = await storage.record_twin_reply(
            chat_id=bob_chat,
            member_id=bob,
            asker_member_id=None,
            question_platform_id="q1",
            question_text="@bob which trail for beginners?",
            text="Bob is away.\nFern Creek is the best beginner trail",
            source_message_ids=[],
            status="sent",
        )
        carol_answer = await storage.record_twin_reply(
            chat_id=carol_chat,
            member_id=carol,
            asker_member_id=None,
            question_platform_id="q2",
            question_text="@carol any allergies?",
            text="Carol is away.\nPeanuts",
            source_message_ids=[],
            status="sent",
        )
        assert hearth.web_server is not None
        yield WebWorld(
            hearth,
            f"http://127.0.0.1:{hearth.web_server.port}",
            bob,
            carol,
            bob_answer,
            carol_answer,
            bob_chat,
            carol_chat,
        )
    finally:
        await hearth.close()


@pytest.fixture
async def client() -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client that keeps cookies (for 127.0.0.1 too) and does not follow redirects."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session
