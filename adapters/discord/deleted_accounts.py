"""How Discord shows an account that was deleted, in message authors.

Discord keeps a deleted account's messages and its id, but renames the account: since
unique usernames, to ``deleted_user_<hex>`` (discriminator ``0``, display name ``Deleted
User`` or none); before them, to ``Deleted User`` or ``Deleted User <hex>`` with the
discriminator ``0000``, which no living account was given. Neither name can be chosen by a
living account (unique usernames are lower case, without spaces), so the username decides;
a display name (``global_name``) of ``Deleted User`` proves nothing, anyone may pick it.

Shared by the live history reader (discord.py's ``User``) and the DiscordChatExporter
reader (its JSON ``author``); it needs no discord.py.
"""

from __future__ import annotations

import re

_NEW_NAME = re.compile(r"deleted_user_[0-9a-f]{6,}")
_LEGACY_NAME = re.compile(r"Deleted User(?: [0-9a-f]{6,})?")
_LEGACY_DISCRIMINATORS = frozenset({"0000", "0"})


def is_deleted_account(username: str | None, discriminator: str | None, *, bot: bool) -> bool:
    """Whether an author with this username and discriminator is a deleted account."""
    if bot or not username:
        return False
    if _NEW_NAME.fullmatch(username) is not None:
        return True
    return (
        _LEGACY_NAME.fullmatch(username) is not None
        and (discriminator or "0") in _LEGACY_DISCRIMINATORS
    )
