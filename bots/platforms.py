"""Builds the platform adapters the settings ask for (Telegram, Discord, or both)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from adapters.ports import IngestLedger, PlatformAdapter, StoredHistory
from bots.command_catalog import COMMANDS
from bots.settings import HearthSettings


def platform_adapters(
    settings: HearthSettings,
    *,
    ledger: IngestLedger | None = None,
    history: StoredHistory | None = None,
) -> list[PlatformAdapter]:
    """One adapter per platform with a token (none without tokens).

    ``ledger`` keeps the adapters' positions in their update streams and the updates
    they had to skip, and ``history`` (Hearth's storage) lets adapters recover what was
    missed while disconnected; both are the application's database (none when absent).
    """
    adapters: list[PlatformAdapter] = []
    if settings.telegram_bot_token is not None:
        adapters.append(telegram_adapter(settings, ledger))
    if settings.discord_bot_token is not None:
        adapters.append(discord_adapter(settings, history=history))
    return adapters


def telegram_adapter(
    settings: HearthSettings, ledger: IngestLedger | None = None
) -> PlatformAdapter:
    """The Telegram adapter, configured from the settings."""
    from adapters.telegram import TelegramAdapter  # noqa: PLC0415 - optional platform

    assert settings.telegram_bot_token is not None
    secret = settings.telegram_webhook_secret
    return TelegramAdapter(
        token=settings.telegram_bot_token.get_secret_value(),
        api_base_url=settings.telegram_api_url,
        mode=settings.telegram_mode,
        webhook_url=settings.telegram_webhook_url,
        webhook_listen=settings.telegram_webhook_listen,
        webhook_port=settings.telegram_webhook_port,
        webhook_secret=secret.get_secret_value() if secret else None,
        poll_timeout=settings.telegram_poll_timeout,
        bot_commands=[(spec.name, spec.description) for spec in COMMANDS],
        admin_commands=[spec.name for spec in COMMANDS if spec.checks_admin],
        ledger=ledger,
    )


def discord_adapter(
    settings: HearthSettings, *, history: StoredHistory | None = None
) -> PlatformAdapter:
    """The Discord adapter with slash commands built from the command catalog; with
    ``history``, it recovers messages posted while it was not connected."""
    from adapters.discord import (  # noqa: PLC0415 - optional platform
        AutocompleteQuery,
        AutocompleteSource,
        DiscordAdapter,
        SlashCommandSpec,
        SlashOption,
    )

    assert settings.discord_bot_token is not None

    def completer(suggest: Callable[[str], Sequence[str]]) -> AutocompleteSource:
        async def complete(query: AutocompleteQuery) -> Sequence[str]:
            return suggest(query.current)

        return complete

    specs = [
        SlashCommandSpec(
            spec.name,
            spec.description,
            tuple(
                SlashOption(
                    o.name,
                    o.description,
                    choices=o.choices,
                    required=o.required,
                    autocomplete=completer(o.suggest) if o.suggest else None,
                )
                for o in spec.options
            ),
            admin_only=spec.admin_only,
            ephemeral=spec.personal,
        )
        for spec in COMMANDS
    ]
    return DiscordAdapter(
        settings.discord_bot_token.get_secret_value(),
        application_id=settings.discord_application_id,
        command_specs=specs,
        shard_count=settings.discord_shard_count,
        guild_ids_for_commands=settings.discord_guild_ids(),
        history=history,
        catch_up_max_messages=settings.discord_recovery_max_messages,
        catch_up_max_age=timedelta(days=settings.discord_recovery_max_days),
    )
