"""A reply sender for a platform that is not connected now."""

from __future__ import annotations

from adapters.model import Chat, OutgoingReply, Platform, SentReply
from adapters.ports import DeliveryError


class NoSender:
    """Stands in for a platform that is not connected now: nothing can be removed there."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform

    @property
    def platform(self) -> Platform:
        """The platform that is not connected."""
        return self._platform

    async def send(self, reply: OutgoingReply) -> SentReply:
        """Always fails: nothing can be delivered."""
        raise DeliveryError(f"{self._platform.value} is not connected")

    async def delete(self, chat: Chat, platform_message_id: str) -> bool:
        """Nothing can be deleted."""
        return False

    async def edit(self, chat: Chat, platform_message_id: str, text: str) -> bool:
        """Nothing can be edited."""
        return False
