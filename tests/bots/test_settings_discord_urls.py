"""DISCORD_API_URL / DISCORD_GATEWAY_URL are read, checked and reach the adapter."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bots.settings import HearthSettings


def settings(**env: str) -> HearthSettings:
    return HearthSettings(_env_file=None, **env)  # type: ignore[call-arg]


def test_unset_urls_leave_discord_own() -> None:
    plain = settings(DISCORD_API_URL="", DISCORD_GATEWAY_URL=" ")
    assert plain.discord_api_url is None
    assert plain.discord_gateway_url is None


def test_urls_are_normalised() -> None:
    proxied = settings(
        DISCORD_API_URL=" http://ratelimit.internal:8080/api/v10/ ",
        DISCORD_GATEWAY_URL=" wss://gateway.example.org/ ",
    )
    assert proxied.discord_api_url == "http://ratelimit.internal:8080/api/v10"
    assert proxied.discord_gateway_url == "wss://gateway.example.org/"  # the path is kept


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"DISCORD_API_URL": "ratelimit.internal:8080"}, "DISCORD_API_URL must be a http/https"),
        ({"DISCORD_API_URL": "wss://gateway.discord.gg"}, "DISCORD_API_URL must be"),
        (
            {"DISCORD_GATEWAY_URL": "https://discord.com/api"},
            "DISCORD_GATEWAY_URL must be a ws/wss",
        ),
        ({"DISCORD_GATEWAY_URL": "ws://"}, "DISCORD_GATEWAY_URL must be"),
    ],
)
def test_bad_urls_are_refused_with_the_setting_named(env: dict[str, str], says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        settings(**env)
