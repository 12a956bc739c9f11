"""Migrations from code: `gofirst db upgrade`, the start-up check and the tests all use these."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"


class NotMigrated(RuntimeError):
    """The schema is behind the code; the message holds the one-line fix."""


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def script_heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


async def upgrade(db: Database) -> list[str]:
    """Bring the schema to every head; running it twice changes nothing. Returns the heads."""
    config = alembic_config()

    def run(sync_conn: Any) -> None:
        config.attributes["connection"] = sync_conn
        command.upgrade(config, "heads")

    await db.require()
    async with db.engine.begin() as conn:
        await conn.run_sync(run)
    return sorted(await database_heads(db))


async def database_heads(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_heads()))


async def require_current(db: Database) -> None:
    """Refuse to serve on a schema older than the code."""
    await db.require()
    missing = script_heads() - await database_heads(db)
    if missing:
        raise NotMigrated(
            f"the database at {db.safe_url} is not migrated (missing {', '.join(sorted(missing))}); "
            "run `gofirst db upgrade` first"
        )
