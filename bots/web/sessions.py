"""Signed, expiring session cookies and the per-session CSRF token.

The cookie holds the signed-in account, the session's CSRF token, the page language
and an expiry, signed with HMAC-SHA256 under the web secret. Nothing in it is secret
but the signature makes it unforgeable; it is HttpOnly and SameSite=Lax, Secure when
the pages are served over https.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, replace
from pathlib import Path

COOKIE_NAME = "hearth_session"
SESSION_TTL_SECONDS = 7 * 24 * 3600
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True, slots=True)
class WebSession:
    """A signed-in browser: the account, its CSRF token, its language and expiry."""

    member_id: int
    csrf: str
    language: str
    expires: int

    def with_language(self, language: str) -> WebSession:
        """The same session showing pages in ``language``."""
        return replace(self, language=language)

    def csrf_ok(self, submitted: str | None) -> bool:
        """Whether a form carried this session's CSRF token."""
        return submitted is not None and hmac.compare_digest(submitted, self.csrf)


def new_session(member_id: int, language: str, now: float | None = None) -> WebSession:
    """A fresh session for the account (a new CSRF token each sign-in)."""
    now = time.time() if now is None else now
    return WebSession(
        member_id, secrets.token_urlsafe(24), language, int(now) + SESSION_TTL_SECONDS
    )


class SessionSigner:
    """Turns sessions into cookie values and back, refusing forged or expired ones."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the web secret must be at least 16 bytes")
        self._key = hashlib.sha256(b"hearth-web-session\x00" + secret).digest()

    def dumps(self, session: WebSession) -> str:
        """The cookie value of ``session``."""
        payload = json.dumps(
            {
                "m": session.member_id,
                "c": session.csrf,
                "l": session.language,
                "e": session.expires,
            },
            separators=(",", ":"),
        ).encode()
        body = base64.urlsafe_b64encode(payload).rstrip(b"=")
        return f"{body.decode()}.{self._sign(body)}"

    def loads(self, value: str | None, now: float | None = None) -> WebSession | None:
        """The session in a cookie value, or None when it is missing, forged or expired."""
        if not value or "." not in value:
            return None
        body, signature = value.rsplit(".", 1)
        if not hmac.compare_digest(signature, self._sign(body.encode())):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            session = WebSession(int(data["m"]), str(data["c"]), str(data["l"]), int(data["e"]))
        except (ValueError, KeyError, TypeError, binascii.Error):
            return None
        if session.expires <= (time.time() if now is None else now):
            return None
        return session

    def sign_text(self, text: str) -> str:
        """``text`` as a signed cookie value (a notice shown once after a form)."""
        body = base64.urlsafe_b64encode(text.encode()).rstrip(b"=")
        return f"{body.decode()}.{self._sign(b'text:' + body)}"

    def unsign_text(self, value: str | None) -> str | None:
        """The text of a value from :meth:`sign_text`, or None when missing or forged."""
        if not value or "." not in value:
            return None
        body, signature = value.rsplit(".", 1)
        if not hmac.compare_digest(signature, self._sign(b"text:" + body.encode())):
            return None
        try:
            return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
        except (ValueError, binascii.Error):
            return None

    def _sign(self, body: bytes) -> str:
        digest = hmac.new(self._key, body, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def load_secret(configured: str | None, data_dir: Path) -> bytes:
    """The web secret: ``HEARTH_WEB_SECRET``, else one generated once into the data dir."""
    if configured:
        return configured.encode()
    path = data_dir / "web-secret"
    if path.exists():
        return path.read_text(encoding="ascii").strip().encode()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(secret + "\n", encoding="ascii")
    return secret.encode()
