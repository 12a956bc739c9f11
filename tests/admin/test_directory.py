"""The directory: a sync from the Slack Web API double (paged) brings in people nobody has seen, so a
campaign can name them by id, email, user group or channel membership; a CSV import lists every row
it couldn't use with the reason; an erasure takes the person out of groups and audit details."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import aiohttp
import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot.campaigns.audience import resolve_audience
from bot.campaigns.service import save
from bot.campaigns.spec import CampaignSpec, InvalidCampaign
from bot.cli import app
from bot.directory.source import source_for
from bot.directory.sync import sync_directory
from bot.privacy import apply_retention
from storage.tables import AuditEntry, Person, Reply, Share
from storage.tables.admin import DirectoryMember
from adapters.admin.retention import run_once
from bot.clock import FixedClock
from bot.config import Settings
from bot.runtime import build_runtime
from storage.db import Database
from tests.admin.conftest import ADMIN, WS_A, Console, running
from tests.slack.double import SlackDouble
from tests.slack.double import BOT_TOKEN

NEW = "U0NEW"


def directory(console: Console) -> None:
    """Slack knows a leader GoFirst has never met, in a user group and a channel; and a deactivated one."""
    console.double.users.update({NEW: {"name": "Nia Newman", "tz": "America/Chicago", "email": "Nia@Acme.example"},
                                 "U0GONE": {"name": "Gus Gone", "deleted": True}, "U0BOTX": {"name": "bot", "is_bot": True}})
    console.double.usergroups["S0MGR"] = {"handle": "managers", "name": "Managers", "users": [NEW, "U0OUTSIDER"]}
    console.double.channels.update({"C0LEADS": {"name": "leads", "members": [NEW, "U0LEAD"]},
                                    "C0TEAM": {"name": "product-team", "members": ["U0LEAD"]}})
    console.double.page_size = 2  # every list comes back in pages, as Slack's do


async def sync(console: Console, **kwargs: object) -> object:
    services = console.runtime.services
    return await sync_directory(services, WS_A, source_for(services, WS_A), actor="test", via="test", **kwargs)  # type: ignore[arg-type]


async def test_after_a_cli_sync_a_leader_never_seen_can_be_named(console: Console,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    directory(console)
    for name, value in (("GOFIRST_DATABASE_URL", console.runtime.db.url), ("SLACK_BOT_TOKEN", BOT_TOKEN),
                        ("SLACK_API_URL", console.double.url)):
        monkeypatch.setenv(name, value)
    runner = CliRunner()

    async def gofirst(*args: str) -> tuple[int, str]:
        result = await asyncio.to_thread(runner.invoke, app, list(args))  # the double answers on this loop
        return result.exit_code, result.output

    create = ("campaign", "create", "Newcomers", "--pack", "going-first", "--audience-kind", "leaders",
              "--audience", NEW, "-w", WS_A)
    code, out = await gofirst(*create)
    assert code == 2 and f"'{NEW}' matches no leader" in out
    code, out = await gofirst("directory", "sync", "-w", WS_A, "--channel", "leads")
    assert code == 0, out
    assert "6 added, 0 updated, 1 deactivated, 1 user groups, 2 channels" in out  # the bot is left out
    assert "usergroup managers: 1 member(s) not in the people list" in out
    code, out = await gofirst(*create)
    assert code == 0 and "campaign 'Newcomers' created (draft)" in out
    async with console.runtime.db.session() as session:
        nia = (await session.exec(select(Person).where(Person.platform_user_id == NEW))).one()
        gone = (await session.exec(select(Person).where(Person.platform_user_id == "U0GONE"))).one()
        audit = (await session.exec(select(AuditEntry).where(AuditEntry.action == "directory.synced"))).one()
    assert (nia.display_name, nia.email, nia.tz) == ("Nia Newman", "nia@acme.example", "America/Chicago")
    assert gone.inactive_reason == "deactivated in the directory" and audit.actor.startswith("cli:")
    assert console.double.of("users.list")[-1].args["cursor"]  # it really paged


async def test_audiences_by_email_user_group_and_channel_members(console: Console) -> None:
    directory(console)
    await sync(console, channels=["#leads"])
    services = console.runtime.services
    cases = {("leaders", "NIA@acme.example"): [NEW], ("usergroups", "@managers"): [NEW],
             ("channel_members", "#leads"): ["U0LEAD", NEW]}
    for n, ((kind, wanted), expected) in enumerate(cases.items()):
        campaign, _ = await save(services, WS_A, CampaignSpec(name=f"c{n}", pack="going-first", audience_kind=kind,
                                                              audience=[wanted]))
        async with services.db.session() as session:
            found = await resolve_audience(session, campaign)
        assert sorted(p.platform_user_id for p in found.people) == sorted(expected), kind
    for kind, wanted, reason in (("leaders", "ghost@acme.example", "matches nobody with that email"),
                                 ("usergroups", "@nobody", "matches no user group synced from"),
                                 ("channel_members", "#secret", "matches no channel synced from")):
        with pytest.raises(InvalidCampaign) as caught:
            await save(services, WS_A, CampaignSpec(name="x", pack="going-first", audience_kind=kind, audience=[wanted]))
        assert reason in str(caught.value) and "gofirst directory sync" in str(caught.value)


async def test_a_csv_import_lists_each_row_it_could_not_use(console: Console) -> None:
    directory(console)
    await sync(console)
    admin = await console.signed_in(ADMIN)
    await admin.get("/admin/directory")
    csv_text = ("email,platform_id,name,timezone,team_channel,role\n"
                "kim@acme.example,U0KIM,Kim Park,Asia/Seoul,ops-floor,leader\n"
                "nia@acme.example,,,,leads,member\n"
                "who@acme.example,,Who Knows,,,\n"
                ",U0MARS,Mars,Mars/Olympus,,\n")
    form = aiohttp.FormData()
    form.add_field("csrf", admin.csrf)
    form.add_field("file", csv_text.encode(), filename="people.csv", content_type="text/csv")
    async with admin.http.post(admin.base + "/admin/directory/import", data=form,
                               headers={"Origin": admin.base}) as response:
        page = await response.text()
    assert response.status == 200 and "Imported 2 people." in page
    assert "<td>4</td><td>who@acme.example</td><td>nobody with the email who@acme.example" in page
    assert "<td>5</td><td>U0MARS</td><td>unknown timezone &#39;Mars/Olympus&#39;" in page
    async with console.runtime.db.session() as session:
        kim = (await session.exec(select(Person).where(Person.platform_user_id == "U0KIM"))).one()
    assert (kim.tz, kim.email) == ("Asia/Seoul", "kim@acme.example")


async def test_erasure_takes_the_person_out_of_groups_and_audit_details(console: Console) -> None:
    directory(console)
    await sync(console, channels=["leads"])
    await save(console.runtime.services, WS_A, CampaignSpec(name="Nia's", pack="going-first", audience_kind="leaders",
                                                            audience=[NEW]), actor=f"admin:{ADMIN}", via="test")
    async with console.runtime.db.session() as session:
        nia = (await session.exec(select(Person).where(Person.platform_user_id == NEW))).one()
    admin = await console.signed_in(ADMIN)
    status, exported = await admin.get(f"/admin/people/{nia.id}/export")
    assert status == 200 and '"display_name": "Nia Newman"' in exported and '"directory": [' in exported
    await admin.get(f"/admin/people/{nia.id}")
    status, page = await admin.post(f"/admin/people/{nia.id}/erase", {"understood": "yes"})
    assert status == 200 and "The person was erased" in page
    async with console.runtime.db.session() as session:
        assert (await session.exec(select(DirectoryMember).where(DirectoryMember.person_id == nia.id))).all() == []
        entries = (await session.exec(select(AuditEntry).where(AuditEntry.workspace_id == WS_A))).all()
    created = next(e for e in entries if e.action == "campaign.created")
    assert created.detail["after"]["audience"]["ids"] == ["erased"] and NEW not in str([e.detail for e in entries])
    erased = next(e for e in entries if e.action == "person.erased")
    assert erased.target == "erased" and erased.actor == f"admin:{ADMIN}" and erased.detail["after"]["person"] == 1
    assert next(e for e in entries if e.action == "person.exported").target == "erased"


async def test_retention_blanks_old_free_text_and_keeps_the_counts(console: Console) -> None:
    now = console.runtime.services.clock.now()
    async with console.runtime.db.session() as session:
        old = Share(workspace_id=WS_A, leader_id=console.ids["alex"], status="posted", try_text="old words",
                    barrier_themes=["time"], created_at=now - timedelta(days=40))
        new = Share(workspace_id=WS_A, leader_id=console.ids["alex"], status="posted", try_text="new words",
                    created_at=now - timedelta(days=5))
        session.add_all([old, new])
        await session.flush()
        session.add(Reply(workspace_id=WS_A, share_id=old.id or 0, platform_message_id="m1", text="my barrier",
                          themes=["time"], created_at=now - timedelta(days=40)))
    async with console.runtime.db.session() as session:
        assert await apply_retention(session, now, 30) == {WS_A: {"replies": 1, "shares": 1}}
    async with console.runtime.db.session() as session:
        shares = {s.id: s for s in (await session.exec(select(Share))).all()}
        reply = (await session.exec(select(Reply))).one()
        audit = (await session.exec(select(AuditEntry).where(AuditEntry.action == "retention.applied"))).one()
    assert shares[old.id].try_text == "" and shares[old.id].barrier_themes == ["time"]
    assert shares[new.id].try_text == "new words" and (reply.text, reply.themes) == ("", ["time"])
    assert audit.detail["after"] == {"replies": 1, "shares": 1} and audit.detail["days"] == 30


async def test_the_scheduled_retention_pass_follows_the_setting(migrated_db: Database, clock: FixedClock,
                                                               double: SlackDouble) -> None:
    async with running(migrated_db, clock, double, GOFIRST_RETENTION_DAYS=30) as server:
        async with server.runtime.db.session() as session:
            share = Share(workspace_id=WS_A, leader_id=server.ids["alex"], status="posted", try_text="old",
                          created_at=clock.now() - timedelta(days=31))
            session.add(share)
        unset = build_runtime(Settings(GOFIRST_DATABASE_URL=migrated_db.url), clock=clock, db=migrated_db)
        assert unset.settings.retention_days is None and await run_once(unset) == {}  # unset: nothing is deleted
        assert await run_once(server.runtime) == {WS_A: {"replies": 0, "shares": 1}}
        assert await run_once(server.runtime) == {}  # nothing left to blank
