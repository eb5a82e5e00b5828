"""/intros: admins set the cadence and delivery; members opt in, snooze and avoid people."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from adapters.model import Command, OutgoingReply, Platform
from adapters.ports import ReplySender
from bots.durations import DurationError, parse_duration
from bots.intro_rounds import IntroRounds
from bots.storage.intro_store import IntroStore
from bots.storage.repository import Storage
from jobs.schedule_spec import IntroCadence, ScheduleError, parse_intro_cadence
from jobs.scheduled_runs import JobKind
from jobs.scheduler import HearthScheduler

USAGE = (
    "Usage: /intros status | weekly | biweekly | monthly | off | now | tz ZONE | "
    "post group|dm (admins) — /intros me on|off|status|snooze 2w|wake|avoid @name|allow @name"
)
_DISCORD_MENTION = re.compile(r"^<@!?(\d{5,25})>$")


@dataclass(frozen=True, slots=True)
class IntroAnswer:
    """What /intros answers, and whether only the member should see it."""

    text: str
    private: bool


class IntroCommands:
    """Carries out ``/intros`` in a group (and its personal part in a private chat)."""

    def __init__(
        self,
        storage: Storage,
        intros: IntroStore,
        rounds: IntroRounds,
        scheduler: HearthScheduler,
    ) -> None:
        self._storage = storage
        self._intros = intros
        self._rounds = rounds
        self._scheduler = scheduler

    async def handle(self, command: Command, sender: ReplySender) -> None:
        """Answer ``command``; a round started with ``/intros now`` is posted by the sender."""
        answer = await self.answer(command, sender)
        if _names_someone(command) and command.chat.platform is Platform.TELEGRAM:
            # A Telegram command is a message the whole group sees: take the name back out.
            await sender.delete(command.chat, command.platform_message_id)
        await sender.send(
            OutgoingReply(
                chat=command.chat,
                text=answer.text,
                reply_to_message_id=command.platform_message_id,
                recipient=command.sender,
                private=answer.private,
            )
        )

    async def answer(self, command: Command, sender: ReplySender) -> IntroAnswer:
        """The answer to ``command`` (and its effect)."""
        words = tuple(" ".join(command.args).split())
        lowered = tuple(word.lower() for word in words)
        if lowered[:1] == ("me",):
            return IntroAnswer(await self._personal(command, words[1:]), private=True)
        if not command.chat.is_group:
            return IntroAnswer(
                "/intros works in a group chat; here only /intros me … works.", private=False
            )
        chat_id = await self._storage.ensure_chat(command.chat)
        if lowered in ((), ("status",)):
            return IntroAnswer(await self.status(chat_id), private=False)
        if command.sender_is_admin is not True:
            return IntroAnswer(
                "Sorry, only this chat's admins can change introductions. "
                "/intros me on takes part in them.",
                private=False,
            )
        if lowered == ("now",):
            return IntroAnswer(await self._now(command, chat_id, sender), private=False)
        if lowered[:1] == ("post",):
            return IntroAnswer(await self._delivery(chat_id, lowered[1:]), private=False)
        return IntroAnswer(await self._cadence(chat_id, " ".join(words)), private=False)

    async def forget(self, chat_id: int, member_id: int) -> None:
        """Drop the member's introductions choice in this chat (part of /forget)."""
        await self._intros.forget(chat_id, member_id)

    async def status(self, chat_id: int) -> str:
        """The chat's cadence, next round, delivery and how many members take part."""
        cadence = await self.current(chat_id)
        taking_part = len(await self._intros.participants(chat_id, datetime.now(UTC)))
        where = (
            "by direct message" if await self._intros.delivery(chat_id) == "dm" else "in the group"
        )
        people = (
            "1 member takes part (/intros me on)."
            if taking_part == 1
            else f"{taking_part} members take part (/intros me on)."
        )
        if cadence is None or cadence.is_off:
            return f"No introductions are scheduled (/intros weekly sets them). {people}"
        moment = await self._scheduler.next_run(chat_id, JobKind.INTROS)
        following = f" Next: {moment:%Y-%m-%d %H:%M} UTC." if moment else ""
        return f"Introductions {cadence.describe()}, posted {where}.{following} {people}"

    async def current(self, chat_id: int) -> IntroCadence | None:
        """The chat's stored cadence, if any."""
        stored = await self._intros.cadence(chat_id)
        return IntroCadence.from_json(stored) if stored else None

    async def _cadence(self, chat_id: int, text: str) -> str:
        try:
            cadence = parse_intro_cadence(text, await self.current(chat_id))
        except ScheduleError as error:
            return f"Sorry: {error}"
        await self._intros.set_cadence(chat_id, cadence.to_json())
        moment = await self._scheduler.schedule_intros(chat_id, cadence)
        if cadence.is_off:
            return "Introductions are off in this chat. /intros now still makes a round."
        following = f" Next: {moment:%Y-%m-%d %H:%M} UTC." if moment else ""
        return f"Introductions scheduled {cadence.describe()}.{following}"

    async def _delivery(self, chat_id: int, words: tuple[str, ...]) -> str:
        choice = words[0] if len(words) == 1 else ""
        if choice not in ("group", "dm"):
            return "Usage: /intros post group (one post in the chat) | /intros post dm"
        await self._intros.set_delivery(chat_id, choice)
        if choice == "dm":
            return "Introductions now go to each member by direct message."
        return "Introductions are now posted in this chat."

    async def _now(self, command: Command, chat_id: int, sender: ReplySender) -> str:
        planned = await self._rounds.post(command.chat, chat_id, sender, datetime.now(UTC))
        if planned.intros:
            count = len(planned.intros)
            return f"Made {count} introduction{'s' if count != 1 else ''}."
        if planned.participants < 2:
            return (
                "No introductions this time: fewer than two members take part. "
                "Members join with /intros me on."
            )
        return (
            f"No introductions this time: of {planned.participants} members taking part, "
            f"{planned.without_profile} have written too little yet, and no other pair has "
            "enough in common without having talked or met recently."
        )

    async def _personal(self, command: Command, words: tuple[str, ...]) -> str:
        action = words[0].lower() if words else "status"
        member_id = await self._storage.ensure_member(command.sender)
        if action in ("avoid", "allow"):
            return await self._avoid(command, member_id, action, words[1:])
        if action == "snooze" and len(words) == 2:
            try:
                length = parse_duration(words[1])
            except DurationError as error:
                return f"Sorry: {error}. Example: /intros me snooze 2w"
            until = datetime.now(UTC) + length
            chats = await self._intros.snooze(member_id, until)
            if not chats:
                return "You take part in no introductions yet: /intros me on in a group first."
            return f"Snoozed: no introductions for you until {until:%Y-%m-%d %H:%M} UTC."
        if action == "wake" and len(words) == 1:
            await self._intros.snooze(member_id, None)
            return "You are back in the next introductions."
        if not command.chat.is_group:
            if action == "status" and len(words) <= 1:
                avoided = await self._intros.avoid_list(member_id)
                return _avoid_line(avoided)
            return "Send /intros me on|off|status in the group it is about."
        chat_id = await self._storage.ensure_chat(command.chat)
        if action in ("on", "off") and len(words) == 1:
            await self._intros.set_opted_in(chat_id, member_id, action == "on")
            if action == "on":
                return (
                    "You are in: Hearth may introduce you to members of this chat who talk "
                    "about the same things, quoting one of your messages here. "
                    "/intros me off leaves, /intros me avoid @name keeps someone away."
                )
            return "You are out of this chat's introductions."
        if action == "status" and len(words) == 1:
            state = await self._intros.state(chat_id, member_id)
            if not state.opted_in:
                line = "You are not in this chat's introductions (/intros me on)."
            elif state.snoozed_until and state.snoozed_until > datetime.now(UTC):
                line = f"You are in, snoozed until {state.snoozed_until:%Y-%m-%d %H:%M} UTC."
            else:
                line = "You are in this chat's introductions."
            return f"{line} {_avoid_line(await self._intros.avoid_list(member_id))}"
        return USAGE

    async def _avoid(
        self, command: Command, member_id: int, action: str, words: tuple[str, ...]
    ) -> str:
        if not words:
            if action == "avoid":
                return _avoid_line(await self._intros.avoid_list(member_id))
            return "Usage: /intros me allow @name"
        if len(words) != 1:
            return f"Usage: /intros me {action} @name (one person at a time)"
        other = await self._find(command, words[0])
        if other is None:
            return (
                f"I don't know {words[0][:40]} here. Use their @username as shown on "
                f"{command.chat.platform.value}."
            )
        if other == member_id:
            return "That is you."
        if action == "allow":
            removed = await self._intros.allow(member_id, other)
            return "Taken off your list." if removed else "They were not on your list."
        if not await self._intros.avoid(member_id, other):
            return "Your list is full; take someone off with /intros me allow @name."
        return (
            "Done: you will not be introduced to them. Nobody else sees your list "
            "(next time, send this in a private chat with me)."
        )

    async def _find(self, command: Command, handle: str) -> int | None:
        platform = command.chat.platform
        chat_id = await self._storage.ensure_chat(command.chat) if command.chat.is_group else 0
        mention = _DISCORD_MENTION.match(handle)
        if mention and platform is Platform.DISCORD:
            known = await self._storage.find_chat_member(
                chat_id, platform, platform_user_id=mention.group(1)
            )
        else:
            name = handle.lstrip("@")
            if not re.fullmatch(r"[\w.]{1,64}", name):
                return None
            known = await self._storage.find_chat_member(chat_id, platform, username=name)
        return None if known is None else known.member_id


def _names_someone(command: Command) -> bool:
    """Whether a group command names someone for the member's private avoid list."""
    words = " ".join(command.args).lower().split()
    return (
        command.chat.is_group and words[:2] in (["me", "avoid"], ["me", "allow"]) and len(words) > 2
    )


def _avoid_line(avoided: list[str]) -> str:
    if not avoided:
        return "Your don't-pair list is empty (/intros me avoid @name)."
    return "You are never paired with: " + ", ".join(avoided) + "."
