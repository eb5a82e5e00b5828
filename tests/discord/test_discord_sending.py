"""Replies go out through real discord.py: references, safe mentions, splitting, retries, DMs."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator

import pytest

from adapters.discord import DiscordAdapter, split_text
from adapters.model import (
    Button,
    Chat,
    ChatKind,
    Event,
    Member,
    Message,
    OutgoingReply,
    Platform,
)
from adapters.ports import DeliveryError, ReplySender
from tests.fakes.discord_api import (
    CREATE_DM,
    EDIT_MESSAGE,
    SEND_MESSAGE,
    SUPPRESS_EMBEDS,
    FakeDiscord,
)
from tests.fakes.discord_fixtures import AdapterFactory, TestServer
from tests.fakes.recording_handler import RecordingHandler

pytestmark = pytest.mark.wire


@pytest.fixture
async def adapter(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> AsyncIterator[DiscordAdapter]:
    running = discord_adapter_factory()
    await running.start(RecordingHandler())
    yield running


def _chat(channel_id: int) -> Chat:
    return Chat(Platform.DISCORD, str(channel_id), ChatKind.GROUP, "general")


def _person(user: dict[str, str]) -> Member:
    return Member(Platform.DISCORD, user["id"], user["global_name"], username=user["username"])


async def test_reply_is_a_safe_message_reply_and_its_echo_is_ignored(
    fake_discord: FakeDiscord, discord_server: TestServer, discord_adapter_factory: AdapterFactory
) -> None:
    async def answer(event: Event, sender: ReplySender) -> None:
        if isinstance(event, Message):
            await sender.send(
                OutgoingReply(
                    chat=event.chat,
                    text="@everyone look, <@&123> and <@456> too",
                    reply_to_message_id=event.platform_message_id,
                    label="🪞 Bob's twin",
                )
            )

    handler = RecordingHandler(answer)
    adapter = discord_adapter_factory()
    await adapter.start(handler)
    question = await fake_discord.post_message(
        discord_server.general, discord_server.alice, "bob, what do you think?"
    )

    [sent] = await fake_discord.wait_for_sent(1)
    assert sent.channel_id == discord_server.general
    assert sent.content == "🪞 Bob's twin\n@everyone look, <@&123> and <@456> too"
    assert sent.payload["message_reference"] == {
        "type": 0,
        "message_id": int(question["id"]),
        "channel_id": discord_server.general,
        "fail_if_not_exists": False,
    }
    mentions = sent.payload["allowed_mentions"]
    assert mentions["parse"] == []  # no @everyone/@here, no roles, no users
    assert not mentions.get("roles")
    assert not mentions.get("users")
    assert mentions.get("replied_user", False) is False  # Discord: omitted means false
    assert sent.payload["flags"] & SUPPRESS_EMBEDS

    events = await handler.settle(0.2)  # the bot's own message comes back over the gateway
    assert [e.text for e in events if isinstance(e, Message)] == ["bob, what do you think?"]


async def test_reply_with_buttons_is_sent_as_plain_text(
    fake_discord: FakeDiscord, discord_server: TestServer, adapter: DiscordAdapter
) -> None:
    original = await fake_discord.post_message(
        discord_server.general, discord_server.alice, "/settings"
    )
    buttons = ((Button("Twins off", "/settings twins off"),),)

    result = await adapter.sender.send(
        OutgoingReply(
            _chat(discord_server.general),
            "Twins in this chat: on.",
            reply_to_message_id=original["id"],
            buttons=buttons,
        )
    )

    [sent] = await fake_discord.wait_for_sent(1)
    assert result.platform_message_id == str(sent.message["id"])
    assert sent.content == "Twins in this chat: on."
    assert not sent.payload.get("components")
    assert sent.payload["message_reference"]["message_id"] == int(original["id"])


async def test_quoted_markdown_shows_as_written(
    fake_discord: FakeDiscord, discord_server: TestServer, adapter: DiscordAdapter
) -> None:
    quote = "Mallory: “[free gift](https://evil.example/claim_now) **now**”\n# Hearth says pay up"

    await adapter.sender.send(OutgoingReply(_chat(discord_server.general), quote))

    [sent] = await fake_discord.wait_for_sent(1)
    assert re.search(r"(?<!\\)\[", sent.content) is None  # no masked link hiding its address
    assert "\\[free gift](https://evil.example/claim_now)" in sent.content
    assert "\\*\\*now\\*\\*" in sent.content
    assert "\n\\# Hearth says pay up" in sent.content  # no heading in Hearth's voice


async def test_long_reply_is_split(
    fake_discord: FakeDiscord, discord_server: TestServer, adapter: DiscordAdapter
) -> None:
    paragraphs = [f"Paragraph {n}: " + "words " * 120 for n in range(8)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    assert len(text) > 4000
    original = await fake_discord.post_message(discord_server.general, discord_server.bob, "hm?")

    result = await adapter.sender.send(
        OutgoingReply(_chat(discord_server.general), text, reply_to_message_id=original["id"])
    )

    sent = fake_discord.sent_messages
    assert len(sent) >= 3
    assert all(len(s.content) <= 2000 for s in sent)
    assert all(s.content.startswith("Paragraph") for s in sent)  # cut at paragraph breaks
    assert "\n\n".join(s.content for s in sent) == text
    assert "message_reference" in sent[0].payload
    assert all("message_reference" not in s.payload for s in sent[1:])
    assert result.platform_message_id == str(sent[0].message_id)
    assert split_text("a" * 4500) == ["a" * 2000, "a" * 2000, "a" * 500]


async def test_a_reply_sent_again_with_its_key_is_posted_once(
    fake_discord: FakeDiscord, discord_server: TestServer, adapter: DiscordAdapter
) -> None:
    text = "\n\n".join(f"Part {n}: " + "words " * 300 for n in range(2))
    digest = OutgoingReply(_chat(discord_server.general), text, idempotency_key="a1b2c3")
    first = await adapter.sender.send(digest)
    # A resumed scheduled run sends the same part again (the kill fell before its record).
    again = await adapter.sender.send(digest)
    other = await adapter.sender.send(
        OutgoingReply(_chat(discord_server.general), "Next part", idempotency_key="d4e5f6")
    )
    unkeyed = await adapter.sender.send(OutgoingReply(_chat(discord_server.general), "Hi"))
    await adapter.sender.send(OutgoingReply(_chat(discord_server.general), "Hi"))

    posted = [
        m
        for m in fake_discord.messages.values()
        if m["author"]["id"] == str(fake_discord.bot_user["id"])
    ]
    assert [m["content"][:6] for m in posted] == ["Part 0", "Part 1", "Next p", "Hi", "Hi"]
    assert again.platform_message_id == first.platform_message_id
    assert other.platform_message_id != first.platform_message_id
    assert unkeyed.platform_message_id is not None
    nonces = [s.payload.get("nonce") for s in fake_discord.sent_messages[:2]]
    assert nonces == ["a1b2c3-0", "a1b2c3-1"]
    assert fake_discord.sent_messages[0].payload.get("enforce_nonce") is True


async def test_rate_limited_send_arrives_once(
    fake_discord: FakeDiscord, discord_server: TestServer, adapter: DiscordAdapter
) -> None:
    fake_discord.inject_rate_limit(1, retry_after=0.3)
    started = time.monotonic()

    result = await adapter.sender.send(OutgoingReply(_chat(discord_server.lounge), "patience"))

    assert time.monotonic() - started >= 0.3
    assert len(fake_discord.calls_to(SEND_MESSAGE)) == 2
    [sent] = fake_discord.sent_messages
    assert sent.content == "patience"
    assert result.platform_message_id == str(sent.message_id)


async def test_transient_errors_are_retried_then_reported(
    fake_discord: FakeDiscord,
    discord_server: TestServer,
    adapter: DiscordAdapter,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_discord.inject_error(SEND_MESSAGE, 2, status=503)
    await adapter.sender.send(OutgoingReply(_chat(discord_server.lounge), "second time lucky"))
    assert [s.content for s in fake_discord.sent_messages] == ["second time lucky"]
    assert len(fake_discord.calls_to(SEND_MESSAGE)) == 3

    fake_discord.inject_error(SEND_MESSAGE, 4, status=503)
    with caplog.at_level(logging.ERROR, logger="adapters.discord"), pytest.raises(DeliveryError):
        await adapter.sender.send(OutgoingReply(_chat(discord_server.lounge), "never"))
    assert len(fake_discord.calls_to(SEND_MESSAGE)) == 3 + 4  # first try and 3 retries
    assert any("could not be delivered" in r.getMessage() for r in caplog.records)

    fake_discord.inject_error(
        SEND_MESSAGE, 1, status=403, message="Missing Permissions", code=50013
    )
    with pytest.raises(DeliveryError, match="Missing Permissions"):
        await adapter.sender.send(OutgoingReply(_chat(discord_server.lounge), "forbidden"))
    assert len(fake_discord.calls_to(SEND_MESSAGE)) == 8  # not retried


async def test_private_reply_goes_to_direct_messages(
    fake_discord: FakeDiscord, discord_server: TestServer, adapter: DiscordAdapter
) -> None:
    await adapter.sender.send(
        OutgoingReply(
            _chat(discord_server.general),
            "only for you",
            private=True,
            recipient=_person(discord_server.alice),
        )
    )

    [call] = fake_discord.calls_to(CREATE_DM)
    assert call.body == {"recipient_id": int(discord_server.alice["id"])}
    [sent] = fake_discord.sent_messages
    dm = fake_discord.dm_channel_for(discord_server.alice)
    assert sent.channel_id == int(dm["id"])
    assert sent.content == "only for you"


async def test_private_reply_with_closed_dms_leaves_only_a_note(
    fake_discord: FakeDiscord, discord_server: TestServer, adapter: DiscordAdapter
) -> None:
    fake_discord.block_dms(discord_server.bob["id"])
    original = await fake_discord.post_message(discord_server.general, discord_server.bob, "hi")

    await adapter.sender.send(
        OutgoingReply(
            _chat(discord_server.general),
            "secret settings",
            reply_to_message_id=original["id"],
            private=True,
            recipient=_person(discord_server.bob),
        )
    )

    [note] = fake_discord.sent_messages
    assert note.channel_id == discord_server.general
    assert "secret" not in note.content
    assert note.content.startswith(f"<@{discord_server.bob['id']}>")
    assert note.payload["allowed_mentions"]["users"] == [int(discord_server.bob["id"])]
    assert note.payload["allowed_mentions"]["parse"] == []
    assert note.payload["message_reference"]["message_id"] == int(original["id"])


async def test_a_private_message_without_note_fails_when_dms_are_closed(
    fake_discord: FakeDiscord, discord_server: TestServer, adapter: DiscordAdapter
) -> None:
    fake_discord.block_dms(discord_server.bob["id"])
    with pytest.raises(DeliveryError):
        await adapter.sender.send(
            OutgoingReply(
                _chat(discord_server.general),
                "your daily digest",
                private=True,
                recipient=_person(discord_server.bob),
                note_if_undeliverable=False,
            )
        )
    assert fake_discord.sent_messages == []


async def test_sending_after_stop_is_a_delivery_error(
    discord_server: TestServer, adapter: DiscordAdapter
) -> None:
    sender = adapter.sender
    await adapter.stop()
    with pytest.raises(DeliveryError):
        await sender.send(OutgoingReply(_chat(discord_server.general), "too late"))


async def test_a_refused_private_message_other_than_closed_dms_is_an_error(
    fake_discord: FakeDiscord, discord_server: TestServer, adapter: DiscordAdapter
) -> None:
    fake_discord.inject_error(
        SEND_MESSAGE, 1, status=403, message="Missing Permissions", code=50013
    )
    with pytest.raises(DeliveryError, match="Missing Permissions"):
        await adapter.sender.send(
            OutgoingReply(
                _chat(discord_server.general),
                "secret settings",
                private=True,
                recipient=_person(discord_server.bob),
            )
        )
    assert fake_discord.sent_messages == []  # no note asking to open DMs


async def test_a_message_is_edited_in_place(
    fake_discord: FakeDiscord, discord_server: TestServer, adapter: DiscordAdapter
) -> None:
    chat = _chat(discord_server.general)
    sent = await adapter.sender.send(OutgoingReply(chat, "Reading… 10%"))
    assert sent.platform_message_id is not None
    fake_discord.inject_error(EDIT_MESSAGE, 1, status=503)

    assert await adapter.sender.edit(chat, sent.platform_message_id, "Read **all** of it")

    assert len(fake_discord.sent_messages) == 1  # no new message
    assert fake_discord.edited_messages == [
        (int(sent.platform_message_id), "Read \\*\\*all\\*\\* of it")
    ]
    edit = fake_discord.calls_to(EDIT_MESSAGE)[-1]
    assert edit.body["allowed_mentions"]["parse"] == []
    assert len(fake_discord.calls_to(EDIT_MESSAGE)) == 2  # the 503 was retried
    stored = fake_discord.messages[int(sent.platform_message_id)]
    assert stored["content"] == "Read \\*\\*all\\*\\* of it"
    assert stored["edited_timestamp"] is not None


async def test_an_edit_of_a_gone_or_foreign_message_is_refused(
    fake_discord: FakeDiscord, discord_server: TestServer, adapter: DiscordAdapter
) -> None:
    chat = _chat(discord_server.general)
    sent = await adapter.sender.send(OutgoingReply(chat, "soon gone"))
    assert sent.platform_message_id is not None
    assert await adapter.sender.delete(chat, sent.platform_message_id)
    theirs = await fake_discord.post_message(discord_server.general, discord_server.alice, "mine")

    assert not await adapter.sender.edit(chat, sent.platform_message_id, "new text")
    assert not await adapter.sender.edit(chat, str(theirs["id"]), "new text")
    assert not await adapter.sender.edit(chat, "not-a-snowflake", "new text")
    assert fake_discord.edited_messages == []
    assert fake_discord.messages[int(theirs["id"])]["content"] == "mine"
