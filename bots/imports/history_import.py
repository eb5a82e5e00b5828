"""Runs one import of a chat's history: read batches, store each once, keep the place.

The reader (an export parser or a platform adapter) yields batches oldest first; each is
stored in one transaction with the run's place in the source, so a run that is killed
or stopped continues after its last stored batch the next time it is started with the
same source. Imported messages never switch a twin on; for members whose twin is
already on, they count into the persona as live ones do. Vectors come afterwards from
the embedding worker, which takes live messages first.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from adapters.history import HistoryReader
from bots.storage.history_import_store import HistoryImportStore, ImportRun
from bots.storage.persona_store import PersonaStore

log = logging.getLogger(__name__)

Progress = Callable[[ImportRun, float | None], Awaitable[None]]
"""Told after each batch: the run so far and the share of the source read (if known)."""


class HistoryImporter:
    """Imports chats' history into SQL, resumably; one instance serves many runs."""

    def __init__(
        self,
        store: HistoryImportStore,
        personas: PersonaStore,
        *,
        on_stored: Callable[[], None] | None = None,
    ) -> None:
        self._store = store
        self._personas = personas
        self._on_stored = on_stored

    async def run(
        self,
        reader: HistoryReader,
        *,
        source: str,
        source_key: str,
        since: datetime | None = None,
        requested_by: int | None = None,
        progress: Progress | None = None,
    ) -> ImportRun:
        """Import ``reader``'s chat, continuing an unfinished run of the same source.

        Returns the finished run. A failure of the reader or the store marks the run
        failed (with the error as its note) and is raised; a cancellation leaves it
        running, to be continued.
        """
        chat_id = await self._store.chat_id(reader.chat)
        run, continued = await self._store.start_run(
            chat_id,
            platform=reader.chat.platform.value,
            source=source,
            source_key=source_key,
            since=since,
            requested_by=requested_by,
        )
        if continued:
            log.info(
                "continuing import %d of %s after message %s (%d stored so far)",
                run.id,
                reader.chat.platform_chat_id,
                run.resume_after,
                run.stored,
            )
        try:
            async for batch in reader.batches(resume_after=run.resume_after):
                stored = await self._store.store_batch(
                    run.id,
                    chat_id,
                    batch.messages,
                    skipped=batch.skipped,
                    resume_after=batch.resume_after,
                )
                for member_id in stored.twin_members:
                    await self._personas.add_messages(
                        member_id, chat_id, stored.new_texts[member_id]
                    )
                if stored.stored and self._on_stored is not None:
                    self._on_stored()
                if progress is not None:
                    current = await self._store.run(run.id)
                    assert current is not None
                    await progress(current, batch.done)
        except Exception as error:
            note = f"{type(error).__name__}: {error}"
            await self._store.finish_run(run.id, "failed", note[:2000])
            raise
        return await self._store.finish_run(run.id, "done")
