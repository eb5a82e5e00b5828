"""The member page's actions, through the same application code as the chat commands.

Every action names the signed-in account; a chat must be one the person is in now
(privacy: nobody reaches another chat's data by changing a number in a form), and an
answer must be their own twin's (``OwnerReview`` checks that, as for ``/twin confirm``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from adapters.model import Platform
from adapters.ports import ReplySender
from bots.durations import DurationError, parse_duration
from bots.member_commands import MemberCommands
from bots.owner_review import OwnerReview
from bots.personas import Personas
from bots.reputation import Reputation, score
from bots.storage.persona_store import MAX_NOTE_CHARS
from bots.storage.records import Profile, TwinReplyView
from bots.storage.repository import Storage
from bots.storage.web_store import Account, MemberChat, WebStore
from bots.web.no_sender import NoSender
from locales import N_, tr, tr_marked

ANSWERS_SHOWN = 20
REVIEW_LABELS = {
    "unreviewed": N_("not reviewed yet"),
    "confirmed": N_("confirmed"),
    "corrected": N_("corrected"),
    "deleted": N_("deleted"),
}
"""How the page names an answer's review state (English catalog messages)."""


def review_label(review: str) -> str:
    """An answer's review state in the language in use."""
    return tr_marked(REVIEW_LABELS[review]) if review in REVIEW_LABELS else review


@dataclass(frozen=True, slots=True)
class ChatView:
    """One chat on the member page: the chat, the twin there and what it learned."""

    chat: MemberChat
    interests: tuple[str, ...]
    note: str | None
    messages: int


@dataclass(frozen=True, slots=True)
class PageData:
    """Everything the member page shows."""

    profile: Profile
    accounts: list[Account]
    chats: list[ChatView]
    answers: list[TwinReplyView]
    paused: bool


@dataclass(frozen=True, slots=True)
class ChatReputation:
    """The member's reputation in one of their chats."""

    chat: MemberChat
    reputation: Reputation


class MemberPage:
    """Reads the member page and carries out its forms."""

    def __init__(
        self,
        storage: Storage,
        store: WebStore,
        *,
        commands: MemberCommands,
        review: OwnerReview,
        personas: Personas,
        senders: dict[Platform, ReplySender],
    ) -> None:
        self._storage = storage
        self._store = store
        self._commands = commands
        self._review = review
        self._personas = personas
        self._senders = senders

    async def profile(self, member_id: int) -> Profile:
        """The person behind the signed-in account (all linked accounts)."""
        return await self._storage.profile(member_id)

    async def chats(self, member_id: int) -> list[MemberChat]:
        """The group chats the person's accounts are in now."""
        profile = await self.profile(member_id)
        return await self._store.member_chats(profile.member_ids)

    async def chat(self, member_id: int, chat_id: int) -> MemberChat | None:
        """One of the person's chats, or None when they are not in it."""
        for chat in await self.chats(member_id):
            if chat.chat_id == chat_id:
                return chat
        return None

    async def read(self, member_id: int) -> PageData:
        """What the member page shows for the signed-in account."""
        profile = await self.profile(member_id)
        chats = []
        for chat in await self._store.member_chats(profile.member_ids):
            summary = await self._personas.summary(chat.chat_id, chat.member_id)
            count = await self._storage.count_messages(
                chat_id=chat.chat_id, member_id=chat.member_id
            )
            chats.append(ChatView(chat, tuple(summary.interests), summary.owner_note, count))
        answers = await self._storage.recent_twin_replies(profile.member_ids, ANSWERS_SHOWN)
        return PageData(
            profile,
            await self._store.accounts(profile.member_ids),
            chats,
            answers,
            profile.paused(datetime.now(UTC)),
        )

    async def reputation(self, member_id: int) -> list[ChatReputation]:
        """The person's reputation in each chat they are in (aggregates only: no givers)."""
        profile = await self.profile(member_id)
        own = set(profile.member_ids)
        found = []
        for chat in await self._store.member_chats(profile.member_ids):
            given = await self._storage.recognitions(chat.chat_id, chat.member_id)
            found.append(ChatReputation(chat, score(given, own_ids=own)))
        return found

    async def twin(self, member_id: int, action: str, chat_id: int | None, value: str) -> str:
        """A twin switch: ``on`` in a chat, ``off``, ``scope``, ``pause``, ``resume``, ``mode``."""
        if action == "on":
            chat = await self.chat(member_id, chat_id) if chat_id is not None else None
            if chat is None:
                return tr("That chat is not one of yours.")
            return await self._commands.twin_on(chat.chat_id, chat.member_id)
        if action == "off":
            return await self._commands.twin_off(member_id)
        if action == "scope" and value in ("chat", "all"):
            return await self._commands.set_scope(member_id, value)
        if action == "mode" and value in ("draft", "auto"):
            return await self._commands.set_mode(member_id, value)
        if action == "resume":
            return await self._commands.resume(member_id)
        if action == "pause":
            try:
                length = parse_duration(value)
            except DurationError as error:
                return tr("Sorry, {error}. Example: /twin pause 2h", error=str(error))
            return await self._commands.pause(member_id, length)
        return tr("That action is not known.")

    async def note(self, member_id: int, chat_id: int, note: str) -> str:
        """Set (or, empty, clear) the member's own note for their twin in a chat."""
        chat = await self.chat(member_id, chat_id)
        if chat is None:
            return tr("That chat is not one of yours.")
        note = note.strip()
        if len(note) > MAX_NOTE_CHARS:
            return tr("Please keep your note under {count} characters.", count=MAX_NOTE_CHARS)
        words = ("set", *note.split()) if note else ("reset",)
        return await self._personas.command(chat.chat_id, chat.member_id, words, note)

    async def answer(self, member_id: int, number: str, action: str, correction: str) -> str:
        """Confirm, correct or delete one of the twin's answers (as ``/twin confirm N``…)."""
        if action == "confirm":
            return await self._review.confirm(member_id, number)
        if action == "correct":
            return await self._review.correct(member_id, number, correction)
        if action == "delete":
            view = await self._storage.twin_reply(int(number)) if number.isdigit() else None
            platform = _platform(view.chat_platform) if view is not None else None
            sender: ReplySender = (
                self._senders.get(platform) or NoSender(platform)
                if platform is not None
                else NoSender(Platform.PLAYGROUND)
            )
            return await self._review.delete(member_id, number, sender)
        return tr("That action is not known.")

    async def forget(self, member_id: int, chat_id: int | None) -> str:
        """Forget the person in one chat (all their accounts there), or in every chat."""
        chats = await self.chats(member_id)
        if chat_id is not None:
            chats = [chat for chat in chats if chat.chat_id == chat_id]
            if not chats:
                return tr("That chat is not one of yours.")
        if not chats:
            return tr("Hearth has nothing of yours in any chat.")
        replies = [await self._commands.forget(chat.chat_id, chat.member_id) for chat in chats]
        if len(replies) == 1:
            return replies[0]
        return tr("Done: Hearth forgot you in {count} chats.", count=len(replies))

    async def export(self, member_id: int) -> dict[str, object]:
        """All the person's data, for a JSON download."""
        profile = await self.profile(member_id)
        data = await self._store.export(profile.member_ids)
        return {"exported_at": datetime.now(UTC).isoformat(), **data}


def _platform(value: str) -> Platform | None:
    try:
        return Platform(value)
    except ValueError:
        return None
