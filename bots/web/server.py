"""The web server: sign-in by chat link and the member page, on the app's event loop.

Off unless ``HEARTH_WEB_PORT`` is set. Pages are rendered on the server from the
templates beside this module, in the member's language (with a switch). Every form
carries the session's CSRF token and every POST is refused without it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bots.http_listener import HttpListener
from bots.reply_languages import ReplyLanguages
from bots.storage.web_store import SignInOutcome
from bots.web.admin_routes import AdminRoutes
from bots.web.growth_page import GrowthPage
from bots.web.member_page import MemberPage, review_label
from bots.web.memory_search import MemorySearch, SearchResult
from bots.web.reputation_view import REPUTATION_GLOBALS
from bots.web.sessions import (
    COOKIE_NAME,
    CSRF_FIELD,
    SESSION_TTL_SECONDS,
    SessionSigner,
    WebSession,
    new_session,
)
from bots.web.sign_in import SIGN_IN_PATH, SignInLinks
from locales import (
    N_,
    current,
    format_list,
    format_moment,
    join_sentences,
    tr,
    tr_marked,
    trn,
    using,
)

log = logging.getLogger(__name__)

NOTICE_COOKIE = "hearth_notice"
LANGUAGES = (("en", "English"), ("zh", "中文"))
_SESSION_KEY = web.RequestKey("session", WebSession)
_FAILED = {
    SignInOutcome.UNKNOWN: N_("This sign-in link is not valid. Send /web in a chat for a new one."),
    SignInOutcome.USED: N_(
        "This sign-in link was already used. Send /web in a chat for a new one."
    ),
    SignInOutcome.EXPIRED: N_(
        "This sign-in link has expired (links last 10 minutes). Send /web in a chat for a new one."
    ),
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def templates() -> Environment:
    """The page templates, HTML-escaped, with the catalog's ``tr``/``trn`` in reach."""
    folder = Path(str(resources.files("bots.web").joinpath("templates")))
    env = Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        tr=tr,
        trn=trn,
        tr_marked=tr_marked,
        review_label=review_label,
        languages=LANGUAGES,
        join_sentences=join_sentences,
        format_list=format_list,
        format_moment=format_moment,
        **REPUTATION_GLOBALS,
    )
    return env


