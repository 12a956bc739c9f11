"""The schema on SQLite and PostgreSQL: migrations match the tables, and duplicates are impossible."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from storage.db import Database
from storage.migrate import database_heads, script_heads, upgrade
from storage.repositories.people import ensure_person, ensure_workspace
from storage.tables import Campaign, Nudge, Reply, Share


# Tables whose shape a library defines (slack_sdk's installation and state stores, APScheduler's
# job store); our migrations create them, but they are not on our metadata.
LIBRARY_TABLE_PREFIXES = ("slack_", "apscheduler_")


def ours(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    table = getattr(obj, "table", obj) if type_ != "table" else obj
    table_name = getattr(table, "name", name) or ""
    return not table_name.startswith(LIBRARY_TABLE_PREFIXES)


async def test_migrations_create_exactly_the_tables_the_code_declares(migrated_db: Database) -> None:
    def compare(conn):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(conn, opts={"include_object": ours, "compare_type": True})
        return compare_metadata(context, SQLModel.metadata)

    async with migrated_db.engine.connect() as conn:
        diff = await conn.run_sync(compare)
    assert diff == []


async def test_upgrade_twice_changes_nothing(migrated_db: Database) -> None:
    assert await database_heads(migrated_db) == script_heads()
    assert sorted(script_heads()) == await upgrade(migrated_db)


async def seeded(db: Database) -> tuple[int, int]:
    async with db.session() as session:
        await ensure_workspace(session, "local:t")
        leader = await ensure_person(session, "local:t", "lead")
        campaign = Campaign(workspace_id="local:t", name="c", pack="going-first")
        session.add(campaign)
        await session.flush()
        assert leader.id and campaign.id
        return leader.id, campaign.id


async def test_one_nudge_per_campaign_leader_and_period(migrated_db: Database) -> None:
    leader_id, campaign_id = await seeded(migrated_db)

    def nudge() -> Nudge:
        return Nudge(workspace_id="local:t", campaign_id=campaign_id, leader_id=leader_id, period="2026-W48",
                     pack="going-first", prompt_id="gf-01")

    async with migrated_db.session() as session:
        session.add(nudge())
    with pytest.raises(IntegrityError):
        async with migrated_db.session() as session:
            session.add(nudge())


async def test_one_reply_per_platform_message(migrated_db: Database) -> None:
    leader_id, _ = await seeded(migrated_db)
    async with migrated_db.session() as session:
        share = Share(workspace_id="local:t", leader_id=leader_id)
        session.add(share)
        await session.flush()
        session.add(Reply(workspace_id="local:t", share_id=share.id or 0, platform_message_id="m1"))
    with pytest.raises(IntegrityError):
        async with migrated_db.session() as session:
            session.add(Reply(workspace_id="local:t", share_id=share.id or 0, platform_message_id="m1"))


async def test_the_same_person_is_created_once(migrated_db: Database) -> None:
    async with migrated_db.session() as session:
        await ensure_workspace(session, "local:t")
        first = await ensure_person(session, "local:t", "u1", "Ann")
        again = await ensure_person(session, "local:t", "u1", "Ann")
    assert first.id == again.id
