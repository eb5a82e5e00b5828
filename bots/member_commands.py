"""Personal commands: /twin, /forget, /link, /unlink, /help."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from adapters.model import ButtonRows, Command, OutgoingReply
from adapters.ports import ReplySender
from bots.account_links import (
    CODE_TTL,
    AttemptLimiter,
    code_hash,
    looks_like_code,
    new_code,
)
from bots.admin_commands import AdminCommands
from bots.command_catalog import COMMANDS_BY_NAME, help_text, usage_hint
from bots.command_words import canonical_words, free_text
from bots.digest_schedules import DigestSchedules
from bots.digests import ChatDigests
from bots.durations import DurationError, parse_duration
from bots.imports.backfills import Backfills
from bots.intro_commands import IntroCommands
from bots.owner_review import OwnerReview
from bots.personal_digests import PersonalDigests, is_personal_digest
from bots.personas import Personas
from bots.reply_languages import ReplyLanguages
from bots.settings_keyboard import settings_keyboard
from bots.storage.records import LinkOutcome, Profile
from bots.storage.repository import Storage
from bots.web.sign_in import SignInLinks
from locales import N_, format_day_short, format_time, join_sentences, tr, tr_marked, trn
from memory.interest_profiles import InterestProfileStore
from memory.store import MemoryStore, purge_soon

log = logging.getLogger(__name__)

PROFILE_ACTIONS = frozenset(
    {"log", "confirm", "correct", "delete", "approve", "discard", "pause", "resume", "mode"}
)
"""``/twin`` actions about the person (all chats, all linked accounts), allowed in private."""

LINK_FAILURES = {
    LinkOutcome.UNKNOWN: N_("That code is not valid. Check it, or ask for a new one with /link."),
    LinkOutcome.USED: N_("That code was already used. Get a new one with /link."),
    LinkOutcome.EXPIRED: N_(
        "That code has expired (codes last 10 minutes). Get a new one with /link."
    ),
    LinkOutcome.SAME_ACCOUNT: N_("Enter the code on your other platform, not where you got it."),
}
"""Why a code did not link, in English; shown with ``tr_marked``."""


class MemberCommands:
    """Carries out the commands a member gives about themselves (and routes admin ones)."""

    def __init__(
        self,
        storage: Storage,
        memory: MemoryStore,
        personas: Personas,
        digests: ChatDigests,
        schedules: DigestSchedules,
        *,
        intros: IntroCommands,
        profiles: InterestProfileStore,
        personal: PersonalDigests,
        review: OwnerReview,
        languages: ReplyLanguages,
        imports: Backfills | None = None,
        web: SignInLinks | None = None,
    ) -> None:
        self._storage = storage
        self._imports = imports
        self._memory = memory
        self._personas = personas
        self._digests = digests
        self._schedules = schedules
        self._intros = intros
        self._profiles = profiles
        self._personal = personal
        self._admin = AdminCommands(storage, intros, languages)
        self._review = review
        self._attempts = AttemptLimiter()
        self._web = web

    async def handle(self, command: Command, sender: ReplySender) -> None:
        """Run ``command`` and answer the member (privately where that matters)."""
        if is_personal_digest(command):  # /digest me …: any member, group or private chat
            await self._personal.handle(command, sender)
            return
        if command.name.lower() == "digest" and command.chat.is_group:
            await self._digest(command, sender)
            return
        if command.name.lower() == "intros":
            await self._intros.handle(command, sender)
            return
        if command.name.lower() == "import" and self._imports is not None:
            await self._imports.handle(command, sender)
            return
        text, private = await self._run(command, sender)
        await sender.send(
            OutgoingReply(
                chat=command.chat,
                text=text,
                reply_to_message_id=command.platform_message_id,
                recipient=command.sender,
                private=private,
                buttons=await self._settings_buttons(command),
            )
        )

    async def _settings_buttons(self, command: Command) -> ButtonRows:
        """Buttons for the common changes under a plain ``/settings`` in a group; else none."""
        if command.name.lower() != "settings" or command.args or not command.chat.is_group:
            return ()
        chat_id = await self._storage.ensure_chat(command.chat)
        cadence = await self._intros.current(chat_id)
        return settings_keyboard(
            await self._storage.chat_settings(chat_id),
            intro_cadence=cadence.kind if cadence is not None else "off",
        )

    async def _run(self, command: Command, sender: ReplySender) -> tuple[str, bool]:
        name = command.name.lower()
        words = canonical_words(" ".join(command.args).split())
        spec = COMMANDS_BY_NAME.get(name)
        if name in ("help", "start"):
            return help_text(), False
        if spec is None:
            return usage_hint(name), False
        if name == "link":
            return await self._link(command, words), True
        if name == "unlink":
            return await self._unlink(command, words), True
        if name == "web":
            return await self._web_link(command, words), True
        if name == "twin" and words and words[0].lower() in PROFILE_ACTIONS:
            return await self._twin_profile(command, words, sender), True
        if not command.chat.is_group:
            return tr(
                "/{command} works in a group chat: send it in the group it is about.",
                command=name,
            ), False
        if name == "settings":
            return await self._admin.settings(command, words), False
        if name == "twin" and words and words[0].lower() == "profile":
            chat_id = await self._storage.ensure_chat(command.chat)
            member_id = await self._storage.ensure_member(command.sender)
            note = free_text(" ".join(command.args), 2)  # after "profile set", as typed
            return await self._personas.command(chat_id, member_id, words[1:], note), True
        if name == "twin":
            return await self._twin(command, words), False
        if name == "forget":
            return await self._forget(command, words), False
        return usage_hint(name), False

    async def _digest(self, command: Command, sender: ReplySender) -> None:
        """``/digest now|preview|status`` and schedule changes (``daily 09:00``, ``off``…)."""
        words = tuple(w.lower() for w in canonical_words(" ".join(command.args).split()))

        async def reply(text: str, *, private: bool) -> None:
            await sender.send(
                OutgoingReply(
                    chat=command.chat,
                    text=text,
                    reply_to_message_id=command.platform_message_id,
                    recipient=command.sender,
                    private=private,
                )
            )

        chat_id = await self._storage.ensure_chat(command.chat)
        if words == ("status",):
            await reply(await self._schedules.status(chat_id), private=False)
            return
        if not words:
            await reply(usage_hint("digest"), private=False)
            return
        if command.sender_is_admin is not True:
            await reply(tr("Sorry, only this chat's admins can manage digests."), private=False)
            return
        if words[0] == "quiet":
            await reply(await self._schedules.quiet(chat_id, " ".join(words[1:])), private=False)
            return
        if words not in (("now",), ("preview",)):
            await reply(await self._schedules.change(chat_id, " ".join(words)), private=False)
            return
        composed = await self._digests.compose(
            chat_id, datetime.now(UTC), chat_title=command.chat.title
        )
        preview = words == ("preview",)
        for part in composed.parts:
            await reply(part, private=preview)
        if composed.parts and not preview:
            await self._digests.record_featured(chat_id, composed.digest)

    async def _twin_profile(
        self, command: Command, words: tuple[str, ...], sender: ReplySender
    ) -> str:
        """Twin actions about the person rather than one chat; they work in private too."""
        member_id = await self._storage.ensure_member(command.sender)
        action, rest = words[0].lower(), words[1:]
        if action == "log" and not rest:
            return await self._review.log(member_id)
        if action in ("confirm", "delete", "approve", "discard") and len(rest) == 1:
            if action == "confirm":
                return await self._review.confirm(member_id, rest[0])
            if action == "delete":
                return await self._review.delete(member_id, rest[0], sender)
            if action == "approve":
                return await self._review.approve(member_id, rest[0], sender)
            return await self._review.discard(member_id, rest[0])
        if action == "correct" and len(rest) >= 2:
            text = free_text(" ".join(command.args), 2) or " ".join(rest[1:])
            return await self._review.correct(member_id, rest[0], text)
        if action == "pause" and rest:
            try:
                # As typed ("2 小时", "半小时"), so a wrong one is shown the way it was written.
                length = parse_duration(free_text(" ".join(command.args), 1) or "".join(rest))
            except DurationError as error:
                return tr("Sorry, {error}. Example: /twin pause 2h", error=str(error))
            return await self.pause(member_id, length)
        if action == "resume" and not rest:
            return await self.resume(member_id)
        if action == "mode" and len(rest) == 1 and rest[0].lower() in ("draft", "auto"):
            return await self.set_mode(member_id, rest[0].lower())
        return usage_hint("twin")

    async def pause(self, member_id: int, length: timedelta) -> str:
        """Pause the person's twin for ``length`` (``/twin pause 2h``)."""
        until = datetime.now(UTC) + length
        await self._storage.update_profile(member_id, pause_until=until)
        return tr(
            "Your twin is paused until {day} {time} UTC. /twin resume ends it.",
            day=format_day_short(until),
            time=format_time(until),
        )

    async def resume(self, member_id: int) -> str:
        """End a pause (``/twin resume``)."""
        await self._storage.update_profile(member_id, resume=True)
        return tr("Your twin is no longer paused.")

    async def set_mode(self, member_id: int, mode: str) -> str:
        """``/twin mode draft|auto``: whether answers wait for the owner's approval."""
        await self._storage.update_profile(member_id, twin_mode=mode)
        if mode == "draft":
            return tr(
                "Draft mode: your twin's answers now wait for your approval. When you are "
                "back you get the drafts; /twin approve N posts one."
            )
        return tr("Auto mode: your twin answers straight away.")

    async def _twin(self, command: Command, words: tuple[str, ...]) -> str:
        action = " ".join(words).lower()
        if action not in (
            "on",
            "off",
            "status",
            "scope chat",
            "scope all",
            "suggest on",
            "suggest off",
        ):
            return usage_hint("twin")
        chat_id = await self._storage.ensure_chat(command.chat)
        member_id = await self._storage.ensure_member(command.sender)
        if action.startswith("suggest"):
            return await self._suggest(chat_id, member_id, action == "suggest on")
        if action == "on":
            return await self.twin_on(chat_id, member_id)
        if action == "off":
            return await self.twin_off(member_id)
        if action.startswith("scope"):
            return await self.set_scope(member_id, action.split()[1])
        settings = await self._storage.chat_settings(chat_id)
        minutes = _minutes(settings.twin_absence_minutes)
        enabled = await self._storage.twin_enabled(chat_id, member_id)
        profile = await self._storage.profile(member_id)
        stored = await self._storage.count_messages(chat_id=chat_id, member_id=member_id)
        in_memory = await self._memory.count(member_id=member_id, chat_id=chat_id)
        lines = [
            tr("Your twin is on in this chat.")
            if enabled and profile.twin_active
            else tr("Your twin is off in this chat.")
        ]
        now = datetime.now(UTC)
        if profile.paused(now) and profile.twin_paused_until is not None:
            until = profile.twin_paused_until
            lines.append(
                tr(
                    "It is paused until {day} {time} UTC.",
                    day=format_day_short(until),
                    time=format_time(until),
                )
            )
        if profile.twin_mode == "draft":
            lines.append(tr("Draft mode: answers wait for your approval."))
        if not settings.twins_enabled:
            lines.append(tr("Admins have turned twins off in this chat."))
        lines.append(_scope_line(profile))
        lines.append(
            tr(
                "Stored: {stored} of your messages here, {searchable} of them searchable.",
                stored=stored,
                searchable=in_memory,
            )
        )
        lines.append(tr("It answers after {minutes} of quiet.", minutes=minutes))
        return join_sentences(*lines)

    async def twin_on(self, chat_id: int, member_id: int) -> str:
        """``/twin on`` in a chat: the member consents there, and the twin is switched on."""
        settings = await self._storage.chat_settings(chat_id)
        await self._storage.set_twin_enabled(chat_id, member_id, True)
        await self._storage.update_profile(member_id, twin_active=True)
        await self._personas.ensure(chat_id, member_id)
        return tr(
            "Your twin is on in this chat. When you have been quiet here for {minutes} "
            "and someone @-mentions you, it answers with quotes of what you said here, "
            "labelled as your twin. /twin off stops it everywhere; /forget deletes your data.",
            minutes=_minutes(settings.twin_absence_minutes),
        )

    async def twin_off(self, member_id: int) -> str:
        """``/twin off``: the twin stops in every chat, on every linked account."""
        profile = await self._storage.update_profile(member_id, twin_active=False)
        chats = await self._storage.disable_twin_everywhere(profile.member_ids)
        if len(profile.member_ids) > 1:
            return tr(
                "Your twin is off on all your linked accounts ({chats} chat(s)). Your "
                "messages stay stored; /forget deletes them. /twin on turns it back on in "
                "a chat.",
                chats=chats,
            )
        return tr(
            "Your twin is off everywhere ({chats} chat(s)). Your messages stay stored; "
            "/forget deletes them. /twin on turns it back on in a chat.",
            chats=chats,
        )

    async def set_scope(self, member_id: int, scope: str) -> str:
        """``/twin scope chat|all``: which chats the twin may quote from."""
        await self._storage.update_profile(member_id, twin_scope=scope)
        if scope == "all":
            return tr(
                "Your twin may now quote what you said in any group chat where Hearth "
                "sees you (never direct messages). /twin scope chat limits it to the chat "
                "where it is asked."
            )
        return tr("Your twin now quotes only what you said in the chat where it is asked.")

    async def _suggest(self, chat_id: int, member_id: int, suggestable: bool) -> str:
        """``/twin suggest on|off``: whether Hearth may name the member as someone who knows."""
        await self._storage.set_suggestable(chat_id, member_id, suggestable)
        if suggestable:
            return tr(
                "Hearth may now suggest you here when someone asks who knows about a topic "
                "you talked about. /twin suggest off stops it."
            )
        return tr(
            "Hearth will not suggest you here when someone asks who knows about a topic. "
            "/twin suggest on allows it again."
        )

    async def _forget(self, command: Command, words: tuple[str, ...]) -> str:
        if words:
            return usage_hint("forget")
        chat_id = await self._storage.ensure_chat(command.chat)
        member_id = await self._storage.ensure_member(command.sender)
        return await self.forget(chat_id, member_id)

    async def forget(self, chat_id: int, member_id: int) -> str:
        """``/forget``: delete everything stored about the account in one chat."""
        # Memory first: if it fails, SQL still holds everything and the command can be
        # repeated; the reverse order could leave searchable vectors with no SQL record.
        await self._memory.delete_member(member_id, chat_id)
        await self._personas.forget(member_id, chat_id)
        await self._profiles.delete_member(member_id, chat_id)
        await self._intros.forget(chat_id, member_id)
        result = await self._storage.forget_member(chat_id, member_id)
        await self._memory.delete_messages(result.message_ids)
        # Deleted rows and points stay readable in the files until these run.
        await self._storage.shred_deleted()
        await purge_soon(self._memory)
        await self._profiles.purge_soon()
        log.info(
            "forgot member %s in chat %s: %d messages, %d questions erased",
            member_id,
            chat_id,
            result.messages,
            result.questions_erased,
        )
        done = tr(
            "Done: deleted {messages} of your messages, {answers} twin answers and your "
            "settings in this chat. Your twin here is off.",
            messages=result.messages,
            answers=result.twin_replies,
        )
        if not result.questions_erased:
            return done
        questions = tr(
            "Your {count} question(s) to other members' twins here are erased, with their answers.",
            count=result.questions_erased,
        )
        return join_sentences(done, questions)

    async def _link(self, command: Command, words: tuple[str, ...]) -> str:
        member_id = await self._storage.ensure_member(command.sender)
        now = datetime.now(UTC)
        if not words:
            code = new_code()
            await self._storage.create_link_code(member_id, code_hash(code), now + CODE_TTL)
            return tr(
                "Your link code: {code}\nWithin 10 minutes, send /link {code} to Hearth "
                "from your account on the other platform. The code works once; never share it.",
                code=code,
            )
        typed = "".join(words)
        if len(words) > 2:
            return usage_hint("link")
        if self._attempts.blocked(member_id, now):
            return tr("Too many wrong codes. Wait ten minutes, then get a fresh code with /link.")
        if not looks_like_code(typed):
            self._attempts.failed(member_id, now)
            return tr_marked(LINK_FAILURES[LinkOutcome.UNKNOWN])
        outcome, profile = await self._storage.redeem_link_code(code_hash(typed), member_id, now)
        if outcome is not LinkOutcome.LINKED or profile is None:
            self._attempts.failed(member_id, now)
            return tr_marked(LINK_FAILURES[outcome])
        platforms = ", ".join(sorted(set(profile.platforms)))
        return tr(
            "Linked: your accounts ({platforms}) now share one twin and one set of settings. "
            "/unlink undoes it.",
            platforms=platforms,
        )

    async def _web_link(self, command: Command, words: tuple[str, ...]) -> str:
        """``/web``: a one-time sign-in link to the member's page, sent privately."""
        if words:
            return usage_hint("web")
        if self._web is None or not self._web.public_url:
            return tr("The web pages are not switched on for this Hearth.")
        member_id = await self._storage.ensure_member(command.sender)
        link = await self._web.new_link(member_id)
        return tr(
            "Your sign-in link for the Hearth web page: {link}\nIt works once, within 10 "
            "minutes, and signs in this account. Never share it.",
            link=link,
        )

    async def _unlink(self, command: Command, words: tuple[str, ...]) -> str:
        if words:
            return usage_hint("unlink")
        member_id = await self._storage.ensure_member(command.sender)
        before = await self._storage.profile(member_id)
        if len(before.member_ids) < 2:
            return tr("This account is not linked to another one.")
        await self._storage.unlink(member_id)
        return tr("Unlinked: this account now has its own twin settings again.")


def _scope_line(profile: Profile) -> str:
    linked = len(profile.member_ids)
    if profile.all_chats:
        if linked > 1:
            return tr(
                "It may quote you from any group chat across {count} linked accounts.",
                count=linked,
            )
        return tr("It may quote you from any group chat.")
    if linked > 1:
        return tr(
            "It quotes only what you said in the chat where it is asked across {count} linked "
            "accounts.",
            count=linked,
        )
    return tr("It quotes only what you said in the chat where it is asked.")


def _minutes(value: float) -> str:
    whole = round(value)
    return trn("{count} minute", "{count} minutes", whole)
