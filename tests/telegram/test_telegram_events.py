"""Updates over the wire become the right neutral events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from adapters.model import (
    BotStatusEvent,
    ChatKind,
    Command,
    Event,
    Member,
    MembershipChange,
    MembershipEvent,
    Mention,
    Message,
    Platform,
)
from adapters.telegram import TelegramAdapter
from tests.fakes.recording_handler import RecordingHandler
from tests.fakes.telegram_api import (
    FakeTelegramApi,
    bot_added_update,
    bot_removed_update,
    edited_message_update,
    left_chat_member_update,
    make_chat,
    make_message,
    make_user,
    member_joined_update,
    member_left_update,
    message_update,
    new_chat_members_update,
    private_chat,
)
from tests.fakes.telegram_fixtures import AdapterFactory

pytestmark = pytest.mark.wire

ALICE = make_user(501, "Alice", last_name="Liddell", username="alice_l")
BOB = make_user(502, "Bob", username="bobby_b")
CAROL = make_user(503, "Carol")  # no username: only a text mention can point at her
GROUP = make_chat(-1001234567890, title="Book Club")
PUBLIC_GROUP = make_chat(-1009876543210, title="Open Chat", username="openchat")
BASIC_GROUP = make_chat(-4242, kind="group", title="Family")


@dataclass
class Running:
    api: FakeTelegramApi
    adapter: TelegramAdapter
    handler: RecordingHandler

    async def deliver(self, update: dict[str, object], count: int = 1) -> list[Event]:
        before = len(self.handler.events)
        self.api.push_update(update)
        events = await self.handler.wait_for(before + count)
        return list(events[before:])

    async def deliver_nothing(self, update: dict[str, object]) -> None:
        """Push ``update`` and a marker; only the marker may come through."""
        before = len(self.handler.events)
        self.api.push_update(update)
        self.api.push_update(message_update(make_message(GROUP, BOB, "marker")))
        events = await self.handler.wait_for(before + 1)
        assert len(events) == before + 1, events[before:]
        marker = events[-1]
        assert isinstance(marker, Message)
        assert marker.text == "marker"


@pytest.fixture
async def running(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> AsyncIterator[Running]:
    handler = RecordingHandler()
    adapter = telegram_adapter_factory()
    await adapter.start(handler)
    yield Running(fake_telegram, adapter, handler)


def _member(user: dict[str, object], display: str) -> Member:
    return Member(
        platform=Platform.TELEGRAM,
        platform_user_id=str(user["id"]),
        display_name=display,
        username=user.get("username"),  # type: ignore[arg-type]
        is_bot=bool(user["is_bot"]),
    )


async def test_text_message_fields(running: Running) -> None:
    raw = make_message(GROUP, ALICE, "Anyone read Middlemarch?", date=1_767_225_600)
    [event] = await running.deliver(message_update(raw))

    assert isinstance(event, Message)
    assert event.chat.platform is Platform.TELEGRAM
    assert event.chat.platform_chat_id == "-1001234567890"
    assert event.chat.kind is ChatKind.GROUP
    assert event.chat.title == "Book Club"
    assert event.sender == _member(ALICE, "Alice Liddell")
    assert event.platform_message_id == str(raw["message_id"])
    assert event.text == "Anyone read Middlemarch?"
    assert event.sent_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert event.sent_at.tzinfo is not None
    assert event.mentions == ()
    assert event.reply_to_message_id is None
    assert event.edited_at is None
    assert event.permalink == f"https://t.me/c/1234567890/{raw['message_id']}"


async def test_permalinks_for_public_and_basic_groups(running: Running) -> None:
    public = make_message(PUBLIC_GROUP, ALICE, "hello public")
    basic = make_message(BASIC_GROUP, ALICE, "hello family")
    [public_event] = await running.deliver(message_update(public))
    [basic_event] = await running.deliver(message_update(basic))

    assert isinstance(public_event, Message)
    assert public_event.permalink == f"https://t.me/openchat/{public['message_id']}"
    assert isinstance(basic_event, Message)
    assert basic_event.chat.kind is ChatKind.GROUP
    assert basic_event.permalink is None


async def test_mentions_after_emoji_use_utf16_offsets(running: Running) -> None:
    text = "🎉🎉 thanks @bobby_b and 👩‍👩‍👧 Carol for the 📚 tips"
    raw = make_message(GROUP, ALICE, text, text_mentions={"Carol": CAROL})
    [event] = await running.deliver(message_update(raw))

    assert isinstance(event, Message)
    assert event.text == text
    assert event.mentions == (
        Mention(username="bobby_b"),
        Mention(member=_member(CAROL, "Carol")),
    )


async def test_caption_counts_media_without_text_does_not(running: Running) -> None:
    with_caption = make_message(GROUP, ALICE, caption="🏔️ look at this, @bobby_b")
    [event] = await running.deliver(message_update(with_caption))
    assert isinstance(event, Message)
    assert event.text == "🏔️ look at this, @bobby_b"
    assert event.mentions == (Mention(username="bobby_b"),)

    await running.deliver_nothing(message_update(make_message(GROUP, ALICE, media="photo")))
    await running.deliver_nothing(message_update(make_message(GROUP, ALICE, media="sticker")))


async def test_edited_message_sets_edited_at(running: Running) -> None:
    raw = make_message(GROUP, ALICE, "see you at 5", date=1_767_225_600)
    [first] = await running.deliver(message_update(raw))
    [edited] = await running.deliver(
        edited_message_update(raw, text="see you at 6", edit_date=1_767_225_660)
    )

    assert isinstance(first, Message)
    assert isinstance(edited, Message)
    assert edited.platform_message_id == first.platform_message_id
    assert edited.text == "see you at 6"
    assert edited.sent_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert edited.edited_at == datetime(2026, 1, 1, 0, 1, tzinfo=UTC)


async def test_reply_carries_original_id_and_author(running: Running) -> None:
    original = make_message(GROUP, BOB, "what are we reading next?")
    reply = make_message(GROUP, ALICE, "Dune!", reply_to=original)
    [event] = await running.deliver(message_update(reply))

    assert isinstance(event, Message)
    assert event.reply_to_message_id == str(original["message_id"])
    assert event.reply_to_member == _member(BOB, "Bob")


async def test_commands_with_and_without_bot_name(running: Running) -> None:
    plain = make_message(GROUP, ALICE, "/twin on")
    addressed = make_message(GROUP, ALICE, "/Twin@HearthBot off  now")
    [first] = await running.deliver(message_update(plain))
    [second] = await running.deliver(message_update(addressed))

    assert isinstance(first, Command)
    assert first.name == "twin"
    assert first.args == ("on",)
    assert first.raw_text == "/twin on"
    assert first.platform_message_id == str(plain["message_id"])
    assert first.sender == _member(ALICE, "Alice Liddell")
    assert first.chat.kind is ChatKind.GROUP
    assert isinstance(second, Command)
    assert second.name == "twin"
    assert second.args == ("off", "now")


async def test_command_for_another_bot_is_ignored(running: Running) -> None:
    await running.deliver_nothing(message_update(make_message(GROUP, ALICE, "/twin@OtherBot on")))


async def test_private_message_and_command(running: Running) -> None:
    chat = private_chat(ALICE)
    [message] = await running.deliver(message_update(make_message(chat, ALICE, "hi there")))
    [command] = await running.deliver(message_update(make_message(chat, ALICE, "/start")))

    assert isinstance(message, Message)
    assert message.chat.kind is ChatKind.PRIVATE
    assert message.chat.platform_chat_id == "501"
    assert message.permalink is None
    assert isinstance(command, Command)
    assert command.chat.kind is ChatKind.PRIVATE
    assert command.name == "start"
    assert command.args == ()


async def test_bot_added_and_removed(running: Running) -> None:
    bot = running.api.bot_user
    [added] = await running.deliver(bot_added_update(GROUP, bot, by=ALICE))
    [removed] = await running.deliver(bot_removed_update(GROUP, bot, by=BOB))

    assert isinstance(added, BotStatusEvent)
    assert added.added is True
    assert added.chat.platform_chat_id == "-1001234567890"
    assert added.by == _member(ALICE, "Alice Liddell")
    assert added.at.tzinfo is not None
    assert isinstance(removed, BotStatusEvent)
    assert removed.added is False
    assert removed.by == _member(BOB, "Bob")
    assert running.adapter.bot_member.username == "HearthBot"


async def test_bot_in_service_message_is_not_a_member_event(running: Running) -> None:
    await running.deliver_nothing(new_chat_members_update(GROUP, [running.api.bot_user], by=ALICE))


async def test_member_join_and_leave_from_chat_member_updates(running: Running) -> None:
    [joined] = await running.deliver(member_joined_update(GROUP, CAROL))
    [left] = await running.deliver(member_left_update(GROUP, CAROL))

    assert isinstance(joined, MembershipEvent)
    assert joined.change is MembershipChange.JOINED
    assert joined.member == _member(CAROL, "Carol")
    assert joined.chat.platform_chat_id == "-1001234567890"
    assert isinstance(left, MembershipEvent)
    assert left.change is MembershipChange.LEFT


async def test_member_join_and_leave_from_service_messages(running: Running) -> None:
    joined = await running.deliver(new_chat_members_update(GROUP, [BOB, CAROL], by=ALICE), 2)
    [left] = await running.deliver(left_chat_member_update(GROUP, CAROL))

    assert all(isinstance(e, MembershipEvent) for e in joined)
    assert [(e.member.platform_user_id, e.change) for e in joined] == [  # type: ignore[union-attr]
        ("502", MembershipChange.JOINED),
        ("503", MembershipChange.JOINED),
    ]
    assert isinstance(left, MembershipEvent)
    assert left.member.platform_user_id == "503"
    assert left.change is MembershipChange.LEFT


async def test_join_reported_twice_reaches_the_app_once(running: Running) -> None:
    [joined] = await running.deliver(member_joined_update(GROUP, CAROL))
    assert isinstance(joined, MembershipEvent)
    await running.deliver_nothing(new_chat_members_update(GROUP, [CAROL]))


async def test_forum_topic_root_is_not_a_reply(running: Running) -> None:
    forum = make_chat(-1003330001111, title="Forum", is_forum=True)
    root = make_message(
        forum, ALICE, extra={"forum_topic_created": {"name": "Books", "icon_color": 1}}
    )
    in_topic = make_message(
        forum,
        BOB,
        "first post in the topic",
        reply_to=root,
        extra={"is_topic_message": True, "message_thread_id": root["message_id"]},
    )
    real_reply = make_message(
        forum,
        ALICE,
        "answering Bob",
        reply_to=in_topic,
        extra={"is_topic_message": True, "message_thread_id": root["message_id"]},
    )
    [topic_event] = await running.deliver(message_update(in_topic))
    [reply_event] = await running.deliver(message_update(real_reply))

    assert isinstance(topic_event, Message)
    assert topic_event.reply_to_message_id is None
    assert isinstance(reply_event, Message)
    assert reply_event.reply_to_message_id == str(in_topic["message_id"])
    assert reply_event.reply_to_member == _member(BOB, "Bob")


async def test_message_posted_as_the_group_uses_the_chat_as_sender(running: Running) -> None:
    anonymous_admin = make_user(1087968824, "Group", username="GroupAnonymousBot", is_bot=True)
    raw = make_message(GROUP, anonymous_admin, "rules updated", sender_chat=GROUP)
    [event] = await running.deliver(message_update(raw))

    assert isinstance(event, Message)
    assert event.sender.platform_user_id == str(GROUP["id"])
    assert event.sender.display_name == "Book Club"
    assert not event.sender.is_bot


async def test_edited_command_is_not_run_again(running: Running) -> None:
    raw = make_message(GROUP, ALICE, "/twin on")
    [command] = await running.deliver(message_update(raw))
    assert isinstance(command, Command)
    await running.deliver_nothing(edited_message_update(raw, text="/twin off"))
