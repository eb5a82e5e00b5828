"""The playground adapter: lines typed in a terminal become neutral chat events.

Each line is a message in one demo group. ``name: text`` speaks as ``name``;
plain text speaks as the current speaker; ``/as name`` switches speaker;
``/quit`` (or end of input) leaves. ``@name`` mentions a member, and lines
starting with ``/`` are commands, exactly as in a real group. ``@hearth`` (any case)
speaks to Hearth itself, as mentioning the bot does on Telegram and Discord; the
mention is taken out of the text as ``adapters.addressing`` says.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

from adapters.addressing import text_for_hearth
from adapters.model import (
    Chat,
    ChatKind,
    Command,
    Event,
    Member,
    Mention,
    Message,
    OutgoingReply,
    Platform,
    SentReply,
)
from adapters.ports import EventHandler, EventRejected, StoreUnavailable
from locales import Language, language_of_locale, tr, using

log = logging.getLogger(__name__)

DEMO_CHAT = Chat(Platform.PLAYGROUND, "demo", ChatKind.GROUP, "Hearth demo group")
_SPEAKER = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]{0,31})\s*:(?:\s+|$)(.*)$", re.DOTALL)
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z][A-Za-z0-9_]{0,31})")
HEARTH_HANDLE = "hearth"
"""Typing ``@hearth`` speaks to Hearth itself."""


def terminal_language() -> Language:
    """The language of the playground's own lines: ``HEARTH_LANGUAGE`` (``en``, ``zh``),
    else the terminal's ``LANG`` (``zh_CN.UTF-8`` reads Chinese), else English."""
    for name in ("HEARTH_LANGUAGE", "LANG"):
        language = language_of_locale(os.environ.get(name, "").split(".", 1)[0])
        if language is not None:
            return language
    return "en"


def playground_member(name: str) -> Member:
    """The playground member called ``name`` (case-insensitive)."""
    handle = name.lower()
    return Member(Platform.PLAYGROUND, handle, handle.capitalize(), username=handle)


@dataclass(frozen=True, slots=True)
class ParsedLine:
    """A typed line: who speaks and what they say (or a playground instruction)."""

    speaker: str | None
    text: str
    switch_to: str | None = None
    quit: bool = False


def parse_line(line: str) -> ParsedLine:
    """Split a typed line into speaker and text, or a playground instruction."""
    stripped = line.strip()
    if stripped in ("/quit", "/exit"):
        return ParsedLine(None, "", quit=True)
    if stripped.startswith("/as"):
        parts = stripped.split()
        if len(parts) == 2 and parts[0] == "/as" and re.fullmatch(r"[A-Za-z]\w{0,31}", parts[1]):
            return ParsedLine(None, "", switch_to=parts[1].lower())
    match = _SPEAKER.match(line)
    if match and not stripped.startswith("/"):
        return ParsedLine(match.group(1).lower(), match.group(2).strip())
    return ParsedLine(None, stripped)


def to_event(speaker: str, text: str, message_id: str, at: datetime) -> Event:
    """The neutral event for ``speaker`` saying ``text`` in the demo group."""
    member = playground_member(speaker)
    if text.startswith("/") and len(text) > 1:
        name, *args = text[1:].split()
        # Whoever types in the playground owns the demo group, so is its admin.
        return Command(
            DEMO_CHAT, member, name.lower(), tuple(args), message_id, at, text, sender_is_admin=True
        )
    mentions: list[Mention] = []
    hearth_spans: list[tuple[int, int]] = []
    for match in _MENTION.finditer(text):
        handle = match.group(1).lower()
        if handle == HEARTH_HANDLE:
            hearth_spans.append(match.span())
        else:
            mentions.append(Mention(username=handle))
    return Message(
        DEMO_CHAT,
        member,
        message_id,
        text_for_hearth(text, hearth_spans),
        at,
        mentions=tuple(mentions),
        addressed_to_hearth=bool(hearth_spans),
    )


