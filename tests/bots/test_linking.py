"""One member across platforms: link codes, shared settings and the twin's scope."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from adapters.model import Chat, ChatKind, Platform
from bots.account_links import code_hash
from bots.app import Hearth
from tests.support import OTHER_GROUP, RecordingSender, command, member, message

DISCORD_CHANNEL = Chat(Platform.DISCORD, "9001", ChatKind.GROUP, "general")
BOB_DISCORD = member("bob", platform=Platform.DISCORD)


def discord_command(name: str, *args: str, who=BOB_DISCORD, chat: Chat = DISCORD_CHANNEL):  # type: ignore[no-untyped-def]
    return replace(command("bob", name, *args), chat=chat, sender=who)


def code_in(text: str) -> str:
    found = re.search(r"[A-Z2-9]{5}-[A-Z2-9]{5}", text)
    assert found, text
    return found.group(0)


async def link_bob(hearth: Hearth, sender: RecordingSender) -> None:
    await hearth.router.handle(command("bob", "link"), sender)
    code = code_in(sender.texts()[-1])
    await hearth.router.handle(discord_command("link", code), sender)
    assert sender.texts()[-1].startswith("Linked: your accounts (discord, telegram)")


async def test_link_code_is_private_single_use_and_links_own_account(hearth: Hearth) -> None:
    sender = RecordingSender()
    await hearth.router.handle(command("bob", "link"), sender)
    request = sender.replies[-1]
    assert request.private and request.recipient == member("bob")
    code = code_in(request.text)
    await hearth.router.handle(discord_command("link", code.lower().replace("-", " ")), sender)
    assert sender.texts()[-1].startswith("Linked")
    carol = member("carol", platform=Platform.DISCORD)
    await hearth.router.handle(discord_command("link", code, who=carol), sender)
    assert "already used" in sender.texts()[-1]
    bob_tg = await hearth.storage.ensure_member(member("bob"))
    carol_id = await hearth.storage.ensure_member(carol)
    assert len((await hearth.storage.profile(bob_tg)).member_ids) == 2
    assert (await hearth.storage.profile(carol_id)).member_ids == (carol_id,)


async def test_bad_codes_are_refused_and_guessing_is_limited(hearth: Hearth) -> None:
    sender = RecordingSender()
    await hearth.router.handle(command("bob", "link"), sender)
    code = code_in(sender.texts()[-1])
    await hearth.router.handle(command("bob", "link", code), sender)
    assert "other platform" in sender.texts()[-1]
    for guess in ("AAAAA-AAAAA", "nonsense", "BBBBB-BBBBB", "CCCCC-CCCCC", "DDDDD-DDDDD"):
        await hearth.router.handle(discord_command("link", guess), sender)
    await hearth.router.handle(discord_command("link", code), sender)
    assert "Too many wrong codes" in sender.texts()[-1]


async def test_expired_code_is_refused(hearth: Hearth) -> None:
    bob = await hearth.storage.ensure_member(member("bob"))
    past = datetime.now(UTC) - timedelta(minutes=1)
    await hearth.storage.create_link_code(bob, code_hash("ABCDE-FGHJK"), past)
    sender = RecordingSender()
    await hearth.router.handle(discord_command("link", "ABCDE-FGHJK"), sender)
    assert "expired" in sender.texts()[-1]


async def test_twin_off_on_one_platform_turns_it_off_on_both(hearth: Hearth) -> None:
    sender = RecordingSender()
    await hearth.router.handle(
        message("bob", "Fern Creek is the best beginner trail", minutes_ago=90), sender
    )
    await hearth.router.handle(command("bob", "twin", "on"), sender)
    await link_bob(hearth, sender)
    await hearth.router.handle(discord_command("twin", "off"), sender)
    assert "off on all your linked accounts" in sender.texts()[-1]
    sender.replies.clear()
    await hearth.router.handle(
        message("alice", "@bob which beginner trail?", mentions=("bob",)), sender
    )
    assert sender.replies == []


async def test_scope_all_quotes_other_chats_and_linked_accounts(hearth: Hearth) -> None:
    sender = RecordingSender()
    await hearth.router.handle(
        message("bob", "My sourdough uses 75% hydration", chat=OTHER_GROUP, minutes_ago=90), sender
    )
    await hearth.router.handle(
        replace(
            message("bob", "I bake rye bread every Sunday", minutes_ago=90),
            chat=DISCORD_CHANNEL,
            sender=BOB_DISCORD,
        ),
        sender,
    )
    await hearth.router.handle(message("bob", "hello", minutes_ago=90), sender)
    await hearth.router.handle(command("bob", "twin", "on"), sender)
    await link_bob(hearth, sender)
    async with asyncio.timeout(60):
        await hearth.worker.drain()
    ask = message("alice", "@bob what hydration for sourdough bread?", mentions=("bob",))
    sender.replies.clear()
    await hearth.router.handle(ask, sender)
    assert "found nothing" in sender.texts()[-1]  # default: only this chat
    await hearth.router.handle(command("bob", "twin", "scope", "all"), sender)
    sender.replies.clear()
    await hearth.router.handle(replace(ask, platform_message_id="ask-2"), sender)
    text = sender.texts()[-1]
    assert "75% hydration" in text or "rye bread" in text


async def test_unlink_separates_settings(hearth: Hearth) -> None:
    sender = RecordingSender()
    await hearth.router.handle(discord_command("unlink"), sender)
    assert "not linked" in sender.texts()[-1]
    await link_bob(hearth, sender)
    await hearth.router.handle(discord_command("unlink"), sender)
    assert sender.texts()[-1].startswith("Unlinked")
    bob_tg = await hearth.storage.ensure_member(member("bob"))
    assert len((await hearth.storage.profile(bob_tg)).member_ids) == 1


async def test_settings_need_an_admin(hearth: Hearth) -> None:
    sender = RecordingSender()
    await hearth.router.handle(command("alice", "settings"), sender)
    assert sender.texts()[-1].startswith("Twins in this chat: on")
    await hearth.router.handle(command("alice", "settings", "absence", "60"), sender)
    assert "only this chat's admins" in sender.texts()[-1]
    admin = replace(command("alice", "settings", "absence", "60"), sender_is_admin=True)
    await hearth.router.handle(admin, sender)
    assert "after 60 minutes" in sender.texts()[-1]
    for bad in (("absence", "-5"), ("absence", "soon"), ("twins", "maybe"), ("colour",)):
        await hearth.router.handle(replace(admin, args=bad), sender)
        assert "Saved" not in sender.texts()[-1]
    # Bob was quiet for 30 minutes: under the new 60-minute absence his twin stays silent,
    # and Alice is told he is around (not the absence time).
    await hearth.router.handle(message("bob", "trail tips: Fern Creek", minutes_ago=30), sender)
    await hearth.router.handle(command("bob", "twin", "on"), sender)
    sender.replies.clear()
    await hearth.router.handle(message("alice", "@bob trail?", mentions=("bob",)), sender)
    assert sender.texts() == ["Bob was here a little while ago and can answer you themselves."]
