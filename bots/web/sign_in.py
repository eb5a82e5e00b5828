"""One-time sign-in links: ``/web`` sends one privately, the browser opens it once.

A link carries a random token; only its hash is stored. It is valid for ten minutes,
once, and signs in the platform account that asked for it (linked accounts share one
identity, so the page shows all of them).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from bots.storage.web_store import SignInOutcome, WebStore

LINK_TTL = timedelta(minutes=10)
SIGN_IN_PATH = "/sign-in/"


def token_hash(token: str) -> str:
    """The stored form of a sign-in token."""
    return hashlib.sha256(token.encode("ascii", "ignore")).hexdigest()


class SignInLinks:
    """Makes sign-in links and redeems them."""

    def __init__(self, store: WebStore, public_url: str = "") -> None:
        self._store = store
        self._public_url = public_url.rstrip("/")

    @property
    def public_url(self) -> str:
        """Where the web pages are reached from a browser (no trailing slash); empty until
        known (the server sets it from the address it listens on when none is configured)."""
        return self._public_url

    @public_url.setter
    def public_url(self, value: str) -> None:
        self._public_url = value.rstrip("/")

    async def new_link(self, member_id: int, now: datetime | None = None) -> str:
        """A fresh link for the account, replacing any unused one it had."""
        now = now or datetime.now(UTC)
        token = secrets.token_urlsafe(32)
        await self._store.prune_sign_ins(now)
        await self._store.create_sign_in(member_id, token_hash(token), now + LINK_TTL)
        return f"{self._public_url}{SIGN_IN_PATH}{token}"

    async def redeem(
        self, token: str, now: datetime | None = None
    ) -> tuple[SignInOutcome, int | None]:
        """Use the link's token; the account it signs in, when it is valid."""
        if not token or len(token) > 100:
            return SignInOutcome.UNKNOWN, None
        return await self._store.redeem_sign_in(token_hash(token), now or datetime.now(UTC))
