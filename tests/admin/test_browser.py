"""The console in Debian's Chromium, at a phone's width (390 px) and by keyboard: sign in, sync the
directory from the Slack double, create a campaign for a leader never seen before and watch the
nudge reach them at the double, read the audit entry, export and erase a person; a viewer who can't
change anything, no page without a session, a forged cross-site form refused; axe on every page."""
from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlmodel import select

from bot.delivery.worker import DeliveryWorker
from bot.scheduling.ticks import plan_campaign
from storage.tables import Campaign, Nudge
from tests.admin.conftest import ADMIN, PASSWORD, VIEWER, Console
from tests.admin.test_directory import NEW, directory
from tests.local.test_browser import ARGS, CHROMIUM
from tests.support.live import serve

SCREENSHOT_ENV = "GOFIRST_CONSOLE_SCREENSHOT"  # GOFIRST_CONSOLE_SCREENSHOT=docs/console.png refreshes the docs' picture
WAIT_MS = 10_000
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                     "(apt-get install -y --no-install-recommends chromium)"),
]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """SQLite only: the HTTP tests cover PostgreSQL."""
    return sqlite_url


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


class Checked:
    """A page whose every visit is checked with axe (no serious or critical violation) and whose
    script errors fail the test (the console has no script, so there should be none)."""

    def __init__(self, page: Any) -> None:
        from axe_playwright_python.async_playwright import Axe

        self.page, self.axe, self.seen = page, Axe(), []

    async def check(self) -> None:
        results = await self.axe.run(self.page)
        bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
               if v["impact"] in ("serious", "critical")]
        assert bad == [], f"axe on {self.page.url}: {bad}"
        width = await self.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{self.page.url} scrolls sideways at {width[1]} px"  # tables scroll in place
        self.seen.append(self.page.url)

    async def goto(self, url: str) -> None:
        await self.page.goto(url)
        await self.check()


async def desktop_screenshot(page: Any, screenshot: Path, min_bytes: int) -> None:
    """A full-page picture at desktop width (for docs/), then back to the phone width the test runs at."""
    await page.set_viewport_size({"width": 1280, "height": 900})
    await page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > min_bytes
    await page.set_viewport_size(PHONE)


async def new_page(browser: Any, **options: Any) -> Any:
    context = await browser.new_context(viewport=PHONE, locale="en-GB", accept_downloads=True, **options)
    page = await context.new_page()
    page.set_default_timeout(WAIT_MS)
    return page


async def sign_in(checked: Checked, url: str, email: str) -> None:
    page = checked.page
    await page.goto(url + "/admin")
    assert "/admin/login" in page.url
    await checked.check()
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_label("Password").press("Enter")  # by keyboard
    await page.get_by_role("button", name="Sign out").wait_for()


