"""The admin dashboard's routes: ``/admin`` and ``/admin/<chat>`` with its forms.

Pages list the chats where the signed-in person is an admin, as the platforms say
(reused for a few minutes per session). Every form asks the platform again before it
changes anything: a person who is no longer an admin, or a platform that cannot be
asked, changes nothing and is told why.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiohttp import web
from multidict import MultiDictProxy

from adapters.model import Platform
from bots.settings_keyboard import DIGEST_BUTTONS, INTRO_CADENCES, INTRO_LABELS
from bots.storage.repository import Storage
from bots.storage.web_store import Account, MemberChat, WebStore
from bots.web.admin_page import ACTIVITY_DAYS, AdminPage
from bots.web.admin_rights import AdminRights, ChatRight, neutral_chat, neutral_member
from bots.web.sessions import CSRF_FIELD, SessionSigner, WebSession
from locales import N_, join_sentences, tr, tr_marked

log = logging.getLogger(__name__)

NOTICE_COOKIE = "hearth_admin_notice"
PLATFORM_NAMES = {Platform.TELEGRAM: "Telegram", Platform.DISCORD: "Discord"}
LANGUAGE_NAMES = {
    "auto": N_("Automatic (what the chat mostly writes)"),
    "en": N_("English"),
    "zh": N_("Chinese"),
}
STORE_NAMES = {"database": N_("Database"), "memory": N_("Vector memory")}
JOB_NAMES = {"digest": N_("Digest"), "intros": N_("Introductions")}


def _labels() -> dict[str, Any]:
    """The dashboard's names and quick picks, in the language in use."""
    digest_picks = [
        (tr_marked(label), command.removeprefix("/digest "))
        for row in DIGEST_BUTTONS
        for label, command in row
        if command != "/digest status"
    ]
    intro_picks = [(tr_marked(INTRO_LABELS[kind]), kind) for kind in (*INTRO_CADENCES, "off")]
    return {
        "language_names": {code: tr_marked(name) for code, name in LANGUAGE_NAMES.items()},
        "store_names": {key: tr_marked(name) for key, name in STORE_NAMES.items()},
        "job_names": {key: tr_marked(name) for key, name in JOB_NAMES.items()},
        "digest_picks": digest_picks,
        "intro_picks": intro_picks,
    }


class Pages(Protocol):
    """What the routes use of the web server: sessions and rendering."""

    async def signed_in(self, request: web.Request) -> WebSession | None:
        """The signed-in session, when its account still exists."""
        ...

    def render(self, name: str, *, status: int = 200, **context: Any) -> web.Response:
        """A page from the templates."""
        ...

    def signed_out(self) -> web.Response:
        """The page asking to sign in."""
        ...

    @property
    def secure(self) -> bool:
        """Whether cookies are marked Secure."""
        ...


class _Person:
    """The signed-in person's chats and accounts."""

    def __init__(self, session: WebSession, chats: list[MemberChat], accounts: list[Account]):
        self.session = session
        self.chats = chats
        self.accounts = {account.member_id: account for account in accounts}
        self.account_list = accounts

    def chat(self, chat_id: str) -> MemberChat | None:
        return next((c for c in self.chats if str(c.chat_id) == chat_id), None)


_Form = MultiDictProxy[str | bytes | bytearray | web.FileField]
_Apply = Callable[[_Person, MemberChat, _Form], Awaitable[str]]
"""What an admin form does to the chat once the right is confirmed; returns the notice."""


