"""Which message authors are deleted Discord accounts (one rule for the API and exports)."""

from __future__ import annotations

import pytest

from adapters.discord.deleted_accounts import is_deleted_account


@pytest.mark.parametrize(
    ("username", "discriminator"),
    [
        ("deleted_user_3f9a1c2b7d4e", "0"),  # since unique usernames
        ("deleted_user_3f9a1c2b7d4e", "0000"),  # as DiscordChatExporter writes it
        ("Deleted User", "0000"),  # before them
        ("Deleted User 4f6a8c12", "0000"),
        ("Deleted User", "0"),
    ],
)
def test_deleted_accounts(username: str, discriminator: str) -> None:
    assert is_deleted_account(username, discriminator, bot=False)


@pytest.mark.parametrize(
    ("username", "discriminator", "bot"),
    [
        ("deleted_user_fan", "0", False),  # a name anyone could take: not hex
        ("deleted_user_3f9a1c2b7d4e_2", "0", False),
        ("Deleted User", "1234", False),  # a living legacy account so named
        ("Deleted Users", "0000", False),
        ("deleted_user_3f9a1c2b7d4e", "0", True),  # a bot is never a deleted person
        ("alice", "0", False),
        ("", "0", False),
        (None, None, False),
    ],
)
def test_living_accounts(username: str | None, discriminator: str | None, bot: bool) -> None:
    assert not is_deleted_account(username, discriminator, bot=bot)
