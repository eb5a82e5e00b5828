"""The admin dashboard over real HTTP, with admin rights asked of the fake Telegram API."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp

from bots.storage.intro_store import IntroStore
from jobs.schedule_spec import ScheduleSpec
from jobs.scheduled_runs import JobKind
from tests.fakes.telegram_fixtures import fake_telegram
from tests.web.admin_world import AdminWorld, admin_world, csrf_of

__all__ = ["admin_world", "fake_telegram"]


async def dashboard(world: AdminWorld, client: aiohttp.ClientSession) -> str:
    async with client.get(f"{world.base_url}/admin/{world.chat_id}") as response:
        assert response.status == 200, await response.text()
        return await response.text()


async def post(
    world: AdminWorld, client: aiohttp.ClientSession, path: str, form: dict[str, str]
) -> tuple[int, str]:
    async with client.post(f"{world.base_url}/admin/{world.chat_id}/{path}", data=form) as reply:
        return reply.status, await reply.text()


async def digest_job(world: AdminWorld) -> object | None:
    jobs = await world.hearth.scheduler.jobs()
    return next((j for j in jobs if j.kind is JobKind.DIGEST and j.chat_id == world.chat_id), None)


async def test_a_member_who_is_not_an_admin_is_refused(
    admin_world: AdminWorld, client: aiohttp.ClientSession
) -> None:
    assert 'id="admin-link"' not in await admin_world.sign_in(client, "bob")
    async with client.get(admin_world.base_url + "/admin") as response:
        assert response.status == 403
        assert "You are not an admin of any chat" in await response.text()
    async with client.get(f"{admin_world.base_url}/admin/{admin_world.chat_id}") as response:
        assert response.status == 403
        assert "admins can see its dashboard (Garden Club)" in await response.text()
    async with client.get(f"{admin_world.base_url}/admin/{admin_world.chat_id}/preview") as r:
        assert r.status == 403
    asked = admin_world.telegram.calls_to("getChatMember")
    assert any(str(call.params.get("user_id")) == "502" for call in asked)


async def test_signed_out_visitors_see_the_sign_in_page(
    admin_world: AdminWorld, client: aiohttp.ClientSession
) -> None:
    async with client.get(admin_world.base_url + "/admin") as response:
        assert response.status == 401


async def test_an_admin_sees_the_chat_and_only_counts_about_others(
    admin_world: AdminWorld, client: aiohttp.ClientSession
) -> None:
    storage = admin_world.hearth.storage
    await storage.record_twin_reply(
        chat_id=admin_world.chat_id,
        member_id=admin_world.ids["bob"],
        asker_member_id=admin_world.ids["carol"],
        question_platform_id="q1",
        text="Bob's twin has nothing relevant to quote.",
        source_message_ids=[],
        status="sent",
        abstained=True,
    )
    await storage.record_twin_limit_hit(admin_world.chat_id)
    intros = IntroStore(admin_world.hearth.storage.engine)
    ids = admin_world.ids
    await intros.record_round(
        admin_world.chat_id, datetime.now(UTC), {(ids["bob"], ids["carol"]): 0.8}
    )
    assert 'id="admin-link"' in await admin_world.sign_in(client, "alice")
    async with client.get(admin_world.base_url + "/admin") as response:
        assert response.status == 200
        page = await response.text()
    assert f'href="/admin/{admin_world.chat_id}"' in page and "Garden Club" in page
    page = await dashboard(admin_world, client)
    for section in ("settings", "digest", "intros", "activity", "health", "intro-graph"):
        assert f'id="{section}"' in page
    assert "<svg" in page and ">Bob</text>" in page and ">Carol</text>" in page
    assert "Bob and Carol: introduced once" in page
    assert "compost" not in page and "tomatoes" not in page  # no member's words
    assert 'id="abstentions">1<' in page and 'id="limit-hits">1<' in page
    assert 'id="pending">' in page


async def test_an_admin_post_asks_the_platform_again(
    admin_world: AdminWorld, client: aiohttp.ClientSession
) -> None:
    await admin_world.sign_in(client, "alice")
    token = csrf_of(await dashboard(admin_world, client))
    asked = len(admin_world.telegram.calls_to("getChatMember"))
    admin_world.set_status("alice", "member")  # demoted after the page was loaded
    status, page = await post(
        admin_world, client, "digest", {"schedule": "daily 09:00", "csrf_token": token}
    )
    assert status == 403
    assert "not an admin of Garden Club" in page and "Nothing was changed" in page
    assert len(admin_world.telegram.calls_to("getChatMember")) == asked + 1
    assert await admin_world.hearth.storage.digest_schedule(admin_world.chat_id) is None
    assert await digest_job(admin_world) is None
    status, _ = await post(
        admin_world, client, "settings", {"setting": "twins", "value": "off", "csrf_token": token}
    )
    assert status == 403
    assert (await admin_world.hearth.storage.chat_settings(admin_world.chat_id)).twins_enabled


async def test_an_admin_post_is_refused_when_telegram_cannot_be_asked(
    admin_world: AdminWorld, client: aiohttp.ClientSession
) -> None:
    await admin_world.sign_in(client, "alice")
    token = csrf_of(await dashboard(admin_world, client))
    admin_world.telegram.inject_error("getChatMember", 5, 502, "Bad Gateway")
    status, page = await post(
        admin_world, client, "digest", {"schedule": "daily 09:00", "csrf_token": token}
    )
    assert status == 503
    assert "could not ask Telegram" in page and "Nothing was changed" in page
    assert await admin_world.hearth.storage.digest_schedule(admin_world.chat_id) is None


async def test_forms_without_the_csrf_token_change_nothing(
    admin_world: AdminWorld, client: aiohttp.ClientSession
) -> None:
    await admin_world.sign_in(client, "alice")
    await dashboard(admin_world, client)
    for form in ({"schedule": "daily 09:00"}, {"schedule": "daily 09:00", "csrf_token": "x"}):
        status, page = await post(admin_world, client, "digest", form)
        assert status == 403 and "Form refused" in page
    assert await admin_world.hearth.storage.digest_schedule(admin_world.chat_id) is None


async def test_a_digest_schedule_is_stored_and_seen_by_the_scheduler(
    admin_world: AdminWorld, client: aiohttp.ClientSession
) -> None:
    await admin_world.sign_in(client, "alice")
    token = csrf_of(await dashboard(admin_world, client))
    status, page = await post(
        admin_world, client, "digest", {"schedule": "daily 09:00", "csrf_token": token}
    )
    assert status == 200
    assert "Digest scheduled every day at 09:00" in page
    stored = await admin_world.hearth.storage.digest_schedule(admin_world.chat_id)
    assert stored is not None and ScheduleSpec.from_json(stored).describe().startswith("every day")
    job = await digest_job(admin_world)
    assert job is not None
    next_run = job.next_run  # type: ignore[attr-defined]
    assert next_run is not None
    assert (next_run.astimezone(UTC).hour, next_run.astimezone(UTC).minute) == (9, 0)
    assert next_run == await admin_world.hearth.scheduler.next_run(
        admin_world.chat_id, JobKind.DIGEST
    )

    # Bad text: a clear message, and the schedule and the job stay as they were.
    status, page = await post(
        admin_world, client, "digest", {"schedule": "daily 25:99", "csrf_token": token}
    )
    assert status == 200 and "Sorry:" in page
    assert await admin_world.hearth.storage.digest_schedule(admin_world.chat_id) == stored
    again = await digest_job(admin_world)
    assert again is not None and again.next_run == next_run  # type: ignore[attr-defined]
    status, page = await post(
        admin_world, client, "digest", {"schedule": "now", "csrf_token": token}
    )
    assert "Please type a schedule" in page

    status, page = await post(admin_world, client, "quiet", {"quiet": "skip", "csrf_token": token})
    assert "no digest at all" in page
    assert not await admin_world.hearth.storage.digest_quiet_line(admin_world.chat_id)


async def test_settings_and_introductions_use_the_chat_commands(
    admin_world: AdminWorld, client: aiohttp.ClientSession
) -> None:
    storage = admin_world.hearth.storage
    await admin_world.sign_in(client, "alice")
    token = csrf_of(await dashboard(admin_world, client))
    _, page = await post(
        admin_world, client, "settings", {"setting": "twins", "value": "off", "csrf_token": token}
    )
    assert "Saved." in page and "Twins in this chat: off." in page
    assert not (await storage.chat_settings(admin_world.chat_id)).twins_enabled
    _, page = await post(
        admin_world, client, "settings", {"setting": "absence", "value": "abc", "csrf_token": token}
    )
    assert "Absence is minutes of quiet" in page
    before = (await storage.chat_settings(admin_world.chat_id)).twin_absence_minutes
    _, page = await post(
        admin_world, client, "settings", {"setting": "absence", "value": "2h", "csrf_token": token}
    )
    assert (await storage.chat_settings(admin_world.chat_id)).twin_absence_minutes == 120 != before
    _, page = await post(admin_world, client, "intros", {"intros": "weekly", "csrf_token": token})
    assert "Introductions scheduled" in page
    assert await admin_world.hearth.scheduler.next_run(admin_world.chat_id, JobKind.INTROS)
    _, page = await post(admin_world, client, "intros", {"intros": "post dm", "csrf_token": token})
    assert "by direct message" in page
    _, page = await post(admin_world, client, "intros", {"intros": "now", "csrf_token": token})
    assert "Please type a cadence" in page
    _, page = await post(admin_world, client, "intros", {"intros": "hourly", "csrf_token": token})
    assert "Sorry:" in page


async def test_the_digest_preview_posts_nothing(
    admin_world: AdminWorld, client: aiohttp.ClientSession
) -> None:
    await admin_world.sign_in(client, "alice")
    sent = len(admin_world.telegram.calls_to("sendMessage"))
    preview = f"{admin_world.base_url}/admin/{admin_world.chat_id}/preview"
    async with client.get(preview) as r:
        assert r.status == 200
        page = await r.text()
    assert "Nothing was posted" in page and "A quiet period" in page  # three lines only
    token = csrf_of(await dashboard(admin_world, client))
    await post(admin_world, client, "quiet", {"quiet": "line", "csrf_token": token})
    async with client.get(preview) as r:
        page = await r.text()
    assert 'class="digest card"' in page and "Garden Club" in page
    # With a schedule, the preview covers the last period it completed.
    await post(admin_world, client, "digest", {"schedule": "daily 09:00", "csrf_token": token})
    async with client.get(preview) as r:
        page = await r.text()
    assert r.status == 200 and page.count("09:00") == 2  # from one 09:00 to the next
    assert len(admin_world.telegram.calls_to("sendMessage")) == sent


async def test_the_dashboard_in_chinese(
    admin_world: AdminWorld, client: aiohttp.ClientSession
) -> None:
    await admin_world.sign_in(client, "alice")
    token = csrf_of(await dashboard(admin_world, client))
    form = {"language": "zh", "csrf_token": token}
    async with client.post(admin_world.base_url + "/language", data=form):
        pass
    page = await dashboard(admin_world, client)
    assert '<html lang="zh-Hans">' in page and "管理" in page
