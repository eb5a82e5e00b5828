"""Pytest fixtures for Discord wire tests: the fake Discord and adapters pointed at it.

Import the fixtures into a ``conftest.py`` to use them::

    from tests.fakes.discord_fixtures import (
        discord_adapter_factory, discord_server, fake_discord,
    )

``fake_discord`` redirects discord.py (``Route.BASE`` and the default gateway URL) to the
fake with ``monkeypatch``, so both are restored after each test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

import discord
import discord.gateway
import discord.http
import pytest
import yarl

from adapters.discord import DiscordAdapter, SlashCommandSpec, SlashOption
from tests.fakes.discord_api import (
    JSON,
    MANAGE_GUILD,
    MEMBER_PERMISSIONS,
    FakeDiscord,
    hide_from,
    make_guild,
    make_member,
    make_role,
    make_text_channel,
    make_user,
    show_to,
    snowflake,
)

TEST_COMMAND_SPECS: tuple[SlashCommandSpec, ...] = (
    SlashCommandSpec(
        "twin",
        "Your twin in this chat: on, off or status",
        (SlashOption("action", "What to do", choices=("on", "off", "status")),),
    ),
    SlashCommandSpec("forget", "Delete everything Hearth stored about you in this chat"),
    SlashCommandSpec(
        "settings",
        "Chat settings for admins",
        (
            SlashOption("name", "Which setting", required=False),
            SlashOption("minutes", "A number of minutes", type="int", required=False),
        ),
        admin_only=True,
    ),
)


@dataclass(frozen=True, slots=True)
class TestServer:
    """A server registered in the fake: channels, a role with Manage Server, and people.

    ``general`` and ``lounge`` are open; ``staff`` is hidden from everyone but the Staff
    role (which the bot does not have). ``carol`` has Manage Server through the Staff role;
    ``alice`` and ``bob`` are ordinary members.
    """

    __test__ = False

    guild: JSON
    guild_id: int
    general: int
    lounge: int
    staff: int
    staff_role: int
    alice: JSON
    bob: JSON
    carol: JSON


def build_test_server(fake: FakeDiscord, name: str = "Garden Club") -> TestServer:
    """Register a ``TestServer`` in ``fake`` (before the adapter starts, or use
    ``fake.join_guild(server.guild)`` afterwards)."""
    guild_id = snowflake()
    staff_role = snowflake()
    general, lounge, staff = snowflake(), snowflake(), snowflake()
    alice = make_user(snowflake(), "alice_l", global_name="Alice")
    bob = make_user(snowflake(), "bob.b", global_name="Bob")
    carol = make_user(snowflake(), "carol", global_name="Carol")
    owner = make_user(snowflake(), "owner", global_name="Owner")
    guild = make_guild(
        guild_id,
        name,
        owner_id=int(owner["id"]),
        roles=[make_role(staff_role, "Staff", MEMBER_PERMISSIONS | MANAGE_GUILD, position=1)],
        channels=[
            make_text_channel(general, guild_id, "general", position=0),
            make_text_channel(lounge, guild_id, "lounge", position=1),
            make_text_channel(
                staff,
                guild_id,
                "staff",
                position=2,
                overwrites=[hide_from(guild_id), show_to(staff_role)],
            ),
        ],
        members=[
            make_member(owner),
            make_member(alice, nick="Ali"),
            make_member(bob),
            make_member(carol, roles=[staff_role]),
            make_member(fake.bot_user),
        ],
    )
    fake.add_guild(guild)
    return TestServer(guild, guild_id, general, lounge, staff, staff_role, alice, bob, carol)


FAKE_GUILD_READY = 0.2
"""Seconds an adapter waits for more servers after the last GUILD_CREATE from the fake."""


class AdapterFactory(Protocol):
    """Builds a ``DiscordAdapter`` talking to the fake; keyword overrides allowed."""

    def __call__(self, **overrides: Any) -> DiscordAdapter: ...


@pytest.fixture
async def fake_discord(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """A running fake Discord on 127.0.0.1, with discord.py redirected to it.

    Adapters built with their defaults (as Hearth builds them) wait ``FAKE_GUILD_READY``
    seconds, not two, for further servers after the last GUILD_CREATE: the fake sends
    every server at once, right after READY.
    """
    async with FakeDiscord() as fake:
        monkeypatch.setattr(discord.http.Route, "BASE", fake.base_url)
        monkeypatch.setattr(
            discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url)
        )
        defaults = DiscordAdapter.__init__.__kwdefaults__
        assert defaults is not None
        monkeypatch.setitem(defaults, "guild_ready_timeout", FAKE_GUILD_READY)
        yield fake


@pytest.fixture
def discord_server(fake_discord: FakeDiscord) -> TestServer:
    """The standard test server, registered in the fake before any adapter starts."""
    return build_test_server(fake_discord)


@pytest.fixture
async def discord_adapter_factory(
    fake_discord: FakeDiscord,
) -> AsyncIterator[AdapterFactory]:
    """Makes adapters against ``fake_discord`` with short timeouts; stops them afterwards.

    ``token`` overrides the fake's token; other keywords go to ``DiscordAdapter``.
    """
    made: list[DiscordAdapter] = []

    def make(**overrides: Any) -> DiscordAdapter:
        options: dict[str, Any] = {
            "command_specs": TEST_COMMAND_SPECS,
            "ready_timeout": 5.0,
            "guild_ready_timeout": 0.05,
            "stop_timeout": 2.0,
            "retry_backoff": 0.05,
            "reidentify_delay": 0.05,
        }
        token = overrides.pop("token", fake_discord.token)
        options.update(overrides)
        adapter = DiscordAdapter(token, **options)
        made.append(adapter)
        return adapter

    yield make
    for adapter in made:
        await adapter.stop()
