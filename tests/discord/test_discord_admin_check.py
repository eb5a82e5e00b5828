"""The Discord adapter says who administers a server, fetching the member over HTTP."""

from __future__ import annotations

from adapters.model import Chat, ChatKind, Member, Platform
from adapters.ports import AdminChecker
from tests.fakes.discord_api import GET_MEMBER, FakeDiscord, snowflake
from tests.fakes.discord_fixtures import AdapterFactory, TestServer
from tests.fakes.recording_handler import RecordingHandler


def person(user: dict[str, object]) -> Member:
    return Member(Platform.DISCORD, str(user["id"]), str(user.get("global_name") or "x"))


async def test_manage_server_and_owner_are_admins_and_a_lost_role_is_seen_at_once(
    fake_discord: FakeDiscord,
    discord_server: TestServer,
    discord_adapter_factory: AdapterFactory,
) -> None:
    adapter = discord_adapter_factory()
    assert isinstance(adapter, AdminChecker)
    await adapter.start(RecordingHandler())
    general = Chat(Platform.DISCORD, str(discord_server.general), ChatKind.GROUP, "general")
    owner = {"id": discord_server.guild["owner_id"], "global_name": "Owner"}

    assert await adapter.is_admin(general, person(discord_server.carol)) is True  # Staff role
    assert await adapter.is_admin(general, person(owner)) is True
    assert await adapter.is_admin(general, person(discord_server.bob)) is False
    stranger = {"id": str(snowflake()), "global_name": "Stranger"}
    assert await adapter.is_admin(general, person(stranger)) is False
    asked = len(fake_discord.calls_to(GET_MEMBER))
    assert asked == 4

    fake_discord.set_member_roles(discord_server.guild_id, discord_server.carol["id"], [])
    assert await adapter.is_admin(general, person(discord_server.carol)) is False
    assert len(fake_discord.calls_to(GET_MEMBER)) == asked + 1

    fake_discord.inject_error(GET_MEMBER, status=503)
    assert await adapter.is_admin(general, person(discord_server.bob)) is None
    private = Chat(Platform.DISCORD, "123", ChatKind.PRIVATE)
    assert await adapter.is_admin(private, person(discord_server.bob)) is False

    await adapter.stop()
    assert await adapter.is_admin(general, person(discord_server.carol)) is None
