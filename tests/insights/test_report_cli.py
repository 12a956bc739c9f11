"""`gofirst report …` as HR meets it: real subprocesses on a real database."""
from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

import pytest
from sqlmodel import select

from storage.db import Database
from storage.migrate import upgrade
from storage.repositories.people import ensure_person, ensure_workspace
from storage.tables import AuditEntry, Reply, Share, Team
from tests.insights.seed import W, seed_pilot
from tests.test_cli import gofirst


def prepared(url: str, seed=seed_pilot) -> dict[str, str]:  # type: ignore[no-untyped-def]
    async def go() -> None:
        db = Database(url)
        await upgrade(db)
        await seed(db)
        await db.dispose()

    asyncio.run(go())
    return {"GOFIRST_DATABASE_URL": url}


@pytest.fixture
def pilot_env(sqlite_url: str) -> dict[str, str]:
    return prepared(sqlite_url)


def test_export_is_utf8_csv_with_the_header_and_a_note_for_every_withheld_value(pilot_env: dict[str, str],
                                                                                 tmp_path: Path) -> None:
    out = tmp_path / "teams.csv"
    result = gofirst("report", "export", "--workspace", W, "--format", "csv", "--by", "team", "--output", str(out),
                     env=pilot_env)
    assert result.returncode == 0, result.stderr
    text = out.read_bytes().decode("utf-8")
    assert text.splitlines()[0] == "period,group_kind,group,metric,value,note"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["group"] for r in rows if r["group_kind"] == "team"} == {f"Équipe {n}" for n in range(1, 11)}
    for row in rows:
        assert (row["value"] == "") == row["note"].startswith("withheld:"), row
    nudged = next(r for r in rows if (r["period"], r["group"], r["metric"]) == ("2026-10", "Équipe 3", "leaders_nudged"))
    assert nudged["value"] == "" and "pooled into department Eng, 2026-10" in nudged["note"]
    pooled = next(r for r in rows if (r["period"], r["group"], r["metric"]) == ("2026-10", "Eng", "leaders_nudged"))
    assert pooled["value"] == "5" and pooled["note"].startswith("pooled figure")


def test_export_by_campaign_and_by_week_to_standard_output(pilot_env: dict[str, str]) -> None:
    by_campaign = gofirst("report", "export", "--workspace", W, "--by", "campaign", "--period", "quarter", env=pilot_env)
    assert by_campaign.returncode == 0, by_campaign.stderr
    assert "2026-Q4,campaign,Pilot,leaders_nudged,10," in by_campaign.stdout
    assert "2026-Q4,campaign,Pilot,share_rate,1," in by_campaign.stdout  # every leader nudged shared some week
    by_week = gofirst("report", "export", "--workspace", W, "--by", "week", env=pilot_env)
    assert "2026-W40,workspace,local:pilot,shares_posted,5," in by_week.stdout
    assert "streak:" not in by_week.stdout  # streaks are read at the end of a month or longer


@pytest.mark.parametrize("args, flag", [
    (("export", "--by", "floor"), "--by"), (("export", "--by", "team", "--format", "xlsx"), "--format"),
    (("export", "--by", "team", "--period", "decade"), "--period"), (("outcomes", "--by", "desk"), "--by")])
def test_bad_flags_are_named_with_the_fix(pilot_env: dict[str, str], args: tuple[str, ...], flag: str) -> None:
    result = gofirst("report", *args, "--workspace", W, env=pilot_env)
    assert result.returncode == 1 and f"error: {flag}:" in result.stderr and "use" in result.stderr


def test_an_unknown_workspace_is_named_with_the_known_ones(pilot_env: dict[str, str]) -> None:
    result = gofirst("report", "outcomes", "--workspace", "local:nope", env=pilot_env)
    assert result.returncode == 1 and "--workspace" in result.stderr and "local:pilot" in result.stderr


@pytest.mark.parametrize("command, options", [
    (("barriers",), ("--workspace", "--by", "--period", "--last", "--json")),
    (("outcomes",), ("--workspace", "--by", "--period", "--json")),
    (("export",), ("--workspace", "--by", "--format", "--period", "--output")),
    (("action", "add"), ("--workspace", "--theme", "--title", "--owner", "--date", "--recorded-by")),
    (("action", "list"), ("--workspace", "--json"))])
def test_every_report_command_has_complete_help(command: tuple[str, ...], options: tuple[str, ...]) -> None:
    result = gofirst("report", *command, "--help")
    assert result.returncode == 0 and all(option in result.stdout for option in options)


