"""A reply sender that counts what the platform would not take."""

from __future__ import annotations

from adapters.model import Chat, OutgoingReply, Platform, SentReply
from adapters.ports import DeliveryError, ReplySender
from bots.metrics import HearthMetrics


class MeteredSender:
    """Wraps a platform's :class:`~adapters.ports.ReplySender`; counts delivery errors.

    Every reply Hearth sends, from the router or from a scheduled job, goes through
    one of these, so ``hearth_delivery_errors_total`` sees each failed delivery once,
    whoever handles the error afterwards.
    """

    def __init__(self, sender: ReplySender, metrics: HearthMetrics) -> None:
        self._sender = sender
        self._metrics = metrics

    @property
    def platform(self) -> Platform:
        """The platform this sender delivers to."""
        return self._sender.platform

    async def send(self, reply: OutgoingReply) -> SentReply:
        """Deliver ``reply``; a ``DeliveryError`` is counted and raised again."""
        try:
            return await self._sender.send(reply)
        except DeliveryError:
            self._metrics.delivery_failed(self._sender.platform)
            raise

    async def delete(self, chat: Chat, platform_message_id: str) -> bool:
        """Delete a message Hearth sent."""
        return await self._sender.delete(chat, platform_message_id)

    async def edit(self, chat: Chat, platform_message_id: str, text: str) -> bool:
        """Replace the text of a message Hearth sent."""
        return await self._sender.edit(chat, platform_message_id, text)


def metered(sender: ReplySender, metrics: HearthMetrics) -> ReplySender:
    """``sender`` wrapped in a :class:`MeteredSender` (once: a wrapped one is returned as is)."""
    if isinstance(sender, MeteredSender):
        return sender
    return MeteredSender(sender, metrics)
