"""The console reuses one audited build per workspace until its data changes (SQLite and
PostgreSQL): the same figures come back without a rebuild, and a new reply or a deleted one shows
once the background build is done, and a teammate opting out of analysis or a recorded action each
show on the very next page."""
from __future__ import annotations

from datetime import date

from sqlmodel import select

from bot.insights import Insights, Thresholds, add_action
from bot.insights.cache import cached_insights, settled
from bot.insights.suppression import Key
from storage.db import Database
from storage.tables import Person, Reply, Share
from tests.insights.seed import TODAY, W, seed_pilot

REPLIES = Key("2026-W47", "workspace", W, "replies")


async def current(db: Database) -> Insights:
    async with db.session() as session:
        return await cached_insights(session, W, Thresholds(5, 10), TODAY)


async def refreshed(db: Database) -> Insights:
    """The figures once a content change's background build is done (the first answer is the old build)."""
    await current(db)
    await settled(W)
    return await current(db)


async def test_a_build_is_reused_until_the_data_changes(migrated_db: Database) -> None:
    await seed_pilot(migrated_db)
    first = await current(migrated_db)
    assert await current(migrated_db) is first  # nothing changed: no rebuild
    assert first.figure(REPLIES) == 100

    async with migrated_db.session() as session:
        share = (await session.exec(select(Share).where(Share.week == "2026-W47"))).first()
        author = (await session.exec(select(Reply.author_id).where(Reply.share_id == share.id,  # type: ignore[union-attr]
                                                                  Reply.is_leader == False))).first()  # noqa: E712
        assert share is not None and share.id is not None
        session.add(Reply(workspace_id=W, share_id=share.id, author_id=author, platform_message_id="late-one",
                          themes=["policy"]))
    added = await refreshed(migrated_db)
    assert added is not first and added.figure(REPLIES) == 101

    async with migrated_db.session() as session:
        late = (await session.exec(select(Reply).where(Reply.platform_message_id == "late-one"))).one()
        await session.delete(late)
    removed = await refreshed(migrated_db)
    assert removed.figure(REPLIES) == 100

    async with migrated_db.session() as session:
        person = (await session.exec(select(Person).where(Person.workspace_id == W))).first()
        assert person is not None
        person.analysis_opted_out = True
        session.add(person)
    opted = await current(migrated_db)
    assert opted is not removed and await current(migrated_db) is opted

    async with migrated_db.session() as session:
        await add_action(session, W, "time", "No meetings on Fridays", "HR", date(2026, 11, 9), "dana")
    acted = await current(migrated_db)
    assert acted is not opted and any(p.key.startswith("before:") for p in acted.lattice.periods)
