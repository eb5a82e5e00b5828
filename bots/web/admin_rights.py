"""Who administers which chat, asked of the platform itself.

The list of a person's admin chats is kept per session for a few minutes (it is only
for showing pages); every change an admin makes asks the platform again first.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass

from adapters.model import Chat, ChatKind, Member, Platform
from adapters.ports import AdminChecker
from bots.storage.web_store import Account, MemberChat

log = logging.getLogger(__name__)

LIST_CACHE_SECONDS = 180.0
"""How long a session's list of admin chats is reused before the platforms are asked again."""
CHECK_TIMEOUT_SECONDS = 5.0
"""How long one platform may take to answer; after that the right is unknown."""


@dataclass(frozen=True, slots=True)
class ChatRight:
    """One of the person's chats and whether they are an admin there (None: unknown)."""

    chat: MemberChat
    admin: bool | None


def neutral_chat(chat: MemberChat) -> Chat:
    """The chat as the platform-neutral model."""
    return Chat(Platform(chat.platform), chat.platform_chat_id, ChatKind(chat.kind), chat.title)


def neutral_member(account: Account) -> Member:
    """The account as the platform-neutral model."""
    return Member(
        Platform(account.platform),
        account.platform_user_id,
        account.display_name,
        username=account.username,
    )


class AdminRights:
    """Asks each platform's ``AdminChecker`` (the running adapters') about admins."""

    def __init__(
        self,
        checkers: Mapping[Platform, AdminChecker],
        *,
        cache_seconds: float = LIST_CACHE_SECONDS,
        timeout: float = CHECK_TIMEOUT_SECONDS,
    ) -> None:
        self._checkers = checkers
        self._cache_seconds = cache_seconds
        self._timeout = timeout
        self._cache: dict[str, tuple[float, list[ChatRight]]] = {}

    async def fresh(self, chat: MemberChat, account: Account) -> bool | None:
        """Ask the platform now whether ``account`` is an admin of ``chat``."""
        checker = self._checkers.get(Platform(chat.platform))
        if checker is None:
            return None
        try:
            async with asyncio.timeout(self._timeout):
                return await checker.is_admin(neutral_chat(chat), neutral_member(account))
        except TimeoutError:
            log.warning("%s did not say in time whether a member is an admin", chat.platform)
            return None

    async def listing(
        self, session_key: str, chats: list[MemberChat], accounts: list[Account]
    ) -> list[ChatRight]:
        """Each of ``chats`` with the person's admin right there, reused for the session
        (``session_key``) for a few minutes; a list with a right the platform could not
        say (not connected yet, no answer in time) is asked again next time."""
        now = time.monotonic()
        self._cache = {
            key: entry for key, entry in self._cache.items() if entry[0] > now - self._cache_seconds
        }
        known = self._cache.get(session_key)
        if known is not None and {r.chat.chat_id for r in known[1]} == {c.chat_id for c in chats}:
            return known[1]
        by_member = {account.member_id: account for account in accounts}
        rights = []
        for chat in chats:
            account = by_member.get(chat.member_id)
            admin = await self.fresh(chat, account) if account is not None else False
            rights.append(ChatRight(chat, admin))
        if all(right.admin is not None for right in rights):
            self._cache[session_key] = (now, rights)
        else:
            self._cache.pop(session_key, None)
        return rights

    def forget(self, session_key: str) -> None:
        """Drop a session's cached list (after a check found it out of date)."""
        self._cache.pop(session_key, None)
