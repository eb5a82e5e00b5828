"""Builds the web pages from settings and the application parts the chat commands use."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from adapters.model import Platform
from adapters.ports import AdminChecker, ReplySender
from bots.member_commands import MemberCommands
from bots.owner_review import OwnerReview
from bots.personas import Personas
from bots.reply_languages import ReplyLanguages
from bots.settings import HearthSettings
from bots.storage.growth_queries import GrowthQueries
from bots.storage.repository import Storage
from bots.storage.web_store import WebStore
from bots.web.admin_page import AdminPage
from bots.web.admin_rights import AdminRights
from bots.web.admin_routes import AdminRoutes
from bots.web.growth_page import GrowthPage
from bots.web.member_page import MemberPage
from bots.web.memory_search import MemorySearch
from bots.web.server import WebServer
from bots.web.sessions import SessionSigner, load_secret
from bots.web.sign_in import SignInLinks
from memory.embedder import Embedder
from memory.store import MemoryStore


def sign_in_links(settings: HearthSettings, storage: Storage) -> SignInLinks | None:
    """The sign-in links ``/web`` hands out; None while the web pages are off."""
    if settings.web_port is None:
        return None
    return SignInLinks(WebStore(storage.engine), settings.web_public_url or "")


@dataclass(frozen=True, slots=True)
class WebParts:
    """The application parts the pages share with the chat commands."""

    links: SignInLinks
    commands: MemberCommands
    review: OwnerReview
    personas: Personas
    languages: ReplyLanguages
    admin: AdminPage | None = None
    """The admin dashboard's part (the chat admin commands' code); None leaves it out."""


async def start_web_server(
    settings: HearthSettings,
    parts: WebParts,
    *,
    storage: Storage,
    senders: dict[Platform, ReplySender],
    admin_checkers: Mapping[Platform, AdminChecker] | None = None,
    memory: MemoryStore,
    embedder: Embedder,
) -> WebServer:
    """Start serving the member pages on ``HEARTH_WEB_LISTEN:HEARTH_WEB_PORT``.

    ``admin_checkers`` (the running adapters, by platform; filled in as they start) tell
    the admin dashboard who administers which chat.
    """
    secret = settings.web_secret.get_secret_value() if settings.web_secret is not None else None
    signer = SessionSigner(load_secret(secret, settings.data_dir))
    admin = (
        AdminRoutes(
            parts.admin,
            AdminRights(admin_checkers if admin_checkers is not None else {}),
            storage,
            signer,
        )
        if parts.admin is not None
        else None
    )
    page = MemberPage(
        storage,
        WebStore(storage.engine),
        commands=parts.commands,
        review=parts.review,
        personas=parts.personas,
        senders=senders,
    )
    server = WebServer(
        page,
        parts.links,
        signer,
        parts.languages,
        host=settings.web_listen,
        port=settings.web_port or 0,
        admin=admin,
        growth=GrowthPage(GrowthQueries(storage.engine)),
        search=MemorySearch(embedder, memory),
    )
    await server.start()
    return server
