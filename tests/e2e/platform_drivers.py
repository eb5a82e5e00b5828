"""Drive Telegram and Discord the same way, so one scenario suite runs on both.

Each driver talks to its platform's local fake; the real client library inside
Hearth's adapter sees ordinary platform traffic.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from adapters.model import Platform
from tests.fakes.discord_api import MANAGE_GUILD, MEMBER_PERMISSIONS, FakeDiscord
from tests.fakes.discord_fixtures import TestServer
from tests.fakes.telegram_api import (
    FakeTelegramApi,
    make_chat,
    make_message,
    make_user,
    message_update,
    private_chat,
)

PEOPLE = ("alice", "bob", "carol")


@dataclass(frozen=True)
class Reply:
    """Something Hearth sent: its text and the message it answers, if any."""

    text: str
    reply_to: str | None
    may_notify: bool = False
    """Whether it may ping someone: on Telegram, an @handle or a mention entity in the text
    (the author of the message it replies to is notified there in any case); on Discord,
    allowed mentions that let users, roles, @everyone or the replied-to author be pinged."""


_TELEGRAM_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{3,}")


def _telegram_may_notify(text: str, params: dict[str, Any]) -> bool:
    return bool(_TELEGRAM_HANDLE.search(text) or params.get("entities"))


def _discord_may_notify(payload: dict[str, Any]) -> bool:
    mentions = payload.get("allowed_mentions")
    if mentions is None:
        return True  # Discord's default: every mention in the text pings
    return bool(
        mentions.get("parse")
        or mentions.get("users")
        or mentions.get("roles")
        or mentions.get("replied_user")
    )


class Driver(Protocol):
    """What a scenario does on a platform."""

    platform: Platform

    async def post(
        self, who: str, text: str, *, minutes_ago: float = 0, mention: str | None = None
    ) -> str:
        """Post ``text`` as ``who`` (mentioning ``mention`` first); returns the message id."""
        ...

    async def post_to_hearth(
        self, who: str, text: str, *, minutes_ago: float = 0, at_end: bool = False
    ) -> str:
        """Post ``text`` as ``who``, @-mentioning Hearth first (last with ``at_end``).

        Returns the message id.
        """
        ...

    async def reply_to_hearth(self, who: str, text: str, *, nth: int = -1) -> str:
        """Post ``text`` as ``who`` in reply to Hearth's ``nth`` message in the group.

        Counts what Hearth posted in the group, oldest first (the latest by default);
        returns the id of the new message.
        """
        ...

    async def post_privately(self, who: str, text: str) -> str:
        """Send ``text`` to Hearth in a private chat as ``who``; returns the message id."""
        ...

    async def redeliver(self, message_id: str) -> None:
        """Deliver the same message again, as platforms do after reconnecting."""
        ...

    async def command(self, who: str, name: str, *args: str) -> None:
        """Use Hearth's command ``name`` as ``who``."""
        ...

    def make_admin(self, who: str) -> None:
        """Give ``who`` the platform's admin right in the group (Telegram administrator,
        Discord Manage Server)."""
        ...

    async def replies(self, count: int) -> list[Reply]:
        """Wait for at least ``count`` replies from Hearth; returns all so far."""
        ...

    def reply_count(self) -> int:
        """How many replies Hearth sent so far."""
        ...

    def rate_limit_next_send(self) -> None:
        """Make the platform answer the next message send with HTTP 429."""
        ...

    def user_id(self, who: str) -> str:
        """The platform id of ``who``."""
        ...


class TelegramDriver:
    """Scenario actions as Telegram updates pushed to the fake Bot API."""

    platform = Platform.TELEGRAM

    def __init__(self, api: FakeTelegramApi) -> None:
        self.api = api
        self.chat = make_chat(-1001500, title="Hikers", username="hikers_club")
        self.users = {
            name: make_user(7000 + i, name.capitalize(), username=f"{name}_t")
            for i, name in enumerate(PEOPLE)
        }
        self._sent: dict[str, dict[str, Any]] = {}

    async def post(
        self, who: str, text: str, *, minutes_ago: float = 0, mention: str | None = None
    ) -> str:
        if mention is not None:
            text = f"@{self.users[mention]['username']} {text}"
        date = int(time.time() - minutes_ago * 60)
        message = make_message(self.chat, self.users[who], text, date=date)
        self._sent[str(message["message_id"])] = message
        self.api.push_update(message_update(message))
        return str(message["message_id"])

    async def post_to_hearth(
        self, who: str, text: str, *, minutes_ago: float = 0, at_end: bool = False
    ) -> str:
        handle = f"@{self.api.bot_user['username']}"
        text = f"{text} {handle}" if at_end else f"{handle} {text}"
        return await self.post(who, text, minutes_ago=minutes_ago)

    async def reply_to_hearth(self, who: str, text: str, *, nth: int = -1) -> str:
        in_group = [m for m in self.api.sent_messages if str(m.chat_id) == str(self.chat["id"])]
        message = make_message(self.chat, self.users[who], text, reply_to=in_group[nth].message)
        self._sent[str(message["message_id"])] = message
        self.api.push_update(message_update(message))
        return str(message["message_id"])

    async def post_privately(self, who: str, text: str) -> str:
        user = self.users[who]
        message = make_message(private_chat(user), user, text)
        self._sent[str(message["message_id"])] = message
        self.api.push_update(message_update(message))
        return str(message["message_id"])

    async def redeliver(self, message_id: str) -> None:
        self.api.push_update(message_update(self._sent[message_id]))

    async def command(self, who: str, name: str, *args: str) -> None:
        await self.post(who, " ".join((f"/{name}", *args)))

    async def replies(self, count: int) -> list[Reply]:
        sent = await self.api.wait_for_sent(count, timeout=30)
        return [
            Reply(
                m.text,
                str(m.reply_to_message_id) if m.reply_to_message_id else None,
                _telegram_may_notify(m.text, m.params),
            )
            for m in sent
        ]

    def reply_count(self) -> int:
        return len(self.api.sent_messages)

    def rate_limit_next_send(self) -> None:
        self.api.inject_rate_limit(count=1, retry_after=1)

    def user_id(self, who: str) -> str:
        return str(self.users[who]["id"])

    def make_admin(self, who: str) -> None:
        self.api.set_member_status(self.chat, self.users[who], "administrator")


