"""Keeps each opted-in member's persona up to date and shows it to them."""

from __future__ import annotations

from bots.storage.persona_store import MAX_NOTE_CHARS, PersonaStore
from bots.storage.repository import Storage
from locales import N_, current, format_list, tr, tr_marked
from twins.persona import PersonaSummary, summarise

PERSONA_WORDS = frozenset(
    {
        N_("not enough messages yet"),
        N_("short messages"),
        N_("detailed messages"),
        N_("medium-length messages"),
        N_("uses emoji often"),
        N_("enthusiastic"),
        N_("asks many questions"),
        N_("Chinese"),
        N_("English"),
    }
)
"""The words of a persona summary (tone, languages) as members read them; the language
model reads the English."""


class Personas:
    """Learns personas from members' own messages, only while their twin is on."""

    def __init__(self, storage: Storage, store: PersonaStore) -> None:
        self._storage = storage
        self._store = store

    async def on_message(
        self, chat_id: int, member_id: int, text: str, *, twin_on: bool | None = None
    ) -> None:
        """Count a new message into the member's persona if their twin is on in the chat
        (``twin_on`` when the caller knows it already, else it is looked up)."""
        if twin_on is None:
            twin_on = await self._storage.twin_enabled(chat_id, member_id)
        if twin_on:
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

    async def command(
        self, chat_id: int, member_id: int, words: tuple[str, ...], note_text: str
    ) -> str:
        """``/twin profile``, ``/twin profile set TEXT`` and ``/twin profile reset``.

        ``words`` are the command words after ``profile`` (in English); ``note_text`` is
        what the member typed after ``profile set``, as typed.
        """
        if not words:
            await self.ensure(chat_id, member_id)
            return _describe(await self.summary(chat_id, member_id))
        action = words[0].lower()
        if action == "reset" and len(words) == 1:
            await self._store.set_note(member_id, chat_id, None)
            return tr("Your own note is cleared; the profile comes from your messages alone.")
        if action == "set" and len(words) > 1:
            note = note_text or " ".join(words[1:])
            if len(note) > MAX_NOTE_CHARS:
                return tr("Please keep your note under {count} characters.", count=MAX_NOTE_CHARS)
            await self._store.set_note(member_id, chat_id, note)
            return tr("Saved. Your twin will keep your note in mind when it writes answers.")
        return tr("Usage: /twin profile | /twin profile set <about you> | /twin profile reset")

    async def forget(self, member_id: int, chat_id: int) -> None:
        """Delete the member's persona in the chat."""
        await self._store.forget(member_id, chat_id)


def _describe(summary: PersonaSummary) -> str:
    interests = _comma().join(summary.interests) or tr("not enough messages yet")
    languages = format_list([_word(name) for name in summary.languages]) or tr("not known yet")
    tone = _comma().join(_word(part) for part in summary.tone.split(", "))
    lines = [
        tr(
            "Your twin's profile in this chat, from {count} of your messages:",
            count=summary.messages,
        ),
        tr("Talks about: {interests}", interests=interests),
        tr("Tone: {tone}", tone=tone),
        tr("Writes in: {languages}", languages=languages),
    ]
    if summary.owner_note:
        lines.append(tr("Your note: {note}", note=summary.owner_note))
    lines.append(
        tr("/twin profile set <about you> adds your own note; /twin profile reset clears it.")
    )
    return "\n".join(lines)


def _word(english: str) -> str:
    """A word of the persona summary in the reply language (unknown ones as they are)."""
    return tr_marked(english) if english in PERSONA_WORDS else english


def _comma() -> str:
    return "、" if current() == "zh" else ", "