class PlaygroundAdapter:
    """Reads typed lines, hands them to the router and prints Hearth's replies."""

    def __init__(
        self,
        input_stream: TextIO | None = None,
        output: TextIO | None = None,
        speaker: str = "alice",
        language: Language | None = None,
    ) -> None:
        self._input = input_stream or sys.stdin
        self.language: Language = language or terminal_language()
        """The language of the playground's own lines (Hearth's replies choose their own)."""
        self.output = output or sys.stdout
        self.speaker = speaker
        self.finished = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._counter = 0

    @property
    def platform(self) -> Platform:
        """The playground is its own platform."""
        return Platform.PLAYGROUND

    @property
    def sender(self) -> PlaygroundAdapter:
        """The playground prints its own replies."""
        return self

    async def start(self, handler: EventHandler) -> None:
        """Start reading lines in the background."""
        self._task = asyncio.create_task(self._read_loop(handler), name="playground-input")

    async def stop(self) -> None:
        """Stop reading."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self.finished.set()

    async def send(self, reply: OutgoingReply) -> SentReply:
        """Print a reply the way a chat would show it, each button as a line to type."""
        self._counter += 1
        body = reply.rendered().replace("\n", "\n    ")
        self.output.write(f"  Hearth ▸ {body}\n")
        for row in reply.buttons:
            for button in row:
                self.output.write(f"    [{button.label}] {button.command}\n")
        self.output.flush()
        return SentReply(f"reply-{self._counter}", datetime.now(UTC))

    async def is_admin(self, chat: Chat, member: Member) -> bool | None:
        """The playground's rule: whoever types in the demo group owns it, so is its
        admin (as its commands say); nobody administers any other chat."""
        return chat.platform is Platform.PLAYGROUND and chat.platform_chat_id == (
            DEMO_CHAT.platform_chat_id
        )

    async def delete(self, chat: Chat, platform_message_id: str) -> bool:
        """Show that a reply was taken back."""
        with using(self.language):
            note = tr("(deleted its message {id})", id=platform_message_id)
        self.output.write(f"  Hearth ▸ {note}\n")
        self.output.flush()
        return True

    async def edit(self, chat: Chat, platform_message_id: str, text: str) -> bool:
        """Print the new text of a reply, marked as an edit of it."""
        with using(self.language):
            mark = tr("(edited its message {id})", id=platform_message_id)
        body = text.replace("\n", "\n    ")
        self.output.write(f"  Hearth ▸ {mark} {body}\n")
        self.output.flush()
        return True

    def _prompt(self) -> None:
        if self._input.isatty():
            self.output.write(f"{self.speaker}> ")
            self.output.flush()

    async def _read_loop(self, handler: EventHandler) -> None:
        try:
            while True:
                self._prompt()
                line = await asyncio.to_thread(self._input.readline)
                if not line:
                    break
                if not await self._handle_line(line, handler):
                    break
        finally:
            self.finished.set()

    async def _handle_line(self, line: str, handler: EventHandler) -> bool:
        parsed = parse_line(line)
        if parsed.quit:
            return False
        if parsed.switch_to:
            self.speaker = parsed.switch_to
            with using(self.language):
                self.output.write("  " + tr("(now typing as {name})", name=self.speaker) + "\n")
            return True
        if not parsed.text:
            return True
        speaker = parsed.speaker or self.speaker
        self.speaker = speaker
        if not self._input.isatty():
            self.output.write(f"{speaker} ▸ {parsed.text}\n")
        event = to_event(speaker, parsed.text, f"pg-{time.time_ns()}", datetime.now(UTC))
        try:
            await handler.handle(event, self)
        except StoreUnavailable as error:
            with using(self.language):
                note = tr(
                    "(Hearth could not store that just now: {error}; try again)", error=str(error)
                )
            self.output.write(f"  {note}\n")
        except EventRejected as error:
            with using(self.language):
                note = tr("(Hearth could not store that message: {error})", error=str(error))
            self.output.write(f"  {note}\n")
        return True
