"""The commands Hearth understands: usage lines for /help and typed options for menus.

Platforms with typed commands (Discord's slash commands) build them from these
specs; text platforms (Telegram) list name and description and parse the words.
Descriptions, usage lines and option texts are catalog messages kept in English
(marked with ``N_``) and shown with ``tr_marked`` in the language in use; the Chinese
usage lines name the Chinese command words members may type (``bots.command_words``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bots.schedule_suggestions import suggest_digest_actions, suggest_intro_actions
from locales import N_, format_list, tr, tr_marked


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """One typed option of a command; its value arrives as the next word of the args.

    ``description`` and ``choice_labels`` are English catalog messages (``N_``): show
    them with ``tr_marked``. ``choice_labels`` name the ``choices`` in menus (the value
    sent is still the choice itself); left out, a choice is shown as it is.
    """

    name: str
    description: str
    choices: tuple[str, ...] = ()
    required: bool = True
    suggest: Callable[[str], Sequence[str]] | None = None
    """Values to suggest while the member types (platforms with autocomplete show them)."""
    choice_labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.choice_labels and len(self.choice_labels) != len(self.choices):
            raise ValueError(f"option {self.name!r} needs one label per choice")

    def label_of(self, choice: str) -> str:
        """The English label of ``choice`` (a catalog message, or the choice itself)."""
        if self.choice_labels:
            return self.choice_labels[self.choices.index(choice)]
        return choice


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command: name, description, usage line and options.

    ``description`` and ``usage`` are English catalog messages (``N_``): show them with
    ``tr_marked``. ``admin_only`` commands change a chat for everyone and need the
    platform's admin right; ``personal`` ones are about the caller and are answered
    privately where the platform can.
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
        N_("Your twin: on/off, status, pause, draft mode, scope, being suggested, its answers"),
        N_(
            "/twin on | off | status | profile [set <about you>|reset] | log | pause 2h | "
            "resume | mode draft|auto | scope chat|all | suggest on|off | confirm N | "
            "correct N <answer> | delete N | approve N | discard N"
        ),
        options=(
            OptionSpec(
                "action",
                N_("on, off, status, log, pause 2h, resume, mode draft, scope all, suggest off…"),
            ),
        ),
    ),
    CommandSpec("forget", N_("Delete everything Hearth stored about you in this chat"), "/forget"),
    CommandSpec(
        "link",
        N_("Link your accounts on two platforms: get a code, or enter one"),
        N_("/link (get a code) | /link CODE (enter a code from the other platform)"),
        options=(
            OptionSpec("code", N_("A code from /link on the other platform"), required=False),
        ),
    ),
    CommandSpec("unlink", N_("Unlink this account from your other platforms"), "/unlink"),
    CommandSpec(
        "web", N_("Your Hearth page in a browser: get a private one-time sign-in link"), "/web"
    ),
    CommandSpec(
        "settings",
        N_("Admins: show or change this chat's twin and assistant settings"),
        N_(
            "/settings | /settings twins on|off | /settings absence MINUTES | "
            "/settings assistant on|off | /settings language auto|en|zh"
        ),
        options=(
            OptionSpec(
                "setting",
                N_("twins, absence, assistant or language"),
                ("twins", "absence", "assistant", "language"),
                required=False,
                choice_labels=(
                    N_("twins (on/off)"),
                    N_("absence (minutes of quiet)"),
                    N_("assistant (on/off)"),
                    N_("language (auto/en/zh)"),
                ),
            ),
            OptionSpec(
                "value",
                N_("on/off, minutes of quiet before twins answer, or auto/en/zh"),
                required=False,
            ),
        ),
        admin_only=True,
        personal=False,
    ),
    CommandSpec(
        "digest",
        N_("Admins: digests now, as a preview, or on a schedule; anyone: your own (me daily)"),
        N_(
            "/digest now | preview | status | daily 09:00 | weekly mon 18:00 | every 12h | "
            "tz Asia/Shanghai | off | quiet skip|line — your own by DM: /digest me daily "
            "[07:30] | me tz Asia/Shanghai | me off | me now | me status"
        ),
        options=(
            OptionSpec(
                "action",
                N_(
                    "me daily 08:00, me now, me status; admins: now, preview, daily 09:00, "
                    "tz …, off"
                ),
                suggest=suggest_digest_actions,
            ),
        ),
        personal=False,
        admin_actions=True,
    ),
    CommandSpec(
        "intros",
        N_("Introductions: take part (me on), snooze, avoid someone; admins set how often"),
        N_(
            "/intros me on|off|status|snooze 2w|wake|avoid @name|allow @name | status | "
            "weekly | biweekly | monthly | off | now | tz Asia/Shanghai | post group|dm"
        ),
        options=(
            OptionSpec(
                "action",
                N_("me on, me off, me snooze 2w, me avoid @name, status; admins: weekly, now, off"),
                suggest=suggest_intro_actions,
            ),
        ),
        personal=False,
        admin_actions=True,
    ),
    CommandSpec(
        "import",
        N_("Admins: import this channel's earlier messages (Discord), or how to on Telegram"),
        N_("/import history [days] | /import status | /import cancel"),
        options=(
            OptionSpec(
                "action",
                N_("history, status or cancel"),
                ("history", "status", "cancel"),
                choice_labels=(
                    N_("history (read earlier messages)"),
                    N_("status (how far it got)"),
                    N_("cancel (stop reading)"),
                ),
            ),
            OptionSpec(
                "days", N_("How many days back to read: 1 to 365 (default 30)"), required=False
            ),
        ),
        admin_only=True,
        personal=False,
    ),
    CommandSpec("help", N_("What Hearth does and its commands"), "/help", personal=False),
)

COMMANDS_BY_NAME = {spec.name: spec for spec in COMMANDS}


def help_text() -> str:
    """The text of /help, in the language in use."""
    lines = [
        tr(
            "Hearth remembers this group's messages. If you opt in, your twin answers "
            "@-mentions while you are away, clearly labelled, quoting only what you said "
            'here. Ask Hearth itself with @hearth: "@hearth what did we decide about friday '
            'dinner?", "@hearth who here knows about sourdough?", "@hearth what did I miss?"'
        ),
        "",
    ]
    lines += [f"{usage(spec)} — {tr_marked(spec.description)}" for spec in COMMANDS]
    return "\n".join(lines)


def usage(spec: CommandSpec) -> str:
    """The usage line of ``spec`` in the language in use (with its command words)."""
    return tr_marked(spec.usage)


def usage_hint(name: str) -> str:
    """A one-line hint for a malformed or unknown command, in the language in use."""
    spec = COMMANDS_BY_NAME.get(name)
    if spec is None:
        known = format_list([f"/{s.name}" for s in COMMANDS])
        return tr("Unknown command /{name}. Try {known}.", name=name, known=known)
    return tr("Usage: {usage}", usage=usage(spec))
