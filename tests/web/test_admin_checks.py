"""The playground's own admin rule, and how the web pages ask the platforms (time limit,
reuse per session)."""

from __future__ import annotations

import asyncio
import io

from adapters.model import Chat, ChatKind, Member, Platform
from adapters.playground import PlaygroundAdapter
from adapters.playground.playground_adapter import DEMO_CHAT, playground_member
from adapters.ports import AdminChecker
from bots.storage.web_store import Account, MemberChat
from bots.web.admin_rights import AdminRights


async def test_whoever_types_in_the_demo_group_administers_it() -> None:
    adapter = PlaygroundAdapter(io.StringIO(""), io.StringIO())
    assert isinstance(adapter, AdminChecker)
    assert await adapter.is_admin(DEMO_CHAT, playground_member("bob")) is True
    other = Chat(Platform.PLAYGROUND, "elsewhere", ChatKind.GROUP, "Elsewhere")
    assert await adapter.is_admin(other, playground_member("bob")) is False


class SlowPlatform:
    """A platform that answers only after ``delay`` seconds, counting the questions."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.asked = 0

    @property
    def platform(self) -> Platform:
        return Platform.TELEGRAM

    async def is_admin(self, chat: Chat, member: Member) -> bool | None:
        self.asked += 1
        await asyncio.sleep(self.delay)
        return True


CHAT = MemberChat(7, 70, "telegram", "-100", "group", "Garden", True)
ACCOUNT = Account(70, "telegram", "501", "Alice", "alice")


async def test_a_platform_that_does_not_answer_in_time_leaves_the_right_unknown() -> None:
    rights = AdminRights({Platform.TELEGRAM: SlowPlatform(delay=30)}, timeout=0.05)
    assert await rights.fresh(CHAT, ACCOUNT) is None


async def test_the_list_is_reused_for_the_session_but_a_change_asks_again() -> None:
    platform = SlowPlatform(delay=0)
    rights = AdminRights({Platform.TELEGRAM: platform})
    for _ in range(3):
        [right] = await rights.listing("session-a", [CHAT], [ACCOUNT])
        assert right.admin is True
    assert platform.asked == 1
    await rights.listing("session-b", [CHAT], [ACCOUNT])
    assert platform.asked == 2
    assert await rights.fresh(CHAT, ACCOUNT) is True
    assert await rights.fresh(CHAT, ACCOUNT) is True
    assert platform.asked == 4
    rights.forget("session-a")
    await rights.listing("session-a", [CHAT], [ACCOUNT])
    assert platform.asked == 5
    assert await AdminRights({}).fresh(CHAT, ACCOUNT) is None  # platform not connected


async def test_a_right_the_platform_could_not_say_is_asked_again_next_time() -> None:
    checkers: dict[Platform, AdminChecker] = {}
    rights = AdminRights(checkers)
    [right] = await rights.listing("session-a", [CHAT], [ACCOUNT])
    assert right.admin is None  # the platform is not connected yet
    platform = SlowPlatform(delay=0)
    checkers[Platform.TELEGRAM] = platform
    [right] = await rights.listing("session-a", [CHAT], [ACCOUNT])
    assert right.admin is True and platform.asked == 1
    await rights.listing("session-a", [CHAT], [ACCOUNT])
    assert platform.asked == 1  # a known answer is reused
