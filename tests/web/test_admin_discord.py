"""The admin dashboard for a Discord server, its admins asked of the fake Discord."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from adapters.model import Chat, ChatKind, Command, Member, Message, Platform
from bots.app import Hearth
from bots.settings import HearthSettings
from memory.edge_store import EdgeMemoryStore
from tests.fakes.discord_api import GET_MEMBER, FakeDiscord
from tests.fakes.discord_fixtures import (
    AdapterFactory,
    TestServer,
    discord_adapter_factory,
    discord_server,
    fake_discord,
)
from tests.support import RecordingSender
from tests.web.admin_world import LINK, csrf_of

__all__ = ["discord_adapter_factory", "discord_server", "fake_discord"]


async def test_a_discord_admin_loses_manage_server_between_page_and_form(
    tmp_path: Path,
    database_url: str,
    embedder,  # type: ignore[no-untyped-def]
    fake_discord: FakeDiscord,
    discord_server: TestServer,
    discord_adapter_factory: AdapterFactory,
    client: aiohttp.ClientSession,
) -> None:
    settings = HearthSettings(
        HEARTH_DATA_DIR=tmp_path, DATABASE_URL=database_url, HEARTH_WEB_PORT=0
    )
    memory = EdgeMemoryStore(tmp_path / "edge", embedder.dimension)
    hearth = await Hearth.build(settings, embedder=embedder, memory=memory)
    try:
        adapter = discord_adapter_factory()
        await adapter.start(hearth.router)
        hearth.admin_checkers[Platform.DISCORD] = adapter
        assert hearth.web_server is not None
        base = f"http://127.0.0.1:{hearth.web_server.port}"
        general = Chat(Platform.DISCORD, str(discord_server.general), ChatKind.GROUP, "general")
        carol = Member(Platform.DISCORD, str(discord_server.carol["id"]), "Carol")
        sender = RecordingSender(Platform.DISCORD)
        now = datetime.now(UTC)
        await hearth.router.handle(
            Message(general, carol, "1", "Seed swap on Sunday?", now), sender
        )
        await hearth.router.handle(Command(general, carol, "web", (), "2", now, "/web"), sender)
        link = LINK.search(sender.replies[-1].text)
        assert link is not None
        async with client.post(link.group(0)) as response:
            assert response.status == 200
        async with client.get(base + "/admin") as response:
            page = await response.text()
        assert response.status == 200 and ">general</a>" in page
        chat_id = await hearth.storage.ensure_chat(general)
        async with client.get(f"{base}/admin/{chat_id}") as response:
            token = csrf_of(await response.text())
        form = {"setting": "assistant", "value": "off", "csrf_token": token}
        async with client.post(f"{base}/admin/{chat_id}/settings", data=form) as response:
            assert "Saved." in await response.text()
        assert not (await hearth.storage.chat_settings(chat_id)).assistant_enabled

        asked = len(fake_discord.calls_to(GET_MEMBER))
        fake_discord.set_member_roles(discord_server.guild_id, discord_server.carol["id"], [])
        form["value"] = "on"
        async with client.post(f"{base}/admin/{chat_id}/settings", data=form) as response:
            assert response.status == 403
            assert "Discord says you are not an admin of general" in await response.text()
        assert len(fake_discord.calls_to(GET_MEMBER)) == asked + 1
        assert not (await hearth.storage.chat_settings(chat_id)).assistant_enabled
    finally:
        await hearth.close()
