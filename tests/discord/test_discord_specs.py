"""Slash command specs, the payloads built from them, and the registration comparison."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord import app_commands

from adapters.discord import SlashCommandSpec, SlashOption, build_app_command, commands_match
from adapters.discord.event_converter import permalink


async def _ignore_invoke(*_args: Any) -> None:
    return None


async def _no_suggestions(*_args: Any) -> list[app_commands.Choice[str]]:
    return []


def _payloads(*specs: SlashCommandSpec) -> list[dict[str, Any]]:
    client = discord.Client(intents=discord.Intents.none())
    tree = app_commands.CommandTree(client)
    for spec in specs:
        tree.add_command(build_app_command(spec, _ignore_invoke, _no_suggestions))
    return [command.to_dict(tree) for command in tree.get_commands()]


def test_spec_defaults_and_validation() -> None:
    assert SlashCommandSpec("forget", "Forget me").ephemeral is True
    assert SlashCommandSpec("settings", "Settings", admin_only=True).ephemeral is False
    assert SlashCommandSpec("settings", "Settings", admin_only=True, ephemeral=True).ephemeral
    assert SlashCommandSpec.admin("settings", "Settings").admin_only

    with pytest.raises(ValueError, match="invalid command name"):
        SlashCommandSpec("Twin", "Upper case is not allowed")
    with pytest.raises(ValueError, match="follows an optional one"):
        SlashCommandSpec(
            "x", "d", (SlashOption("a", "first", required=False), SlashOption("b", "second"))
        )
    with pytest.raises(ValueError, match="must all be int"):
        SlashOption("n", "number", type="int", choices=("1",))
    with pytest.raises(ValueError, match="invalid option name"):
        SlashOption("two-words", "not an identifier")
    with pytest.raises(ValueError, match="duplicate"):
        SlashCommandSpec("x", "d", (SlashOption("a", "one"), SlashOption("a", "two")))


def test_payload_has_typed_options() -> None:
    [payload] = _payloads(
        SlashCommandSpec(
            "remind",
            "Set a reminder",
            (
                SlashOption("what", "About what"),
                SlashOption("minutes", "In how many minutes", type="int", choices=(5, 10)),
                SlashOption("note", "A note", required=False),
            ),
            admin_only=True,
        )
    )
    assert payload["default_member_permissions"] == discord.Permissions(manage_guild=True).value
    assert [(o["name"], o["type"], o["required"]) for o in payload["options"]] == [
        ("what", 3, True),
        ("minutes", 4, True),
        ("note", 3, False),
    ]
    assert payload["options"][1]["choices"] == [
        {"name": "5", "value": 5},
        {"name": "10", "value": 10},
    ]


def test_registered_commands_match_despite_discord_additions() -> None:
    wanted = _payloads(
        SlashCommandSpec("twin", "Twin", (SlashOption("action", "What", choices=("on", "off")),)),
        SlashCommandSpec("settings", "Settings", admin_only=True),
    )
    from_discord: list[dict[str, Any]] = [
        {
            "id": "1",
            "application_id": "2",
            "version": "3",
            "type": 1,
            "name": "settings",
            "description": "Settings",
            "default_member_permissions": "32",
            "dm_permission": True,
            "nsfw": False,
            "contexts": [0, 1, 2],
            "integration_types": [0],
            "name_localizations": None,
        },
        {
            "id": "4",
            "application_id": "2",
            "version": "5",
            "type": 1,
            "name": "twin",
            "description": "Twin",
            "default_member_permissions": None,
            "options": [
                {
                    "type": 3,
                    "name": "action",
                    "description": "What",
                    "required": True,
                    "choices": [{"name": "on", "value": "on"}, {"name": "off", "value": "off"}],
                }
            ],
        },
    ]
    assert commands_match(wanted, from_discord)

    one_choice = dict(from_discord[1]["options"][0], choices=[{"name": "on", "value": "on"}])
    renamed_choice = [from_discord[0], dict(from_discord[1], options=[one_choice])]
    assert not commands_match(wanted, renamed_choice)
    assert not commands_match(wanted, from_discord[:1])
    public_settings = [dict(from_discord[0], default_member_permissions=None), from_discord[1]]
    assert not commands_match(wanted, public_settings)


def test_permalink() -> None:
    assert permalink(1, 2, 3) == "https://discord.com/channels/1/2/3"
    assert permalink(None, 2, 3) == "https://discord.com/channels/@me/2/3"