def test_outcomes_show_the_campaign_trend(pilot_env: dict[str, str]) -> None:
    result = gofirst("report", "outcomes", "--workspace", W, "--by", "campaign", "--json", env=pilot_env)
    trend = json.loads(result.stdout)["trends"][0]
    rates = {c["metric"]: [c["before"], c["after"]] for c in trend["changes"]}
    assert rates["share_rate"] == [0.5, 1.0] and rates["replies_per_share"] == [5.0, 10.0]


async def six_people_five_name_time(db: Database) -> None:
    """The issue's case: the leader and four teammates name time, a fifth teammate names fear."""
    async with db.session() as session:
        await ensure_workspace(session, "local:six")
        leader = await ensure_person(session, "local:six", "lead")
        team = Team(workspace_id="local:six", name="T", leader_id=leader.id, channel_id="c")
        session.add(team)
        share = Share(workspace_id="local:six", leader_id=leader.id or 0, status="posted", week="2026-W48",
                      barrier_themes=["time"])
        session.add(share)
        await session.flush()
        for n, theme in enumerate(["time", "time", "time", "time", "fear"]):
            person = await ensure_person(session, "local:six", f"p{n}")
            session.add(Reply(workspace_id="local:six", share_id=share.id or 0, author_id=person.id,
                              platform_message_id=f"r{n}", themes=[theme]))


def test_report_barriers_no_longer_lets_the_total_give_the_sixth_person_away(sqlite_url: str) -> None:
    env = {**prepared(sqlite_url, six_people_five_name_time), "GOFIRST_MIN_GROUP_SIZE_TEXT": "5"}
    result = gofirst("report", "barriers", "--workspace", "local:six", "--json", env=env)
    assert result.returncode == 0, result.stderr
    [report] = json.loads(result.stdout)
    themes = {t["theme"]: t["people"] for t in report["themes"]}
    assert themes == {"time": 5} and report["people"] is None
    table = gofirst("report", "barriers", "--workspace", "local:six", env=env).stdout
    assert "Time" in table and "6 people" not in table


def test_an_action_is_recorded_audited_and_listed_with_the_theme_before_and_after(pilot_env: dict[str, str],
                                                                                   sqlite_url: str) -> None:
    added = gofirst("report", "action", "add", "--workspace", W, "--theme", "it_access", "--title",
                    "IT unblocked the wiki on VPN", "--owner", "IT", "--date", "2026-10-26", "--recorded-by", "dana",
                    env=pilot_env)
    assert added.returncode == 0 and "action #1 recorded: IT or tool access — IT unblocked the wiki on VPN" in added.stdout
    listed = gofirst("report", "action", "list", "--workspace", W, env=pilot_env)
    assert "#1 2026-10-26 IT or tool access: IT unblocked the wiki on VPN (IT)" in listed.stdout
    assert "people naming it: 25 in before:2026-W40..2026-W43 → withheld in after:2026-W45..2026-W48 (unknown)" \
        in listed.stdout  # nobody named it after: a zero is withheld like any small figure

    async def audit() -> list[AuditEntry]:
        db = Database(sqlite_url)
        async with db.session() as session:
            found = list((await session.exec(select(AuditEntry).where(AuditEntry.action == "insights.action.add"))).all())
        await db.dispose()
        return found

    [entry] = asyncio.run(audit())
    assert entry.actor == "dana" and entry.detail["theme"] == "it_access" and entry.target == "insights_action:1"


@pytest.mark.parametrize("args, expected", [
    (("--theme", "vibes"), "theme 'vibes' is not a barrier theme; use one of time, fear"),
    (("--theme", "time", "--date", "last tuesday"), "--date: 'last tuesday' is not a date")])
def test_a_bad_action_says_what_to_write(pilot_env: dict[str, str], args: tuple[str, ...], expected: str) -> None:
    result = gofirst("report", "action", "add", "--workspace", W, "--title", "x", "--owner", "IT", *args, env=pilot_env)
    assert result.returncode == 1 and expected in result.stderr


def test_barriers_by_week_show_each_theme_against_the_week_before(pilot_env: dict[str, str]) -> None:
    result = gofirst("report", "barriers", "--workspace", W, "--period", "week", "--last", "9", env=pilot_env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    week45 = lines[lines.index("local:pilot · 2026-W45: 50 people named barriers") + 1]
    assert week45.split() == ["Time", "50", "→", "since", "2026-W44", "(50)"]
    week41 = lines[lines.index("local:pilot · 2026-W41: 25 people named barriers") + 1]
    assert week41.split()[:4] == ["IT", "or", "tool", "access"] and "since 2026-W40 (25)" in week41
