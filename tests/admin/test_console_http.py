"""The console over real HTTP as a browser meets it: no page without a session, sign-in with a
lockout, the cookie's flags, security headers, CSRF, viewers who can't change anything, and one
tenant's admin who can't reach another's campaigns, people, reports or exports by any URL or id."""
from __future__ import annotations

import json

from sqlmodel import select

from storage.tables import AuditEntry, Campaign, Person
from tests.admin.conftest import ADMIN, PASSWORD, RIVAL, VIEWER, WS_A, Console


def pages(ids: dict[str, int]) -> list[str]:
    a, alex = ids["campaign_a"], ids["alex"]
    return ["/admin", "/admin/campaigns", "/admin/campaigns/new", f"/admin/campaigns/{a}", f"/admin/campaigns/{a}/edit",
            "/admin/packs", "/admin/packs/going-first", "/admin/people?q=a", f"/admin/people/{alex}",
            f"/admin/people/{alex}/export", "/admin/directory", "/admin/audit", "/admin/audit/export",
            "/admin/reports"]


def posts(ids: dict[str, int]) -> list[str]:
    a, alex = ids["campaign_a"], ids["alex"]
    return ["/admin/campaigns/new", f"/admin/campaigns/{a}/edit", f"/admin/campaigns/{a}/state",
            f"/admin/people/{alex}/erase", "/admin/directory/sync", "/admin/directory/import"]


async def campaign_state(console: Console, campaign_id: int) -> str:
    async with console.runtime.db.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        return campaign.state


async def test_no_page_is_reachable_without_a_session(console: Console) -> None:
    client = console.client()
    for path in pages(console.ids):
        status, _ = await client.get(path, follow=False)
        assert status == 303 and client.last.headers["Location"].startswith("/admin/login?next="), path
    await client.get("/admin/login")
    for path in posts(console.ids):
        status, text = await client.post(path, {"action": "pause"})
        assert status == 403, path
    assert await campaign_state(console, console.ids["campaign_a"]) == "draft"
    forged = console.client()
    forged.http.cookie_jar.update_cookies({"gofirst_admin": "made-up.c2lnbmF0dXJl"})
    assert (await forged.get("/admin", follow=False))[0] == 303


async def test_sign_in_then_lockout_after_five_failures(console: Console) -> None:
    client = console.client()
    status, text = await client.sign_in(ADMIN, "wrong password!")
    assert status == 401 and "don&#39;t match" in text
    for _ in range(4):
        await client.sign_in(ADMIN, "wrong again, still")
    status, text = await client.sign_in(ADMIN)  # the right password, too late
    assert status == 429 and "Too many failed sign-ins" in text
    other = await console.signed_in(VIEWER)  # another email is not locked
    assert "vic@acme.example" in (await other.get("/admin"))[1]


async def test_the_session_cookie_is_httponly_samesite_and_expires(console: Console) -> None:
    client = console.client()
    await client.get("/admin/login")
    status, _ = await client.post("/admin/login", {"email": ADMIN, "password": PASSWORD}, follow=False)
    assert status == 303
    cookie = next(v for k, v in client.last.headers.items() if k == "Set-Cookie" and "gofirst_admin=" in v)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/admin" in cookie
    assert "Max-Age=28800" in cookie and "Secure" not in cookie  # plain http here; https adds Secure
    await client.get("/admin")
    status, _ = await client.post("/admin/logout")
    assert status == 200 and (await client.get("/admin", follow=False))[0] == 303


async def test_every_page_sends_the_security_headers(console: Console) -> None:
    client = await console.signed_in(ADMIN)
    for path in [*pages(console.ids), "/admin/login", "/admin/campaigns/999999"]:
        await client.get(path, follow=False)
        headers = client.last.headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src" not in csp and "'unsafe-inline'" not in csp, path
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "same-origin"
    status, css = await client.get("/admin/static/console.css")
    assert status == 200 and client.last.headers["X-Content-Type-Options"] == "nosniff"


async def test_a_forged_cross_site_form_is_refused(console: Console) -> None:
    client = await console.signed_in(ADMIN)
    a = console.ids["campaign_a"]
    await client.get(f"/admin/campaigns/{a}")
    status, text = await client.post(f"/admin/campaigns/{a}/state", {"action": "resume"}, origin="https://evil.example")
    assert status == 403 and "another site" in text
    status, text = await client.post(f"/admin/campaigns/{a}/state", {"action": "resume"}, token=False)
    assert status == 403 and "expired" in text
    assert await campaign_state(console, a) == "draft"
    status, _ = await client.post(f"/admin/campaigns/{a}/state", {"action": "resume"})
    assert status == 200 and await campaign_state(console, a) == "active"


async def test_a_viewer_reads_but_changes_nothing(console: Console) -> None:
    viewer = await console.signed_in(VIEWER)
    a, alex = console.ids["campaign_a"], console.ids["alex"]
    status, page = await viewer.get(f"/admin/campaigns/{a}")
    assert status == 200 and "Weekly" in page and "Pause" not in page and "Edit" not in page
    status, _ = await viewer.post(f"/admin/campaigns/{a}/state", {"action": "resume"})
    assert status == 403 and await campaign_state(console, a) == "draft"
    assert (await viewer.get(f"/admin/people/{alex}/export"))[0] == 403
    assert (await viewer.post(f"/admin/people/{alex}/erase", {"understood": "yes"}))[0] == 403
    assert (await viewer.post("/admin/campaigns/new", {"name": "X", "pack": "going-first"}))[0] == 403
    async with console.runtime.db.session() as session:
        assert await session.get(Person, alex) is not None


