"""A campaign for a very large company resolves its whole audience: more leaders than a database
driver can bind in one IN (...) list (asyncpg: 32,767 parameters; SQLite: 32,766 variables)."""
from __future__ import annotations

from sqlalchemy import insert

from bot.campaigns.audience import resolve_audience
from storage.db import Database
from storage.repositories.people import ensure_workspace
from storage.tables import Campaign, Person, Team

WS = "slack:TBIG"
LEADERS = 40_000


async def seed(db: Database) -> None:
    async with db.session() as session:
        await ensure_workspace(session, WS)
        await session.flush()
        await session.exec(insert(Person), params=[  # type: ignore[call-overload]
            {"workspace_id": WS, "platform_user_id": f"U{i:06d}", "display_name": f"Leader {i}"}
            for i in range(LEADERS)])
        await session.commit()


async def test_forty_thousand_listed_leaders_all_resolve(migrated_db: Database) -> None:
    await seed(migrated_db)
    listed = [f"U{i:06d}" for i in range(LEADERS)] + ["U-ghost"]
    async with migrated_db.session() as session:
        audience = await resolve_audience(session, Campaign(workspace_id=WS, name="all", pack="going-first",
                                                            audience_kind="leaders", audience_ids=listed))
    assert len(audience.people) == LEADERS and audience.unknown == ["U-ghost"]


async def test_every_team_leader_of_a_huge_workspace_resolves(migrated_db: Database) -> None:
    await seed(migrated_db)
    async with migrated_db.session() as session:
        ids = list((await session.exec(Person.__table__.select().with_only_columns(  # type: ignore[attr-defined]
            Person.__table__.c.id))).scalars())
        await session.exec(insert(Team), params=[  # type: ignore[call-overload]
            {"workspace_id": WS, "name": f"team {i}", "leader_id": pid, "channel_id": f"C{i}"}
            for i, pid in enumerate(ids)])
        await session.commit()
        audience = await resolve_audience(session, Campaign(workspace_id=WS, name="all", pack="going-first",
                                                            audience_kind="workspace", audience_ids=[]))
    assert len(audience.people) == LEADERS
