"""Whether a Telegram user is one of a group's admins, asked with getChatMember."""

from __future__ import annotations

import logging

from telegram import Bot, ChatMember
from telegram.error import BadRequest, Forbidden, TelegramError

from adapters.model import Chat, Member

logger = logging.getLogger(__name__)


async def telegram_is_admin(bot: Bot | None, chat: Chat, member: Member) -> bool | None:
    """True for the group's creator and administrators, False for anyone else (and for
    a chat or user Telegram does not know), None when Telegram could not be asked."""
    if not chat.is_group:
        return False
    if bot is None:
        return None
    try:
        found = await bot.get_chat_member(int(chat.platform_chat_id), int(member.platform_user_id))
    except ValueError:
        return False  # not Telegram ids
    except (BadRequest, Forbidden) as error:
        logger.info("getChatMember refused for %s in %s: %s", member, chat, error)
        return False
    except TelegramError:
        logger.warning("could not ask Telegram whether %s is an admin", member, exc_info=True)
        return None
    return found.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR)
