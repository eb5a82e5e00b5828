"""Nightly upkeep: prune what Hearth no longer needs and compact the memory shards."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bots.storage.intro_store import IntroStore
from bots.storage.repository import Storage
from bots.storage.web_store import WebStore
from jobs.run_lease import RunLeases
from memory.interest_profiles import InterestProfileStore
from memory.store import MemoryStore, compact

log = logging.getLogger(__name__)

LEASE_KEEP = timedelta(days=90)
"""Run leases older than this are dropped (no schedule looks back that far)."""
INTRO_HISTORY_KEEP = timedelta(days=365)
"""Introductions older than this no longer keep a pair from meeting again."""
LIMIT_HITS_KEEP = timedelta(days=90)
"""Twin rate-limit hits older than this are dropped (the admin page counts 30 days)."""


@dataclass(frozen=True, slots=True)
class UpkeepReport:
    """What one upkeep run removed or compacted."""

    leases: int
    link_codes: int
    sign_ins: int
    intro_groups: int
    memory_compacted: bool
    profiles_compacted: bool
    limit_hits: int = 0


class Upkeep:
    """The work of the nightly upkeep job."""

    def __init__(
        self,
        storage: Storage,
        intros: IntroStore,
        leases: RunLeases,
        memory: MemoryStore,
        profiles: InterestProfileStore,
    ) -> None:
        self._storage = storage
        self._web = WebStore(storage.engine)
        self._intros = intros
        self._leases = leases
        self._memory = memory
        self._profiles = profiles

    async def run(self, now: datetime | None = None) -> UpkeepReport:
        """Prune old leases, expired codes and sign-in links, old intro history and twin
        rate-limit hits; compact memory."""
        now = now or datetime.now(UTC)
        report = UpkeepReport(
            leases=await self._leases.prune(LEASE_KEEP),
            link_codes=await self._storage.prune_link_codes(now),
            sign_ins=await self._web.prune_sign_ins(now),
            intro_groups=await self._intros.prune_rounds(now - INTRO_HISTORY_KEEP),
            memory_compacted=await compact(self._memory),
            profiles_compacted=await self._profiles.optimize(),
            limit_hits=await self._storage.prune_twin_limit_hits(now - LIMIT_HITS_KEEP),
        )
        log.info("upkeep done: %s", report)
        return report
