"""The HR dashboard in Chromium at a phone's width and by keyboard, on `demo-data --leaders 200
--weeks 12`: both pages and their filters pass axe and never scroll sideways, a filter is chosen and
an action recorded without a mouse, and the outcomes page is photographed for docs/."""
from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from adapters.admin.accounts import create_account
from bot.insights.synthetic import generate
from tests.admin.conftest import PASSWORD, Console
from tests.admin.test_browser import CHROMIUM, WAIT_MS, Checked, browser, database_url, desktop_screenshot, new_page, sign_in  # noqa: F401

SCREENSHOT_ENV = "GOFIRST_INSIGHTS_SCREENSHOT"  # GOFIRST_INSIGHTS_SCREENSHOT=docs/insights-dashboard.png refreshes it
ACME, HR = "local:acme", "hr@acme.example"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]


@pytest.fixture
async def acme(console: Console) -> AsyncIterator[Console]:
    async with console.runtime.db.session() as session:
        await generate(session, ACME, 200, 12, 1, date(2026, 11, 24))
    await create_account(console.runtime.db, ACME, HR, "admin", PASSWORD)
    yield console


async def test_hr_reads_the_dashboard_and_records_an_action_by_keyboard(acme: Console, browser: Any,
                                                                        tmp_path: Path) -> None:
    from playwright.async_api import expect

    expect.set_options(timeout=WAIT_MS)
    url, page = acme.url, await new_page(browser)
    checked = Checked(page)
    await sign_in(checked, url, HR)
    await page.get_by_role("link", name="Insights").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Outcomes")
    await expect(page.locator("svg.chart").first).to_be_visible()
    await expect(page.locator("#trend-table")).to_contain_text("Leaders nudged")
    await checked.check()

    # Rows by team, by keyboard: the choice lands in the query string and the table follows it.
    await page.get_by_label("Rows are").focus()
    await page.keyboard.press("End")  # the last choice: campaign
    await page.get_by_label("Rows are").select_option("team")
    await page.get_by_role("button", name="Show").focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url("**by=team**")
    await expect(page.locator("#groups-table")).to_contain_text("withheld")
    await expect(page.locator("main")).to_contain_text("Pooled into department")
    await checked.check()
    await page.get_by_role("link", name="Next page").click()
    await expect(page.locator("main")).to_contain_text("Page 2 of")
    await checked.check()

    await page.goto(url + "/admin/insights")
    await desktop_screenshot(page, Path(os.environ.get(SCREENSHOT_ENV) or tmp_path / "insights.png"), 20_000)

    # Themes, then an action recorded by keyboard alone.
    await page.get_by_role("link", name="Barrier themes").click()
    await expect(page.locator("#bars-table")).to_contain_text("IT or tool access")
    await checked.check()
    await page.get_by_label("Theme", exact=True).last.select_option("policy")
    await page.get_by_label("What was done").fill("Travel needs one approval, not three")
    await page.keyboard.press("Tab")
    await page.keyboard.type("Finance")
    await page.get_by_label("Date it took effect").fill("2026-11-09")
    await page.get_by_label("Date it took effect").press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("Recorded")
    await expect(page.locator("#actions-table")).to_contain_text("Travel needs one approval, not three")
    await checked.check()
    for path in ("/admin/insights?by=department&kind=quarter", "/admin/insights?kind=week",
                 "/admin/insights/themes?by=campaign&kind=week&theme=it_access"):
        await checked.goto(url + path)
