"""Slash commands: neutral specs, the discord.py commands built from them, and sync checks.

Specs may carry localised texts per Discord locale (``zh-CN``…): option names, command
and option descriptions, and choice names. They reach Discord through discord.py's
translator (``SpecTranslator`` reads them back from the ``locale_str`` extras), so the
registered commands carry ``name_localizations`` / ``description_localizations``; the
command names themselves are never localised, and an interaction always arrives under
the canonical names.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Optional

import discord
from discord import app_commands

from adapters.model import Chat, Member

OptionType = Literal["str", "int"]

_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_OPTION_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_MAX_CHOICES = 25
_MAX_DESCRIPTION = 100
_MAX_CHOICE_NAME = 100
_NAME_MARKS = frozenset("-_'")

Localizations = Mapping[str, str]
"""Texts by Discord locale code (``zh-CN``, ``zh-TW``…)."""

ADMIN_PERMISSIONS = discord.Permissions(manage_guild=True)
"""Who sees admin-only commands by default: members with Manage Server."""


@dataclass(frozen=True, slots=True)
class AutocompleteQuery:
    """What a member typed so far into an option that offers suggestions."""

    current: str
    chat: Chat
    member: Member


AutocompleteSource = Callable[[AutocompleteQuery], Awaitable[Sequence[str]]]
"""Suggests values for an option; at most 25 are shown, each cut to 100 characters."""


def _check_locales(what: str, localizations: Localizations) -> None:
    for code in localizations:
        try:
            discord.Locale(code)
        except ValueError:
            raise ValueError(f"{what}: {code!r} is not a Discord locale") from None


def _check_localized_texts(what: str, localizations: Localizations, limit: int) -> None:
    _check_locales(what, localizations)
    for code, text in localizations.items():
        if not 1 <= len(text) <= limit:
            raise ValueError(f"{what}: the {code} text needs 1-{limit} characters")


def _check_localized_names(what: str, localizations: Localizations) -> None:
    """Discord's rule for localised names: 1-32 letters, digits, ``-``, ``_`` or ``'``,
    in lower case where the script has cases."""
    _check_locales(what, localizations)
    for code, name in localizations.items():
        valid = (
            1 <= len(name) <= 32
            and all(char.isalnum() or char in _NAME_MARKS for char in name)
            and name == name.lower()
        )
        if not valid:
            raise ValueError(f"{what}: invalid {code} name {name!r}")


@dataclass(frozen=True, slots=True)
class SlashChoice:
    """A fixed choice shown by ``name`` (localised by ``name_localizations``); the value
    sent with the command is ``value``."""

    value: str | int
    name: str
    name_localizations: Localizations = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not 1 <= len(self.name) <= _MAX_CHOICE_NAME:
            raise ValueError(f"choice {self.value!r} needs a name of 1-100 characters")
        _check_localized_texts(f"choice {self.value!r}", self.name_localizations, _MAX_CHOICE_NAME)


def _choice_value(choice: str | int | SlashChoice) -> str | int:
    return choice.value if isinstance(choice, SlashChoice) else choice


@dataclass(frozen=True, slots=True)
class SlashOption:
    """One typed option of a slash command, such as ``action`` of ``/twin``.

    ``name`` must be lowercase letters, digits and underscores (starting with a letter).
    ``choices`` restricts the value to a fixed list (a plain value is shown as-is, a
    ``SlashChoice`` by its name); ``autocomplete`` suggests values while typing instead
    (the two cannot be combined). ``name_localizations`` and
    ``description_localizations`` are the option's texts per Discord locale.
    """

    name: str
    description: str
    type: OptionType = "str"
    required: bool = True
    choices: tuple[str | int | SlashChoice, ...] = ()
    autocomplete: AutocompleteSource | None = None
    name_localizations: Localizations = field(default_factory=dict, hash=False)
    description_localizations: Localizations = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not _OPTION_NAME.fullmatch(self.name):
            raise ValueError(f"invalid option name {self.name!r}")
        if not 1 <= len(self.description) <= _MAX_DESCRIPTION:
            raise ValueError(f"option {self.name!r} needs a description of 1-100 characters")
        if self.type not in ("str", "int"):
            raise ValueError(f"option {self.name!r} has unsupported type {self.type!r}")
        if len(self.choices) > _MAX_CHOICES:
            raise ValueError(f"option {self.name!r} has more than {_MAX_CHOICES} choices")
        expected = str if self.type == "str" else int
        if any(type(_choice_value(choice)) is not expected for choice in self.choices):
            raise ValueError(f"choices of option {self.name!r} must all be {self.type}")
        _check_localized_names(f"option {self.name!r}", self.name_localizations)
        _check_localized_texts(
            f"option {self.name!r}", self.description_localizations, _MAX_DESCRIPTION
        )
        if self.choices and self.autocomplete is not None:
            raise ValueError(f"option {self.name!r} cannot have both choices and autocomplete")
        if self.autocomplete is not None and self.type != "str":
            raise ValueError(f"option {self.name!r}: autocomplete needs a str option")


@dataclass(frozen=True, slots=True)
class SlashCommandSpec:
    """A slash command Hearth registers on Discord.

    ``admin_only`` hides the command from members without Manage Server by default (server
    admins can change that in the server's integration settings, so the application must
    still check ``Command.sender_is_admin``). ``ephemeral`` makes the acknowledgement and
    the answer visible only to the member who used the command; left out, it is the
    opposite of ``admin_only`` (personal commands answer privately, admin commands in
    public). ``description_localizations`` are the description per Discord locale (the
    name stays as it is in every language).
    """

    name: str
    description: str
    options: tuple[SlashOption, ...] = ()
    admin_only: bool = False
    ephemeral: bool | None = None
    description_localizations: Localizations = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.ephemeral is None:
            object.__setattr__(self, "ephemeral", not self.admin_only)
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"invalid command name {self.name!r}")
        if not 1 <= len(self.description) <= _MAX_DESCRIPTION:
            raise ValueError(f"command {self.name!r} needs a description of 1-100 characters")
        _check_localized_texts(
            f"command {self.name!r}", self.description_localizations, _MAX_DESCRIPTION
        )
        names = [option.name for option in self.options]
        if len(set(names)) != len(names):
            raise ValueError(f"command {self.name!r} has duplicate option names")
        seen_optional = False
        for option in self.options:
            if option.required and seen_optional:
                raise ValueError(
                    f"command {self.name!r}: required option {option.name!r} "
                    "follows an optional one"
                )
            seen_optional = seen_optional or not option.required

    @classmethod
    def personal(cls, name: str, description: str, *options: SlashOption) -> SlashCommandSpec:
        """A command a member uses about themselves: visible to all, answered privately."""
        return cls(name, description, tuple(options), admin_only=False, ephemeral=True)

    @classmethod
    def admin(cls, name: str, description: str, *options: SlashOption) -> SlashCommandSpec:
        """A chat setting for admins: shown to Manage Server by default, answered publicly."""
        return cls(name, description, tuple(options), admin_only=True, ephemeral=False)


SlashInvocation = Callable[
    [SlashCommandSpec, discord.Interaction[Any], Mapping[str, Any]], Awaitable[None]
]
"""Called when a member runs a command, with the option values by name."""

AutocompleteInvocation = Callable[
    [SlashOption, discord.Interaction[Any], str], Awaitable[list[app_commands.Choice[str]]]
]
"""Called while a member types into an option with an autocomplete source."""


def build_app_command(
    spec: SlashCommandSpec,
    on_invoke: SlashInvocation,
    on_autocomplete: AutocompleteInvocation,
) -> app_commands.Command[Any, ..., None]:
    """The discord.py command for ``spec``; running it calls ``on_invoke``.

    The callback's signature is built from the spec's options (discord.py reads the option
    types from it), so no command needs its own decorated function.
    """

    async def callback(interaction: discord.Interaction[Any], **values: Any) -> None:
        await on_invoke(spec, interaction, values)

    parameters = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
    ]
    for option in spec.options:
        python_type: type[Any] = str if option.type == "str" else int
        parameters.append(
            inspect.Parameter(
                option.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=python_type if option.required else Optional[python_type],  # noqa: UP045
                default=inspect.Parameter.empty if option.required else None,
            )
        )
    callback.__dict__["__signature__"] = inspect.Signature(parameters)
    callback.__qualname__ = callback.__name__ = f"slash_{spec.name}"
    callback.__doc__ = None

    if spec.options:
        app_commands.describe(
            **{
                option.name: _localized(option.description, option.description_localizations)
                for option in spec.options
            }
        )(callback)
        renamed = {
            option.name: _localized(option.name, option.name_localizations)
            for option in spec.options
            if option.name_localizations
        }
        if renamed:
            app_commands.rename(**renamed)(callback)
    choices = {
        option.name: [_app_choice(choice) for choice in option.choices]
        for option in spec.options
        if option.choices
    }
    if choices:
        app_commands.choices(**choices)(callback)
    completers = {
        option.name: _completer(option, on_autocomplete)
        for option in spec.options
        if option.autocomplete is not None
    }
    if completers:
        app_commands.autocomplete(**completers)(callback)

    command: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=spec.name,
        description=_localized(spec.description, spec.description_localizations),
        callback=callback,
        extras={"hearth_spec": spec},
    )
    if spec.admin_only:
        command.default_permissions = ADMIN_PERMISSIONS
    return command


class SpecTranslator(app_commands.Translator):
    """Gives discord.py the localised texts the specs carry (in ``locale_str`` extras)."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        localizations = string.extras.get("localizations")
        if not isinstance(localizations, Mapping):
            return None
        text = localizations.get(locale.value)
        return text if isinstance(text, str) else None


