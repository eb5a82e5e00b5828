"""Whether a Discord user may manage a server, from the member fetched over HTTP."""

from __future__ import annotations

import logging

import discord

from adapters.model import Chat, Member

logger = logging.getLogger(__name__)


async def discord_is_admin(
    client: discord.Client | None, chat: Chat, member: Member
) -> bool | None:
    """True for the server's owner and members with Manage Server or Administrator;
    False for others (and for a channel or user the server does not have); None when
    Discord could not be asked.

    The member (with their roles) is fetched fresh; the roles' permissions come from the
    gateway's copy of the server, which Discord keeps current.
    """
    if not chat.is_group:
        return False
    if client is None:
        return None
    try:
        channel_id, user_id = int(chat.platform_chat_id), int(member.platform_user_id)
    except ValueError:
        return False
    try:
        channel = client.get_channel(channel_id) or await client.fetch_channel(channel_id)
        guild = getattr(channel, "guild", None)
        if not isinstance(guild, discord.Guild):
            return False
        fetched = await guild.fetch_member(user_id)
    except (discord.NotFound, discord.Forbidden) as error:
        logger.info("Discord has no member %s in %s: %s", member, chat, error)
        return False
    except (discord.HTTPException, OSError, TimeoutError):
        logger.warning("could not ask Discord whether %s is an admin", member, exc_info=True)
        return None
    if guild.owner_id == fetched.id:
        return True
    permissions = fetched.guild_permissions
    return permissions.manage_guild or permissions.administrator
