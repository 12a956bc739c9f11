"""A person plays the whole loop in Chromium: nudge → share (double clicks count once) → team replies and a
barrier told privately → digests → answer → streak 1 → the home's chart → a teammate's erase, with axe
finding nothing serious along the way."""
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


async def axe_problems(page) -> list[tuple[str, str, list[str]]]:  # type: ignore[no-untyped-def]
    """Serious or critical accessibility violations axe finds on the page as it is now."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    return [(v["id"], v["impact"], [str(n["target"]) for n in v["nodes"]][:3]) for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")]


async def test_a_person_completes_the_loop_in_the_browser(server: Server, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.async_api import expect

    expect.set_options(timeout=WAIT_MS)
    await expect(page.locator("body")).to_have_attribute("data-live", "on")
    dm, channel, admin = page.locator("#dm-pane"), page.locator("#channel-pane"), page.locator("#admin-pane")
    mate = page.locator(".mate-dm")
    assert await axe_problems(page) == []

    # Dana starts the campaign and sends this week's nudge.
    await admin.get_by_role("button", name="Start the demo campaign").click()
    await expect(admin.locator("#admin-state")).to_have_text("Active")
    await expect(admin.get_by_role("button", name="Start the demo campaign")).to_be_disabled()
    await admin.get_by_role("button", name="Send the next nudge now").click()
    nudge = dm.locator("li[data-kind=nudge]")
    await expect(nudge).to_contain_text("Time to go first")
    await expect(page.locator("#dm-unread")).to_have_text("1 new")  # Dana is in the admin pane: Alex's DM is unread
    for label in ("Share now", "Snooze a week", "Skip this week", "Not for me"):
        await expect(nudge.get_by_role("button", name=label)).to_be_visible()
    await admin.get_by_role("button", name="Send the next nudge now").click()
    await expect(admin.locator("#admin-notice")).to_contain_text("already sent")
    await expect(nudge).to_have_count(1)

    # Alex shares: the form that appears gets the focus; an empty one shows an error under each field.
    await nudge.get_by_role("button", name="Share now").dblclick()
    await expect(page.locator("#dm-unread")).to_be_hidden()
    form = dm.get_by_role("form", name="Form: Go first")
    await expect(form).to_have_count(1)  # a double click opened one form
    await expect(form.get_by_label("What I'd like us to try")).to_be_focused()
    await form.get_by_role("button", name="Preview").click()
    await expect(form.locator(".field .field-error")).to_have_count(4)
    await expect(form.get_by_label("My own barrier")).to_have_attribute("aria-invalid", "true")
    await form.get_by_label("What I'd like us to try").fill("I'm going to post my weekly priorities here, not by email.")
    await form.get_by_label("Why it matters to me").fill("Decisions get stuck in my inbox and you can't see them.")
    await form.get_by_label("My own barrier").fill("Honestly, time: writing in the open feels slower to me.")
    await form.get_by_label("What I ask of you").fill("Nudge me if I slip, and tell me what gets in your way?")
    await form.get_by_role("button", name="Preview").dblclick()  # a double click is one preview
    preview = dm.locator("li[data-kind=preview]")
    await expect(preview).to_contain_text("Preview: this is what #product-team will see")
    await expect(dm.locator(".form-sent")).to_contain_text("Sent: Go first")
    await expect(preview).to_have_count(1)
    await preview.get_by_role("button", name="Post to #product-team").dblclick()
    await expect(dm).to_contain_text("Posted in #product-team")
    await expect(dm.locator("li[data-kind=posted]")).to_have_count(1)
    settled = dm.locator("li", has_text="Posted. This draft is done.")
    await expect(settled).to_have_count(1)
    await expect(settled.get_by_role("button")).to_have_count(0)
    await expect(dm.locator("button:disabled")).to_have_count(0)  # nothing left half-settled in the tab order
    await expect(nudge).to_contain_text("You went first this week")
    await expect(nudge.get_by_role("button")).to_have_count(0)

    # The channel shows one post in Alex's words and name, with what happens to a reply.
    post = channel.locator("li.post")
    await expect(post).to_have_count(1)
    await expect(page.locator("#channel-unread")).to_have_text("1 new")
    await expect(post).to_contain_text("Alex Rivera via GoFirst")
    await expect(post).to_contain_text("Honestly, time: writing in the open feels slower to me.")
    await expect(post).to_contain_text("HR only ever sees barrier themes")
    await channel.get_by_label("Reply as").select_option("sam")
    await expect(page.locator("#channel-unread")).to_be_hidden()
    box = post.get_by_label("Reply in the thread as Sam Okafor")
    await box.fill("My barrier is back-to-back meetings.")
    await post.get_by_role("button", name="Reply").dblclick()
    await expect(post.locator(".thread")).to_contain_text("back-to-back meetings")
    await expect(post.locator(".thread .reply")).to_have_count(1)  # a double click is one reply
    await expect(box).to_have_value("")

    # Jordan tells Alex privately: the form opens in Jordan's own messages, focused.
    await channel.get_by_label("Reply as").select_option("jordan")
    await expect(mate.locator("#mate-title")).to_have_text("Jordan Lee's private messages with GoFirst")
    await post.get_by_role("button", name="Tell Alex Rivera privately").click()
    private = mate.get_by_role("form", name="Form: Without your name")
    await expect(private.get_by_label("What gets in your way?")).to_be_focused()
    await private.get_by_label("What gets in your way?").fill("I worry my manager reads this as a complaint.")
    await private.get_by_role("button", name="Send without my name").dblclick()
    await expect(mate).to_contain_text("Thanks. Alex Rivera will see it without your name")
    await expect(mate.locator("li", has_text="Thanks.")).to_have_count(1)

    # Dana sends the digest: two teammates have answered, so nothing private is shown yet.
    await admin.get_by_role("button", name="Send the digest now").click()
    first = dm.locator("li[data-kind=digest]").first
    await expect(first).to_contain_text("Your team answered")
    await expect(first).to_contain_text("My barrier is back-to-back meetings.")
    await expect(first).not_to_contain_text("Someone said")
    await channel.get_by_label("Reply as").select_option("priya")
    await post.get_by_label("Reply in the thread as Priya Nair").fill("IT blocks the wiki on VPN.")
    await post.get_by_role("button", name="Reply").click()
    await expect(post.locator(".thread .reply")).to_have_count(2)
    await admin.get_by_role("button", name="Send the digest now").click()
    second = dm.locator("li[data-kind=digest]").nth(1)
    await expect(second).to_contain_text("IT blocks the wiki on VPN.")
    await expect(second).to_contain_text("Someone said")  # the third teammate answered
    await expect(second).to_contain_text("I worry my manager reads this as a complaint.")
    await admin.get_by_role("button", name="Send the digest now").click()
    await expect(admin.locator("#admin-notice")).to_contain_text("No new replies since Alex's last digest")
    await expect(dm.locator("li[data-kind=digest]")).to_have_count(2)

    # Alex answers Sam; the answer lands in the thread and the week counts.
    await first.get_by_role("button", name="Answer Sam Okafor").click()
    answer = dm.get_by_role("form", name="Form: Close the loop")
    await expect(answer.get_by_label("Your answer to Sam Okafor")).to_be_focused()
    await answer.get_by_label("Your answer to Sam Okafor").fill("Thanks Sam: I'll keep Tuesday mornings free.")
    await answer.get_by_role("button", name="Post in the thread").dblclick()
    await expect(post.locator(".thread")).to_contain_text("Thanks Sam: I'll keep Tuesday mornings free.")
    await expect(dm.locator("li", has_text="Answered in the thread. Your modelling streak: 1 week.")).to_have_count(1)
    await dm.get_by_label("Message GoFirst as Alex").fill("streak")
    await dm.get_by_role("button", name="Send").click()
    await expect(dm.locator("li[data-kind=streak]")).to_contain_text("1 week in a row")
    await expect(admin.locator("#admin-streak")).to_have_text("1 week in a row, longest 1")
    await expect(admin.locator("#admin-people")).to_contain_text("Priya Nair: team member, Asia/Kolkata")

    # The Home tab, reached with the keyboard, shows the weeks gone first as a chart with words.
    await dm.get_by_role("tab", name="Messages").focus()
    await page.keyboard.press("ArrowRight")
    await expect(dm.get_by_role("tab", name="Home")).to_have_attribute("aria-selected", "true")
    home = dm.locator("#home-view")
    await expect(home).to_contain_text("GoFirst for Alex Rivera")
    await expect(home).to_contain_text("1 week in a row")
    chart = home.get_by_role("img", name="Your last 8 weeks")
    await expect(chart).to_be_visible()
    await expect(home).to_contain_text("you went first in 1, answered 1, and your team replied 2 times")
    await expect(home).to_contain_text("I'm going to post my weekly priorities here")
    assert await axe_problems(page) == []
    await page.keyboard.press("ArrowLeft")
    await expect(dm.get_by_role("tab", name="Messages")).to_have_attribute("aria-selected", "true")

    # Sam erases their data: their reply leaves the thread and Alex's digest.
    await channel.get_by_label("Reply as").select_option("sam")
    await mate.get_by_label("Message GoFirst as Sam Okafor").fill("erase")
    await mate.get_by_role("button", name="Send").click()
    await mate.get_by_role("button", name="Erase my data").click()
    await expect(mate).to_contain_text("Erased:")
    await expect(post.locator(".thread")).not_to_contain_text("back-to-back meetings")
    await expect(first).not_to_contain_text("back-to-back meetings")
    assert await axe_problems(page) == []

    # A reload shows the same history.
    await page.reload()
    await expect(page.locator("body")).to_have_attribute("data-live", "on")
    await expect(channel.locator(".thread .reply")).to_have_count(2)  # Priya's reply and Alex's answer
    await expect(dm.locator("li[data-kind=streak]")).to_have_count(1)

    # Tall enough for the whole page, so the sticky command box sits where a reader expects it.
    height = await page.evaluate("document.documentElement.scrollHeight")
    await page.set_viewport_size({"width": 1500, "height": min(int(height), 4000)})
    screenshot = Path(os.environ.get(SCREENSHOT_ENV) or tmp_path / "playground.png")
    screenshot.parent.mkdir(exist_ok=True)
    await page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000
