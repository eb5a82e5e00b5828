"""The SQL behind reputation: who recognised a member in a chat, and how often.

Counts are aggregated in SQL where they can be; thank-you replies and answered questions
are read as texts (the replies to the member's messages and twin answers, the messages
the member replied to) and classified by ``bots.reputation`` / ``jobs.question_cues``.
Bots never count as givers.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import distinct, func, select, union_all
from sqlalchemy.orm import aliased
from sqlalchemy.sql.selectable import CompoundSelect

from bots.reputation import Recognition, Signal, is_thanks
from bots.storage.base import StorageBase
from bots.storage.tables import MemberRow, MessageRow, ReactionRow, TwinReplyRow
from jobs.question_cues import is_question

TEXTS_READ = 2_000
"""At most this many of the newest replies (or replied-to questions) are read per signal:
plenty, as one member's recognition is capped after a few."""
REPLIES_READ = 20_000
"""At most this many replies to the member are read for thank-yous."""


class ReputationQueries(StorageBase):
    """Reads the recognition a member received in a chat."""

    async def recognitions(self, chat_id: int, member_id: int) -> list[Recognition]:
        """Every recognition other (human) members gave account ``member_id`` in the chat."""
        found: list[Recognition] = []
        async with self._sessions() as session:
            humans = select(MemberRow.id).where(MemberRow.is_bot.is_(False))
            reactions = await session.execute(
                select(ReactionRow.member_id, func.count(distinct(ReactionRow.platform_message_id)))
                .where(
                    ReactionRow.chat_id == chat_id,
                    ReactionRow.target_member_id == member_id,
                    ReactionRow.member_id != member_id,
                    ReactionRow.member_id.in_(humans),
                )
                .group_by(ReactionRow.member_id)
            )
            found += [Recognition(int(g), Signal.REACTION, int(n)) for g, n in reactions.all()]

            confirmed = await session.execute(
                select(TwinReplyRow.asker_member_id, func.count())
                .where(
                    TwinReplyRow.chat_id == chat_id,
                    TwinReplyRow.member_id == member_id,
                    TwinReplyRow.review == "confirmed",
                    TwinReplyRow.asker_member_id.is_not(None),
                    TwinReplyRow.asker_member_id != member_id,
                    TwinReplyRow.asker_member_id.in_(humans),
                )
                .group_by(TwinReplyRow.asker_member_id)
            )
            found += [
                Recognition(int(g), Signal.CONFIRMED_ANSWER, int(n))
                for g, n in confirmed.all()
                if g is not None
            ]

            # Replies by others to the member's messages and to their twin's answers.
            targets: CompoundSelect[str | None] = union_all(
                select(MessageRow.platform_message_id).where(
                    MessageRow.chat_id == chat_id, MessageRow.member_id == member_id
                ),
                select(TwinReplyRow.platform_message_id).where(
                    TwinReplyRow.chat_id == chat_id,
                    TwinReplyRow.member_id == member_id,
                    TwinReplyRow.platform_message_id.is_not(None),
                ),
            )
            reply, giver = aliased(MessageRow), aliased(MemberRow)
            rows = await session.execute(
                select(reply.member_id, reply.text)
                .join(giver, giver.id == reply.member_id)
                .where(
                    reply.chat_id == chat_id,
                    reply.reply_to_platform_id.in_(targets),
                    reply.member_id != member_id,
                    giver.is_bot.is_(False),
                )
                .limit(REPLIES_READ)
            )
            thanks = Counter(int(g) for g, text in rows.all() if is_thanks(text))
            found += [Recognition(g, Signal.THANKS, n) for g, n in thanks.items()]

            # Questions by others that the member replied to (each question once).
            answer, asker = aliased(MessageRow), aliased(MemberRow)
            asked = await session.execute(
                select(MessageRow.id, MessageRow.member_id, MessageRow.text)
                .distinct()
                .select_from(answer)
                .join(
                    MessageRow,
                    (MessageRow.chat_id == answer.chat_id)
                    & (MessageRow.platform_message_id == answer.reply_to_platform_id),
                )
                .join(asker, asker.id == MessageRow.member_id)
                .where(
                    answer.chat_id == chat_id,
                    answer.member_id == member_id,
                    answer.reply_to_platform_id.is_not(None),
                    MessageRow.member_id != member_id,
                    MessageRow.to_hearth.is_(False),
                    asker.is_bot.is_(False),
                )
                .order_by(MessageRow.id.desc())
                .limit(TEXTS_READ)
            )
            answered = Counter(int(g) for _, g, text in asked.all() if is_question(text))
            found += [Recognition(g, Signal.ANSWERED_QUESTION, n) for g, n in answered.items()]
        return found
