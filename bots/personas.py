"""Keeps each opted-in member's persona up to date and shows it to them."""

from __future__ import annotations

from bots.storage.persona_store import MAX_NOTE_CHARS, PersonaStore
from bots.storage.repository import Storage
from twins.persona import PersonaSummary, summarise


class Personas:
    """Learns personas from members' own messages, only while their twin is on."""

    def __init__(self, storage: Storage, store: PersonaStore) -> None:
        self._storage = storage
        self._store = store

    async def on_message(self, chat_id: int, member_id: int, text: str) -> None:
        """Count a new message into the member's persona if their twin is on in the chat."""
        if await self._storage.twin_enabled(chat_id, member_id):
            await self._store.add_messages(member_id, chat_id, [text])

    async def ensure(self, chat_id: int, member_id: int) -> None:
        """Build the persona from the member's stored messages when it does not exist yet."""
        _, _, exists = await self._store.get(member_id, chat_id)
        if not exists:
            texts = await self._storage.member_texts(chat_id, member_id)
            await self._store.add_messages(member_id, chat_id, texts)

    async def summary(self, chat_id: int, member_id: int) -> PersonaSummary:
        """The member's persona in words."""
        stats, note, _ = await self._store.get(member_id, chat_id)
        return summarise(stats, note, await self._store.term_spread(chat_id))

    async def prompt_text(self, chat_id: int, member_id: int) -> str | None:
        """The persona as a language model sees it, or None when there is nothing yet."""
        stats, note, exists = await self._store.get(member_id, chat_id)
        if not exists or (not stats.messages and not note):
            return None
        return summarise(stats, note, await self._store.term_spread(chat_id)).prompt_text()

    async def command(self, chat_id: int, member_id: int, words: tuple[str, ...], raw: str) -> str:
        """``/twin profile``, ``/twin profile set TEXT`` and ``/twin profile reset``."""
        if not words:
            await self.ensure(chat_id, member_id)
            return _describe(await self.summary(chat_id, member_id))
        action = words[0].lower()
        if action == "reset" and len(words) == 1:
            await self._store.set_note(member_id, chat_id, None)
            return "Your own note is cleared; the profile comes from your messages alone."
        if action == "set" and len(words) > 1:
            note = raw.split("set", 1)[1].strip() if "set" in raw else " ".join(words[1:])
            if len(note) > MAX_NOTE_CHARS:
                return f"Please keep your note under {MAX_NOTE_CHARS} characters."
            await self._store.set_note(member_id, chat_id, note)
            return "Saved. Your twin will keep your note in mind when it writes answers."
        return "Usage: /twin profile | /twin profile set <about you> | /twin profile reset"

    async def forget(self, member_id: int, chat_id: int) -> None:
        """Delete the member's persona in the chat."""
        await self._store.forget(member_id, chat_id)


def _describe(summary: PersonaSummary) -> str:
    interests = ", ".join(summary.interests) or "not enough messages yet"
    languages = ", ".join(summary.languages) or "not known yet"
    lines = [
        f"Your twin's profile in this chat, from {summary.messages} of your messages:",
        f"Talks about: {interests}",
        f"Tone: {summary.tone}",
        f"Writes in: {languages}",
    ]
    if summary.owner_note:
        lines.append(f"Your note: {summary.owner_note}")
    lines.append("/twin profile set <about you> adds your own note; /twin profile reset clears it.")
    return "\n".join(lines)
