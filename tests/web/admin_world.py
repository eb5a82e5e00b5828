"""A Hearth with its web pages on and a Telegram adapter on the fake Bot API: Alice
administers the Garden Club group, Bob is a plain member of it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from adapters.model import Chat, ChatKind, Command, Member, Message, Platform
from adapters.telegram import TelegramAdapter
from bots.app import Hearth
from bots.settings import HearthSettings
from memory.edge_store import EdgeMemoryStore
from tests.fakes.telegram_api import FakeTelegramApi, make_chat, make_user
from tests.support import RecordingSender

LINK = re.compile(r"https?://\S+/sign-in/\S+")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

GARDEN = Chat(Platform.TELEGRAM, "-100500", ChatKind.GROUP, "Garden Club")
ALICE = Member(Platform.TELEGRAM, "501", "Alice", username="alice")
BOB = Member(Platform.TELEGRAM, "502", "Bob", username="bob")
CAROL = Member(Platform.TELEGRAM, "503", "Carol", username="carol")
TG_GARDEN = make_chat(-100500, title="Garden Club")
TG_USERS = {
    "alice": make_user(501, "Alice", username="alice"),
    "bob": make_user(502, "Bob", username="bob"),
    "carol": make_user(503, "Carol", username="carol"),
}


@dataclass
class AdminWorld:
    """The running Hearth, the fake Bot API, and the chat's Hearth id."""

    hearth: Hearth
    telegram: FakeTelegramApi
    base_url: str
    chat_id: int
    ids: dict[str, int]

    def set_status(self, who: str, status: str) -> None:
        """Make ``who`` a ``member``, ``administrator``, ``creator``… on the fake."""
        self.telegram.set_member_status(TG_GARDEN, TG_USERS[who], status)

    async def sign_in(self, client: aiohttp.ClientSession, who: str) -> str:
        """Sign ``who`` in with the link ``/web`` sends them; their member page."""
        person = {"alice": ALICE, "bob": BOB}[who]
        sender = RecordingSender()
        await self.hearth.router.handle(
            Command(GARDEN, person, "web", (), "c-web", datetime.now(UTC), "/web"), sender
        )
        found = LINK.search(sender.replies[-1].text)
        assert found, sender.replies[-1].text
        async with client.post(found.group(0)) as response:
            assert response.status == 200, await response.text()
            return await response.text()

    async def sign_in_link(self, who: str) -> str:
        """The link ``/web`` sends ``who``."""
        person = {"alice": ALICE, "bob": BOB}[who]
        sender = RecordingSender()
        await self.hearth.router.handle(
            Command(GARDEN, person, "web", (), "c-web2", datetime.now(UTC), "/web"), sender
        )
        found = LINK.search(sender.replies[-1].text)
        assert found, sender.replies[-1].text
        return found.group(0)


def csrf_of(html: str) -> str:
    """The session's CSRF token in a page's forms."""
    found = CSRF.search(html)
    assert found, html
    return found.group(1)


@pytest.fixture
async def admin_world(
    tmp_path: Path,
    database_url: str,
    embedder,  # type: ignore[no-untyped-def]
    fake_telegram: FakeTelegramApi,
) -> AsyncIterator[AdminWorld]:
    settings = HearthSettings(
        HEARTH_DATA_DIR=tmp_path, DATABASE_URL=database_url, HEARTH_WEB_PORT=0
    )
    memory = EdgeMemoryStore(tmp_path / "edge", embedder.dimension)
    hearth = await Hearth.build(settings, embedder=embedder, memory=memory)
    adapter = TelegramAdapter(
        fake_telegram.token,
        api_base_url=fake_telegram.base_url,
        poll_timeout=1,
        retry_backoff=0.05,
        max_network_retries=0,
        request_timeout=5.0,
    )
    try:
        await adapter.start(hearth.router)
        hearth.senders[Platform.TELEGRAM] = adapter.sender
        hearth.admin_checkers[Platform.TELEGRAM] = adapter
        sender = RecordingSender()
        lines = (
            ("alice", "Who wants to plant tomatoes this weekend?"),
            ("bob", "I can bring the compost and the seedlings for the tomatoes"),
            ("carol", "The community garden opens at nine on Saturday"),
        )
        people = {"alice": ALICE, "bob": BOB, "carol": CAROL}
        for number, (who, text) in enumerate(lines):
            await hearth.router.handle(
                Message(
                    GARDEN,
                    people[who],
                    f"m{number}",
                    text,
                    datetime.now(UTC) - timedelta(hours=2, minutes=-number),
                ),
                sender,
            )
        chat_id = await hearth.storage.ensure_chat(GARDEN)
        ids = {who: await hearth.storage.ensure_member(person) for who, person in people.items()}
        world = AdminWorld(
            hearth,
            fake_telegram,
            f"http://127.0.0.1:{hearth.web_server.port if hearth.web_server else 0}",
            chat_id,
            ids,
        )
        world.set_status("alice", "administrator")
        world.set_status("bob", "member")
        world.set_status("carol", "member")
        yield world
    finally:
        await adapter.stop()
        await hearth.close()
