"""Translate python-telegram-bot ``Update`` objects into neutral Hearth events."""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import (
    CallbackQuery,
    ChatMember,
    ChatMemberRestricted,
    ChatMemberUpdated,
    MessageEntity,
    MessageReactionUpdated,
    ReactionType,
    ReactionTypeCustomEmoji,
    ReactionTypeEmoji,
    Update,
)
from telegram import Chat as TgChat
from telegram import Message as TgMessage
from telegram import User as TgUser
from telegram.constants import ChatType

from adapters.addressing import Span, text_for_hearth
from adapters.model import (
    BotStatusEvent,
    Chat,
    ChatKind,
    Command,
    Event,
    Member,
    MembershipChange,
    MembershipEvent,
    Mention,
    Message,
    Platform,
    ReactionEvent,
    utc,
)

logger = logging.getLogger(__name__)

_SUPERGROUP_ID_PREFIX = "-100"
_PRESENT_STATUSES = frozenset(
    {ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER},
)
_BUTTON_COMMAND = re.compile(
    r"/(?P<name>[A-Za-z0-9_]{1,32})(?:@(?P<addressee>[A-Za-z0-9_]{1,32}))?(?:\s(?P<args>.*))?",
    re.DOTALL,
)
"""A button's callback data: ``/name``, optionally ``@bot``, then the arguments."""


def chat_kind(chat: TgChat) -> ChatKind:
    """The neutral kind of a Telegram chat (basic groups and supergroups are both groups)."""
    if chat.type == ChatType.PRIVATE:
        return ChatKind.PRIVATE
    if chat.type == ChatType.CHANNEL:
        return ChatKind.CHANNEL
    return ChatKind.GROUP


def to_chat(chat: TgChat) -> Chat:
    """The neutral chat for a Telegram chat; private chats are titled with the user's name."""
    return Chat(
        platform=Platform.TELEGRAM,
        platform_chat_id=str(chat.id),
        kind=chat_kind(chat),
        title=chat.effective_name,
    )


def to_member(user: TgUser) -> Member:
    """The neutral member for a Telegram user (username without the ``@``), with the
    language of their app (``language_code``) where Telegram sends it."""
    return Member(
        platform=Platform.TELEGRAM,
        platform_user_id=str(user.id),
        display_name=user.full_name,
        username=user.username,
        is_bot=user.is_bot,
        locale=user.language_code or None,
    )


def chat_as_member(chat: TgChat) -> Member:
    """A member standing for a chat that posts as itself (anonymous admins, linked channels)."""
    return Member(
        platform=Platform.TELEGRAM,
        platform_user_id=str(chat.id),
        display_name=chat.effective_name or str(chat.id),
        username=chat.username,
        is_bot=False,
    )


def message_author(message: TgMessage) -> Member | None:
    """Who wrote ``message``: the chat it was posted as, else the user; ``None`` if unknown."""
    if message.sender_chat is not None:
        return chat_as_member(message.sender_chat)
    if message.from_user is not None:
        return to_member(message.from_user)
    return None


def permalink(message: TgMessage) -> str | None:
    """A t.me link to ``message``; ``None`` for basic groups and private chats.

    Public supergroups link by username, other supergroups through ``t.me/c/`` with the
    ``-100`` prefix of the chat id removed.
    """
    chat = message.chat
    if chat.type not in (ChatType.SUPERGROUP, ChatType.CHANNEL):
        return None
    if chat.username:
        return f"https://t.me/{chat.username}/{message.message_id}"
    chat_id = str(chat.id)
    if not chat_id.startswith(_SUPERGROUP_ID_PREFIX):
        return None
    return f"https://t.me/c/{chat_id[len(_SUPERGROUP_ID_PREFIX) :]}/{message.message_id}"


def is_present(member: ChatMember) -> bool:
    """Whether a chat member status means the user is in the chat."""
    if member.status in _PRESENT_STATUSES:
        return True
    return isinstance(member, ChatMemberRestricted) and member.is_member


@dataclass(frozen=True, slots=True)
class BotIdentity:
    """Who the bot is, as reported by ``getMe``."""

    user_id: int
    username: str
    display_name: str

    @property
    def member(self) -> Member:
        """The bot as a neutral member."""
        return Member(
            platform=Platform.TELEGRAM,
            platform_user_id=str(self.user_id),
            display_name=self.display_name,
            username=self.username,
            is_bot=True,
        )