COMMAND_OPTIONS = {
    "twin": ("action",),
    "link": ("code",),
    "settings": ("setting", "value"),
    "intros": ("action",),
    "digest": ("action",),
}


class DiscordDriver:
    """Scenario actions as Discord gateway events from the fake Discord."""

    platform = Platform.DISCORD

    def __init__(self, fake: FakeDiscord, server: TestServer) -> None:
        self.fake = fake
        self.server = server
        self.users = {"alice": server.alice, "bob": server.bob, "carol": server.carol}
        self._sent: dict[str, dict[str, Any]] = {}
        self._admins: set[str] = set()

    async def post(
        self, who: str, text: str, *, minutes_ago: float = 0, mention: str | None = None
    ) -> str:
        mentions = []
        if mention is not None:
            target = self.users[mention]
            text = f"<@{target['id']}> {text}"
            mentions.append(target)
        at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
        message = await self.fake.post_message(
            self.server.general, self.users[who], text, mentions=mentions, at=at
        )
        self._sent[str(message["id"])] = message
        return str(message["id"])

    async def post_to_hearth(
        self, who: str, text: str, *, minutes_ago: float = 0, at_end: bool = False
    ) -> str:
        hearth = self.fake.bot_user
        text = f"{text} <@{hearth['id']}>" if at_end else f"<@{hearth['id']}> {text}"
        at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
        message = await self.fake.post_message(
            self.server.general, self.users[who], text, mentions=[hearth], at=at
        )
        self._sent[str(message["id"])] = message
        return str(message["id"])

    def _hearth_in_group(self) -> list[dict[str, Any]]:
        """What Hearth posted in the group that members can see, oldest first."""
        posted = [
            sent.message
            for sent in self.fake.sent_messages
            if sent.channel_id == self.server.general
        ]
        posted += [
            f.message
            for f in self.fake.followups
            if not f.ephemeral and str(f.message["channel_id"]) == str(self.server.general)
        ]
        return sorted(posted, key=lambda message: int(message["id"]))

    async def reply_to_hearth(self, who: str, text: str, *, nth: int = -1) -> str:
        original = self._hearth_in_group()[nth]
        # A reply pings its author by default, so Discord lists Hearth among the mentions.
        message = await self.fake.post_message(
            self.server.general,
            self.users[who],
            text,
            reply_to=original,
            mentions=[self.fake.bot_user],
        )
        self._sent[str(message["id"])] = message
        return str(message["id"])

    async def post_privately(self, who: str, text: str) -> str:
        message = await self.fake.post_dm(self.users[who], text)
        self._sent[str(message["id"])] = message
        return str(message["id"])

    async def redeliver(self, message_id: str) -> None:
        message = self._sent[message_id]
        await self.fake.dispatch("MESSAGE_CREATE", message, guild_id=self.server.guild_id)

    async def command(self, who: str, name: str, *args: str) -> None:
        names = COMMAND_OPTIONS.get(name, ())
        options: dict[str, str | int] = {}
        if args:
            # Slash commands take typed options; the first option takes every word.
            options[names[0]] = " ".join(args)
        await self.fake.use_command(
            name,
            options,
            user=self.users[who],
            channel_id=self.server.general,
            permissions=MEMBER_PERMISSIONS | (MANAGE_GUILD if who in self._admins else 0),
        )

    def make_admin(self, who: str) -> None:
        self._admins.add(who)

    def _all(self) -> list[Reply]:
        """Channel messages and command followups, in the order they were sent."""
        timed: list[tuple[int, Reply]] = []
        for sent in self.fake.sent_messages:
            reference = sent.payload.get("message_reference") or {}
            target = reference.get("message_id")
            reply = Reply(sent.content, target and str(target), _discord_may_notify(sent.payload))
            timed.append((int(sent.message["id"]), reply))
        timed += [
            (int(f.message["id"]), Reply(f.content, None, _discord_may_notify(f.payload)))
            for f in self.fake.followups
        ]
        return [reply for _, reply in sorted(timed, key=lambda item: item[0])]

    async def replies(self, count: int) -> list[Reply]:
        deadline = time.monotonic() + 30
        while len(self._all()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {count} replies: {self._all()}")
            await asyncio.sleep(0.02)
        return self._all()

    def reply_count(self) -> int:
        return len(self._all())

    def rate_limit_next_send(self) -> None:
        self.fake.inject_rate_limit(count=1, retry_after=0.5)

    def user_id(self, who: str) -> str:
        return str(self.users[who]["id"])
