"""The playground's own admin rule, through the same port as the platforms'."""

from __future__ import annotations

import io

from adapters.model import Chat, ChatKind, Platform
from adapters.playground import PlaygroundAdapter
from adapters.playground.playground_adapter import DEMO_CHAT, playground_member
from adapters.ports import AdminChecker


async def test_whoever_types_in_the_demo_group_administers_it() -> None:
    adapter = PlaygroundAdapter(io.StringIO(""), io.StringIO())
    assert isinstance(adapter, AdminChecker)
    assert await adapter.is_admin(DEMO_CHAT, playground_member("bob")) is True
    other = Chat(Platform.PLAYGROUND, "elsewhere", ChatKind.GROUP, "Elsewhere")
    assert await adapter.is_admin(other, playground_member("bob")) is False
