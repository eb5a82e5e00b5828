"""The member page's growth panel and interaction history, from SQL aggregates.

Only the signed-in person's rows are read: their messages, their twin's answers, the
introductions they were part of and the chat digests that featured them, in the group
chats they are in now. Another
member's message is read only to tell whether the person's reply answered a question;
its text is never shown.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bots.storage.digest_features_store import DigestFeatureStore
from bots.storage.growth_queries import GrowthQueries, ReplyToOther, week_number, week_start
from bots.storage.web_store import MemberChat
from bots.web.featured_events import distinct, featured_summary
from bots.web.growth import Figures, Level, Milestone, WeeklyChart, level, milestones, weekly_chart
from bots.web.member_page import review_label
from jobs.text_cues import is_question
from locales import format_list, tr

CHART_WEEKS = 12
"""Weeks the messages chart shows, ending with the current one."""
HISTORY_LIMIT = 50
"""Most events the interaction history shows."""
EXCERPT_CHARS = 160


@dataclass(frozen=True, slots=True)
class ChatFigures:
    """One chat's row of the growth table."""

    chat: MemberChat
    figures: Figures


@dataclass(frozen=True, slots=True)
class GrowthPanel:
    """Everything the growth panel shows."""

    total: Figures
    chats: list[ChatFigures]
    chart: WeeklyChart
    milestones: list[Milestone]
    level: Level
    first_message_at: datetime | None


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One entry of the interaction history.

    ``kind``: ``answered`` (the person replied to a question), ``twin`` (their twin
    answered one), ``introduction`` or ``digest`` (a chat digest featured them).
    ``text`` is the person's own words, if any.
    """

    kind: str
    at: datetime
    chat: str
    summary: str
    text: str | None = None
    link: str | None = None


class GrowthPage:
    """Reads the growth panel and the interaction history for a person's accounts."""

    def __init__(self, queries: GrowthQueries, features: DigestFeatureStore | None = None) -> None:
        self._queries = queries
        self._features = features or DigestFeatureStore(queries.engine)

    async def read(
        self, member_ids: Sequence[int], chats: Sequence[MemberChat], now: datetime | None = None
    ) -> tuple[GrowthPanel, list[HistoryEvent]]:
        """The growth panel and the interaction history, reading the person's answers once."""
        answers = await self.answers(member_ids, chats)
        panel = await self.panel(member_ids, chats, now, answers=answers)
        return panel, await self.history(member_ids, chats, answers=answers)

    async def answers(
        self, member_ids: Sequence[int], chats: Sequence[MemberChat]
    ) -> list[ReplyToOther]:
        """The person's replies to other members' questions in their chats, newest first;
        one per question (the newest)."""
        present = {chat.chat_id for chat in chats}
        replies = [
            reply
            for reply in await self._queries.replies_to_others(member_ids)
            if reply.chat_id in present
        ]
        return await asyncio.to_thread(_answers, replies)

    async def panel(
        self,
        member_ids: Sequence[int],
        chats: Sequence[MemberChat],
        now: datetime | None = None,
        *,
        answers: Sequence[ReplyToOther] | None = None,
    ) -> GrowthPanel:
        """The person's figures in each chat they are in, in total, by week and as milestones."""
        now = now or datetime.now(UTC)
        present = {chat.chat_id for chat in chats}
        counts = await self._queries.week_counts(member_ids, sorted(present))
        if answers is None:
            answers = await self.answers(member_ids, chats)
        answered = Counter(reply.chat_id for reply in answers)
        twins = {t.chat_id: t for t in await self._queries.twin_answer_totals(member_ids)}
        intros = await self._queries.introduction_counts(member_ids)
        last = week_number(now)
        first = last - CHART_WEEKS + 1
        rows: list[ChatFigures] = []
        for chat in chats:
            if any(row.chat.chat_id == chat.chat_id for row in rows):
                continue  # two linked accounts in one chat: one row
            weeks = [count for count in counts if count.chat_id == chat.chat_id]
            twin = twins.get(chat.chat_id)
            rows.append(
                ChatFigures(
                    chat,
                    Figures(
                        messages=sum(week.messages for week in weeks),
                        answered=answered[chat.chat_id],
                        twin_answers=twin.sent if twin else 0,
                        confirmed=twin.confirmed if twin else 0,
                        introductions=intros.get(chat.chat_id, 0),
                        weeks=len(weeks),
                    ),
                )
            )
        total = Figures(
            messages=sum(r.figures.messages for r in rows),
            answered=sum(r.figures.answered for r in rows),
            twin_answers=sum(r.figures.twin_answers for r in rows),
            confirmed=sum(r.figures.confirmed for r in rows),
            introductions=sum(r.figures.introductions for r in rows),
            weeks=len({count.week for count in counts}),
        )
        chart = weekly_chart(
            [
                (
                    week_start(week),
                    sum(count.messages for count in counts if count.week == week),
                )
                for week in range(first, last + 1)
            ]
        )
        shown = milestones(total)
        firsts = [count.first_at for count in counts]
        return GrowthPanel(
            total,
            rows,
            chart,
            shown,
            level(sum(1 for m in shown if m.reached)),
            min(firsts) if firsts else None,
        )

    async def history(
        self,
        member_ids: Sequence[int],
        chats: Sequence[MemberChat],
        limit: int = HISTORY_LIMIT,
        *,
        answers: Sequence[ReplyToOther] | None = None,
    ) -> list[HistoryEvent]:
        """The newest ``limit`` questions answered (by the person or their twin),
        introductions and digests that featured them, newest first, in the chats the
        person is in now."""
        names = {chat.chat_id: chat.name for chat in chats}
        if answers is None:
            answers = await self.answers(member_ids, chats)
        events: list[HistoryEvent] = []
        for reply in answers[:limit]:
            events.append(
                HistoryEvent(
                    "answered",
                    reply.sent_at,
                    names[reply.chat_id],
                    tr("You answered a question"),
                    _excerpt(reply.text),
                    reply.permalink,
                )
            )
        for answer in await self._queries.twin_answers(member_ids, limit):
            if answer.chat_id in names:
                events.append(
                    HistoryEvent(
                        "twin",
                        answer.at,
                        names[answer.chat_id],
                        tr(
                            "Your twin answered a question (#{number}, {state})",
                            number=answer.reply_id,
                            state=review_label(answer.review),
                        ),
                        None,
                        answer.question_link,
                    )
                )
        for intro in await self._queries.introductions(member_ids, limit):
            if intro.chat_id in names:
                events.append(
                    HistoryEvent(
                        "introduction",
                        intro.at,
                        names[intro.chat_id],
                        tr("You were introduced to {names}", names=format_list(intro.others))
                        if intro.others
                        else tr("You were part of an introduction"),
                    )
                )
        for feature in distinct(await self._features.featured(member_ids, limit)):
            if feature.chat_id in names:
                events.append(
                    HistoryEvent(
                        "digest",
                        feature.posted_at,
                        names[feature.chat_id],
                        featured_summary(feature, names[feature.chat_id]),
                        None,
                        feature.permalink,
                    )
                )
        events.sort(key=lambda event: event.at, reverse=True)
        return events[:limit]


def _answers(replies: Sequence[ReplyToOther]) -> list[ReplyToOther]:
    """The replies whose message asked something, the first (newest) per question."""
    kept: list[ReplyToOther] = []
    seen: set[int] = set()
    for reply in replies:
        if reply.parent_id not in seen and is_question(reply.parent_text):
            seen.add(reply.parent_id)
            kept.append(reply)
    return kept


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1].rstrip() + "…"
