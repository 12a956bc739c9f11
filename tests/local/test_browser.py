"""A person plays the whole loop in Chromium: nudge → share → team reply → digest → answer → streak 1."""
from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.local.conftest import Server

CHROMIUM = Path("/usr/bin/chromium")
# `GOFIRST_SCREENSHOT=docs/playground.png make test` refreshes the README's picture; otherwise the
# screenshot goes to the test's temporary folder, so a test run leaves the tree as it found it.
SCREENSHOT_ENV = "GOFIRST_SCREENSHOT"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
WAIT_MS = 10_000

if not CHROMIUM.exists() and os.environ.get("GOFIRST_REQUIRE_CHROMIUM"):
    raise RuntimeError("GOFIRST_REQUIRE_CHROMIUM is set but /usr/bin/chromium is missing")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                     "(apt-get install -y --no-install-recommends chromium)"),
]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """The browser test runs on SQLite only: the HTTP tests already cover PostgreSQL."""
    return sqlite_url


@pytest.fixture
async def page(server: Server) -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            context = await browser.new_context(viewport={"width": 1500, "height": 1000}, locale="en-GB",
                                                timezone_id="Europe/London")
            page = await context.new_page()
            page.set_default_timeout(WAIT_MS)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            await page.goto(server.url + "/")
            yield page
            assert errors == [], f"the page's script failed: {errors}"
        finally:
            await browser.close()


async def test_a_person_completes_the_loop_in_the_browser(server: Server, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.async_api import expect

    expect.set_options(timeout=WAIT_MS)
    await expect(page.locator("body")).to_have_attribute("data-live", "on")
    dm, channel, admin = page.locator("#dm-pane"), page.locator("#channel-pane"), page.locator("#admin-pane")

    # Dana starts the campaign and sends this week's nudge.
    await admin.get_by_role("button", name="Start the demo campaign").click()
    await expect(admin.locator("#admin-state")).to_have_text("Active")
    await expect(admin.get_by_role("button", name="Start the demo campaign")).to_be_disabled()
    await admin.get_by_role("button", name="Send the next nudge now").click()
    nudge = dm.locator("li[data-kind=nudge]")
    await expect(nudge).to_contain_text("Time to go first")
    for label in ("Share now", "Snooze a week", "Skip this week", "Not for me"):
        await expect(nudge.get_by_role("button", name=label)).to_be_visible()
    await admin.get_by_role("button", name="Send the next nudge now").click()
    await expect(admin.locator("#admin-notice")).to_contain_text("already sent")
    await expect(nudge).to_have_count(1)

    # Alex shares: an empty form shows an error under each field, a filled one a preview.
    await nudge.get_by_role("button", name="Share now").click()
    form = dm.get_by_role("form", name="Form: Go first")
    await expect(form.get_by_label("What I'd like us to try")).to_be_focused()
    await form.get_by_role("button", name="Preview").click()
    await expect(form.locator(".field-error")).to_have_count(4)
    await expect(form.get_by_label("My own barrier")).to_have_attribute("aria-invalid", "true")
    await form.get_by_label("What I'd like us to try").fill("I'm going to post my weekly priorities here, not by email.")
    await form.get_by_label("Why it matters to me").fill("Decisions get stuck in my inbox and you can't see them.")
    await form.get_by_label("My own barrier").fill("Honestly, time: writing in the open feels slower to me.")
    await form.get_by_label("What I ask of you").fill("Nudge me if I slip, and tell me what gets in your way?")
    await form.get_by_role("button", name="Preview").click()
    preview = dm.locator("li[data-kind=preview]")
    await expect(preview).to_contain_text("Preview: this is what #product-team will see")
    await expect(dm.locator(".form-sent")).to_contain_text("Sent: Go first")
    await preview.get_by_role("button", name="Post to #product-team").click()
    await expect(dm).to_contain_text("Posted in #product-team")
    await expect(nudge).to_contain_text("You went first this week")
    await expect(nudge.get_by_role("button")).to_have_count(0)

    # The team channel shows the post; Sam and Priya reply in its thread.
    post = channel.locator("li.post")
    await expect(post).to_contain_text("Alex Rivera is going first")
    for user, name, text in (("sam", "Sam Okafor", "My barrier is back-to-back meetings."),
                             ("priya", "Priya Nair", "IT blocks the wiki on VPN.")):
        await channel.get_by_label("Reply as").select_option(user)
        box = post.get_by_label(f"Reply in the thread as {name}")
        await box.fill(text)
        await post.get_by_role("button", name="Reply").click()
        await expect(post.locator(".thread")).to_contain_text(text)
        await expect(box).to_have_value("")
    # Priya's reply shows Edit and Delete to Priya only.
    await expect(post.locator(".reply[data-author=priya]").get_by_role("button", name="Edit")).to_be_visible()
    await expect(post.locator(".reply[data-author=sam]").get_by_role("button", name="Edit")).to_be_hidden()

    # Dana sends the digest; Alex answers Sam, and the answer lands in the thread.
    await admin.get_by_role("button", name="Send the digest now").click()
    digest = dm.locator("li[data-kind=digest]")
    await expect(digest).to_contain_text("Your team answered")
    await expect(digest).to_contain_text("My barrier is back-to-back meetings.")
    await digest.get_by_role("button", name="Answer Sam Okafor").click()
    answer = dm.get_by_role("form", name="Form: Close the loop")
    await answer.get_by_label("Your answer to Sam Okafor").fill("Thanks Sam: I'll keep Tuesday mornings free.")
    await answer.get_by_role("button", name="Post in the thread").click()
    await expect(post.locator(".thread")).to_contain_text("Thanks Sam: I'll keep Tuesday mornings free.")
    await expect(dm).to_contain_text("Answered in the thread. Your modelling streak: 1 week.")

    # Alex types `streak`: one week of going first, and the admin pane agrees.
    await dm.get_by_label("Message GoFirst as Alex").fill("streak")
    await dm.get_by_role("button", name="Send").click()
    await expect(dm.locator("li[data-kind=streak]")).to_contain_text("1 week in a row")
    await expect(admin.locator("#admin-streak")).to_have_text("1 week in a row, longest 1")

    await expect(admin.locator("#admin-people")).to_contain_text("Priya Nair: team member, Asia/Kolkata")

    # The Home tab, reached with the keyboard, shows the streak and the recent share.
    await dm.get_by_role("tab", name="Messages").focus()
    await page.keyboard.press("ArrowRight")
    await expect(dm.get_by_role("tab", name="Home")).to_have_attribute("aria-selected", "true")
    home = dm.locator("#home-view")
    await expect(home).to_contain_text("GoFirst for Alex Rivera")
    await expect(home).to_contain_text("1 week in a row")
    await expect(home).to_contain_text("I'm going to post my weekly priorities here")
    await page.keyboard.press("ArrowLeft")
    await expect(dm.get_by_role("tab", name="Messages")).to_have_attribute("aria-selected", "true")

    # A reload shows the same history.
    await page.reload()
    await expect(page.locator("body")).to_have_attribute("data-live", "on")
    await expect(channel.locator(".thread .reply")).to_have_count(3)
    await expect(dm.locator("li[data-kind=streak]")).to_have_count(1)

    # Tall enough for the whole page, so the sticky command box sits where a reader expects it.
    height = await page.evaluate("document.documentElement.scrollHeight")
    await page.set_viewport_size({"width": 1500, "height": min(int(height), 4000)})
    screenshot = Path(os.environ.get(SCREENSHOT_ENV) or tmp_path / "playground.png")
    screenshot.parent.mkdir(exist_ok=True)
    await page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000