async def test_one_tenant_cannot_reach_another_by_any_url_field_or_id(console: Console) -> None:
    rival = await console.signed_in(RIVAL)
    admin = await console.signed_in(ADMIN)
    a, alex = console.ids["campaign_a"], console.ids["alex"]
    await admin.post(f"/admin/campaigns/{a}/state", {"action": "resume"})  # leaves an audit entry in A
    for path in (f"/admin/campaigns/{a}", f"/admin/campaigns/{a}/edit", f"/admin/people/{alex}",
                 f"/admin/people/{alex}/export"):
        status, text = await rival.get(path)
        assert status == 404 and "Alex" not in text and "Weekly slack" not in text, path
    await rival.get("/admin")
    for path, data in ((f"/admin/campaigns/{a}/state", {"action": "pause"}), (f"/admin/people/{alex}/erase",
                       {"understood": "yes"}), (f"/admin/campaigns/{a}/edit", {"name": "x", "pack": "going-first"})):
        assert (await rival.post(path, data))[0] == 404, path
    assert await campaign_state(console, a) == "active"
    # A form field naming the other tenant's campaign only ever creates one in the rival's own workspace.
    await rival.get("/admin/campaigns/new")
    status, text = await rival.post("/admin/campaigns/new", {"name": f"Weekly {WS_A}", "pack": "going-first",
                                                             "audience_kind": "leaders", "audience": "U0LEAD"})
    assert status == 400 and "matches no leader in local:rival" in text
    for path in ("/admin/campaigns", "/admin/people?q=alex", "/admin/audit", "/admin/reports", "/admin"):
        assert "Alex" not in (await rival.get(path))[1] and f"campaign:{a}" not in (await rival.get(path))[1], path
    _, exported = await rival.get("/admin/audit/export?format=json")
    assert all("dana@" not in json.dumps(e) for e in json.loads(exported))
    async with console.runtime.db.session() as session:
        assert await session.get(Person, alex) is not None


async def test_campaign_errors_sit_next_to_the_field_in_the_forms_words(console: Console) -> None:
    admin = await console.signed_in(ADMIN)
    await admin.get("/admin/campaigns/new")
    status, text = await admin.post("/admin/campaigns/new", {
        "name": "Bad", "pack": "going-first", "cron": "61 * * * *", "start": "2027-02-01", "end": "2027-01-01",
        "audience_kind": "leaders", "audience": "U0LEAD"})
    assert status == 400
    assert 'id="cron-error"' in text and "Cron: " in text and 'aria-invalid="true"' in text
    assert "End date: " in text and "on or after Start date" in text
    assert "cadence.cron" not in text and "end_date" not in text and 'value="61 * * * *"' in text


async def test_edit_shows_the_changes_then_saves_them_audited(console: Console) -> None:
    admin = await console.signed_in(ADMIN)
    a = console.ids["campaign_a"]
    await admin.get(f"/admin/campaigns/{a}/edit")
    form = {"name": "ignored", "pack": "going-first", "weekday": "fri", "time": "16:30", "every": "1",
            "audience_kind": "leaders", "audience": "U0LEAD", "reminder": "2"}
    status, text = await admin.post(f"/admin/campaigns/{a}/edit", form)
    assert status == 200 and "Save these changes" in text
    assert "<th scope=\"row\">Time</th><td><del>10:00</del></td><td><ins>16:30</ins></td>" in text
    async with console.runtime.db.session() as session:
        assert (await session.get(Campaign, a)).local_time == "10:00"  # type: ignore[union-attr]
    status, page = await admin.post(f"/admin/campaigns/{a}/edit", {**form, "confirm": "yes"})
    assert status == 200 and "Friday at 16:30" in page
    async with console.runtime.db.session() as session:
        entry = (await session.exec(select(AuditEntry).where(AuditEntry.action == "campaign.updated"))).one()
    assert entry.actor == f"admin:{ADMIN}" and entry.detail["via"] == "console"
    assert entry.detail["before"]["cadence"]["time"] == "10:00" and entry.detail["after"]["cadence"]["time"] == "16:30"


async def test_the_audit_log_filters_and_exports_what_it_shows(console: Console) -> None:
    admin = await console.signed_in(ADMIN)
    a = console.ids["campaign_a"]
    await admin.get(f"/admin/campaigns/{a}")
    await admin.post(f"/admin/campaigns/{a}/state", {"action": "resume"})
    await admin.post(f"/admin/campaigns/{a}/state", {"action": "pause"})
    status, page = await admin.get("/admin/audit?action=campaign.paused")
    table = page[page.index("<table"):]
    assert status == 200 and "<td>campaign.paused</td>" in table and "campaign.started" not in table
    status, text = await admin.get("/admin/audit/export?action=campaign.&format=csv")
    lines = text.strip().splitlines()
    assert lines[0] == "at,actor,action,target,via,before,after" and len(lines) == 3
    assert f"admin:{ADMIN},campaign.paused,campaign:{a},console,\"\"\"active\"\"\",\"\"\"paused\"\"\"" in lines[1]
    assert "attachment" in admin.last.headers["Content-Disposition"]
    _, none = await admin.get("/admin/audit/export?action=campaign.&until=2000-01-01&format=json")
    assert json.loads(none) == []
