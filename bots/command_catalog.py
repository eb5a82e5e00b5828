"""The commands Hearth understands: usage lines for /help and typed options for menus.

Platforms with typed commands (Discord's slash commands) build them from these
specs; text platforms (Telegram) list name and description and parse the words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bots.schedule_suggestions import suggest_digest_actions, suggest_intro_actions


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """One typed option of a command; its value arrives as the next word of the args."""

    name: str
    description: str
    choices: tuple[str, ...] = ()
    required: bool = True
    suggest: Callable[[str], Sequence[str]] | None = None
    """Values to suggest while the member types (platforms with autocomplete show them)."""


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command: name, description, usage line and options.

    ``admin_only`` commands change a chat for everyone and need the platform's
    admin right; ``personal`` ones are about the caller and are answered privately
    where the platform can.
    """

    name: str
    description: str
    usage: str
    options: tuple[OptionSpec, ...] = ()
    admin_only: bool = False
    personal: bool = True
    admin_actions: bool = False
    """Some of its actions are for admins only (the platform is asked who is an admin)."""

    @property
    def checks_admin(self) -> bool:
        """Whether the platform must report the sender's admin right with this command."""
        return self.admin_only or self.admin_actions


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "twin",
        "Your twin: on/off, status, pause, draft mode, scope, being suggested, its answers",
        "/twin on | off | status | profile [set <about you>|reset] | log | pause 2h | resume | "
        "mode draft|auto | scope chat|all | suggest on|off | confirm N | correct N <answer> | "
        "delete N | approve N | discard N",
        options=(
            OptionSpec(
                "action",
                "on, off, status, log, pause 2h, resume, mode draft, scope all, suggest off…",
            ),
        ),
    ),
    CommandSpec("forget", "Delete everything Hearth stored about you in this chat", "/forget"),
    CommandSpec(
        "link",
        "Link your accounts on two platforms: get a code, or enter one",
        "/link (get a code) | /link CODE (enter a code from the other platform)",
        options=(OptionSpec("code", "A code from /link on the other platform", required=False),),
    ),
    CommandSpec("unlink", "Unlink this account from your other platforms", "/unlink"),
    CommandSpec(
        "settings",
        "Admins: show or change this chat's twin and assistant settings",
        "/settings | /settings twins on|off | /settings absence MINUTES | "
        "/settings assistant on|off | /settings language auto|en|zh",
        options=(
            OptionSpec(
                "setting",
                "twins, absence, assistant or language",
                ("twins", "absence", "assistant", "language"),
                required=False,
            ),
            OptionSpec(
                "value",
                "on/off, minutes of quiet before twins answer, or auto/en/zh",
                required=False,
            ),
        ),
        admin_only=True,
        personal=False,
    ),
    CommandSpec(
        "digest",
        "Admins: digests now, as a preview, or on a schedule; anyone: your own (me daily)",
        "/digest now | preview | status | daily 09:00 | weekly mon 18:00 | every 12h | "
        "tz Asia/Shanghai | off | quiet skip|line — your own by DM: /digest me daily [07:30] | "
        "me tz Asia/Shanghai | me off | me now | me status",
        options=(
            OptionSpec(
                "action",
                "me daily 08:00, me now, me status; admins: now, preview, daily 09:00, tz …, off",
                suggest=suggest_digest_actions,
            ),
        ),
        personal=False,
        admin_actions=True,
    ),
    CommandSpec(
        "intros",
        "Introductions: take part (me on), snooze, avoid someone; admins set how often",
        "/intros me on|off|status|snooze 2w|wake|avoid @name|allow @name | status | "
        "weekly | biweekly | monthly | off | now | tz Asia/Shanghai | post group|dm",
        options=(
            OptionSpec(
                "action",
                "me on, me off, me snooze 2w, me avoid @name, status; admins: weekly, now, off",
                suggest=suggest_intro_actions,
            ),
        ),
        personal=False,
        admin_actions=True,
    ),
    CommandSpec("help", "What Hearth does and its commands", "/help", personal=False),
)

COMMANDS_BY_NAME = {spec.name: spec for spec in COMMANDS}


def help_text() -> str:
    """The text of /help."""
    lines = [
        "Hearth remembers this group's messages. If you opt in, your twin answers "
        "@-mentions while you are away, clearly labelled, quoting only what you said here. "
        'Ask Hearth itself with @hearth: "@hearth what did we decide about friday dinner?", '
        '"@hearth who here knows about sourdough?", "@hearth what did I miss?"',
        "",
    ]
    lines += [f"{spec.usage} — {spec.description}" for spec in COMMANDS]
    return "\n".join(lines)


def usage_hint(name: str) -> str:
    """A one-line hint for a malformed or unknown command."""
    spec = COMMANDS_BY_NAME.get(name)
    if spec is None:
        known = ", ".join(f"/{s.name}" for s in COMMANDS)
        return f"Unknown command /{name}. Try {known}."
    return f"Usage: {spec.usage}"
