"""The reply language: a chat's setting, else what it mostly writes; a member's app
language in private, else what they write; an answer follows its question under auto."""

from __future__ import annotations

from dataclasses import replace

import pytest

from adapters.model import Chat, ChatKind, Platform
from bots.reply_languages import ReplyLanguages
from bots.storage.database import create_engine
from bots.storage.repository import Storage
from tests.support import GROUP, command, member, message


@pytest.fixture
async def storage(database_url: str):  # type: ignore[no-untyped-def]
    store = Storage(create_engine(database_url))
    yield store
    await store.close()


CHINESE = [
    "周六爬山的人多吗",
    "我带了相机",
    "晚上去吃火锅吧",
    "好的我也去",
    "明天下雨吗",
    "看天气预报",
]
ENGLISH = ["anyone up for a hike?", "I can bring snacks", "rain tomorrow", "ok see you", "sure"]


async def _say(storage: Storage, texts: list[str], *, who: str = "wei", chat: Chat = GROUP) -> int:
    chat_id = 0
    for n, text in enumerate(texts):
        stored = await storage.ingest_message(
            message(who, text, chat=chat, minutes_ago=len(texts) - n)
        )
        chat_id = stored.chat_id
    return chat_id


async def test_a_chat_follows_what_it_mostly_writes_until_an_admin_chooses(
    storage: Storage,
) -> None:
    chat_id = await _say(storage, CHINESE + ENGLISH[:2])
    languages = ReplyLanguages(storage)
    assert await languages.for_chat(GROUP) == "zh"
    assert await languages.for_command(command("ana", "help")) == "zh"
    await storage.update_chat_settings(chat_id, language="en")
    # Cached until told: an admin's change calls forget().
    assert await languages.for_chat(GROUP) == "zh"
    languages.forget(GROUP)
    assert await languages.for_chat(GROUP) == "en"
    assert await languages.for_question(GROUP, "你们周六去哪") == "en"


async def test_an_answer_follows_its_question_under_auto(storage: Storage) -> None:
    await _say(storage, ENGLISH * 2)
    languages = ReplyLanguages(storage)
    assert await languages.for_chat(GROUP) == "en"
    assert await languages.for_question(GROUP, "你周六去爬山吗？") == "zh"
    assert await languages.for_question(GROUP, "👍") == "en"


async def test_a_new_chat_follows_the_app_language_of_who_asks(storage: Storage) -> None:
    languages = ReplyLanguages(storage)
    new = Chat(Platform.TELEGRAM, "-100new", ChatKind.GROUP, "new")
    assert await languages.for_chat(new) == "en"
    assert await languages.for_chat(new, fallback_locale="zh-hans") == "zh"
    asked = replace(command("ana", "help", chat=new), sender=replace(member("ana"), locale="zh"))
    assert await languages.for_command(asked) == "zh"


async def test_a_new_chat_takes_its_language_once_it_has_talked(storage: Storage) -> None:
    languages = ReplyLanguages(storage)
    assert await languages.for_chat(GROUP) == "en"
    await _say(storage, CHINESE)
    assert await languages.for_chat(GROUP) == "zh"


async def test_a_private_reply_follows_the_member(storage: Storage) -> None:
    languages = ReplyLanguages(storage)
    dm = Chat(Platform.TELEGRAM, "id-wei", ChatKind.PRIVATE, None)
    # Unknown member, no locale: English.
    assert await languages.for_command(command("wei", "help", chat=dm)) == "en"
    # What they write in their groups decides when the app language is unknown.
    await _say(storage, CHINESE, who="wei")
    assert await languages.for_command(command("wei", "help", chat=dm)) == "zh"
    # The app language wins, and is remembered from the last event that carried it.
    english_app = replace(member("wei"), locale="en-US")
    await storage.ensure_member(english_app)
    assert await languages.for_command(command("wei", "help", chat=dm)) == "en"
    assert member("wei") == english_app  # the locale is not part of who they are
