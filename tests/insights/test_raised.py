"""System barriers leaders raised with HR from their digests count on the dashboard by leaders,
on SQLite and PostgreSQL, held to the free-text minimum like every theme: ten leaders raising IT
access in a week shows, five do not (nor does any one team's, which has one leader)."""
from __future__ import annotations

from sqlmodel import select

from bot.insights import Thresholds, load_insights
from bot.insights.suppression import Key
from storage.db import Database
from storage.tables import Share
from storage.tables.raised import RaisedBarrier
from tests.insights.seed import TODAY, W, seed_pilot


async def raised_by(db: Database, leaders: int, week: str = "2026-W44") -> dict[str, int | float | None]:
    await seed_pilot(db)
    async with db.session() as session:
        shares = (await session.exec(select(Share).where(Share.workspace_id == W, Share.week == week)
                                     .order_by(Share.id))).all()
        for share in shares[:leaders]:
            session.add(RaisedBarrier(workspace_id=W, share_id=share.id, team_id=share.team_id, week=week,
                                      theme="it_access"))
    async with db.session() as session:
        insights = await load_insights(session, W, Thresholds(5, 10), TODAY)
    key = Key(week, "workspace", W, "raised:it_access")
    return {"workspace": insights.figure(key), "all": insights.figure(key._replace(period="all")),
            "team": insights.figure(Key(week, "team", "Équipe 1", "raised:it_access")),
            "eng": insights.figure(Key(week, "department", "Eng", "raised:it_access"))}


async def test_ten_leaders_raising_a_theme_show_and_no_team_does(migrated_db: Database) -> None:
    assert await raised_by(migrated_db, 10) == {"workspace": 10, "all": 10, "team": None, "eng": None}


async def test_five_leaders_raising_a_theme_stay_withheld(migrated_db: Database) -> None:
    assert await raised_by(migrated_db, 5) == {"workspace": None, "all": None, "team": None, "eng": None}
