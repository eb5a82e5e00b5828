"""The local playground: a demo group in the terminal, through the same router as Telegram."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any, TextIO

from adapters.model import Chat, Command, Message, OutgoingReply, Platform, SentReply
from adapters.playground import PlaygroundAdapter
from adapters.playground.playground_adapter import DEMO_CHAT, playground_member
from bots.app import Hearth, serve
from locales import tr, trn, using


def banner() -> str:
    """What the playground says first: how to speak as members and to Hearth."""
    return tr(
        "Hearth playground: a demo group on this machine, no Telegram needed.\n"
        "Type a message as a member with `name: text`, e.g.\n"
        "  alice: @bob which trail do you recommend for beginners?\n"
        "  carol: @wei 你对什么过敏？\n"
        "Bob and Wei have switched their twins on and have been away for two days, so their\n"
        "twins answer @-mentions by quoting what they said here. Ask Hearth itself, e.g.\n"
        "  alice: @hearth what did we decide about friday dinner?\n"
        "Commands work as in a group:\n"
        "  bob: /twin status    alice: /twin on    carol: /forget    /help\n"
        "Alice is an admin: `alice: /digest now` shows today's digest, `alice: /intros now`\n"
        "introduces members who share an interest (Alice, Carol, Dan, Mei and Wei take part).\n"
        "`/as NAME` switches who you type as; /quit (or Ctrl-D) leaves.\n"
    )


class _SilentSender:
    """Swallows replies while the demo conversation is replayed."""

    platform = Platform.PLAYGROUND

    async def send(self, reply: OutgoingReply) -> SentReply:
        return SentReply(None, datetime.now(UTC))

    async def delete(self, chat: Chat, platform_message_id: str) -> bool:
        return False

    async def edit(self, chat: Chat, platform_message_id: str, text: str) -> bool:
        return False


def _demo_id(item: dict[str, Any]) -> str:
    """A demo message's platform id, the same on every run while its author and text are."""
    digest = hashlib.sha256(f"{item['from']}\n{item['text']}".encode()).hexdigest()
    return f"demo-{digest[:16]}"


def load_demo() -> dict[str, Any]:
    """The demo conversation shipped with Hearth."""
    text = resources.files("bots.demo").joinpath("conversation.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


async def seed_demo(hearth: Hearth, now: datetime | None = None) -> int:
    """Replay the demo conversation into the playground group; re-running adds nothing."""
    now = now or datetime.now(UTC)
    demo = load_demo()
    silent = _SilentSender()
    replayed = 0
    for item in demo["messages"]:
        at = now - timedelta(minutes=float(item["minutes_ago"]))
        message = Message(
            DEMO_CHAT, playground_member(item["from"]), _demo_id(item), item["text"], at
        )
        await hearth.router.handle(message, silent)
        replayed += 1
    for name in demo["twins_on"]:
        command = Command(
            DEMO_CHAT, playground_member(name), "twin", ("on",), f"demo-twin-{name}", now
        )
        await hearth.router.handle(command, silent)
    for name in demo.get("intros_on", ()):
        command = Command(
            DEMO_CHAT, playground_member(name), "intros", ("me", "on"), f"demo-intros-{name}", now
        )
        await hearth.router.handle(command, silent)
    await hearth.worker.drain()
    return replayed


async def run_playground(
    hearth: Hearth,
    *,
    demo: bool = True,
    input_stream: TextIO | None = None,
    output: TextIO | None = None,
) -> None:
    """Seed the demo (optionally) and run the terminal playground until input ends."""
    adapter = PlaygroundAdapter(input_stream, output)
    out = adapter.output
    with using(adapter.language):
        out.write(banner())
    if demo:
        with using(adapter.language):
            out.write(tr("Loading the demo conversation… "))
        out.flush()
        count = await seed_demo(hearth)
        with using(adapter.language):
            out.write(
                trn("{count} message remembered.", "{count} messages remembered.", count) + "\n\n"
            )
        out.flush()
    if hearth.web_server is not None:
        with using(adapter.language):
            out.write(
                tr(
                    "Member pages: {url} (type `alice: /web` for a sign-in link).",
                    url=f"http://127.0.0.1:{hearth.web_server.port}/",
                )
                + "\n\n"
            )
    stop = asyncio.Event()

    async def stop_when_done() -> None:
        await adapter.finished.wait()
        stop.set()

    watcher = asyncio.create_task(stop_when_done())
    try:
        await serve(hearth, [adapter], stop)
    finally:
        watcher.cancel()