async def test_an_admin_runs_a_rollout_in_the_browser(console: Console, browser: Any, tmp_path: Path) -> None:
    from playwright.async_api import expect

    expect.set_options(timeout=WAIT_MS)
    directory(console)
    url, page = console.url, await new_page(browser)
    checked = Checked(page)
    await sign_in(checked, url, ADMIN)
    await checked.check()
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Skip to the content")).to_be_focused()

    # Sync the directory from Slack: Nia, whom GoFirst has never met, arrives.
    await page.get_by_role("link", name="Directory").click()
    await checked.check()
    await page.get_by_role("button", name="Sync now").click()
    await expect(page.get_by_role("status")).to_contain_text("Synced: 6 added")
    await checked.check()

    # A campaign for her, by email; a mistake first, shown next to its field in the form's words.
    await page.get_by_role("link", name="Campaigns").click()
    await checked.check()
    await page.get_by_role("link", name="New campaign").click()
    await checked.check()
    await page.get_by_label("Name").fill("Rollout")
    await page.get_by_label("Cron").fill("99 * * * *")
    await page.get_by_label("Audience", exact=True).select_option("leaders")
    await page.get_by_label("Leaders, teams, channels or groups").fill("nia@acme.example")
    await page.get_by_label("Start at once").check()
    await page.get_by_role("button", name="Create campaign").click()
    await expect(page.locator("#cron-error")).to_contain_text("Cron: ")
    await expect(page.get_by_label("Cron")).to_have_attribute("aria-invalid", "true")
    await checked.check()
    await page.get_by_label("Cron").fill("")
    await page.get_by_role("button", name="Create campaign").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Rollout")
    await expect(page.locator("main")).to_contain_text("America/Chicago")
    await checked.check()

    # The scheduler plans it and the worker sends it: Nia gets the nudge at the double.
    services = console.runtime.services
    async with console.runtime.db.session() as session:
        campaign = (await session.exec(select(Campaign).where(Campaign.name == "Rollout"))).one()
    assert campaign.state == "active" and campaign.id is not None
    await plan_campaign(services, campaign.id)
    async with console.runtime.db.session() as session:
        nudge = (await session.exec(select(Nudge).where(Nudge.campaign_id == campaign.id))).one()
    console.runtime.services.clock.set(nudge.due_at + timedelta(seconds=1))  # type: ignore[attr-defined]
    await DeliveryWorker(services).run_once()
    assert len(console.double.posts_to(NEW)) == 1
    await page.reload()
    await expect(page.locator("main")).to_contain_text("sent: 1")
    await desktop_screenshot(page, Path(os.environ.get(SCREENSHOT_ENV) or tmp_path / "console.png"), 10_000)

    # Edit it: the changes are shown before anything is saved.
    await page.get_by_role("link", name="Edit").click()
    await checked.check()
    await page.get_by_label("Time", exact=True).fill("15:00")
    await page.get_by_role("button", name="Review the changes").click()
    await expect(page.locator("table.diff")).to_contain_text("10:00")
    await expect(page.locator("table.diff")).to_contain_text("15:00")
    await checked.check()
    await page.get_by_role("button", name="Save these changes").click()
    await expect(page.locator("main")).to_contain_text("at 15:00")
    await page.get_by_role("button", name="Pause").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Paused")

    # The audit log says who did it, and filters.
    await page.get_by_role("link", name="Audit log").click()
    await checked.check()
    table = page.locator("table.audit")
    for action in ("campaign.created", "campaign.updated", "campaign.paused", "directory.synced"):
        await expect(table).to_contain_text(action)
    await page.get_by_label("Action").select_option("campaign.paused")
    await page.get_by_role("button", name="Show").click()
    await expect(table.locator("tbody tr")).to_have_count(1)
    await expect(table).to_contain_text(f"admin:{ADMIN}")
    await checked.check()

    # Find Nia, download her data, erase her.
    await page.get_by_role("link", name="People").click()
    await page.get_by_label("Name, email or platform id").fill("nia")
    await page.get_by_role("button", name="Find").click()
    await checked.check()
    await page.get_by_role("link", name="Nia Newman").click()
    await checked.check()
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Download their data (JSON)").click()
    download = await download_info.value
    exported = json.loads(Path(await download.path()).read_text())
    assert exported["person"]["email"] == "nia@acme.example" and len(exported["nudges"]) == 1
    await page.get_by_label("I understand this can't be undone").check()
    await page.get_by_role("button", name="Erase").click()
    await expect(page.get_by_role("status")).to_contain_text("The person was erased")
    await checked.check()
    await page.goto(url + "/admin/audit?action=person.")
    await expect(page.locator("table.audit")).to_contain_text("person.erased")

    for path, heading in (("/admin", "Overview"), ("/admin/packs", "Prompt packs"), ("/admin/packs/going-first", "Going"),
                          ("/admin/reports", "Barrier report"), ("/admin/campaigns/999", "Something's wrong")):
        await checked.goto(url + path)
        await expect(page.get_by_role("heading", level=1)).to_contain_text(heading)



async def test_a_viewer_a_stranger_and_a_forged_form(console: Console, browser: Any) -> None:
    from playwright.async_api import expect

    expect.set_options(timeout=WAIT_MS)
    url = console.url
    stranger = await new_page(browser)
    for path in ("/admin", "/admin/campaigns", f"/admin/people/{console.ids['alex']}", "/admin/audit/export"):
        await stranger.goto(url + path)
        assert "/admin/login" in stranger.url
    viewer = Checked(await new_page(browser))
    await sign_in(viewer, url, VIEWER)
    await viewer.goto(url + f"/admin/campaigns/{console.ids['campaign_a']}")
    await expect(viewer.page.get_by_role("button", name="Start")).to_have_count(0)
    await expect(viewer.page.get_by_role("link", name="Edit")).to_have_count(0)
    await viewer.goto(url + "/admin/directory")
    await expect(viewer.page.get_by_role("button", name="Sync now")).to_have_count(0)
    await viewer.goto(url + f"/admin/people/{console.ids['alex']}")
    await expect(viewer.page.get_by_role("button", name="Erase")).to_have_count(0)

    # Another site's page posts a form at the console with the admin's cookies: refused, nothing changes.
    admin = Checked(await new_page(browser))
    await sign_in(admin, url, ADMIN)
    forged = web.Application()

    async def prize(_request: web.Request) -> web.Response:
        return web.Response(content_type="text/html", text=(
            f'<!doctype html><form method="post" action="{url}/admin/campaigns/{console.ids["campaign_a"]}/state">'
            '<input name="action" value="resume"><input name="csrf" value="guessed"><button>Win a prize</button></form>'))

    forged.router.add_get("/", prize)
    async with serve(forged) as elsewhere:
        await admin.page.goto(elsewhere + "/")
        await admin.page.get_by_role("button", name="Win a prize").click()
        await expect(admin.page.locator("body")).to_contain_text("sent from another site")
    async with console.runtime.db.session() as session:
        assert (await session.get(Campaign, console.ids["campaign_a"])).state == "draft"  # type: ignore[union-attr]
