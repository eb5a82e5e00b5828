"""The commands Hearth understands, with their usage lines, for /help and platform menus."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command: its name, a one-line description and its usage."""

    name: str
    description: str
    usage: str


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "twin",
        "Your twin in this chat: on, off or status",
        "/twin on | /twin off | /twin status",
    ),
    CommandSpec("forget", "Delete everything Hearth stored about you in this chat", "/forget"),
    CommandSpec("help", "What Hearth does and its commands", "/help"),
)

COMMANDS_BY_NAME = {spec.name: spec for spec in COMMANDS}


def help_text() -> str:
    """The text of /help."""
    lines = [
        "Hearth remembers this group's messages. If you opt in, your twin answers "
        "@-mentions while you are away, clearly labelled, quoting only what you said here.",
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
