"""In Chromium: a directive share shows the coach's findings under the fields they are about, tied
to them for screen readers, and the same words sent again make the preview; axe finds nothing
serious on the coached form."""
from __future__ import annotations

from tests.local.conftest import Server
from tests.local.test_browser import WAIT_MS, axe_problems, database_url, page, pytestmark
from tests.local.test_playground_coach import DIRECTIVE

__all__ = ["database_url", "page", "pytestmark"]
LABELS = {"try": "What I'd like us to try", "why": "Why it matters to me", "barrier": "My own barrier",
          "ask": "What I ask of you"}


async def test_the_coach_speaks_under_each_field_before_the_preview(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.async_api import expect

    expect.set_options(timeout=WAIT_MS)
    await expect(page.locator("body")).to_have_attribute("data-live", "on")
    dm = page.locator("#dm-pane")
    await page.locator("#command-input").fill("share")
    await page.locator("#command-input").press("Enter")
    form = dm.get_by_role("form", name="Form: Go first")
    for name, label in LABELS.items():
        await form.get_by_label(label).fill(DIRECTIVE[name])
    await form.get_by_role("button", name="Preview").click()

    try_field = form.locator(".field", has=page.get_by_label(LABELS["try"]))
    await expect(try_field.locator(".coach-notes")).to_contain_text("“Everyone must”")
    await expect(form.locator(".field", has=page.get_by_label(LABELS["ask"])).locator(".coach-notes")) \
        .to_contain_text("“Make sure”")
    described = await form.get_by_label(LABELS["try"]).get_attribute("aria-describedby")
    assert described and described.split()[-1].endswith("-coach")  # read out with the field
    await expect(dm.locator("li[data-kind=preview]")).to_have_count(0)
    assert await axe_problems(page) == []

    await form.get_by_role("button", name="Preview as it is").click()
    await expect(dm.locator("li[data-kind=preview]")).to_contain_text("Everyone must post their weekly updates")
