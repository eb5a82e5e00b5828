"""The admin dashboard's figures and changes, through the chat commands' own code.

Settings go through :class:`~bots.admin_commands.AdminCommands` (as ``/settings``), the
digest schedule through :class:`~bots.digest_schedules.DigestSchedules` (as ``/digest``),
introductions through :class:`~bots.intro_commands.IntroCommands` (as ``/intros``) and
the preview through the digest engine of ``/digest preview``. The caller checks the
admin right with the platform first; the command it builds says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from adapters.model import Chat, Command, Member
from bots.admin_commands import AdminCommands
from bots.command_words import canonical_words
from bots.digest_schedules import DigestSchedules
from bots.digests import DEFAULT_PERIOD, ChatDigests
from bots.health import HealthChecker, HealthReport
from bots.intro_commands import IntroCommands
from bots.reply_languages import ReplyLanguages
from bots.storage.admin_queries import (
    AdminQueries,
    EmbeddingProgress,
    IntroPair,
    JobRuns,
    TwinActivity,
)
from bots.storage.intro_store import IntroStore
from bots.storage.records import ChatSettings
from bots.storage.repository import Storage
from bots.web.intro_graph import IntroGraph, lay_out
from bots.web.no_sender import NoSender
from jobs.schedule_spec import IntroCadence, ScheduleSpec
from jobs.scheduled_runs import JobKind
from jobs.scheduler import HearthScheduler
from locales import tr, using

ACTIVITY_DAYS = 30
"""The dashboard's figures cover this many days."""
SETTINGS = {
    "twins": ("on", "off"),
    "assistant": ("on", "off"),
    "language": ("auto", "en", "zh"),
    "absence": None,  # free text, read by /settings absence
}
"""What the settings form may change, and the values offered (None: typed)."""
_INTRO_WORDS_REFUSED = ("now", "me", "status")


@dataclass(frozen=True, slots=True)
class AdminView:
    """Everything the dashboard of one chat shows."""

    chat: Chat
    settings: ChatSettings
    digest: ScheduleSpec | None
    digest_next: datetime | None
    quiet_line: bool
    intros: IntroCadence | None
    intros_next: datetime | None
    intro_delivery: str
    intro_status: str
    intro_pairs: list[IntroPair]
    intro_names: dict[int, str]
    graph: IntroGraph
    activity: TwinActivity
    embedding: EmbeddingProgress
    runs: list[JobRuns]
    health: HealthReport
    since: datetime


@dataclass(frozen=True, slots=True)
class DigestPreview:
    """A digest as it would be posted, and the period it covers."""

    parts: list[str]
    start: datetime
    end: datetime