class AdminRoutes:
    """Serves the admin pages through :class:`AdminPage`, with :class:`AdminRights`."""

    def __init__(
        self, page: AdminPage, rights: AdminRights, storage: Storage, signer: SessionSigner
    ) -> None:
        self._page = page
        self._rights = rights
        self._storage = storage
        self._store = WebStore(storage.engine)
        self._signer = signer
        self._pages: Pages | None = None

    def add_to(self, router: web.UrlDispatcher, pages: Pages) -> None:
        """Add the admin routes to ``router``; ``pages`` renders and reads sessions."""
        self._pages = pages
        router.add_get("/admin", self._list)
        router.add_get("/admin/{chat}", self._dashboard)
        router.add_get("/admin/{chat}/preview", self._preview)
        router.add_post("/admin/{chat}/settings", self._settings)
        router.add_post("/admin/{chat}/digest", self._digest)
        router.add_post("/admin/{chat}/quiet", self._quiet)
        router.add_post("/admin/{chat}/intros", self._intros)

    @property
    def _web(self) -> Pages:
        assert self._pages is not None, "add_to was not called"
        return self._pages

    async def _person(self, request: web.Request) -> _Person | None:
        session = await self._web.signed_in(request)
        if session is None:
            return None
        profile = await self._storage.profile(session.member_id)
        return _Person(
            session,
            await self._store.member_chats(profile.member_ids),
            await self._store.accounts(profile.member_ids),
        )

    async def admin_chats(self, session: WebSession) -> list[MemberChat]:
        """The chats the signed-in person administers, as the platforms say (reused for a
        few minutes per session): the member page links to the dashboard when there are."""
        profile = await self._storage.profile(session.member_id)
        person = _Person(
            session,
            await self._store.member_chats(profile.member_ids),
            await self._store.accounts(profile.member_ids),
        )
        return [right.chat for right in await self._rights_of(person) if right.admin is True]

    async def _rights_of(self, person: _Person) -> list[ChatRight]:
        return await self._rights.listing(person.session.csrf, person.chats, person.account_list)

    def _refused(self, message: str, *, status: int = 403) -> web.Response:
        return self._web.render(
            "admin_message.html", status=status, title=tr("Not allowed"), message=message
        )

    # Pages.

    async def _list(self, request: web.Request) -> web.StreamResponse:
        person = await self._person(request)
        if person is None:
            return self._web.signed_out()
        rights = await self._rights_of(person)
        admin = [right.chat for right in rights if right.admin is True]
        unknown = [right.chat for right in rights if right.admin is None]
        if not admin:
            message = tr(
                "You are not an admin of any chat Hearth is in, as far as the platforms "
                "say. Only a chat's admins can change its settings here."
            )
            if unknown:
                message = join_sentences(message, _unknown_line(unknown))
            return self._refused(message)
        return self._web.render(
            "admin.html",
            chats=admin,
            unknown=_unknown_line(unknown) if unknown else None,
            csrf=person.session.csrf,
            csrf_field=CSRF_FIELD,
        )

    async def _admin_chat(
        self, request: web.Request, person: _Person
    ) -> tuple[MemberChat | None, web.Response | None]:
        """The chat of the URL when the person is (as listed) its admin; else the refusal."""
        chat = person.chat(request.match_info["chat"])
        if chat is None:
            return None, self._refused(tr("That chat is not one of yours."), status=404)
        right = next(r for r in await self._rights_of(person) if r.chat.chat_id == chat.chat_id)
        if right.admin is None:
            return None, self._refused(_unreachable(chat), status=503)
        if not right.admin:
            return None, self._refused(
                tr("Only this chat's admins can see its dashboard ({chat}).", chat=chat.name)
            )
        return chat, None

    async def _dashboard(self, request: web.Request) -> web.StreamResponse:
        person = await self._person(request)
        if person is None:
            return self._web.signed_out()
        chat, refusal = await self._admin_chat(request, person)
        if chat is None:
            assert refusal is not None
            return refusal
        view = await self._page.read(chat.chat_id)
        notice = self._signer.unsign_text(request.cookies.get(NOTICE_COOKIE))
        response = self._web.render(
            "admin_chat.html",
            view=view,
            chat_id=chat.chat_id,
            chat_name=chat.name,
            days=ACTIVITY_DAYS,
            csrf=person.session.csrf,
            csrf_field=CSRF_FIELD,
            notice=notice,
            **_labels(),
        )
        if notice is not None:
            response.del_cookie(NOTICE_COOKIE, path="/admin")
        return response

    async def _preview(self, request: web.Request) -> web.StreamResponse:
        person = await self._person(request)
        if person is None:
            return self._web.signed_out()
        chat, refusal = await self._admin_chat(request, person)
        if chat is None:
            assert refusal is not None
            return refusal
        preview = await self._page.preview(chat.chat_id)
        return self._web.render(
            "admin_preview.html", preview=preview, chat_id=chat.chat_id, chat_name=chat.name
        )

    # Forms: the platform is asked again before anything changes.

    async def _checked(
        self, request: web.Request
    ) -> tuple[_Person, MemberChat] | web.StreamResponse:
        """The person and chat of a form, once the platform confirmed the admin right;
        else the page that says why nothing changes."""
        person = await self._person(request)
        if person is None:
            return self._web.signed_out()
        chat = person.chat(request.match_info["chat"])
        if chat is None:
            return self._refused(tr("That chat is not one of yours."), status=404)
        account = person.accounts.get(chat.member_id)
        admin = await self._rights.fresh(chat, account) if account is not None else False
        if admin is not True:
            self._rights.forget(person.session.csrf)
            log.info(
                "admin change refused in chat %s for member %s: %s",
                chat.chat_id,
                chat.member_id,
                "unknown" if admin is None else "not an admin",
            )
            if admin is None:
                return self._refused(_unreachable(chat, changed=True), status=503)
            return self._refused(
                tr(
                    "{platform} says you are not an admin of {chat} (any more). "
                    "Nothing was changed.",
                    platform=_platform_name(chat),
                    chat=chat.name,
                )
            )
        return person, chat

    def _back(self, chat: MemberChat, notice: str, anchor: str) -> web.Response:
        response = web.Response(status=303, headers={"Location": f"/admin/{chat.chat_id}#{anchor}"})
        response.set_cookie(
            NOTICE_COOKIE,
            self._signer.sign_text(notice),
            max_age=60,
            httponly=True,
            samesite="Lax",
            secure=self._web.secure,
            path="/admin",
        )
        return response

    async def _change(self, request: web.Request, apply: _Apply, anchor: str) -> web.StreamResponse:
        """Apply an admin form once the platform confirmed the right; back to ``anchor``."""
        checked = await self._checked(request)
        if isinstance(checked, web.StreamResponse):
            return checked
        person, chat = checked
        text = await apply(person, chat, await request.post())
        return self._back(chat, text, anchor)

    async def _settings(self, request: web.Request) -> web.StreamResponse:
        async def apply(person: _Person, chat: MemberChat, form: _Form) -> str:
            return await self._page.change_setting(
                neutral_chat(chat),
                neutral_member(person.accounts[chat.member_id]),
                str(form.get("setting", "")),
                str(form.get("value", "")).strip(),
            )

        return await self._change(request, apply, "settings")

    async def _digest(self, request: web.Request) -> web.StreamResponse:
        async def apply(_person: _Person, chat: MemberChat, form: _Form) -> str:
            return await self._page.change_digest(chat.chat_id, str(form.get("schedule", "")))

        return await self._change(request, apply, "digest")

    async def _quiet(self, request: web.Request) -> web.StreamResponse:
        async def apply(_person: _Person, chat: MemberChat, form: _Form) -> str:
            return await self._page.change_quiet(chat.chat_id, str(form.get("quiet", "")))

        return await self._change(request, apply, "digest")

    async def _intros(self, request: web.Request) -> web.StreamResponse:
        async def apply(person: _Person, chat: MemberChat, form: _Form) -> str:
            return await self._page.change_intros(
                neutral_chat(chat),
                neutral_member(person.accounts[chat.member_id]),
                str(form.get("intros", "")),
            )

        return await self._change(request, apply, "intros")


def _platform_name(chat: MemberChat) -> str:
    platform = Platform(chat.platform)
    return PLATFORM_NAMES.get(platform, tr("The playground"))


def _unreachable(chat: MemberChat, *, changed: bool = False) -> str:
    text = tr(
        "Hearth could not ask {platform} whether you are an admin of {chat} "
        "(it is not connected or did not answer).",
        platform=_platform_name(chat),
        chat=chat.name,
    )
    if changed:
        return join_sentences(text, tr("Nothing was changed; please try again later."))
    return join_sentences(text, tr("Please try again later."))


def _unknown_line(chats: list[MemberChat]) -> str:
    return tr(
        "Hearth could not ask the platform about: {chats}.",
        chats=", ".join(chat.name for chat in chats),
    )
