"""The admin dashboard in a real browser: a plain member is refused, an admin changes the
digest schedule in the page. Screenshots (``admin-dashboard.png`` among them) go where
``tests/web/test_browser.py`` puts its own."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bots.storage.intro_store import IntroStore
from jobs.scheduled_runs import JobKind
from tests.fakes.telegram_fixtures import fake_telegram
from tests.web.admin_world import AdminWorld, admin_world
from tests.web.test_browser import _browser_missing, chromium

__all__ = ["admin_world", "fake_telegram"]

pytestmark = pytest.mark.browser


def _walk_through(world: AdminWorld, bob_link: str, alice_link: str, shots: Path) -> None:
    """The browser session (in a thread: the server runs on the test's loop)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with chromium(shots) as browser:
        driver = browser
        driver.implicitly_wait(5)  # type: ignore[attr-defined]
        find = driver.find_element  # type: ignore[attr-defined]

        def wait_for(by: str, selector: str, text: str) -> None:
            def shown(_: object) -> bool:
                try:
                    return text in find(by, selector).text
                except WebDriverException:
                    return False  # the page is being replaced after a form: look again

            WebDriverWait(driver, 10).until(shown)

        # Bob is a plain member of the group: the dashboard is not his.
        driver.get(bob_link)  # type: ignore[attr-defined]
        find(By.ID, "sign-in").click()
        wait_for(By.TAG_NAME, "h1", "My Hearth")
        driver.get(world.base_url + "/admin")  # type: ignore[attr-defined]
        wait_for(By.ID, "message", "You are not an admin of any chat")
        driver.save_screenshot(str(shots / "admin-refused.png"))  # type: ignore[attr-defined]
        driver.get(f"{world.base_url}/admin/{world.chat_id}")  # type: ignore[attr-defined]
        wait_for(By.ID, "message", "admins can see its dashboard")
        driver.delete_all_cookies()  # type: ignore[attr-defined]

        # Alice administers it: from her page to the chat's dashboard, then a new schedule.
        driver.get(alice_link)  # type: ignore[attr-defined]
        find(By.ID, "sign-in").click()
        wait_for(By.TAG_NAME, "h1", "My Hearth")
        find(By.ID, "admin-link").click()
        wait_for(By.ID, "admin-chats", "Garden Club")
        find(By.LINK_TEXT, "Garden Club").click()
        wait_for(By.ID, "digest-state", "No scheduled digest")
        find(By.ID, "schedule").send_keys("weekly fri 17:30")
        find(By.ID, "schedule-save").click()
        wait_for(By.ID, "notice", "Digest scheduled")
        wait_for(By.ID, "digest-state", "Friday")
        driver.execute_script("window.scrollTo(0, 0)")  # type: ignore[attr-defined]
        driver.save_screenshot(str(shots / "admin-dashboard.png"))  # type: ignore[attr-defined]
        assert "Bob and Carol: introduced once" in find(By.ID, "intro-pairs").text
        driver.execute_script(  # type: ignore[attr-defined]
            "document.getElementById('graph-heading').scrollIntoView()"
        )
        driver.save_screenshot(str(shots / "admin-intro-graph.png"))  # type: ignore[attr-defined]
        driver.set_window_size(390, 844)  # type: ignore[attr-defined]
        driver.save_screenshot(str(shots / "admin-dashboard-phone.png"))  # type: ignore[attr-defined]


async def test_an_admin_changes_the_digest_schedule_and_a_member_is_refused(
    admin_world: AdminWorld, tmp_path: Path
) -> None:
    _browser_missing()
    shots = Path(os.environ.get("HEARTH_SCREENSHOT_DIR") or tmp_path / "screenshots")
    shots = shots / f"{admin_world.hearth.storage.engine.dialect.name}"
    shots.mkdir(parents=True, exist_ok=True)
    ids = admin_world.ids
    await IntroStore(admin_world.hearth.storage.engine).record_round(
        admin_world.chat_id,
        datetime.now(UTC),
        {(ids["bob"], ids["carol"]): 0.8, (ids["alice"], ids["bob"]): 0.7},
    )
    bob_link = await admin_world.sign_in_link("bob")
    alice_link = await admin_world.sign_in_link("alice")
    await asyncio.to_thread(_walk_through, admin_world, bob_link, alice_link, shots)
    next_run = await admin_world.hearth.scheduler.next_run(admin_world.chat_id, JobKind.DIGEST)
    assert next_run is not None
    moment = next_run.astimezone(UTC)
    assert (moment.weekday(), moment.hour, moment.minute) == (4, 17, 30)
    assert (shots / "admin-dashboard.png").stat().st_size > 0
    print(f"\nscreenshots: {shots}")
