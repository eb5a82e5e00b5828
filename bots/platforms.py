"""Builds the platform adapters the settings ask for (Telegram, Discord, or both).

The command menus come from ``bots.command_catalog`` in every language Hearth writes:
Telegram gets one ``setMyCommands`` list per language (English as the default), Discord
one set of slash commands carrying the other languages as localisations. Command names
stay as they are (Latin) everywhere, as /help and the usage lines write them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from adapters.ports import IngestLedger, PlatformAdapter, StoredHistory
from bots.command_catalog import COMMANDS, CommandSpec, OptionSpec
from bots.settings import HearthSettings
from locales import Language, tr_marked, using

if TYPE_CHECKING:
    from adapters.discord import AutocompleteSource, SlashCommandSpec

DEFAULT_MENU_LANGUAGE: Language = "en"
"""The language of the menus shown where no localised one fits."""

TELEGRAM_MENU_LANGUAGES: tuple[str, ...] = ("zh",)
"""Telegram ``language_code``s with a command list of their own (beside the default,
English). Telegram matches the two-letter code, so ``zh-hans`` and ``zh-hant`` apps both
get it."""

DISCORD_LOCALES: tuple[str, ...] = ("zh-CN", "zh-TW")
"""Discord locales that get localised command texts (in ``language_of_locale``'s
language). Traditional Chinese apps (``zh-TW``) get the Simplified texts too, as Hearth's
replies to them are in Simplified Chinese as well."""

DISCORD_OPTION_NAMES: Mapping[Language, Mapping[str, str]] = {
    "zh": {"action": "操作", "code": "代码", "setting": "设置项", "value": "值", "days": "天数"},
}
"""Localised option names (Discord shows them as the fields' labels; the option still
arrives under its English name)."""


def telegram_menu(language: str = DEFAULT_MENU_LANGUAGE) -> list[tuple[str, str]]:
    """The ``(name, description)`` pairs of Telegram's command list in ``language`` (a
    ``Language`` or a Telegram ``language_code``)."""
    with using(language):
        return [(spec.name, tr_marked(spec.description)) for spec in COMMANDS]


def telegram_menus_by_language() -> dict[str, list[tuple[str, str]]]:
    """The command lists for ``setMyCommands`` with a ``language_code``."""
    return {code: telegram_menu(code) for code in TELEGRAM_MENU_LANGUAGES}


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
        bot_commands=telegram_menu(),
        bot_commands_by_language=telegram_menus_by_language(),
        admin_commands=[spec.name for spec in COMMANDS if spec.checks_admin],
        ledger=ledger,
    )


def discord_adapter(
    settings: HearthSettings, *, history: StoredHistory | None = None
) -> PlatformAdapter:
    """The Discord adapter with slash commands built from the command catalog; with
    ``history``, it recovers messages posted while it was not connected."""
    from adapters.discord import DiscordAdapter  # noqa: PLC0415 - optional platform

    assert settings.discord_bot_token is not None
    specs = discord_command_specs()
    return DiscordAdapter(
        settings.discord_bot_token.get_secret_value(),
        application_id=settings.discord_application_id,
        command_specs=specs,
        shard_count=settings.discord_shard_count,
        shard_ids=settings.discord_shards(),
        members_intent=settings.discord_members_intent,
        guild_ids_for_commands=settings.discord_guild_ids(),
        history=history,
        catch_up_max_messages=settings.discord_recovery_max_messages,
        catch_up_max_age=timedelta(days=settings.discord_recovery_max_days),
        api_url=settings.discord_api_url,
        gateway_url=settings.discord_gateway_url,
    )


def _localized(message: str) -> tuple[str, dict[str, str]]:
    """A catalog message in the default language, and by each Discord locale whose
    language has its own text."""
    with using(DEFAULT_MENU_LANGUAGE):
        default = tr_marked(message)
    localized: dict[str, str] = {}
    for locale in DISCORD_LOCALES:
        with using(locale):
            text = tr_marked(message)
        if text != default:
            localized[locale] = text
    return default, localized


def _option_names(name: str) -> dict[str, str]:
    localized: dict[str, str] = {}
    for locale in DISCORD_LOCALES:
        with using(locale) as language:
            names = DISCORD_OPTION_NAMES.get(language, {})
        if name in names:
            localized[locale] = names[name]
    return localized


def discord_command_specs() -> list[SlashCommandSpec]:
    """The slash commands, with their texts localised for ``DISCORD_LOCALES``."""
    from adapters.discord import (  # noqa: PLC0415 - optional platform
        AutocompleteQuery,
        SlashChoice,
        SlashCommandSpec,
        SlashOption,
    )

    def completer(suggest: Callable[[str], Sequence[str]]) -> AutocompleteSource:
        async def complete(query: AutocompleteQuery) -> Sequence[str]:
            return suggest(query.current)

        return complete

    def option(spec: OptionSpec) -> SlashOption:
        description, descriptions = _localized(spec.description)
        choices: list[SlashChoice] = []
        for value in spec.choices:
            name, names = _localized(spec.label_of(value))
            choices.append(SlashChoice(value, name, names))
        return SlashOption(
            spec.name,
            description,
            choices=tuple(choices),
            required=spec.required,
            autocomplete=completer(spec.suggest) if spec.suggest else None,
            name_localizations=_option_names(spec.name),
            description_localizations=descriptions,
        )

    def command(spec: CommandSpec) -> SlashCommandSpec:
        description, descriptions = _localized(spec.description)
        return SlashCommandSpec(
            spec.name,
            description,
            tuple(option(o) for o in spec.options),
            admin_only=spec.admin_only,
            ephemeral=spec.personal,
            description_localizations=descriptions,
        )

    return [command(spec) for spec in COMMANDS]