class AdminPage:
    """Reads a chat's dashboard and carries out its forms (admin right already checked)."""

    def __init__(
        self,
        storage: Storage,
        *,
        admin: AdminCommands,
        schedules: DigestSchedules,
        intros: IntroCommands,
        intro_store: IntroStore,
        digests: ChatDigests,
        scheduler: HearthScheduler,
        health: HealthChecker,
        languages: ReplyLanguages,
    ) -> None:
        self._storage = storage
        self._queries = AdminQueries(storage.engine)
        self._admin = admin
        self._schedules = schedules
        self._intros = intros
        self._intro_store = intro_store
        self._digests = digests
        self._scheduler = scheduler
        self._health = health
        self._languages = languages

    async def read(self, chat_id: int, now: datetime | None = None) -> AdminView:
        """The dashboard of the chat with Hearth id ``chat_id``."""
        now = now or datetime.now(UTC)
        since = now - timedelta(days=ACTIVITY_DAYS)
        chat = await self._storage.chat(chat_id)
        if chat is None:
            raise LookupError(f"no chat {chat_id}")
        pairs = await self._queries.intro_pairs(chat_id, since)
        names = await self._queries.display_names(
            sorted({m for pair in pairs for m in (pair.first, pair.second)})
        )
        return AdminView(
            chat=chat,
            settings=await self._storage.chat_settings(chat_id),
            digest=await self._schedules.current(chat_id),
            digest_next=await self._scheduler.next_run(chat_id, JobKind.DIGEST),
            quiet_line=await self._storage.digest_quiet_line(chat_id),
            intros=await self._intros.current(chat_id),
            intros_next=await self._scheduler.next_run(chat_id, JobKind.INTROS),
            intro_delivery=await self._intro_store.delivery(chat_id),
            intro_status=await self._intros.status(chat_id),
            intro_pairs=pairs,
            intro_names=names,
            graph=lay_out(pairs, names),
            activity=await self._queries.twin_activity(chat_id, since),
            embedding=await self._queries.embedding_progress(chat_id, now),
            runs=await self._queries.job_runs(
                chat_id, (JobKind.DIGEST.value, JobKind.INTROS.value), since
            ),
            health=await self._health.check(),
            since=since,
        )

    async def preview(self, chat_id: int, now: datetime | None = None) -> DigestPreview:
        """The digest of the last period, rendered as its scheduled run renders it (the
        chat's language and quiet line) but not posted. With a schedule the period is the
        last one it completed; without one, the last 24 hours (as ``/digest preview``)."""
        chat = await self._storage.chat(chat_id)
        if chat is None:
            raise LookupError(f"no chat {chat_id}")
        now = now or datetime.now(UTC)
        start, end = now - DEFAULT_PERIOD, now
        spec = await self._schedules.current(chat_id)
        last_run = spec.previous_fire_time(now) if spec is not None else None
        if spec is not None and last_run is not None:
            start, end = spec.period_ending(last_run)
        with using(await self._languages.for_chat(chat)):
            parts = await self._digests.render(
                chat_id,
                end,
                end - start,
                chat_title=chat.title,
                quiet_line=await self._storage.digest_quiet_line(chat_id),
            )
        return DigestPreview(parts, start, end)

    async def change_setting(self, chat: Chat, admin: Member, setting: str, value: str) -> str:
        """``/settings SETTING VALUE`` from a checked admin."""
        if setting not in SETTINGS:
            return tr("That setting is not known.")
        words = (setting, *value.split())
        command = _admin_command(chat, admin, "settings", words)
        return await self._admin.settings(command, words)

    async def change_digest(self, chat_id: int, text: str) -> str:
        """``/digest SCHEDULE`` (``daily 09:00``, ``tz Asia/Shanghai``, ``off``…)."""
        words = [w.lower() for w in canonical_words(text.split())]
        if not words or words[0] in ("now", "preview", "status", "quiet", "me"):
            return tr(
                "Please type a schedule, for example: daily 09:00, weekly mon 18:00, "
                "tz Europe/Berlin or off."
            )
        return await self._schedules.change(chat_id, text)

    async def change_quiet(self, chat_id: int, choice: str) -> str:
        """``/digest quiet skip|line``."""
        return await self._schedules.quiet(chat_id, choice)

    async def change_intros(self, chat: Chat, admin: Member, text: str) -> str:
        """``/intros CADENCE`` (``weekly``, ``monthly``, ``tz ZONE``, ``off``) or
        ``/intros post group|dm``; rounds are not started from the page."""
        words = tuple(text.split())
        first = [w.lower() for w in canonical_words(words[:1])]
        if not words or first[0] in _INTRO_WORDS_REFUSED:
            return tr(
                "Please type a cadence, for example: weekly, biweekly, monthly, "
                "tz Europe/Berlin or off."
            )
        command = _admin_command(chat, admin, "intros", words)
        answer = await self._intros.answer(command, NoSender(chat.platform))
        return answer.text


def _admin_command(chat: Chat, admin: Member, name: str, words: tuple[str, ...]) -> Command:
    """The command an admin would have typed, with the right the platform just confirmed."""
    raw = " ".join((f"/{name}", *words))
    return Command(chat, admin, name, words, "web", datetime.now(UTC), raw, sender_is_admin=True)
