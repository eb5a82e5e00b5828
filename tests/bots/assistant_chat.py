"""A small chat in English and one in Chinese, told through the router, for assistant tests."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from adapters.model import Chat, ChatKind, Message, Platform
from bots.app import Hearth
from tests.support import GROUP, OTHER_GROUP, RecordingSender, message

ZH_GROUP = Chat(Platform.TELEGRAM, "-1003", ChatKind.GROUP, "周末群")

DAY = 24 * 60
BOB_TRAIL = "For beginners I always recommend the Fern Creek loop: 6 km, flat, and a waterfall."
CAROL_BREAD = "My sourdough uses 75% hydration and an overnight cold proof in the fridge."
DAVE_CHANGE = (
    "Change of plan: we're going with Sakura at 8pm for Friday dinner instead, Luigi's is closed."
)


async def settle(hearth: Hearth) -> None:
    """Wait until every stored message is in vector memory."""
    async with asyncio.timeout(120):
        await hearth.worker.drain()


def to_hearth(who: str, text: str, *, chat: Chat = GROUP, minutes_ago: float = 0) -> Message:
    """A message that addresses Hearth itself (as adapters mark an @-mention of the bot)."""
    return replace(message(who, text, chat=chat, minutes_ago=minutes_ago), addressed_to_hearth=True)


async def english_chat(hearth: Hearth, sender: RecordingSender) -> dict[str, Message]:
    """Trails, sourdough and a dinner plan that changed, in ``GROUP``."""
    said: dict[str, Message] = {}
    script = [
        ("bob_trail", "bob", BOB_TRAIL, 6 * DAY),
        ("carol_bread", "carol", CAROL_BREAD, 5 * DAY),
        (
            "dave_bread",
            "dave",
            "I bake sourdough every weekend; a rye starter works best.",
            4 * DAY,
        ),
        ("alice_propose", "alice", "Friday dinner: let's do Luigi's at 7pm.", 3 * DAY),
        ("bob_agree", "bob", "+1 sounds good", 3 * DAY - 2),
        ("carol_agree", "carol", "agreed, Luigi's it is", 3 * DAY - 4),
        ("dave_change", "dave", DAVE_CHANGE, 1 * DAY),
        ("alice_ok", "alice", "ok, Sakura at 8 then", 1 * DAY - 3),
    ]
    for key, who, text, minutes in script:
        said[key] = message(who, text, minutes_ago=minutes)
        await hearth.router.handle(said[key], sender)
    thanks = replace(
        message("alice", "thanks Carol, that worked great!", minutes_ago=5 * DAY - 30),
        reply_to_message_id=said["carol_bread"].platform_message_id,
    )
    await hearth.router.handle(thanks, sender)
    secret = message(
        "mallory",
        "The secret plan: the surprise party password is BLUEBIRD.",
        chat=OTHER_GROUP,
        minutes_ago=2 * DAY,
    )
    await hearth.router.handle(secret, sender)
    await settle(hearth)
    sender.replies.clear()
    return said


async def chinese_chat(hearth: Hearth, sender: RecordingSender) -> dict[str, Message]:
    """Rust and a Friday dinner that was settled, in ``ZH_GROUP``."""
    said: dict[str, Message] = {}
    script = [
        (
            "wang_rust",
            "老王",
            "我用 Rust 写了一个命令行工具，所有权和借用搞明白之后就顺手了。",
            5 * DAY,
        ),
        ("li_rust", "小李", "Rust 的生命周期标注我也踩过坑，编译器的提示其实很有用。", 4 * DAY),
        ("zhang_dinner", "小张", "周五聚餐定了：晚上7点在老地方吃火锅。", 2 * DAY),
        ("li_ok", "小李", "好的，没问题", 2 * DAY - 3),
        ("wang_hike", "老王", "周日爬山我带水和零食。", 1 * DAY),
    ]
    for key, who, text, minutes in script:
        said[key] = message(who, text, chat=ZH_GROUP, minutes_ago=minutes)
        await hearth.router.handle(said[key], sender)
    await settle(hearth)
    sender.replies.clear()
    return said
