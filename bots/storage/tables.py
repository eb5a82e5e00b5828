"""SQLAlchemy 2 table definitions for chats, members, messages and settings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
    or_,
)
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Id = BigInteger().with_variant(Integer(), "sqlite")
"""Primary keys: 64-bit on PostgreSQL, SQLite's rowid integer on SQLite."""


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no zone, so values are normalised to UTC on the way in and
    tagged as UTC on the way out; naive input is rejected.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give a timezone")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with a stable constraint naming scheme for migrations."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ChatRow(Base):
    """A chat Hearth has seen."""

    __tablename__ = "chats"
    __table_args__ = (UniqueConstraint("platform", "platform_chat_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_chat_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    catch_up_after: Mapped[str | None] = mapped_column(String(64))
    """While the adapter catches up on the chat's history after a disconnection: the
    platform message id it resumes after (cleared once it has caught up)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ProfileRow(Base):
    """A person behind one or more linked platform accounts, with their twin choices.

    ``twin_active`` is the person's master switch (``/twin off`` anywhere turns the
    twin off on every linked account); ``twin_scope`` is ``chat`` (answer only from
    the chat where asked) or ``all`` (every group chat the person is in).
    """

    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    twin_active: Mapped[bool] = mapped_column(Boolean, default=True)
    twin_scope: Mapped[str] = mapped_column(String(8), default="chat")
    twin_mode: Mapped[str] = mapped_column(String(8), default="auto", server_default="auto")
    twin_paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MemberRow(Base):
    """A platform account Hearth has seen."""

    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("platform", "platform_user_id"),
        Index("ix_members_platform_username", "platform", "username"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(256))
    username: Mapped[str | None] = mapped_column(String(64))
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str | None] = mapped_column(String(16))
    """The language of the member's app as the platform last reported it (``zh-hans``…)."""
    profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("profiles.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class LinkCodeRow(Base):
    """A one-time code that links another account to its requester's profile.

    Only a hash of the code is kept; a code is single-use and expires.
    """

    __tablename__ = "link_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebSignInRow(Base):
    """A one-time link that signs a platform account in to the web pages.

    Only a hash of the link's token is kept; a link is single-use and expires.
    """

    __tablename__ = "web_sign_ins"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChatMemberRow(Base):
    """A member's presence in a chat: when they joined, left and last posted."""

    __tablename__ = "chat_members"

    chat_id: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @classmethod
    def present(cls) -> ColumnElement[bool]:
        """Still in the chat: never left, or joined again after leaving."""
        return or_(
            cls.left_at.is_(None),
            and_(cls.joined_at.is_not(None), cls.joined_at > cls.left_at),
        )


class MessageRow(Base):
    """A group message, kept so that memory can always be rebuilt from SQL.

    ``embedded_at`` is empty until the message is in vector memory; the
    embedding worker picks up every row where it is empty, after a crash too.
    ``to_hearth`` marks a message said to Hearth itself (an @-mention of the bot or a
    reply to it): kept for re-delivery checks and ``/forget``, but never in vector
    memory, digests, personas or introductions, as it is not part of the members' talk.
    ``imported`` marks a message read from an export or a channel's history rather than
    received live; the embedding worker takes live messages first.
    ``embedding_claimed_until`` / ``embedding_claimed_by``: on PostgreSQL several worker
    processes share the pending rows; a worker claims a batch until that time, and a
    claim that runs out (its worker was killed) puts the rows back in the pool.
    ``interest_terms`` / ``interest_weight`` / ``terms_version``: what the message tells
    of its author's interests, found by the embedding worker with the message's vector
    (see :mod:`jobs.message_terms`); empty until then, and again after an edit.
    """

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("chat_id", "platform_message_id"),
        Index("ix_messages_chat_member_sent", "chat_id", "member_id", "sent_at"),
        Index("ix_messages_chat_sent", "chat_id", "sent_at"),
        Index("ix_messages_pending", "embedded_at", "imported", "id"),
        Index("ix_messages_chat_reply_to", "chat_id", "reply_to_platform_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    platform_message_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_to_platform_id: Mapped[str | None] = mapped_column(String(64))
    permalink: Mapped[str | None] = mapped_column(String(512))
    embedded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    to_hearth: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    imported: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    embedding_claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    embedding_claimed_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    interest_terms: Mapped[str | None] = mapped_column(Text)
    interest_weight: Mapped[float | None] = mapped_column(Float)
    terms_version: Mapped[int | None] = mapped_column(SmallInteger)


class HistoryImportRow(Base):
    """One run that imports a chat's history (an export file or a channel's backfill).

    ``source`` is ``telegram-export``, ``discord-export`` or ``discord-backfill``;
    ``source_key`` tells runs of the same source apart (a file's fingerprint, or the
    start of the period read), so that a run cut short is continued, not started again.
    ``resume_after`` is the platform id of the last message handled in reading order,
    written in the same transaction as the messages, so a kill loses nothing.
    ``status``: running, done, failed or cancelled.
    """

    __tablename__ = "history_imports"
    __table_args__ = (
        Index("ix_history_imports_chat_source_key", "chat_id", "source", "source_key"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(24))
    source_key: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resume_after: Mapped[str | None] = mapped_column(String(64))
    stored: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    duplicates: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    skipped: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    """How many messages were left out, by reason (service, empty, deleted account...)."""
    note: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MemberSettingsRow(Base):
    """A member's choices in one chat (consent is per chat)."""

    __tablename__ = "member_settings"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    chat_id: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )
    twin_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    suggestable: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    """Whether Hearth may name the member when someone asks who here knows about a topic."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ChatSettingsRow(Base):
    """A chat's settings, chosen by its admins; empty values fall back to defaults."""

    __tablename__ = "chat_settings"

    chat_id: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )
    twins_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    twin_absence_minutes: Mapped[float | None] = mapped_column(Float)
    digest_schedule: Mapped[str | None] = mapped_column(Text)
    """The chat's digest schedule as stored by ``jobs.schedule_spec`` (JSON), if any."""
    digest_quiet_line: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sa_false()
    )
    """Whether a scheduled digest of a quiet period posts one line (else nothing)."""
    intro_cadence: Mapped[str | None] = mapped_column(Text)
    """The chat's introduction cadence as stored by ``jobs.schedule_spec`` (JSON), if any."""
    intro_delivery: Mapped[str] = mapped_column(String(8), default="group", server_default="group")
    """Where introductions go: ``group`` (one post in the chat) or ``dm`` (to each member)."""
    assistant_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    """Whether Hearth answers when it is addressed (``@hearth …``) in this chat."""
    language: Mapped[str] = mapped_column(String(8), default="auto", server_default="auto")
    """The language Hearth writes in: ``auto`` (what the chat mostly writes), ``en``, ``zh``."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class TwinReplyRow(Base):
    """Everything a twin said (or drafted), kept for its owner to review.

    ``status``: pending, sent, failed, draft (waiting for the owner's approval) or
    discarded. ``review``: unreviewed, confirmed, corrected or deleted.
    ``erased`` says why a ``/forget`` emptied the row's texts, if one did: ``asker``
    (the asker forgot the chat: question, answer and correction are gone) or
    ``sources`` (the answer quoted messages its owner deleted: the answer is gone).
    """

    __tablename__ = "twin_replies"
    __table_args__ = (Index("ix_twin_replies_member_created", "member_id", "created_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    asker_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    question_platform_id: Mapped[str] = mapped_column(String(64))
    question_text: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    source_message_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    platform_message_id: Mapped[str | None] = mapped_column(String(64))
    review: Mapped[str] = mapped_column(
        String(16), default="unreviewed", server_default="unreviewed"
    )
    correction: Mapped[str | None] = mapped_column(Text)
    abstained: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    """The twin said it had nothing relevant to quote (an abstention), rather than answer."""
    owner_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased: Mapped[str | None] = mapped_column(String(16))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TwinLimitHitRow(Base):
    """A twin answer held back by the rate limits in a chat (counted on the admin page;
    no member is named)."""

    __tablename__ = "twin_limit_hits"
    __table_args__ = (Index("ix_twin_limit_hits_chat_at", "chat_id", "hit_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    hit_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PersonaRow(Base):
    """A member's persona in one chat: running counts and the member's own note."""

    __tablename__ = "member_personas"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    chat_id: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    owner_note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class IntroMemberRow(Base):
    """A member's introductions choice in one chat: opted in, and snoozed until when."""

    __tablename__ = "intro_members"

    chat_id: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    opted_in: Mapped[bool] = mapped_column(Boolean, default=False)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class IntroAvoidRow(Base):
    """A member's private "don't pair me with" entry; it holds in every chat."""

    __tablename__ = "intro_avoid"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    avoided_member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IntroGroupRow(Base):
    """One introduction made in a round: the members introduced to each other."""

    __tablename__ = "intro_groups"
    __table_args__ = (Index("ix_intro_groups_chat_round", "chat_id", "round_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    round_at: Mapped[datetime] = mapped_column(UTCDateTime)
    member_ids: Mapped[list[int]] = mapped_column(JSON)
    similarity: Mapped[float] = mapped_column(Float)


class PersonalDigestRow(Base):
    """A member's personal digest schedule (``/digest me daily``), sent by direct message."""

    __tablename__ = "personal_digests"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    schedule: Mapped[str] = mapped_column(Text)
    """The schedule as stored by ``jobs.schedule_spec.ScheduleSpec.to_json`` (JSON)."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PlatformCursorRow(Base):
    """Where an adapter is in its platform's update stream (Telegram: the next update id)."""

    __tablename__ = "platform_cursors"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SkippedUpdateRow(Base):
    """A platform update that could not be handled, kept as received for inspection."""

    __tablename__ = "skipped_updates"
    __table_args__ = (Index("ix_skipped_updates_sender", "platform", "sender_platform_user_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_update_id: Mapped[str] = mapped_column(String(64))
    sender_platform_user_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    raw: Mapped[str] = mapped_column(Text)
    error: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HandledUpdateRow(Base):
    """A platform update one Hearth process has taken (webhook replicas share this).

    The primary key makes the claim: a replica that cannot insert the row leaves the
    update to whoever holds it. ``done_at`` is set once it was handled; a claim without it
    whose ``claimed_until`` has passed (the replica died) can be taken over.
    """

    __tablename__ = "handled_updates"
    __table_args__ = (Index("ix_handled_updates_claimed_until", "claimed_until"),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    claimed_by: Mapped[str] = mapped_column(String(64))
    claimed_until: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReactionRow(Base):
    """One emoji reaction a member put on a message in a group chat.

    One row per (chat, message, reacting member, emoji); taking the reaction back deletes
    the row. ``target_member_id`` is the member it recognises: the message's author, or
    the member whose twin sent the answer reacted to. Reactions on messages Hearth did not
    store, and reactions by a message's own author, are not kept.
    """

    __tablename__ = "reactions"
    __table_args__ = (
        UniqueConstraint("chat_id", "platform_message_id", "member_id", "emoji"),
        Index("ix_reactions_chat_target", "chat_id", "target_member_id"),
        Index("ix_reactions_member", "member_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    platform_message_id: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    """Who reacted."""
    target_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    """Who is recognised: the message's author, or the owner of the twin that sent it."""
    emoji: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DigestFeatureRow(Base):
    """A member a posted chat digest featured, and how (``jobs.digest_features.FeatureKind``).

    ``title`` is what the digest showed about them (a topic's title, a decision, a question,
    a link); ``None`` for a newcomer, or once a ``/forget`` of another member erased it.
    """

    __tablename__ = "digest_features"
    __table_args__ = (
        Index("ix_digest_features_member_posted", "member_id", "posted_at"),
        Index("ix_digest_features_chat_posted", "chat_id", "posted_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(Text)
    permalink: Mapped[str | None] = mapped_column(String(512))
