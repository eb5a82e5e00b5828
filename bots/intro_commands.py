"""/intros: admins set the cadence and delivery; members opt in, snooze and avoid people.

Command words may be Chinese (``/intros 我 稍后 2周``, ``/intros 每周``): the keyword
words go through :func:`bots.command_words.canonical_words`; @names are read as typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from adapters.model import Command, OutgoingReply, Platform
from adapters.ports import ReplySender
from bots.command_words import canonical_words
from bots.durations import DurationError, parse_duration
from bots.intro_rounds import IntroRounds
from bots.storage.intro_store import IntroStore
from bots.storage.repository import Storage
from jobs.schedule_spec import IntroCadence, ScheduleError, parse_intro_cadence
from jobs.scheduled_runs import JobKind
from jobs.scheduler import HearthScheduler
from locales import N_, format_day, format_list, format_time, tr, tr_marked, trn

USAGE = N_(
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
        raw = tuple(" ".join(command.args).split())
        head = canonical_words(raw[:1])  # 我 → me, 我开 → me on
        if tuple(word.lower() for word in head[:1]) == ("me",):
            personal = (*head[1:], *raw[1:])
            return IntroAnswer(await self._personal(command, personal), private=True)
        if not command.chat.is_group:
            return IntroAnswer(
                tr("/intros works in a group chat; here only /intros me … works."),
                private=False,
            )
        words = canonical_words(raw)  # no free text here: a cadence, tz ZONE, post group|dm
        lowered = tuple(word.lower() for word in words)
        chat_id = await self._storage.ensure_chat(command.chat)
        if lowered in ((), ("status",)):
            return IntroAnswer(await self.status(chat_id), private=False)
        if command.sender_is_admin is not True:
            return IntroAnswer(
                tr(
                    "Sorry, only this chat's admins can change introductions. "
                    "/intros me on takes part in them."
                ),
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
        people = trn(
            "{count} member takes part (/intros me on).",
            "{count} members take part (/intros me on).",
            taking_part,
        )
        if cadence is None or cadence.is_off:
            return tr(
                "No introductions are scheduled (/intros weekly sets them). {people}",
                people=people,
            )
        following = _next_line(await self._scheduler.next_run(chat_id, JobKind.INTROS))
        if await self._intros.delivery(chat_id) == "dm":
            return tr(
                "Introductions {cadence}, posted by direct message.{next} {people}",
                cadence=cadence.describe(),
                next=following,
                people=people,
            )
        return tr(
            "Introductions {cadence}, posted in the group.{next} {people}",
            cadence=cadence.describe(),
            next=following,
            people=people,
        )

    async def current(self, chat_id: int) -> IntroCadence | None:
        """The chat's stored cadence, if any."""
        stored = await self._intros.cadence(chat_id)
        return IntroCadence.from_json(stored) if stored else None

    async def _cadence(self, chat_id: int, text: str) -> str:
        try:
            cadence = parse_intro_cadence(text, await self.current(chat_id))
        except ScheduleError as error:
            return tr("Sorry: {problem}", problem=error)
        await self._intros.set_cadence(chat_id, cadence.to_json())
        moment = await self._scheduler.schedule_intros(chat_id, cadence)
        if cadence.is_off:
            return tr("Introductions are off in this chat. /intros now still makes a round.")
        return tr(
            "Introductions scheduled {cadence}.{next}",
            cadence=cadence.describe(),
            next=_next_line(moment),
        )

    async def _delivery(self, chat_id: int, words: tuple[str, ...]) -> str:
        choice = words[0] if len(words) == 1 else ""
        if choice not in ("group", "dm"):
            return tr("Usage: /intros post group (one post in the chat) | /intros post dm")
        await self._intros.set_delivery(chat_id, choice)
        if choice == "dm":
            return tr("Introductions now go to each member by direct message.")
        return tr("Introductions are now posted in this chat.")

    async def _now(self, command: Command, chat_id: int, sender: ReplySender) -> str:
        planned = await self._rounds.post(command.chat, chat_id, sender, datetime.now(UTC))
        if planned.intros:
            return trn(
                "Made {count} introduction.", "Made {count} introductions.", len(planned.intros)
            )
        if planned.participants < 2:
            return tr(
                "No introductions this time: fewer than two members take part. "
                "Members join with /intros me on."
            )
        return tr(
            "No introductions this time: of {participants} members taking part, "
            "{without_profile} have written too little yet, and no other pair has "
            "enough in common without having talked or met recently.",
            participants=planned.participants,
            without_profile=planned.without_profile,
        )

    async def _personal(self, command: Command, words: tuple[str, ...]) -> str:
        """``/intros me …``: ``words`` after ``me``, as typed (an @name must stay so)."""
        first = canonical_words(words[:1]) if words else ("status",)  # 稍后2周 → snooze 2w
        action = first[0].lower()
        rest = (*first[1:], *words[1:])
        member_id = await self._storage.ensure_member(command.sender)
        if action in ("avoid", "allow"):
            return await self._avoid(command, member_id, action, rest)
        rest = canonical_words(rest)
        if action == "snooze" and len(rest) == 1:
            try:
                length = parse_duration(rest[0])
            except DurationError as error:
                return tr("Sorry: {problem}. Example: /intros me snooze 2w", problem=error)
            until = datetime.now(UTC) + length
            chats = await self._intros.snooze(member_id, until)
            if not chats:
                return tr("You take part in no introductions yet: /intros me on in a group first.")
            return tr(
                "Snoozed: no introductions for you until {day} {time} UTC.",
                **_utc_day_and_time(until),
            )
        if action in ("wake", "resume") and not rest:  # 唤醒, or 恢复/继续
            await self._intros.snooze(member_id, None)
            return tr("You are back in the next introductions.")
        if not command.chat.is_group:
            if action == "status" and not rest:
                return _avoid_line(await self._intros.avoid_list(member_id))
            return tr("Send /intros me on|off|status in the group it is about.")
        chat_id = await self._storage.ensure_chat(command.chat)
        if action in ("on", "off") and not rest:
            await self._intros.set_opted_in(chat_id, member_id, action == "on")
            if action == "on":
                return tr(
                    "You are in: Hearth may introduce you to members of this chat who talk "
                    "about the same things, quoting one of your messages here. "
                    "/intros me off leaves, /intros me avoid @name keeps someone away."
                )
            return tr("You are out of this chat's introductions.")
        if action == "status" and not rest:
            state = await self._intros.state(chat_id, member_id)
            avoided = _avoid_line(await self._intros.avoid_list(member_id))
            if not state.opted_in:
                return tr(
                    "You are not in this chat's introductions (/intros me on). {avoided}",
                    avoided=avoided,
                )
            if state.snoozed_until and state.snoozed_until > datetime.now(UTC):
                return tr(
                    "You are in, snoozed until {day} {time} UTC. {avoided}",
                    **_utc_day_and_time(state.snoozed_until),
                    avoided=avoided,
                )
            return tr("You are in this chat's introductions. {avoided}", avoided=avoided)
        return tr_marked(USAGE)

    async def _avoid(
        self, command: Command, member_id: int, action: str, words: tuple[str, ...]
    ) -> str:
        if not words:
            if action == "avoid":
                return _avoid_line(await self._intros.avoid_list(member_id))
            return tr("Usage: /intros me allow @name")
        if len(words) != 1:
            return tr("Usage: /intros me {action} @name (one person at a time)", action=action)
        other = await self._find(command, words[0])
        if other is None:
            return tr(
                "I don't know {name} here. Use their @username as shown on {platform}.",
                name=words[0][:40],
                platform=command.chat.platform.value,
            )
        if other == member_id:
            return tr("That is you.")
        if action == "allow":
            removed = await self._intros.allow(member_id, other)
            return tr("Taken off your list.") if removed else tr("They were not on your list.")
        if not await self._intros.avoid(member_id, other):
            return tr("Your list is full; take someone off with /intros me allow @name.")
        return tr(
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
    words = [word.lower() for word in canonical_words(" ".join(command.args).split())]
    return (
        command.chat.is_group and words[:2] in (["me", "avoid"], ["me", "allow"]) and len(words) > 2
    )


def _next_line(moment: datetime | None) -> str:
    """`` Next: <day> <time> UTC.`` for a scheduled round, else nothing."""
    if moment is None:
        return ""
    return tr(" Next: {day} {time} UTC.", **_utc_day_and_time(moment))


def _utc_day_and_time(moment: datetime) -> dict[str, str]:
    """``day`` and ``time`` of ``moment`` in UTC, as the reply language writes them."""
    moment = moment.astimezone(UTC)
    return {"day": format_day(moment), "time": format_time(moment)}


def _avoid_line(avoided: list[str]) -> str:
    if not avoided:
        return tr("Your don't-pair list is empty (/intros me avoid @name).")
    return tr("You are never paired with: {names}.", names=format_list(avoided))
