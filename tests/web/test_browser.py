"""The member pages in a real browser: headless Chromium driven by Selenium.

Covers signing in by a /web link, the growth panel, searching one's own messages,
confirming and correcting a twin's answer, the data download, an expired link refused
and a forged form refused; screenshots of each step go
to ``$HEARTH_SCREENSHOT_DIR`` (else the test's temporary folder), printed at the end.
Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them); without
them the test is skipped, unless ``HEARTH_REQUIRE_BROWSER`` is set (CI), where it fails.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bots.storage.web_store import WebStore
from bots.web.sign_in import SignInLinks
from tests.web.conftest import WebWorld

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def _browser_missing() -> None:
    if shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER):
        return
    reason = "Debian's chromium and chromium-driver are not installed"
    if os.environ.get("HEARTH_REQUIRE_BROWSER"):
        pytest.fail(reason)
    pytest.skip(reason)


@contextmanager
def chromium(downloads: Path, *, width: int = 1000, height: int = 1200) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={width},{height}",
        "--lang=en-US",
    ):
        options.add_argument(argument)
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "intl.accept_languages": "en-US"}
    )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.execute_cdp_cmd(
            "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
        )
        yield driver
    finally:
        driver.quit()


def _walk_through(world: WebWorld, link: str, stale: str, shots: Path, downloads: Path) -> None:
    """The browser session, step by step (runs in a thread: the server shares the test's loop)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    step = iter(range(1, 100))

    def shot(driver: object, name: str) -> None:
        driver.save_screenshot(str(shots / f"{next(step):02d}-{name}.png"))  # type: ignore[attr-defined]

    with chromium(downloads) as browser:
        driver = browser
        driver.implicitly_wait(5)  # type: ignore[attr-defined]
        find = driver.find_element  # type: ignore[attr-defined]

        def wait_for(by: str, selector: str, text: str) -> None:
            """Wait until the page (after a form was sent) shows ``text`` there."""

            def shown(_: object) -> bool:
                try:
                    return text in find(by, selector).text
                except WebDriverException:
                    # Missing, stale, or (Chromium) "does not belong to the document" while
                    # the page is being replaced after a form was sent: look again.
                    return False

            WebDriverWait(driver, 10).until(shown)

        driver.get(stale)  # type: ignore[attr-defined]
        find(By.ID, "sign-in").click()
        wait_for(By.ID, "message", "expired")
        shot(driver, "expired-link-refused")

        driver.get(link)  # type: ignore[attr-defined]
        shot(driver, "sign-in")
        find(By.ID, "sign-in").click()
        wait_for(By.ID, "chats", "Test group")
        assert driver.current_url.endswith("/me")  # type: ignore[attr-defined]
        assert "Other group" not in find(By.TAG_NAME, "body").text
        shot(driver, "member-page")

        growth = find(By.ID, "growth")
        assert "Level" in growth.text and "Messages per week" in growth.text
        growth.screenshot(str(shots / f"{next(step):02d}-growth-panel.png"))
        find(By.ID, "search-query").send_keys("sourdough")
        find(By.ID, "search-button").click()
        wait_for(By.ID, "search-results", "I bake sourdough on Sundays")
        assert "peanuts" not in find(By.ID, "search-results").text
        find(By.ID, "search").screenshot(str(shots / f"{next(step):02d}-search-results.png"))

        answer = f"answer-{world.bob_answer}"
        find(By.CSS_SELECTOR, f"#{answer} button.confirm").click()
        wait_for(By.ID, "notice", f"Confirmed #{world.bob_answer}.")
        shot(driver, "answer-confirmed")

        find(By.ID, f"correction-{world.bob_answer}").send_keys("Go early, Fern Creek fills up")
        find(By.CSS_SELECTOR, f"#{answer} button.correct").click()
        wait_for(By.ID, "notice", "is corrected")
        assert "Go early, Fern Creek fills up" in find(By.ID, answer).text
        shot(driver, "answer-corrected")

        find(By.ID, "export").click()
        exported = downloads / "hearth-my-data.json"
        deadline = time.monotonic() + 15
        while not exported.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        data = json.loads(exported.read_text(encoding="utf-8"))
        assert [a["correction"] for a in data["twin_answers"]] == ["Go early, Fern Creek fills up"]

        # A form whose CSRF token was tampered with changes nothing.
        driver.execute_script(  # type: ignore[attr-defined]
            "document.querySelectorAll('input[name=csrf_token]')"
            ".forEach(function (input) { input.value = 'forged'; });"
        )
        find(By.ID, "twin-off").click()
        wait_for(By.TAG_NAME, "h1", "Form refused")
        shot(driver, "csrf-refused")

        driver.get(world.base_url + "/me")  # type: ignore[attr-defined]
        assert "Your twin is on here." in find(By.ID, "chats").text
        find(By.CSS_SELECTOR, "#language option[value=zh]").click()
        find(By.CSS_SELECTOR, "form[action='/language'] button").click()
        wait_for(By.TAG_NAME, "h1", "我的 Hearth")
        shot(driver, "member-page-chinese")
        driver.set_window_size(390, 844)  # type: ignore[attr-defined]
        shot(driver, "member-page-phone")


async def test_member_signs_in_reviews_answers_and_downloads_data(
    world: WebWorld, tmp_path: Path
) -> None:
    _browser_missing()
    shots = Path(os.environ.get("HEARTH_SCREENSHOT_DIR") or tmp_path / "screenshots")
    shots = shots / f"{world.hearth.storage.engine.dialect.name}"
    shots.mkdir(parents=True, exist_ok=True)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    link = await world.sign_in_link()
    links = SignInLinks(WebStore(world.hearth.storage.engine), world.base_url)
    stale = await links.new_link(world.carol, now=datetime.now(UTC) - timedelta(minutes=11))
    await world.hearth.worker.drain()  # the search finds what is embedded
    await asyncio.to_thread(_walk_through, world, link, stale, shots, downloads)
    view = await world.hearth.storage.twin_reply(world.bob_answer)
    assert view is not None and view.review == "corrected"
    assert (
        await world.hearth.storage.profile(world.bob)
    ).twin_active  # the forged form did nothing
    print(f"\nscreenshots: {shots}")