class UpdateConverter:
    """Turns one Telegram update into zero or more neutral events.

    Knows the bot's identity (to ignore its own messages, commands for other bots and
    duplicate reports of its own membership) and remembers recent membership changes so
    that a join reported both as a ``chat_member`` update and as a ``new_chat_members``
    service message reaches the application once.

    A message is addressed to Hearth when it mentions the bot (``@username`` in any case,
    or a text mention of its user), replies to one of the bot's messages, or comes from a
    private chat; the bot's mention is left out of ``mentions`` and the text follows
    ``adapters.addressing``.
    """

    def __init__(
        self,
        identity: BotIdentity | None = None,
        *,
        membership_dedupe_window: timedelta = timedelta(seconds=60),
        membership_memory: int = 4096,
    ) -> None:
        self.identity = identity
        self._dedupe_window = membership_dedupe_window
        self._memory_size = membership_memory
        self._last_membership: OrderedDict[tuple[str, str], tuple[MembershipChange, datetime]] = (
            OrderedDict()
        )

    def convert(self, update: Update) -> list[Event]:
        """The neutral events carried by ``update`` (empty for anything Hearth ignores)."""
        if update.my_chat_member is not None:
            return self._bot_status(update.my_chat_member)
        if update.chat_member is not None:
            return self._chat_member(update.chat_member)
        if update.message is not None:
            return self._message(update.message, edited=False)
        if update.edited_message is not None:
            return self._message(update.edited_message, edited=True)
        if update.message_reaction is not None:
            return self._reactions(update.message_reaction)
        return []

    def callback_command(
        self, query: CallbackQuery, known_commands: Collection[str] = ()
    ) -> Command | None:
        """The command a button press stands for, as if the presser had typed it.

        Callback data is untrusted: ``None`` unless it is a ``/command`` for this bot (one
        of ``known_commands`` when given) on a message in a chat.
        """
        data = query.data
        message = query.message
        if not isinstance(data, str) or message is None:
            return None
        match = _BUTTON_COMMAND.fullmatch(data)
        if match is None:
            return None
        name = match["name"].lower()
        addressee = match["addressee"]
        if addressee and (
            self.identity is None or addressee.lower() != self.identity.username.lower()
        ):
            return None
        if known_commands and name not in known_commands:
            return None
        return Command(
            chat=to_chat(message.chat),
            sender=to_member(query.from_user),
            name=name,
            args=tuple((match["args"] or "").split()),
            platform_message_id=str(message.message_id),
            sent_at=utc(None),
            raw_text=data,
        )

    # -- membership -------------------------------------------------------------------------

    def _is_self(self, user: TgUser | None) -> bool:
        return user is not None and self.identity is not None and user.id == self.identity.user_id

    def _bot_status(self, changed: ChatMemberUpdated) -> list[Event]:
        was_in = is_present(changed.old_chat_member)
        now_in = is_present(changed.new_chat_member)
        if was_in == now_in:
            return []
        return [
            BotStatusEvent(
                chat=to_chat(changed.chat),
                added=now_in,
                at=utc(changed.date),
                by=to_member(changed.from_user),
            )
        ]

    def _chat_member(self, changed: ChatMemberUpdated) -> list[Event]:
        user = changed.new_chat_member.user
        if self._is_self(user):
            return []  # reported through my_chat_member
        was_in = is_present(changed.old_chat_member)
        now_in = is_present(changed.new_chat_member)
        if was_in == now_in:
            return []
        change = MembershipChange.JOINED if now_in else MembershipChange.LEFT
        return self._membership(changed.chat, user, change, utc(changed.date))

    def _membership(
        self, chat: TgChat, user: TgUser, change: MembershipChange, at: datetime
    ) -> list[Event]:
        key = (str(chat.id), str(user.id))
        previous = self._last_membership.get(key)
        if (
            previous is not None
            and previous[0] is change
            and abs(at - previous[1]) <= self._dedupe_window
        ):
            return []
        self._last_membership[key] = (change, at)
        self._last_membership.move_to_end(key)
        while len(self._last_membership) > self._memory_size:
            self._last_membership.popitem(last=False)
        return [MembershipEvent(chat=to_chat(chat), member=to_member(user), change=change, at=at)]

    # -- reactions --------------------------------------------------------------------------

    def _reactions(self, changed: MessageReactionUpdated) -> list[Event]:
        """One event per emoji added or taken back (Telegram sends the old and new sets).

        Anonymous reactions (by a chat rather than a user) and reactions in non-group chats
        are left out.
        """
        user = changed.user
        if user is None or self._is_self(user) or chat_kind(changed.chat) is not ChatKind.GROUP:
            return []
        old = [key for key in map(reaction_key, changed.old_reaction) if key]
        new = [key for key in map(reaction_key, changed.new_reaction) if key]
        chat, member, at = to_chat(changed.chat), to_member(user), utc(changed.date)
        message_id = str(changed.message_id)
        events: list[Event] = [
            ReactionEvent(chat, member, message_id, emoji, added=False, at=at)
            for emoji in old
            if emoji not in new
        ]
        events += [
            ReactionEvent(chat, member, message_id, emoji, added=True, at=at)
            for emoji in new
            if emoji not in old
        ]
        return events

    # -- messages ---------------------------------------------------------------------------

    def _message(self, message: TgMessage, *, edited: bool) -> list[Event]:
        at = utc(message.date)
        if message.new_chat_members:
            joined: list[Event] = []
            for user in message.new_chat_members:
                if not self._is_self(user):
                    joined.extend(self._membership(message.chat, user, MembershipChange.JOINED, at))
            return joined
        if message.left_chat_member is not None:
            if self._is_self(message.left_chat_member):
                return []
            return self._membership(
                message.chat, message.left_chat_member, MembershipChange.LEFT, at
            )
        if self._is_self(message.from_user) and message.sender_chat is None:
            return []
        author = message_author(message)
        if author is None:
            return []

        if message.text is not None:
            text = message.text
            entities = message.parse_entities()
        elif message.caption is not None:
            text = message.caption
            entities = message.parse_caption_entities()
        else:
            return []  # media without text, stickers, other service messages
        if not text.strip():
            return []

        ordered = sorted(entities.items(), key=lambda item: item[0].offset)
        chat = to_chat(message.chat)
        if (
            ordered
            and ordered[0][0].type == MessageEntity.BOT_COMMAND
            and ordered[0][0].offset == 0
        ):
            if edited:
                return []  # an edited command is not run again
            command = self._command(
                chat=chat,
                author=author,
                message=message,
                text=text,
                command_text=ordered[0][1],
                at=at,
            )
            return [command] if command is not None else []

        mentions: list[Mention] = []
        hearth_spans: list[Span] = []
        for entity, fragment in ordered:
            if self._mentions_self(entity, fragment):
                hearth_spans.append(_python_span(text, entity))
            elif entity.type == MessageEntity.MENTION:
                mentions.append(Mention(username=fragment.removeprefix("@")))
            elif entity.type == MessageEntity.TEXT_MENTION and entity.user is not None:
                mentions.append(Mention(member=to_member(entity.user)))

        reply_to_id: str | None = None
        reply_to_member: Member | None = None
        replies_to_self = False
        original = message.reply_to_message
        if original is not None and not _is_topic_root(message, original):
            reply_to_id = str(original.message_id)
            reply_to_member = message_author(original)
            replies_to_self = self._is_self(original.from_user) and original.sender_chat is None

        return [
            Message(
                chat=chat,
                sender=author,
                platform_message_id=str(message.message_id),
                text=text_for_hearth(text, hearth_spans),
                sent_at=at,
                mentions=tuple(mentions),
                reply_to_message_id=reply_to_id,
                reply_to_member=reply_to_member,
                permalink=permalink(message),
                edited_at=utc(message.edit_date) if edited else None,
                addressed_to_hearth=bool(
                    hearth_spans or replies_to_self or chat.kind is ChatKind.PRIVATE
                ),
            )
        ]

    def _mentions_self(self, entity: MessageEntity, fragment: str) -> bool:
        """Whether ``entity`` mentions the bot: ``@username`` (any case) or a text mention."""
        if self.identity is None:
            return False
        if entity.type == MessageEntity.MENTION:
            return fragment.removeprefix("@").lower() == self.identity.username.lower()
        if entity.type == MessageEntity.TEXT_MENTION:
            return entity.user is not None and entity.user.id == self.identity.user_id
        return False

    def _command(
        self,
        *,
        chat: Chat,
        author: Member,
        message: TgMessage,
        text: str,
        command_text: str,
        at: datetime,
    ) -> Command | None:
        name, _, addressee = command_text.removeprefix("/").partition("@")
        if (
            addressee
            and self.identity is not None
            and addressee.lower() != self.identity.username.lower()
        ):
            logger.debug("ignoring /%s addressed to @%s", name, addressee)
            return None
        if not name:
            return None
        args = tuple(text[len(command_text) :].split())
        return Command(
            chat=chat,
            sender=author,
            name=name.lower(),
            args=args,
            platform_message_id=str(message.message_id),
            sent_at=at,
            raw_text=text,
        )


def reaction_key(reaction: ReactionType) -> str | None:
    """The emoji of a reaction (``custom:`` and the id for a custom emoji); ``None`` for a
    paid (star) reaction, which names no emoji."""
    if isinstance(reaction, ReactionTypeEmoji):
        return reaction.emoji
    if isinstance(reaction, ReactionTypeCustomEmoji):
        return f"custom:{reaction.custom_emoji_id}"
    return None


def _is_topic_root(message: TgMessage, original: TgMessage) -> bool:
    """Messages in forum topics carry the topic's opening message as an implicit reply."""
    return bool(
        message.is_topic_message
        and message.message_thread_id is not None
        and original.message_id == message.message_thread_id
    )


def _python_span(text: str, entity: MessageEntity) -> Span:
    """Where ``entity`` sits in ``text`` in characters (Telegram counts UTF-16 code units)."""
    encoded = text.encode("utf-16-le")
    start = len(encoded[: entity.offset * 2].decode("utf-16-le"))
    end = len(encoded[: (entity.offset + entity.length) * 2].decode("utf-16-le"))
    return start, end
