"""Every migration applies to a database that already holds people and their shares: a migration
that rebuilds a referenced table (Alembic's SQLite batch mode) fails here on its foreign keys,
as it would on a customer's database at upgrade time."""
from __future__ import annotations

from typing import Any

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from storage.db import Database
from storage.migrate import alembic_config, database_heads, script_heads

SEED = [
    "INSERT INTO workspace (id, platform, name, active, created_at) "
    "VALUES ('slack:T1', 'slack', 'Acme', true, '2026-01-05 09:00:00')",
    "INSERT INTO person (workspace_id, platform_user_id, display_name, tz, tz_overridden, work_start, "
    "work_end, quiet_days, is_admin, opted_out, created_at) VALUES ('slack:T1', 'U1', 'Ada', "
    "'Europe/Berlin', false, '09:00', '17:00', '', false, false, '2026-01-05 09:00:00')",
    "INSERT INTO share (workspace_id, leader_id, status, try_text, why_text, barrier_text, ask_text, "
    "barrier_themes, created_at) SELECT 'slack:T1', id, 'posted', 'try', 'why', 'time', 'yours?', '[]', "
    "'2026-01-05 09:00:00' FROM person",
]


def revisions_in_order() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions("base", "heads")))]


async def upgrade_to(db: Database, revision: str) -> None:
    config = alembic_config()

    def run(sync_conn: Any) -> None:
        config.attributes["connection"] = sync_conn
        command.upgrade(config, revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(run)


async def test_each_migration_keeps_a_populated_database(database_url: str) -> None:
    db = Database(database_url)
    try:
        first, *rest = revisions_in_order()
        await upgrade_to(db, first)
        async with db.engine.begin() as conn:
            for statement in SEED:
                await conn.execute(text(statement))
        for revision in rest:
            await upgrade_to(db, revision)
        assert await database_heads(db) == script_heads()
        async with db.engine.connect() as conn:
            people = (await conn.execute(text("SELECT display_name FROM person"))).scalars().all()
            shares = (await conn.execute(text("SELECT count(*) FROM share"))).scalar_one()
        assert (people, shares) == (["Ada"], 1)
    finally:
        await db.dispose()
