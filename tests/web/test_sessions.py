"""Session cookies: signed, expiring, and Secure when the pages are served over https."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from bots.app import Hearth
from bots.settings import HearthSettings
from bots.web.sessions import SessionSigner, load_secret, new_session
from memory.edge_store import EdgeMemoryStore
from tests.support import GROUP, RecordingSender, command, message
from tests.web.conftest import LINK


def test_a_session_survives_signing_and_nothing_else_does() -> None:
    signer = SessionSigner(b"a secret of enough bytes")
    session = new_session(7, "zh", now=1000.0)
    value = signer.dumps(session)
    assert signer.loads(value, now=1001.0) == session
    assert signer.loads(value, now=session.expires + 1) is None  # expired
    body, signature = value.rsplit(".", 1)
    assert signer.loads(f"{body}.{signature[:-2]}AA", now=1001.0) is None  # forged
    assert SessionSigner(b"another secret, as long").loads(value, now=1001.0) is None
    assert signer.loads("nonsense", now=1001.0) is None
    assert signer.unsign_text(value) is None  # a session is not a notice, nor back
    assert signer.loads(signer.sign_text("hello"), now=1001.0) is None
    assert signer.unsign_text(signer.sign_text("已确认 #3")) == "已确认 #3"


def test_the_secret_is_generated_once_into_the_data_dir(tmp_path: Path) -> None:
    first = load_secret(None, tmp_path)
    assert load_secret(None, tmp_path) == first and len(first) >= 32
    assert (tmp_path / "web-secret").stat().st_mode & 0o077 == 0
    assert load_secret("configured-secret-value", tmp_path) == b"configured-secret-value"


async def test_https_public_url_makes_the_cookie_secure(
    tmp_path: Path,
    database_url: str,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    settings = HearthSettings(
        HEARTH_DATA_DIR=tmp_path,
        DATABASE_URL=database_url,
        HEARTH_WEB_PORT=0,
        HEARTH_WEB_PUBLIC_URL="https://hearth.example.org/",
    )
    memory = EdgeMemoryStore(tmp_path / "edge", embedder.dimension)
    hearth = await Hearth.build(settings, embedder=embedder, memory=memory)
    try:
        sender = RecordingSender()
        await hearth.router.handle(message("bob", "hello there"), sender)
        await hearth.router.handle(command("bob", "web", chat=GROUP), sender)
        found = LINK.search(sender.texts()[-1])
        assert found and found.group(0).startswith("https://hearth.example.org/sign-in/")
        assert hearth.web_server is not None
        path = found.group(0).removeprefix("https://hearth.example.org")
        local = f"http://127.0.0.1:{hearth.web_server.port}{path}"
        async with (
            aiohttp.ClientSession() as client,
            client.post(local, allow_redirects=False) as response,
        ):
            assert response.status == 303
            cookie = response.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie
    finally:
        await hearth.close()