def _localized(text: str, localizations: Localizations) -> app_commands.locale_str:
    return app_commands.locale_str(text, localizations=dict(localizations))


def _app_choice(choice: str | int | SlashChoice) -> app_commands.Choice[Any]:
    if isinstance(choice, SlashChoice):
        return app_commands.Choice(
            name=_localized(choice.name, choice.name_localizations), value=choice.value
        )
    return app_commands.Choice(name=str(choice), value=choice)


def _completer(
    option: SlashOption, on_autocomplete: AutocompleteInvocation
) -> Callable[[discord.Interaction[Any], str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]:
    async def complete(
        interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await on_autocomplete(option, interaction, current)

    return complete


# -- comparing registered commands ----------------------------------------------------------

_OPTION_LIMIT_KEYS = ("min_value", "max_value", "min_length", "max_length")


def _localizations(payload: Mapping[str, Any], key: str) -> list[tuple[str, str]]:
    """A payload's localisation dict as sorted pairs (absent, null and empty are alike)."""
    return sorted((payload.get(key) or {}).items())


def _normalise_option(option: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "type": int(option.get("type", 3)),
        "name": option["name"],
        "name_localizations": _localizations(option, "name_localizations"),
        "description": option.get("description", ""),
        "description_localizations": _localizations(option, "description_localizations"),
        "required": bool(option.get("required", False)),
        "choices": [
            (choice["name"], choice["value"], _localizations(choice, "name_localizations"))
            for choice in option.get("choices") or []
        ],
        "autocomplete": bool(option.get("autocomplete", False)),
        "channel_types": sorted(option.get("channel_types") or []),
        "options": [_normalise_option(inner) for inner in option.get("options") or []],
    }
    for key in _OPTION_LIMIT_KEYS:
        result[key] = option.get(key)
    return result


def normalise_command(command: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a command payload that matter when deciding whether to re-register.

    Works on both what Hearth sends and what Discord returns (which adds ids and versions,
    and reports permissions as a string); Discord's answer must carry the localisation
    dicts (fetched ``with_localizations``).
    """
    permissions = command.get("default_member_permissions")
    return {
        "name": command["name"],
        "name_localizations": _localizations(command, "name_localizations"),
        "type": int(command.get("type", 1)),
        "description": command.get("description", ""),
        "description_localizations": _localizations(command, "description_localizations"),
        "options": [_normalise_option(option) for option in command.get("options") or []],
        "default_member_permissions": None if permissions is None else str(permissions),
        "nsfw": bool(command.get("nsfw", False)),
    }


def _sorted_or_none(value: Any) -> list[Any] | None:
    return None if value is None else sorted(value)


def commands_match(
    wanted: Sequence[Mapping[str, Any]], registered: Sequence[Mapping[str, Any]]
) -> bool:
    """Whether ``registered`` (from Discord) already matches the ``wanted`` payloads.

    ``contexts`` and ``integration_types`` are compared only where Hearth sets them, since
    Discord fills in defaults for the rest.
    """
    if len(wanted) != len(registered):
        return False
    remote = {command["name"]: command for command in registered}
    for command in wanted:
        existing = remote.get(command["name"])
        if existing is None or normalise_command(command) != normalise_command(existing):
            return False
        for key in ("contexts", "integration_types"):
            if command.get(key) is not None and _sorted_or_none(
                command.get(key)
            ) != _sorted_or_none(existing.get(key)):
                return False
    return True
