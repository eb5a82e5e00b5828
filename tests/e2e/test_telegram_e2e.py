"""Telegram-only behaviour over the wire (the shared scenarios are in test_parity.py).

The real python-telegram-bot library long-polls a local fake of the Bot API; Hearth's
router, SQL storage, Qdrant Edge memory and the offline embedder do the rest.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.model import Chat, ChatKind, Platform
from adapters.telegram.telegram_adapter import STALE_BUTTON_ANSWER
from bots.app import Hearth
from bots.command_catalog import COMMANDS
from bots.platforms import telegram_menu
from bots.settings import HearthSettings
from memory.edge_store import EdgeMemoryStore
from tests.e2e.worlds import settled, stored
from tests.fakes.telegram_api import (
    FakeTelegramApi,
    callback_query_update,
    make_chat,
    make_message,
    make_user,
    message_update,
)
from tests.fakes.telegram_fixtures import AdapterFactory

pytestmark = pytest.mark.wire

CHAT = make_chat(-1001500, title="Hikers", username="hikers_club")
ALICE = make_user(5001, "Alice", username="alice_k")
BOB = make_user(5002, "Bob", username="bob_t")
CAROL = make_user(5003, "Carol", username="carol_p")
TWO_HOURS_AGO = int(time.time()) - 7200


@pytest.fixture
async def running(
    tmp_path: Path,
    database_url: str,
    embedder,  # type: ignore[no-untyped-def]
    telegram_adapter_factory: AdapterFactory,
) -> AsyncIterator[Hearth]:
    settings = HearthSettings(HEARTH_DATA_DIR=tmp_path, DATABASE_URL=database_url)
    memory = EdgeMemoryStore(tmp_path / "edge", embedder.dimension)
    hearth = await Hearth.build(settings, embedder=embedder, memory=memory)
    adapter = telegram_adapter_factory(
        bot_commands=telegram_menu(),
        admin_commands=[spec.name for spec in COMMANDS if spec.checks_admin],
    )
    await adapter.start(hearth.router)
    yield hearth
    await adapter.stop()
    await hearth.close()


async def bob_has_twin_and_is_away(api: FakeTelegramApi, hearth: Hearth) -> None:
    for text in (
        "For beginners I always recommend the Fern Creek loop: 6 km, flat, with a waterfall.",
        "No permit is needed for Skyline Ridge, but the north car park fills up by 8am.",
    ):
        api.push_update(message_update(make_message(CHAT, BOB, text, date=TWO_HOURS_AGO)))
    api.push_update(message_update(make_message(CHAT, BOB, "/twin on", date=TWO_HOURS_AGO)))
    await api.wait_for_sent(1, timeout=20)
    await stored(hearth, 2)
    await settled(hearth)


async def test_commands_are_registered_with_telegram(
    fake_telegram: FakeTelegramApi, running: Hearth
) -> None:
    names = {c["command"] for c in fake_telegram.commands}
    assert names == {spec.name for spec in COMMANDS}


async def test_text_mention_without_username_wakes_the_twin(
    fake_telegram: FakeTelegramApi, running: Hearth
) -> None:
    await bob_has_twin_and_is_away(fake_telegram, running)
    question = make_message(
        CHAT, ALICE, "🙂 Bob, is a permit needed for Skyline Ridge?", text_mentions={"Bob": BOB}
    )
    fake_telegram.push_update(message_update(question))
    [_, reply] = await fake_telegram.wait_for_sent(2, timeout=20)
    assert "No permit" in reply.text


async def test_bad_input_is_handled_without_a_crash(
    fake_telegram: FakeTelegramApi, running: Hearth
) -> None:
    for text in ("x" * 4096, "🎉🎉🎉", "   ", "/twin maybe", "/nosuchcommand", "/twin@OtherBot on"):
        fake_telegram.push_update(message_update(make_message(CHAT, ALICE, text)))
    fake_telegram.push_update({"future_update_kind": {"unexpected": True}})  # unknown to us
    fake_telegram.push_update(message_update(make_message(CHAT, ALICE, None, media="sticker")))
    fake_telegram.push_update(message_update(make_message(CHAT, ALICE, "still alive")))
    await stored(running, 3)
    sent = await fake_telegram.wait_for_sent(2, timeout=20)
    assert sent[0].text.startswith("Usage: /twin on")
    assert sent[1].text.startswith("Unknown command /nosuchcommand")
    assert await running.storage.count_messages() == 3


async def test_only_group_admins_change_settings(
    fake_telegram: FakeTelegramApi, running: Hearth
) -> None:
    fake_telegram.set_member_status(CHAT, CAROL, "administrator")
    fake_telegram.set_member_status(CHAT, ALICE, "member")
    fake_telegram.push_update(message_update(make_message(CHAT, ALICE, "/settings absence 45")))
    fake_telegram.push_update(
        message_update(make_message(CHAT, CAROL, "/settings@HearthBot absence 45"))
    )
    [refused, saved] = await fake_telegram.wait_for_sent(2, timeout=20)
    assert "only this chat's admins" in refused.text
    assert saved.text.startswith("Saved.") and "45 minutes" in saved.text
    chat_id = await running.storage.ensure_chat(
        Chat(Platform.TELEGRAM, str(CHAT["id"]), ChatKind.GROUP)
    )
    assert (await running.storage.chat_settings(chat_id)).twin_absence_minutes == 45


async def test_owner_loop_over_telegram_private_chat(
    fake_telegram: FakeTelegramApi, running: Hearth
) -> None:
    await bob_has_twin_and_is_away(fake_telegram, running)
    fake_telegram.allow_private(BOB["id"])
    fake_telegram.push_update(
        message_update(make_message(CHAT, ALICE, "@bob_t which trail for beginners?"))
    )
    await fake_telegram.wait_for_sent(2, timeout=20)
    fake_telegram.push_update(message_update(make_message(CHAT, BOB, "back from the hills")))
    sent = await fake_telegram.wait_for_sent(3, timeout=20)
    report = sent[2]
    assert report.chat_id == BOB["id"]  # told privately
    assert "Alice asked “which trail for beginners?”" in report.text
    number = report.text.split("#", 1)[1].split(" ", 1)[0]
    dm = {"id": BOB["id"], "type": "private", "first_name": "Bob"}
    fake_telegram.push_update(message_update(make_message(dm, BOB, f"/twin delete {number}")))
    sent = await fake_telegram.wait_for_sent(4, timeout=20)
    assert sent[3].text.startswith(f"Deleted #{number}")
    assert fake_telegram.deleted_messages == [(CHAT["id"], sent[1].message_id)]


async def test_settings_buttons_work_for_admins_only(
    fake_telegram: FakeTelegramApi, running: Hearth
) -> None:
    fake_telegram.set_member_status(CHAT, CAROL, "administrator")
    fake_telegram.set_member_status(CHAT, ALICE, "member")
    chat_id = await running.storage.ensure_chat(
        Chat(Platform.TELEGRAM, str(CHAT["id"]), ChatKind.GROUP)
    )

    async def press(who: dict[str, object], data: str, sent_before: int) -> tuple[str | None, str]:
        """Press a button under the /settings reply; returns the query's answer and the reply."""
        update = callback_query_update(shown.message, who, data)
        fake_telegram.push_update(update)
        answer = await fake_telegram.wait_for_callback_answer(update["callback_query"]["id"])
        sent = await fake_telegram.wait_for_sent(sent_before + 1, timeout=20)
        assert len(sent) == sent_before + 1
        assert sent[-1].reply_to_message_id == shown.message_id
        return answer.get("text"), sent[-1].text

    fake_telegram.push_update(message_update(make_message(CHAT, ALICE, "/settings")))
    [shown] = await fake_telegram.wait_for_sent(1, timeout=20)
    assert shown.text.startswith("Twins in this chat: on.")
    assert shown.buttons == [
        [("Twins off", "/settings twins off"), ("Assistant off", "/settings assistant off")],
        [
            ("Digest daily 09:00", "/digest daily 09:00"),
            ("Digest weekly Mon 18:00", "/digest weekly mon 18:00"),
        ],
        [("Digest off", "/digest off"), ("Digest status", "/digest status")],
        [
            ("Intros weekly", "/intros weekly"),
            ("Intros biweekly", "/intros biweekly"),
            ("Intros monthly", "/intros monthly"),
        ],
    ]

    answer, refused = await press(ALICE, "/settings twins off", 1)
    assert answer is None  # the spinner stops; the refusal is a reply in the chat
    assert refused == "Sorry, only this chat's admins can change its settings."
    assert (await running.storage.chat_settings(chat_id)).twins_enabled

    _, saved = await press(CAROL, "/settings twins off", 2)
    assert saved.startswith("Saved. Twins in this chat: off.")
    assert not (await running.storage.chat_settings(chat_id)).twins_enabled

    forged = callback_query_update(shown.message, CAROL, "twins on")
    fake_telegram.push_update(forged)
    answer_to_forged = await fake_telegram.wait_for_callback_answer(forged["callback_query"]["id"])
    assert answer_to_forged["text"] == STALE_BUTTON_ANSWER
    _, status = await press(ALICE, "/digest status", 3)  # the forged press sent nothing
    assert status.startswith("No digest is scheduled")
    assert not (await running.storage.chat_settings(chat_id)).twins_enabled

    _, scheduled = await press(CAROL, "/digest weekly mon 18:00", 4)
    assert scheduled.startswith("Digest scheduled")
    fake_telegram.push_update(message_update(make_message(CHAT, ALICE, "/settings")))
    sent = await fake_telegram.wait_for_sent(6, timeout=20)
    assert sent[5].buttons[0] == [
        ("Twins on", "/settings twins on"),
        ("Assistant off", "/settings assistant off"),
    ]
