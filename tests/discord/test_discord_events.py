"""Gateway events become neutral events: messages, threads, DMs, edits, deletes, membership."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC

import pytest

from adapters.discord import DiscordAdapter
from adapters.model import (
    BotStatusEvent,
    ChatKind,
    Member,
    MembershipChange,
    MembershipEvent,
    Mention,
    Message,
    MessageDeleted,
    Platform,
)
from tests.fakes.discord_api import FakeDiscord, make_user, snowflake, user_mention
from tests.fakes.discord_fixtures import AdapterFactory, TestServer, build_test_server
from tests.fakes.recording_handler import RecordingHandler

pytestmark = pytest.mark.wire


@pytest.fixture
async def handler(
    fake_discord: FakeDiscord,
    discord_server: TestServer,
    discord_adapter_factory: AdapterFactory,
) -> AsyncIterator[RecordingHandler]:
    recording = RecordingHandler()
    adapter: DiscordAdapter = discord_adapter_factory()
    await adapter.start(recording)
    yield recording


def _member(user: dict[str, str], display_name: str) -> Member:
    return Member(Platform.DISCORD, user["id"], display_name, username=user["username"])


async def test_guild_message_with_mentions(
    fake_discord: FakeDiscord, discord_server: TestServer, handler: RecordingHandler
) -> None:
    server = discord_server
    text = (
        f"{user_mention(server.bob)} and {user_mention(server.carol, nickname_form=True)}, "
        f"see you there {user_mention(server.bob)}"
    )
    raw = await fake_discord.post_message(
        server.general, server.alice, text, mentions=[server.carol, server.bob]
    )

    [event] = await handler.wait_for(1)
    assert isinstance(event, Message)
    assert event.chat.platform is Platform.DISCORD
    assert event.chat.platform_chat_id == str(server.general)
    assert event.chat.kind is ChatKind.GROUP
    assert event.chat.title == "general"
    assert event.sender == _member(server.alice, "Ali")  # the server nickname is shown
    assert event.text == "@bob.b and @carol, see you there @bob.b"  # mentions read as names
    assert event.platform_message_id == raw["id"]
    assert event.mentions == (
        Mention(member=_member(server.bob, "Bob")),
        Mention(member=_member(server.carol, "Carol")),
    )
    assert event.permalink == (
        f"https://discord.com/channels/{server.guild_id}/{server.general}/{raw['id']}"
    )
    assert event.sent_at.tzinfo is UTC
    assert event.reply_to_message_id is None
    assert event.edited_at is None


async def test_reply_carries_the_original_and_its_author(
    fake_discord: FakeDiscord, discord_server: TestServer, handler: RecordingHandler
) -> None:
    server = discord_server
    original = await fake_discord.post_message(server.lounge, server.bob, "who is coming?")
    await fake_discord.post_message(server.lounge, server.alice, "me!", reply_to=original)

    _, reply = await handler.wait_for(2)
    assert isinstance(reply, Message)
    assert reply.reply_to_message_id == original["id"]
    assert reply.reply_to_member is not None
    assert reply.reply_to_member.platform_user_id == server.bob["id"]
    assert reply.reply_to_member.username == "bob.b"
    assert reply.mentions == ()


async def test_thread_is_a_chat_of_its_own(
    fake_discord: FakeDiscord, discord_server: TestServer, handler: RecordingHandler
) -> None:
    server = discord_server
    thread = await fake_discord.create_thread(server.general, "Spring planting", owner=server.bob)
    raw = await fake_discord.post_message(int(thread["id"]), server.bob, "tomatoes first")

    [event] = await handler.wait_for(1)
    assert isinstance(event, Message)
    assert event.chat.platform_chat_id == thread["id"]
    assert event.chat.kind is ChatKind.GROUP
    assert event.chat.title == "general › Spring planting"
    assert event.permalink == (
        f"https://discord.com/channels/{server.guild_id}/{thread['id']}/{raw['id']}"
    )


async def test_direct_message_is_a_private_chat(
    fake_discord: FakeDiscord, discord_server: TestServer, handler: RecordingHandler
) -> None:
    raw = await fake_discord.post_dm(discord_server.alice, "hello bot")

    [event] = await handler.wait_for(1)
    assert isinstance(event, Message)
    assert event.chat.kind is ChatKind.PRIVATE
    assert event.chat.platform_chat_id == raw["channel_id"]
    assert event.chat.title == "Alice"
    assert event.sender.display_name == "Alice"
    assert event.permalink == f"https://discord.com/channels/@me/{raw['channel_id']}/{raw['id']}"


async def test_ignored_messages(
    fake_discord: FakeDiscord, discord_server: TestServer, handler: RecordingHandler
) -> None:
    server = discord_server
    picture = {
        "id": str(snowflake()),
        "filename": "garden.png",
        "size": 1024,
        "url": "https://cdn.example/garden.png",
        "proxy_url": "https://cdn.example/garden.png",
    }
    await fake_discord.post_message(server.general, server.alice, "", attachments=[picture])
    await fake_discord.post_message(server.general, fake_discord.bot_user, "my own words")
    await fake_discord.post_message(server.general, server.bob, "", message_type=7)  # join notice
    await fake_discord.post_message(server.general, server.bob, "   ")
    await fake_discord.post_message(server.general, server.alice, "a real one")

    events = await handler.wait_for(1)
    events = await handler.settle(0.1)
    assert [e.text for e in events if isinstance(e, Message)] == ["a real one"]
    assert len(events) == 1


async def test_edits_cached_and_uncached(
    fake_discord: FakeDiscord, discord_server: TestServer, handler: RecordingHandler
) -> None:
    server = discord_server
    raw = await fake_discord.post_message(server.general, server.alice, "first draft")
    await fake_discord.edit_message(raw, "second draft")
    # An update that does not change the text (a link preview arriving) is not an edit.
    unfurled = dict(raw, content="second draft", embeds=[{"type": "link", "url": "https://x"}])
    await fake_discord.dispatch("MESSAGE_UPDATE", unfurled, guild_id=server.guild_id)
    # A message sent before the bot started is not in discord.py's cache.
    old = fake_discord.build_message(server.lounge, server.bob, "written yesterday")
    await fake_discord.edit_message(old, "written yesterday, fixed")

    events = await handler.wait_for(3)
    events = await handler.settle(0.1)
    assert len(events) == 3
    created, edited, uncached = events
    assert isinstance(created, Message) and created.edited_at is None
    assert isinstance(edited, Message)
    assert edited.platform_message_id == raw["id"]
    assert edited.text == "second draft"
    assert edited.edited_at is not None and edited.edited_at.tzinfo is UTC
    assert isinstance(uncached, Message)
    assert uncached.platform_message_id == old["id"]
    assert uncached.text == "written yesterday, fixed"
    assert uncached.chat.platform_chat_id == str(server.lounge)
    assert uncached.sender.platform_user_id == server.bob["id"]
    assert uncached.edited_at is not None


async def test_delete(
    fake_discord: FakeDiscord, discord_server: TestServer, handler: RecordingHandler
) -> None:
    server = discord_server
    raw = await fake_discord.post_message(server.general, server.alice, "oops")
    await fake_discord.delete_message(raw)
    never_seen = fake_discord.build_message(server.lounge, server.bob, "old news")
    await fake_discord.delete_message(never_seen)

    _, deleted, deleted_uncached = await handler.wait_for(3)
    assert isinstance(deleted, MessageDeleted)
    assert deleted.platform_message_id == raw["id"]
    assert deleted.chat.platform_chat_id == str(server.general)
    assert deleted.chat.kind is ChatKind.GROUP
    assert isinstance(deleted_uncached, MessageDeleted)
    assert deleted_uncached.platform_message_id == never_seen["id"]
    assert deleted_uncached.chat.platform_chat_id == str(server.lounge)


async def test_members_joining_and_leaving(
    fake_discord: FakeDiscord, discord_server: TestServer, handler: RecordingHandler
) -> None:
    server = discord_server
    dora = make_user(snowflake(), "dora", global_name="Dora")
    await fake_discord.member_join(server.guild_id, dora)
    await fake_discord.member_leave(server.guild_id, server.bob)

    events = await handler.wait_for(4)
    events = await handler.settle(0.1)
    assert all(isinstance(e, MembershipEvent) for e in events)
    joined = [
        e for e in events if isinstance(e, MembershipEvent) and e.change is MembershipChange.JOINED
    ]
    left = [
        e for e in events if isinstance(e, MembershipEvent) and e.change is MembershipChange.LEFT
    ]
    # One event per text channel the bot can read; #staff is hidden from it.
    channels = {str(server.general), str(server.lounge)}
    assert {e.chat.platform_chat_id for e in joined} == channels
    assert {e.chat.platform_chat_id for e in left} == channels
    assert {e.member.username for e in joined} == {"dora"}
    assert {e.member.platform_user_id for e in left} == {server.bob["id"]}
    assert all(e.at.tzinfo is UTC for e in events if isinstance(e, MembershipEvent))


async def test_bot_added_to_and_removed_from_a_server(
    fake_discord: FakeDiscord, handler: RecordingHandler
) -> None:
    other = build_test_server(fake_discord, "Book Club")
    fake_discord.guilds.pop(other.guild_id)  # not in the server yet: it joins now
    await fake_discord.join_guild(other.guild)
    added = await handler.wait_for(2)
    await handler.settle(0.1)
    await fake_discord.create_thread(other.lounge, "Next book", owner=other.alice)
    await fake_discord.leave_guild(other.guild_id)
    events = await handler.wait_for(6)

    assert all(isinstance(e, BotStatusEvent) and e.added for e in added)
    assert {e.chat.platform_chat_id for e in added} == {str(other.general), str(other.lounge)}
    removed = [e for e in events[2:] if isinstance(e, BotStatusEvent)]
    assert len(removed) == 4  # every text channel, and the thread
    assert not any(e.added for e in removed)
    assert {e.chat.title for e in removed} == {"general", "lounge", "staff", "lounge › Next book"}
