"""Storing a live group message: the hot path of ingest, in one short transaction.

Every message a chat sends passes through here, and on a small machine the SQL work
competes with the embedder for the same cores. So the path is plain SQL expressions
(no ORM session), one connection and one commit per message, and as few statements
as the guarantees allow:

- the chat's and the sender's rows are upserted only when their title or names
  differ from what this process wrote lately (:class:`RecentRows`);
- the member's last-message time is one upsert that only ever moves it forward;
- the message is inserted once (a re-delivery is found by its platform id) and the
  stored row comes back from the insert itself;
- what the router needs next (is the sender's twin on here, do twin replies wait to be
  reported to them) comes back from the insert too.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Label, bindparam, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.model import Message
from bots.storage.base import StorageBase, storable
from bots.storage.recent_rows import RecentRows
from bots.storage.records import IngestResult, StoredMessage
from bots.storage.tables import (
    ChatMemberRow,
    MemberRow,
    MemberSettingsRow,
    MessageRow,
    TwinReplyRow,
    utcnow,
)

STORED_COLUMNS = (
    MessageRow.id,
    MessageRow.chat_id,
    MessageRow.member_id,
    MessageRow.platform_message_id,
    MessageRow.text,
    MessageRow.sent_at,
    MessageRow.permalink,
    MessageRow.to_hearth,
)
"""A :class:`StoredMessage`'s fields, in its order."""

REPORTED_STATUSES = ("sent", "draft")
"""Twin replies an owner is told about when they are back."""


class MessageIngest(StorageBase):
    """Stores live group messages (see the module docstring)."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        self._recent = RecentRows()

    async def ingest_message(self, message: Message) -> IngestResult:
        """Store a group message once; a re-delivered message returns the stored row.

        A new message's result also says whether the sender's twin is on in the chat
        and whether twin replies wait to be reported to them.
        """
        try:
            return await self._ingest(message, trust_recent=True)
        except IntegrityError:
            # A chat or member row this process wrote lately is gone (removed by hand or
            # by another process): forget them all and write the rows again, once.
            if not self._recent:
                raise
            self._recent.clear()
            return await self._ingest(message, trust_recent=False)

    async def _ingest(self, message: Message, *, trust_recent: bool) -> IngestResult:
        chat, member = message.chat, message.sender
        chat_key = ("chat", chat.platform.value, chat.platform_chat_id)
        chat_values = (chat.kind.value, chat.title)
        member_key = ("member", member.platform.value, member.platform_user_id)
        member_values = (member.display_name, member.username, member.is_bot, member.locale)
        statements = self._ingest_statements
        async with self.engine.begin() as conn:
            chat_id = self._recent.get(chat_key, chat_values) if trust_recent else None
            if chat_id is None:
                chat_id = await self._upsert_chat(conn, chat)
            member_id = self._recent.get(member_key, member_values) if trust_recent else None
            if member_id is None:
                member_id = await self._upsert_member(conn, member)
            ids = {"chat_id": chat_id, "member_id": member_id}
            await conn.execute(statements.posted, {**ids, "last_message_at": message.sent_at})
            row = (await conn.execute(statements.insert, _message_values(message, ids))).first()
            created = row is not None
            if row is None:
                found = {**ids, "platform_message_id": message.platform_message_id}
                row = (await conn.execute(statements.stored, found)).one()
                twin_on = twin_news = None
            else:
                twin_on, twin_news = bool(row.twin_on), bool(row.twin_news)
        # Only now that the rows are committed may later messages rely on their ids.
        self._recent.put(chat_key, chat_values, chat_id)
        self._recent.put(member_key, member_values, member_id)
        return IngestResult(
            stored_message(row), created, chat_id, member_id, twin_on=twin_on, twin_news=twin_news
        )

    @functools.cached_property
    def _ingest_statements(self) -> _IngestStatements:
        """The statements of :meth:`ingest_message`, built once for this database."""
        posted = self._insert(ChatMemberRow)
        return _IngestStatements(
            # The member's last-message time only ever moves forward.
            posted=posted.on_conflict_do_update(
                index_elements=[ChatMemberRow.chat_id, ChatMemberRow.member_id],
                set_={"last_message_at": posted.excluded.last_message_at},
                where=or_(
                    ChatMemberRow.last_message_at.is_(None),
                    ChatMemberRow.last_message_at < posted.excluded.last_message_at,
                ),
            ),
            insert=self._insert(MessageRow)
            .on_conflict_do_nothing(
                index_elements=[MessageRow.chat_id, MessageRow.platform_message_id]
            )
            .returning(*STORED_COLUMNS, *_sender_state()),
            stored=select(*STORED_COLUMNS).where(
                MessageRow.chat_id == bindparam("chat_id"),
                MessageRow.platform_message_id == bindparam("platform_message_id"),
            ),
        )


@dataclass(frozen=True, slots=True)
class _IngestStatements:
    posted: Any
    """Upsert the member's row in the chat: chat_id, member_id, last_message_at."""
    insert: Any
    """Insert a message unless stored already, returning the new row and the sender's
    state (see :func:`_sender_state`)."""
    stored: Any
    """The stored row of a message: chat_id, platform_message_id."""


def _sender_state() -> tuple[Label[Any], Label[bool]]:
    """``twin_on``: whether the sender's twin is on in the chat; ``twin_news``: whether
    replies of their twin (from any of their linked accounts) wait to be reported to
    them. Bound as ``sender_id`` and ``sender_chat_id`` (the names of the message's own
    columns are taken by the insert)."""
    member_id = bindparam("sender_id", type_=Integer)
    twin_on = (
        select(MemberSettingsRow.twin_enabled)
        .where(
            MemberSettingsRow.member_id == member_id,
            MemberSettingsRow.chat_id == bindparam("sender_chat_id", type_=Integer),
        )
        .scalar_subquery()
    )
    profile = select(MemberRow.profile_id).where(MemberRow.id == member_id).scalar_subquery()
    linked = select(MemberRow.id).where(MemberRow.profile_id == profile)
    news = exists().where(
        or_(TwinReplyRow.member_id == member_id, TwinReplyRow.member_id.in_(linked)),
        TwinReplyRow.owner_notified_at.is_(None),
        TwinReplyRow.status.in_(REPORTED_STATUSES),
    )
    return twin_on.label("twin_on"), news.label("twin_news")


def _message_values(message: Message, ids: dict[str, int]) -> dict[str, Any]:
    """The row of a new message sent by ``ids["member_id"]`` in ``ids["chat_id"]``."""
    return {
        **ids,
        "sender_id": ids["member_id"],
        "sender_chat_id": ids["chat_id"],
        "platform_message_id": message.platform_message_id,
        "text": storable(message.text),
        "sent_at": message.sent_at,
        "edited_at": message.edited_at,
        "reply_to_platform_id": message.reply_to_message_id,
        "permalink": message.permalink,
        "to_hearth": message.addressed_to_hearth,
        "created_at": utcnow(),
    }


def stored_message(row: Any) -> StoredMessage:
    """The message of a row (or ORM object) with the columns of :data:`STORED_COLUMNS`."""
    return StoredMessage(
        id=row.id,
        chat_id=row.chat_id,
        member_id=row.member_id,
        platform_message_id=row.platform_message_id,
        text=row.text,
        sent_at=row.sent_at,
        permalink=row.permalink,
        to_hearth=row.to_hearth,
    )
