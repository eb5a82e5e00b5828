"""Looking up the Discord channels whose history Hearth reads, and whether it may."""

from __future__ import annotations

import discord

HistoryChannel = discord.TextChannel | discord.Thread | discord.VoiceChannel | discord.StageChannel
"""The channels whose history Hearth reads (and whose messages it stores)."""


async def lookup_channel(client: discord.Client, channel_id: int) -> object:
    """The channel from discord.py's cache, else fetched from Discord.

    Threads archived while Hearth was away are not in the cache. Raises discord.py's
    ``NotFound`` or ``Forbidden`` when the channel is gone or closed to Hearth.
    """
    channel: object = client.get_channel(channel_id)
    if channel is None:
        channel = await client.fetch_channel(channel_id)
    return channel


def can_read_history(channel: HistoryChannel) -> bool:
    """Whether the bot may see ``channel`` and read its history (``True`` when unknown)."""
    me = channel.guild.me
    if me is None:
        return True  # not known yet: try, and let Discord say no
    try:
        permissions = channel.permissions_for(me)
    except discord.ClientException:  # a thread whose parent is not cached
        return True
    return permissions.view_channel and permissions.read_message_history
