"""The HR dashboard over HTTP, on SQLite and PostgreSQL, against a synthetic organisation: the
figures on the page are the audited ones (withheld cells say why and where they were pooled), every
table downloads as the same CSV, filters are checked, and recording an action is a guarded,
audited form that the themes page shows at once."""
from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from sqlmodel import select

from adapters.admin.accounts import create_account
from bot.insights import HEADER, Insights, Thresholds, load_insights, to_csv
from bot.insights import cache
from bot.insights.cache import settled
from bot.insights.suppression import Key
from bot.insights.synthetic import generate
from storage.tables import AuditEntry, Reply
from storage.tables.insights import BarrierAction
from tests.admin.conftest import PASSWORD, RIVAL, Client, Console

ACME, HR, READER = "local:acme", "hr@acme.example", "reader@acme.example"
UNTIL = date(2026, 11, 24)  # the console's fixed clock
NUMBER = re.compile(r"<td>([\d,]+)(?: <span| *</td>)")


@pytest.fixture
async def acme(console: Console) -> AsyncIterator[Console]:
    async with console.runtime.db.session() as session:
        await generate(session, ACME, 60, 12, 3, UNTIL)
    await create_account(console.runtime.db, ACME, HR, "admin", PASSWORD)
    await create_account(console.runtime.db, ACME, READER, "viewer", PASSWORD)
    yield console


async def audited(console: Console):  # type: ignore[no-untyped-def]
    async with console.runtime.db.session() as session:
        return await load_insights(session, ACME, Thresholds(), UNTIL)


async def test_outcomes_show_the_audited_figures_and_say_why_the_rest_are_withheld(acme: Console) -> None:
    hr = await acme.signed_in(HR)
    insights = await audited(acme)
    month = insights.periods("month")[-2].key
    status, page = await hr.get(f"/admin/insights?by=department&kind=month&at={month}")
    assert status == 200
    nudged = insights.figure(insights.workspace_key(month, "leaders_nudged"))
    assert nudged and f"<th scope=\"row\">{month}</th><td>{nudged:,}</td>" in page  # the trend table (a closed month)
    assert "<svg class=\"chart\"" in page and "Share rate" in page
    status, weekly = await hr.get("/admin/insights?by=team&kind=week")
    assert status == 200
    assert "withheld" in weekly and "Pooled into department" in weekly  # team weeks are small
    shown = [int(n.replace(",", "")) for n in NUMBER.findall(weekly)]
    assert shown and min(shown) >= 5  # no count on the page describes fewer than five people


async def test_every_table_downloads_as_the_audited_csv(acme: Console) -> None:
    hr = await acme.signed_in(HR)
    insights = await audited(acme)
    status, text = await hr.get("/admin/insights/outcomes.csv?by=team&kind=month&table=groups")
    assert status == 200 and hr.last.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == HEADER
    at = insights.periods("month")[-1].key
    team = insights.groups("team")[0][1]
    mine = [r for r in rows[1:] if r[0] == at and r[2] == team]
    assert mine and all((r[4] == "") == r[5].startswith("withheld") for r in mine)
    assert any(r[5].startswith("pooled figure for withheld rows") for r in rows[1:])
    assert len({r[2] for r in rows[1:] if r[1] == "team"}) == len(insights.groups("team"))  # every page of teams
    status, themes = await hr.get("/admin/insights/themes.csv?kind=quarter&table=trend")
    expected = to_csv(insights.table([Key(p.key, "workspace", ACME, m) for p in insights.periods("quarter")
                                      for m in ("barrier_people", *(f"theme:{t}" for t in (
                                          "time", "fear", "policy", "it_access", "know_how", "control", "system",
                                          "other")))]))
    assert status == 200 and themes == expected


async def test_a_filter_that_does_not_exist_is_a_400_that_names_it(acme: Console) -> None:
    hr = await acme.signed_in(HR)
    for query, named in (("by=floor", "by"), ("kind=decade", "kind"), ("at=1999-01", "at"), ("group=Nowhere", "group"),
                         ("page=-1", "page"), ("theme=weather", "theme")):
        status, page = await hr.get(f"/admin/insights/themes?{query}")
        assert status == 400 and f"“{named}”" in page, query
    status, page = await hr.get("/admin/insights/outcomes.csv?table=everything")
    assert status == 400 and "trend, groups, streaks, campaigns" in page


