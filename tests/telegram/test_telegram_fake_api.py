"""The fake Bot API itself behaves like Telegram where the adapter depends on it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientSession

from tests.fakes.telegram_api import (
    FakeTelegramApi,
    callback_query_update,
    entity,
    make_chat,
    make_message,
    make_user,
    member_joined_update,
    message_update,
)

pytestmark = pytest.mark.wire

GROUP = make_chat(-1008880001111)
ALICE = make_user(801, "Alice", username="alice_l")


@pytest.fixture
async def http() -> AsyncIterator[ClientSession]:
    async with ClientSession() as session:
        yield session


async def _call(
    http: ClientSession, api: FakeTelegramApi, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    """Call like PTB does: form-encoded, non-strings JSON-encoded."""
    form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    async with http.post(f"{api.base_url}{api.token}/{method}", data=form) as response:
        return response.status, await response.json()


async def test_long_poll_waits_for_an_update(
    fake_telegram: FakeTelegramApi, http: ClientSession
) -> None:
    async def push_later() -> None:
        await asyncio.sleep(0.3)
        fake_telegram.push_update(message_update(make_message(GROUP, ALICE, "late")))

    started = time.monotonic()
    pusher = asyncio.create_task(push_later())
    status, body = await _call(http, fake_telegram, "getUpdates", timeout=5)
    elapsed = time.monotonic() - started
    await pusher

    assert status == 200
    assert body["ok"] is True
    assert [u["message"]["text"] for u in body["result"]] == ["late"]
    assert 0.25 <= elapsed < 2


async def test_long_poll_times_out_empty(
    fake_telegram: FakeTelegramApi, http: ClientSession
) -> None:
    started = time.monotonic()
    status, body = await _call(http, fake_telegram, "getUpdates", timeout=1)

    assert (status, body) == (200, {"ok": True, "result": []})
    assert time.monotonic() - started >= 0.9


async def test_offset_confirms_and_limit_caps(
    fake_telegram: FakeTelegramApi, http: ClientSession
) -> None:
    ids = [
        fake_telegram.push_update(message_update(make_message(GROUP, ALICE, str(n))))
        for n in range(3)
    ]

    _, body = await _call(http, fake_telegram, "getUpdates", limit=2)
    assert [u["update_id"] for u in body["result"]] == ids[:2]
    _, again = await _call(http, fake_telegram, "getUpdates")
    assert [u["update_id"] for u in again["result"]] == ids  # nothing confirmed yet

    _, rest = await _call(http, fake_telegram, "getUpdates", offset=ids[1] + 1)
    assert [u["update_id"] for u in rest["result"]] == ids[2:]
    assert [u["update_id"] for u in fake_telegram.pending_updates] == ids[2:]


async def test_allowed_updates_filter(fake_telegram: FakeTelegramApi, http: ClientSession) -> None:
    fake_telegram.push_update(member_joined_update(GROUP, ALICE))
    fake_telegram.push_update(message_update(make_message(GROUP, ALICE, "hi")))

    # By default Telegram does not send chat_member updates.
    _, body = await _call(http, fake_telegram, "getUpdates")
    assert [next(k for k in u if k != "update_id") for u in body["result"]] == ["message"]

    fake_telegram.push_update(member_joined_update(GROUP, ALICE))
    _, body = await _call(
        http, fake_telegram, "getUpdates", allowed_updates=["message", "chat_member"]
    )
    assert [next(k for k in u if k != "update_id") for u in body["result"]] == [
        "message",
        "chat_member",
    ]


async def test_error_shapes(fake_telegram: FakeTelegramApi, http: ClientSession) -> None:
    status, body = await _call(http, fake_telegram, "sendTelepathy", chat_id=1)
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found"}

    async with http.post(f"{fake_telegram.base_url}1:nope/getMe") as response:
        assert response.status == 401

    status, body = await _call(http, fake_telegram, "sendMessage", chat_id=GROUP["id"], text="x")
    assert status == 400
    assert body["description"] == "Bad Request: chat not found"

    fake_telegram.push_update(message_update(make_message(GROUP, ALICE, "hi")))
    fake_telegram.inject_rate_limit(count=1, retry_after=7)
    status, body = await _call(http, fake_telegram, "sendMessage", chat_id=GROUP["id"], text="x")
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    status, body = await _call(http, fake_telegram, "sendMessage", chat_id=GROUP["id"], text="x")
    assert status == 200
    assert body["result"]["text"] == "x"
    assert body["result"]["from"]["username"] == "HearthBot"


async def test_send_message_replies_and_json_bodies(
    fake_telegram: FakeTelegramApi, http: ClientSession
) -> None:
    original = make_message(GROUP, ALICE, "question")
    fake_telegram.push_update(message_update(original))

    url = f"{fake_telegram.base_url}{fake_telegram.token}/sendMessage"
    payload = {
        "chat_id": GROUP["id"],
        "text": "answer",
        "reply_parameters": {"message_id": original["message_id"]},
    }
    async with http.post(url, json=payload) as response:
        body = await response.json()
    assert body["result"]["reply_to_message"]["message_id"] == original["message_id"]

    missing = {"chat_id": GROUP["id"], "text": "answer", "reply_parameters": {"message_id": 99}}
    async with http.post(url, json=missing) as response:
        assert response.status == 400
        assert "replied not found" in (await response.json())["description"]

    [sent] = await fake_telegram.wait_for_sent(1)
    assert sent.reply_to_message_id == original["message_id"]


def test_entity_offsets_are_utf16() -> None:
    text = "👍 hi @alice_l"
    assert entity(text, "@alice_l", "mention") == {"type": "mention", "offset": 6, "length": 8}
    message = make_message(GROUP, ALICE, text)
    assert message["entities"] == [{"type": "mention", "offset": 6, "length": 8}]


async def test_inline_keyboards_are_checked_and_kept(
    fake_telegram: FakeTelegramApi, http: ClientSession
) -> None:
    fake_telegram.push_update(message_update(make_message(GROUP, ALICE, "hi")))

    def keyboard(data: str) -> dict[str, Any]:
        return {"inline_keyboard": [[{"text": "Press", "callback_data": data}]]}

    for bad in ("", "x" * 65, "é" * 33):
        status, body = await _call(
            http,
            fake_telegram,
            "sendMessage",
            chat_id=GROUP["id"],
            text="t",
            reply_markup=keyboard(bad),
        )
        assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID")
    status, body = await _call(
        http,
        fake_telegram,
        "sendMessage",
        chat_id=GROUP["id"],
        text="t",
        reply_markup=keyboard("é" * 32),
    )
    assert status == 200
    assert body["result"]["reply_markup"] == keyboard("é" * 32)
    assert fake_telegram.sent_messages[-1].buttons == [[("Press", "é" * 32)]]


async def test_callback_queries_are_delivered_and_answered_once(
    fake_telegram: FakeTelegramApi, http: ClientSession
) -> None:
    message = make_message(GROUP, ALICE, "menu")
    update = callback_query_update(message, ALICE, "/twin on", query_id="q1")
    fake_telegram.push_update(update)

    status, body = await _call(http, fake_telegram, "getUpdates", timeout=0)
    assert [u["callback_query"]["data"] for u in body["result"]] == ["/twin on"]

    status, body = await _call(http, fake_telegram, "answerCallbackQuery", callback_query_id="q2")
    assert status == 400 and "query ID is invalid" in body["description"]
    status, body = await _call(
        http, fake_telegram, "answerCallbackQuery", callback_query_id="q1", text="ok"
    )
    assert (status, body["result"]) == (200, True)
    assert fake_telegram.callback_answers["q1"]["text"] == "ok"
    status, _ = await _call(http, fake_telegram, "answerCallbackQuery", callback_query_id="q1")
    assert status == 400