class WebServer:
    """Serves the web pages; ``start`` listens, ``stop`` closes."""

    def __init__(
        self,
        page: MemberPage,
        links: SignInLinks,
        signer: SessionSigner,
        languages: ReplyLanguages,
        *,
        host: str,
        port: int,
        admin: AdminRoutes | None = None,
        growth: GrowthPage | None = None,
        search: MemorySearch | None = None,
    ) -> None:
        self._page = page
        self._admin = admin
        self._growth = growth
        self._search = search
        self._links = links
        self._signer = signer
        self._languages = languages
        self._listener = HttpListener(host, port)
        self._env = templates()

    @property
    def port(self) -> int:
        """The port listened on (the one asked for, or the one given for port 0)."""
        return self._listener.port

    def app(self) -> web.Application:
        """The aiohttp application with every route (tests serve it directly)."""
        app = web.Application(middlewares=[self._guard], client_max_size=64 * 1024)
        app.router.add_get("/", self._home)
        app.router.add_get(SIGN_IN_PATH + "{token}", self._sign_in_form)
        app.router.add_post(SIGN_IN_PATH + "{token}", self._sign_in)
        app.router.add_post("/sign-out", self._sign_out)
        app.router.add_post("/language", self._language)
        app.router.add_get("/me", self._me)
        app.router.add_post("/me/twin", self._twin)
        app.router.add_post("/me/note", self._note)
        app.router.add_post("/me/answers/{number}", self._answer)
        app.router.add_post("/me/forget", self._forget)
        app.router.add_get("/me/export", self._export)
        if self._admin is not None:
            self._admin.add_to(app.router, self)
        app.router.add_static("/static", Path(__file__).with_name("static"))
        return app

    async def start(self) -> None:
        """Start listening; raises ``OSError`` when the address is taken."""
        if self._listener.running:
            return
        await self._listener.start(self.app())
        host = self._listener.host
        if not self._links.public_url:
            self._links.public_url = f"http://{host}:{self.port}"
        log.info(
            "web pages on http://%s:%d/ (links start %s)", host, self.port, self._links.public_url
        )

    async def stop(self) -> None:
        """Stop listening; safe to call twice."""
        await self._listener.stop()

    # The guard: sessions, language and CSRF for every request.

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        session = self._signer.loads(request.cookies.get(COOKIE_NAME))
        if session is not None:
            request[_SESSION_KEY] = session
        language = session.language if session is not None else _browser_language(request)
        with using(language):
            if (
                request.method == "POST"
                and session is not None
                and not request.path.startswith(SIGN_IN_PATH)
            ):
                form = await request.post()
                submitted = form.get(CSRF_FIELD)
                if not session.csrf_ok(submitted if isinstance(submitted, str) else None):
                    return self._render(
                        "message.html",
                        status=403,
                        title=tr("Form refused"),
                        message=tr(
                            "This form has expired or did not come from this page. "
                            "Go back, reload the page and try again."
                        ),
                    )
            response = await handler(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    def _render(self, name: str, *, status: int = 200, **context: Any) -> web.Response:
        html = self._env.get_template(name).render(lang=current(), **context)
        return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")

    def render(self, name: str, *, status: int = 200, **context: Any) -> web.Response:
        """A page from the templates, in the request's language."""
        return self._render(name, status=status, **context)

    async def signed_in(self, request: web.Request) -> WebSession | None:
        """The signed-in session, when its account still exists."""
        return await self._member(request)

    def signed_out(self) -> web.Response:
        """The page asking to sign in (status 401)."""
        return self._signed_out()

    @property
    def secure(self) -> bool:
        """Whether cookies are marked Secure: the pages are reached over https."""
        return self._secure

    @property
    def _secure(self) -> bool:
        """Whether cookies are marked Secure: the pages are reached over https."""
        return self._links.public_url.startswith("https://")

    def _set_session(self, response: web.StreamResponse, session: WebSession) -> None:
        response.set_cookie(
            COOKIE_NAME,
            self._signer.dumps(session),
            max_age=SESSION_TTL_SECONDS,
            httponly=True,
            samesite="Lax",
            secure=self._secure,
            path="/",
        )

    def _back(self, notice: str, anchor: str = "") -> web.Response:
        """Back to the member page, showing ``notice`` once (post, redirect, get)."""
        response = _see_other("/me" + anchor)
        response.set_cookie(
            NOTICE_COOKIE,
            self._signer.sign_text(notice),
            max_age=60,
            httponly=True,
            samesite="Lax",
            secure=self._secure,
            path="/me",
        )
        return response

    def _signed_out(self) -> web.Response:
        response = self._render(
            "message.html",
            status=401,
            title=tr("Please sign in"),
            message=tr(
                "Send /web to Hearth in a chat: it sends you a private sign-in link "
                "that works once, for 10 minutes."
            ),
        )
        response.del_cookie(COOKIE_NAME, path="/")
        return response

    async def _member(self, request: web.Request) -> WebSession | None:
        """The signed-in session, when its account still exists."""
        session: WebSession | None = request.get(_SESSION_KEY)
        if session is None:
            return None
        try:
            await self._page.profile(session.member_id)
        except LookupError:
            return None
        return session

    # Pages.

    async def _home(self, request: web.Request) -> web.StreamResponse:
        if await self._member(request) is not None:
            raise web.HTTPSeeOther("/me")
        return self._render(
            "message.html",
            title=tr("Hearth"),
            message=tr(
                "Send /web to Hearth in a chat: it sends you a private sign-in link "
                "that works once, for 10 minutes."
            ),
        )

    async def _sign_in_form(self, request: web.Request) -> web.StreamResponse:
        # Opening the link only shows a button: link previews cannot use it up.
        return self._render("sign_in.html", action=request.path)

    async def _sign_in(self, request: web.Request) -> web.StreamResponse:
        outcome, member_id = await self._links.redeem(request.match_info["token"])
        if outcome is not SignInOutcome.SIGNED_IN or member_id is None:
            log.info("web sign-in refused: %s", outcome.value)
            return self._render(
                "message.html",
                status=410 if outcome is not SignInOutcome.UNKNOWN else 404,
                title=tr("Sign-in failed"),
                message=tr_marked(_FAILED[outcome]),
            )
        language = await self._languages.for_member(member_id)
        response = _see_other("/me")
        self._set_session(response, new_session(member_id, language))
        log.info("member %s signed in on the web", member_id)
        return response

    async def _sign_out(self, request: web.Request) -> web.StreamResponse:
        response = self._render(
            "message.html", title=tr("Signed out"), message=tr("You are signed out.")
        )
        response.del_cookie(COOKIE_NAME, path="/")
        return response

    async def _language(self, request: web.Request) -> web.StreamResponse:
        session = await self._member(request)
        form = await request.post()
        chosen = str(form.get("language", ""))
        if session is None or chosen not in dict(LANGUAGES):
            raise web.HTTPSeeOther("/")
        response = _see_other("/me")
        self._set_session(response, session.with_language(chosen))
        return response

    async def _me(self, request: web.Request) -> web.StreamResponse:
        session = await self._member(request)
        if session is None:
            return self._signed_out()
        data = await self._page.read(session.member_id)
        reputation = await self._page.reputation(session.member_id)
        notice = self._signer.unsign_text(request.cookies.get(NOTICE_COOKIE))
        response = self._render(
            "me.html",
            data=data,
            reputation=reputation,
            csrf=session.csrf,
            csrf_field=CSRF_FIELD,
            notice=notice,
            admin_chats=await self._admin.admin_chats(session) if self._admin else [],
            **await self._growth_context(session.member_id, request),
        )
        if notice is not None:
            response.del_cookie(NOTICE_COOKIE, path="/me")
        return response

    async def _growth_context(self, member_id: int, request: web.Request) -> dict[str, Any]:
        """The growth panel, interaction history and (``?chat=…&q=…``) memory search."""
        if self._growth is None:
            return {}
        profile = await self._page.profile(member_id)
        chats = await self._page.chats(member_id)
        growth, history = await self._growth.read(profile.member_ids, chats)
        context: dict[str, Any] = {"growth": growth, "history": history, "search": None}
        if self._search is not None and ("q" in request.query or "chat" in request.query):
            context["search"] = await self._search.search(
                chats, request.query.get("chat", ""), request.query.get("q", "")
            )
        elif self._search is not None:
            context["search"] = SearchResult(None, "")
        return context

    async def _twin(self, request: web.Request) -> web.StreamResponse:
        session = await self._member(request)
        if session is None:
            return self._signed_out()
        form = await request.post()
        chat_id = _int(form.get("chat"))
        text = await self._page.twin(
            session.member_id, str(form.get("action", "")), chat_id, str(form.get("value", ""))
        )
        return self._back(text, "#twin")

    async def _note(self, request: web.Request) -> web.StreamResponse:
        session = await self._member(request)
        if session is None:
            return self._signed_out()
        form = await request.post()
        chat_id = _int(form.get("chat"))
        if chat_id is None:
            return self._back(tr("That chat is not one of yours."))
        text = await self._page.note(session.member_id, chat_id, str(form.get("note", "")))
        return self._back(text, f"#chat-{chat_id}")

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        session = await self._member(request)
        if session is None:
            return self._signed_out()
        form = await request.post()
        number = request.match_info["number"]
        text = await self._page.answer(
            session.member_id,
            number,
            str(form.get("action", "")),
            str(form.get("correction", "")),
        )
        return self._back(text, f"#answer-{number}" if number.isdigit() else "")

    async def _forget(self, request: web.Request) -> web.StreamResponse:
        session = await self._member(request)
        if session is None:
            return self._signed_out()
        form = await request.post()
        if form.get("confirm") != "yes":
            return self._back(tr("Nothing was deleted: tick the box to confirm."), "#forget")
        where = str(form.get("chat", ""))
        chat_id = None if where == "all" else _int(where)
        if chat_id is None and where != "all":
            return self._back(tr("That chat is not one of yours."), "#forget")
        text = await self._page.forget(session.member_id, chat_id)
        if await self._member(request) is None:  # every account of theirs is gone now
            return self._signed_out_after(text)
        return self._back(text, "#forget")

    def _signed_out_after(self, text: str) -> web.Response:
        response = self._render("message.html", title=tr("Done"), message=text)
        response.del_cookie(COOKIE_NAME, path="/")
        return response

    async def _export(self, request: web.Request) -> web.StreamResponse:
        session = await self._member(request)
        if session is None:
            return self._signed_out()
        data = await self._page.export(session.member_id)
        body = json.dumps(data, ensure_ascii=False, indent=2)
        return web.Response(
            text=body,
            content_type="application/json",
            charset="utf-8",
            headers={"Content-Disposition": 'attachment; filename="hearth-my-data.json"'},
        )


def _see_other(location: str) -> web.Response:
    """A redirect to ``location`` that the handler returns (and may set cookies on)."""
    return web.Response(status=303, headers={"Location": location})


def _int(value: object) -> int | None:
    text = str(value) if value is not None else ""
    return int(text) if text.isdigit() else None


def _browser_language(request: web.Request) -> str:
    """The first language the browser asks for that Hearth writes; else English."""
    for part in request.headers.get("Accept-Language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "en"