async def test_hr_records_an_action_and_sees_it_with_its_theme_before_and_after(acme: Console) -> None:
    hr = await acme.signed_in(HR)
    status, page = await hr.get("/admin/insights/themes")
    assert status == 200 and "Record the action" in page
    form = {"theme": "policy", "title": "Expenses need one approval, not three", "owner": "Finance",
            "taken_on": "2026-11-02"}
    status, page = await hr.post("/admin/insights/actions", form)
    assert status == 200 and "Recorded: “Expenses need one approval, not three”" in page
    assert "<th scope=\"row\">Expenses need one approval, not three</th>" in page  # the cached build was refreshed
    async with acme.runtime.db.session() as session:
        entry = (await session.exec(select(AuditEntry).where(AuditEntry.action == "insights.action.add",
                                                             AuditEntry.workspace_id == ACME))).one()
    assert entry.actor == f"admin:{HR}" and entry.detail["theme"] == "policy"

    status, page = await hr.post("/admin/insights/actions", {**form, "title": " ", "taken_on": "02/11/2026"})
    assert status == 400 and "Say what was done" in page and "YYYY-MM-DD" in page
    status, _ = await hr.post("/admin/insights/actions", form, token=False)
    assert status == 403
    status, _ = await hr.post("/admin/insights/actions", form, origin="https://evil.example")
    assert status == 403
    reader = await acme.signed_in(READER)
    status, page = await reader.get("/admin/insights/themes")
    assert "Record the action" not in page and "reads only" in page
    status, _ = await reader.post("/admin/insights/actions", form)
    assert status == 403
    async with acme.runtime.db.session() as session:
        titles = (await session.exec(select(BarrierAction.title).where(BarrierAction.workspace_id == ACME))).all()
    assert list(titles).count(form["title"]) == 1


async def test_another_workspace_sees_only_its_own_nothing(acme: Console) -> None:
    rival: Client = await acme.signed_in(RIVAL)
    for path in ("/admin/insights", "/admin/insights/themes"):
        status, page = await rival.get(path)
        assert status == 200 and "No activity yet" in page and "Pooled" not in page


async def test_a_page_served_from_the_previous_build_says_when_its_figures_are_from(acme: Console) -> None:
    hr = await acme.signed_in(HR)
    status, page = await hr.get("/admin/insights")
    assert status == 200 and "newer figures are being prepared" not in page
    async with acme.runtime.db.session() as session:
        reply = (await session.exec(select(Reply).where(Reply.workspace_id == ACME, Reply.is_leader == False)  # noqa: E712
                                    .limit(1))).one()
        session.add(Reply(workspace_id=ACME, share_id=reply.share_id, author_id=reply.author_id,
                          platform_message_id="late-one", themes=reply.themes))
    for path in ("/admin/insights", "/admin/insights/themes"):
        status, stale = await hr.get(path)
        assert status == 200 and re.search(r"Figures as of \d\d:\d\d UTC; newer figures are being prepared", stale)
    await settled(ACME)
    status, fresh = await hr.get("/admin/insights")
    assert status == 200 and "newer figures are being prepared" not in fresh


async def test_while_figures_are_being_prepared_pages_and_downloads_say_so_and_reload(
        acme: Console, monkeypatch: pytest.MonkeyPatch) -> None:
    held = asyncio.Event()
    real = cache._build

    async def slow(session: Any, key: cache.Key) -> tuple[cache.DataVersion, Insights]:
        await held.wait()
        return await real(session, key)
    monkeypatch.setattr(cache, "PATIENCE", 0.0)
    monkeypatch.setattr(cache, "_build", slow)
    hr = await acme.signed_in(HR)
    for path in ("/admin/insights", "/admin/insights/themes", "/admin/insights/outcomes.csv?table=groups"):
        status, page = await hr.get(path)
        assert status == 503 and "The figures are being prepared" in page and "Pooled" not in page
    held.set()
    await settled(ACME)
    status, page = await hr.get("/admin/insights")
    assert status == 200 and "being prepared" not in page
