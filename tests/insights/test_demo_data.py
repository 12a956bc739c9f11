"""`gofirst demo-data`: a realistic organisation, the same for the same seed, through the
product's own tables, so every report has something to show."""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date
from pathlib import Path

from sqlmodel import col, func, select

from bot.insights import Thresholds, barriers, campaign_trends, load_insights
from bot.insights.synthetic import generate
from storage.db import Database
from storage.migrate import upgrade
from storage.tables import Membership, Nudge, Person, Reply, Share, Team
from tests.test_cli import gofirst

UNTIL = "2026-11-30"


def filled(tmp_path: Path, name: str, *args: str) -> dict[str, str]:
    env = {"GOFIRST_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / name}"}
    assert gofirst("db", "upgrade", env=env).returncode == 0
    result = gofirst("demo-data", "--workspace", "local:acme", "--until", UNTIL, *args, env=env)
    assert result.returncode == 0, result.stderr
    return env


def test_the_same_seed_gives_the_same_organisation_and_another_seed_another(tmp_path: Path) -> None:
    runs = [filled(tmp_path, f"{n}.db", "--leaders", "25", "--weeks", "6", "--seed", seed)
            for n, seed in enumerate(["4", "4", "5"])]
    exports = [gofirst("report", "export", "--workspace", "local:acme", "--by", "team", env=env).stdout for env in runs]
    assert exports[0] == exports[1] and exports[0] != exports[2]
    assert exports[0].count("\n") > 1000


async def test_the_organisation_looks_like_one(migrated_db: Database) -> None:
    async with migrated_db.session() as session:
        summary = await generate(session, "local:acme", 60, 10, 11, date(2026, 11, 30))
    async with migrated_db.session() as session:
        sizes = Counter((await session.exec(select(Membership.team_id))).all())
        names = (await session.exec(select(Person.display_name))).all()
        zones = set((await session.exec(select(Person.tz))).all())
        themes = Counter(t for row in (await session.exec(select(Reply.themes))).all() for t in row)
        answered = (await session.exec(select(func.count()).select_from(Reply).where(col(Reply.is_leader)))).one()
        weeks = set((await session.exec(select(Nudge.period))).all())
        insights = await load_insights(session, "local:acme", Thresholds(5, 10), date(2026, 11, 30))
    assert summary.teams == 60 and len(sizes) == 60 and min(sizes.values()) >= 3 and max(sizes.values()) <= 12
    assert summary.replies > 60 * 10 and answered > 0 and summary.shares < summary.nudges
    assert len(set(names)) > 200 and len(zones) >= 5 and len(weeks) == 10
    assert {"time", "fear", "it_access", "policy", "system"} <= set(themes)
    assert barriers(insights).themes and campaign_trends(insights)  # there is something to show


def test_it_fills_only_an_empty_workspace_and_names_the_flag(tmp_path: Path) -> None:
    env = filled(tmp_path, "a.db", "--leaders", "3", "--weeks", "2")
    again = gofirst("demo-data", "--workspace", "local:acme", "--leaders", "3", env=env)
    assert again.returncode == 1 and "--workspace: workspace 'local:acme' already has" in again.stderr
    bad = gofirst("demo-data", "--workspace", "acme", env=env)
    assert bad.returncode == 1 and "--workspace:" in bad.stderr and "platform:id" in bad.stderr


def test_a_thousand_leaders_fit_in_a_demo(tmp_path: Path) -> None:
    """Not a timing test: it checks the generator stays bulk (a row-by-row writer would take minutes)."""
    async def go() -> tuple[int, int]:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'big.db'}")
        await upgrade(db)
        async with db.session() as session:
            summary = await generate(session, "local:big", 1000, 3, 1, date(2026, 11, 30))
        async with db.session() as session:
            teams = (await session.exec(select(func.count()).select_from(Team))).one()
            shares = (await session.exec(select(func.count()).select_from(Share))).one()
        await db.dispose()
        assert summary.shares == shares
        return teams, shares

    teams, shares = asyncio.run(go())
    assert teams == 1000 and shares > 1000
