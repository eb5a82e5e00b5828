"""Personal commands: /twin on|off|status, /forget, /help."""

from __future__ import annotations

import logging

from adapters.model import Command, OutgoingReply
from adapters.ports import ReplySender
from bots.command_catalog import COMMANDS_BY_NAME, help_text, usage_hint
from bots.storage.repository import Storage
from memory.store import MemoryStore

log = logging.getLogger(__name__)


class MemberCommands:
    """Carries out the commands a member gives about themselves."""

    def __init__(self, storage: Storage, memory: MemoryStore) -> None:
        self._storage = storage
        self._memory = memory

    async def handle(self, command: Command, sender: ReplySender) -> None:
        """Run ``command`` and answer in the chat it came from."""
        text = await self._run(command)
        await sender.send(
            OutgoingReply(
                chat=command.chat,
                text=text,
                reply_to_message_id=command.platform_message_id,
                recipient=command.sender,
            )
        )

    async def _run(self, command: Command) -> str:
        name = command.name.lower()
        if name in ("help", "start"):
            return help_text()
        if name not in COMMANDS_BY_NAME:
            return usage_hint(name)
        if not command.chat.is_group:
            return f"/{name} works in a group chat: send it in the group it is about."
        if name == "twin":
            return await self._twin(command)
        if name == "forget":
            return await self._forget(command)
        return usage_hint(name)

    async def _twin(self, command: Command) -> str:
        if len(command.args) != 1 or command.args[0].lower() not in ("on", "off", "status"):
            return usage_hint("twin")
        action = command.args[0].lower()
        chat_id = await self._storage.ensure_chat(command.chat)
        member_id = await self._storage.ensure_member(command.sender)
        settings = await self._storage.chat_settings(chat_id)
        if action == "on":
            await self._storage.set_twin_enabled(chat_id, member_id, True)
            minutes = _minutes(settings.twin_absence_minutes)
            return (
                "Your twin is on in this chat. When you have been quiet here for "
                f"{minutes} and someone @-mentions you, it answers with quotes of what you "
                "said here, labelled as your twin. /twin off stops it; /forget deletes "
                "your data."
            )
        if action == "off":
            await self._storage.set_twin_enabled(chat_id, member_id, False)
            return "Your twin is off in this chat. Your messages stay stored; /forget deletes them."
        enabled = await self._storage.twin_enabled(chat_id, member_id)
        stored = await self._storage.count_messages(chat_id=chat_id, member_id=member_id)
        in_memory = await self._memory.count(member_id=member_id, chat_id=chat_id)
        state = "on" if enabled else "off"
        note = "" if settings.twins_enabled else " Admins have turned twins off in this chat."
        return (
            f"Your twin is {state} in this chat.{note} Stored: {stored} of your messages "
            f"here, {in_memory} of them searchable. It answers after "
            f"{_minutes(settings.twin_absence_minutes)} of quiet."
        )

    async def _forget(self, command: Command) -> str:
        if command.args:
            return usage_hint("forget")
        chat_id = await self._storage.ensure_chat(command.chat)
        member_id = await self._storage.ensure_member(command.sender)
        # Memory first: if it fails, SQL still holds everything and the command can be
        # repeated; the reverse order could leave searchable vectors with no SQL record.
        await self._memory.delete_member(member_id, chat_id)
        result = await self._storage.forget_member(chat_id, member_id)
        await self._memory.delete_messages(result.message_ids)
        log.info("forgot member %s in chat %s: %d messages", member_id, chat_id, result.messages)
        return (
            f"Done: deleted {result.messages} of your messages, {result.twin_replies} twin "
            "answers and your settings in this chat. Your twin here is off."
        )


def _minutes(value: float) -> str:
    whole = round(value)
    return "1 minute" if whole == 1 else f"{whole:g} minutes"
