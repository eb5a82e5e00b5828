"""Command menus per language and the member's app language, over the wire."""

from __future__ import annotations

import pytest

from adapters.model import Command, Message
from adapters.telegram.telegram_adapter import STALE_BUTTON_ANSWER
from locales import tr_marked, using
from tests.fakes.recording_handler import RecordingHandler
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

GROUP = make_chat(-1007770002222, title="茶话会")
LI = make_user(801, "Li", username="li_w", language_code="zh-hans")
ANN = make_user(802, "Ann", username="ann_e", language_code="en")
NO_LANGUAGE = make_user(803, "Ned", username="ned_n", language_code=None)
ENGLISH = (("twin", "Your twin"), ("help", "What Hearth does"))
CHINESE = (("twin", "你的分身"), ("help", "Hearth 能做什么"))


async def test_one_command_list_per_language(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> None:
    adapter = telegram_adapter_factory(
        bot_commands=ENGLISH, bot_commands_by_language={"zh": CHINESE}
    )
    await adapter.start(RecordingHandler())

    assert [language for language, _ in fake_telegram.command_settings] == [None, "zh"]
    assert fake_telegram.commands == [
        {"command": name, "description": text} for name, text in ENGLISH
    ]
    assert fake_telegram.commands_by_language == {
        "zh": [{"command": name, "description": text} for name, text in CHINESE]
    }


async def test_without_languages_only_the_default_list_is_set(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> None:
    await telegram_adapter_factory(bot_commands=ENGLISH).start(RecordingHandler())
    assert [language for language, _ in fake_telegram.command_settings] == [None]
    assert fake_telegram.commands_by_language == {}


async def test_the_members_app_language_comes_with_messages_commands_and_buttons(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> None:
    handler = RecordingHandler()
    adapter = telegram_adapter_factory(bot_commands=ENGLISH)
    await adapter.start(handler)

    fake_telegram.push_update(message_update(make_message(GROUP, LI, "大家好")))
    fake_telegram.push_update(message_update(make_message(GROUP, ANN, "/help")))
    fake_telegram.push_update(message_update(make_message(GROUP, NO_LANGUAGE, "hi")))
    message, command, unknown = await handler.wait_for(3)
    assert isinstance(message, Message) and message.sender.locale == "zh-hans"
    assert isinstance(command, Command) and command.sender.locale == "en"
    assert isinstance(unknown, Message) and unknown.sender.locale is None

    posted = make_message(GROUP, ANN, "menu")
    fake_telegram.push_update(callback_query_update(posted, LI, "/twin status"))
    [*_, pressed] = await handler.wait_for(4)
    assert isinstance(pressed, Command) and pressed.name == "twin"
    assert pressed.sender.locale == "zh-hans"


async def test_a_stale_button_is_answered_in_the_pressers_language(
    fake_telegram: FakeTelegramApi, telegram_adapter_factory: AdapterFactory
) -> None:
    await telegram_adapter_factory(bot_commands=ENGLISH).start(RecordingHandler())
    posted = make_message(GROUP, ANN, "menu")
    chinese = callback_query_update(posted, LI, "/nosuchcommand")
    english = callback_query_update(posted, ANN, "/nosuchcommand")
    fake_telegram.push_update(chinese)
    fake_telegram.push_update(english)
    in_chinese = await fake_telegram.wait_for_callback_answer(chinese["callback_query"]["id"])
    in_english = await fake_telegram.wait_for_callback_answer(english["callback_query"]["id"])
    assert in_english["text"] == STALE_BUTTON_ANSWER
    with using("zh"):
        assert in_chinese["text"] == tr_marked(STALE_BUTTON_ANSWER) == "这个按钮已失效。"
