"""`gofirst campaign …` as an HR admin uses it: create, preview, lifecycle, YAML round trip, and
validation messages that name the field and the fix."""
from __future__ import annotations

import asyncio
import json
import os
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app
from storage.db import Database
from storage.tables import Campaign, Nudge, Person


async def add_failed_nudge(url: str, campaign_name: str, reason: str) -> None:
    db = Database(url)
    try:
        async with db.session() as session:
            campaign = (await session.exec(select(Campaign).where(Campaign.name == campaign_name))).one()
            alex = (await session.exec(select(Person).where(Person.platform_user_id == "alex"))).one()
            assert campaign.id is not None and alex.id is not None
            session.add(Nudge(workspace_id=campaign.workspace_id, campaign_id=campaign.id, leader_id=alex.id,
                              period="2026-W01", pack="going-first", prompt_id="gf-01", state="failed", last_error=reason))
    finally:
        await db.dispose()


@pytest.fixture
def gofirst(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GOFIRST_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result.output

    invoke("db", "upgrade")
    invoke("seed-demo")
    return invoke


def test_create_preview_and_lifecycle(gofirst) -> None:  # type: ignore[no-untyped-def]
    out = gofirst("campaign", "create", "Fridays", "--pack", "going-first", "--weekday", "fri", "--time", "16:30",
                  "--audience-kind", "leaders", "--audience", "alex", "--channel", "alex=product-team")
    assert "created (draft)" in out
    preview = json.loads(gofirst("campaign", "preview", "Fridays", "--json", "--count", "2"))
    sends = preview["sends"]
    assert [s["leader"] for s in sends] == ["alex", "alex"] and preview["state"] == "draft"
    local = datetime.fromisoformat(sends[0]["at"])  # RFC 3339: any standard parser reads it
    assert local.utcoffset() is not None and "[" not in sends[0]["at"] and sends[0]["zone"] == "Europe/London"
    assert datetime.fromisoformat(preview["generated_at"]).utcoffset() is not None
    assert (local.strftime("%A %H:%M"), sends[0]["status"]) == ("Friday 16:30", "scheduled")

    assert "is active" in gofirst("campaign", "resume", "Fridays")
    asyncio.run(add_failed_nudge(os.environ["GOFIRST_DATABASE_URL"], "Fridays", "channel_not_found"))
    shown = gofirst("campaign", "show", "Fridays")
    assert "! alex 2026-W01: failed — channel_not_found" in shown  # permanent errors are shown to admins
    assert "is paused" in gofirst("campaign", "pause", "Fridays")
    paused = json.loads(gofirst("campaign", "preview", "Fridays", "--json"))["sends"][0]
    assert paused["status"] == "held" and "held back: campaign paused" in paused["reasons"]
    assert "is ended" in gofirst("campaign", "end", "Fridays")
    assert "can't become active" in gofirst("campaign", "resume", "Fridays", code=1)
    listed = json.loads(gofirst("campaign", "list", "--json"))
    assert {c["name"]: c["state"] for c in listed}["Fridays"] == "ended"
    shown = json.loads(gofirst("campaign", "show", "Fridays", "--json"))
    assert shown["campaign"]["team_channels"] == {"alex": "product-team"}


def test_every_validation_error_names_the_field_and_the_fix(gofirst) -> None:  # type: ignore[no-untyped-def]
    out = gofirst("campaign", "create", "Bad", "--pack", "nope", "--cron", "61 * * * *", "--timezone", "Mars/Base",
                  "--start", "2027-02-01", "--end", "2027-01-01", "--audience-kind", "teams", code=2)
    for field, fix in [("pack", "use one of: "), ("cadence.cron", "'0 10 * * mon'"), ("cadence.timezone", "IANA"),
                       ("end_date", "on or after start_date"), ("audience.ids", "list at least one team")]:
        line = next(line for line in out.splitlines() if line.startswith(f"error: {field}:"))
        assert "Fix:" in line and fix in line
    out = gofirst("campaign", "create", "Ghosts", "--pack", "going-first", "--audience-kind", "leaders",
                  "--audience", "ghost", code=2)
    assert "audience.ids: 'ghost' matches no leader" in out
    assert "no campaign named 'Nope'" in gofirst("campaign", "preview", "Nope", code=1)


def test_yaml_export_import_round_trip(gofirst, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    gofirst("campaign", "create", "Fortnightly", "--pack", "going-first", "--weekday", "wed", "--every", "2",
            "--quiet-days", "fri", "--reminder-days", "off", "--audience-kind", "channels", "--audience", "product-team",
            "--start", "2026-12-01", "--end", "2027-03-31", "--activate")
    exported = gofirst("campaign", "export", "Fortnightly")
    data = yaml.safe_load(exported)["campaigns"][0]
    assert data["cadence"] == {"weekday": "wed", "time": "10:00", "every_n_weeks": 2, "cron": None, "timezone": None}
    assert data["reminder_after_days"] is None and data["quiet_days"] == ["fri"] and data["state"] == "active"
    data["name"], data["cadence"]["cron"], data["cadence"]["timezone"] = "Copy", "0 9 * * 1-5", "Asia/Kolkata"
    (tmp_path / "c.yaml").write_text(yaml.safe_dump({"campaigns": [data]}))
    assert "created 'Copy' (active)" in gofirst("campaign", "import", str(tmp_path / "c.yaml"))
    again = yaml.safe_load(gofirst("campaign", "export", "Copy"))["campaigns"][0]
    assert again == data
    (tmp_path / "bad.yaml").write_text("name: X\npack: going-first\ncadence: {cron: '0 10 * * 9'}\n")
    assert "error: cadence.cron:" in gofirst("campaign", "import", str(tmp_path / "bad.yaml"), code=2)
    (tmp_path / "broken.yaml").write_text("name: [unclosed\n")
    assert "is not valid YAML" in gofirst("campaign", "import", str(tmp_path / "broken.yaml"), code=1)


def test_database_down_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOFIRST_DATABASE_URL", "postgresql+asyncpg://gofirst:secret@127.0.0.1:9/gofirst")
    result = CliRunner().invoke(app, ["campaign", "list"])
    assert result.exit_code == 1 and "cannot reach the database" in result.output and "secret" not in result.output


def test_saving_over_a_campaign_needs_replace_and_shows_the_changes(gofirst) -> None:  # type: ignore[no-untyped-def]
    create = ("campaign", "create", "Weekly", "--pack", "going-first", "--audience-kind", "leaders", "--audience", "alex")
    gofirst(*create)
    refused = gofirst(*create, "--time", "16:30", code=1)
    assert "already exists in local:demo; pass --replace" in refused and "cadence.time: 10:00 → 16:30" in refused
    assert json.loads(gofirst("campaign", "show", "Weekly", "--json"))["campaign"]["cadence"]["time"] == "10:00"
    replaced = gofirst(*create, "--time", "16:30", "--replace")
    assert "changes cadence.time: 10:00 → 16:30" in replaced and "replaced (draft)" in replaced
    assert json.loads(gofirst("campaign", "show", "Weekly", "--json"))["campaign"]["cadence"]["time"] == "16:30"


def test_cli_changes_are_audited_with_who_before_and_after(gofirst) -> None:  # type: ignore[no-untyped-def]
    gofirst("campaign", "create", "Audited", "--pack", "going-first", "--audience-kind", "leaders", "--audience", "alex")
    gofirst("campaign", "resume", "Audited")
    entries = [json.loads(line) for line in gofirst("admin", "audit", "--workspace", "local:demo",
                                                    "--action", "campaign.").splitlines()]
    started, created = entries[0], entries[1]
    assert (started["action"], started["detail"]["from"], started["detail"]["to"]) == ("campaign.started", "draft", "active")
    assert created["action"] == "campaign.created" and created["detail"]["before"] is None
    assert created["detail"]["after"]["audience"] == {"kind": "leaders", "ids": ["alex"]}
    assert all(e["actor"].startswith("cli:") and e["detail"]["via"] == "cli" for e in entries)


def test_an_audience_from_csv_lists_who_it_could_not_resolve(gofirst, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "leaders.csv").write_text("platform_id,email,name,timezone,team_channel,role\n"
                                          "kim,kim@acme.example,Kim Park,Asia/Seoul,ops,leader\n"
                                          ",ghost@acme.example,Ghost,,,\n")
    runner = CliRunner()
    result = runner.invoke(app, ["campaign", "create", "From CSV", "--pack", "going-first",
                                 "--audience-csv", str(tmp_path / "leaders.csv")])
    assert result.exit_code == 0, result.output
    assert "line 3 (ghost@acme.example): nobody with the email ghost@acme.example" in result.output
    shown = json.loads(gofirst("campaign", "show", "From CSV", "--json"))["campaign"]
    assert shown["audience"] == {"kind": "leaders", "ids": ["kim"]}
