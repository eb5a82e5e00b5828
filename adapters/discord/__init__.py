"""Discord adapter: discord.py gateway events in, neutral events out, replies back."""

from adapters.discord.commands import (
    AutocompleteQuery,
    AutocompleteSource,
    SlashChoice,
    SlashCommandSpec,
    SlashOption,
    SpecTranslator,
    build_app_command,
    commands_match,
)
from adapters.discord.discord_adapter import (
    DiscordAdapter,
    DiscordIntentsError,
    DiscordStartError,
    hearth_intents,
)
from adapters.discord.endpoints import DISCORD_API_URL, use_endpoints
from adapters.discord.event_converter import BotIdentity, EventConverter, permalink
from adapters.discord.reply_sender import DiscordReplySender, safe_mentions, split_text

__all__ = [
    "DISCORD_API_URL",
    "AutocompleteQuery",
    "AutocompleteSource",
    "BotIdentity",
    "DiscordAdapter",
    "DiscordIntentsError",
    "DiscordReplySender",
    "DiscordStartError",
    "EventConverter",
    "SlashChoice",
    "SlashCommandSpec",
    "SlashOption",
    "SpecTranslator",
    "build_app_command",
    "commands_match",
    "hearth_intents",
    "permalink",
    "safe_mentions",
    "split_text",
    "use_endpoints",
]
