"""Migrated databases by copy. Running every migration costs about a second a test on PostgreSQL and
a third of one on SQLite; the migrations run once per session and backend instead, and each test gets
a copy of the result: the SQLite file copied, or `CREATE DATABASE … TEMPLATE` on PostgreSQL (in
place of the empty database a test without migrations gets). A copy holds exactly what `upgrade`
built (alembic's version table included), so the tests see the same schema; a broken migration
still fails every test that needs a migrated database."""
from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.demo import seed_demo
from bot.runtime import build_runtime
from storage.db import Database, is_sqlite
from storage.migrate import upgrade
from tests.support.postgres import ThrowawayPostgres, on_own_loop

TEMPLATE = "gofirst_migrated_template"


def migrate(url: str) -> None:
    """Runs the migrations on a loop of their own: the SQLite template is built inside a test's loop."""
    async def run() -> None:
        db = Database(url)
        try:
            await upgrade(db)
        finally:
            await db.dispose()

    on_own_loop(run())


class MigratedTemplates:
    """One migrated database per backend, built the first time a test asks for it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._sqlite: Path | None = None
        self._postgres: set[int] = set()  # ports of servers that hold a migrated template
        self._copies: set[str] = set()  # PostgreSQL URLs handed out already migrated

    def sqlite(self) -> Path:
        if self._sqlite is None:
            path = self.folder / "migrated.db"
            migrate(f"sqlite+aiosqlite:///{path}")
            self._sqlite = path
        return self._sqlite

    def postgres_copy(self, server: ThrowawayPostgres) -> str:
        """A new database on `server` holding what the migrations build: one CREATE, no migration."""
        if server.port not in self._postgres:
            migrate(server.create_database(TEMPLATE))
            self._postgres.add(server.port)
        url = server.create_database(template=TEMPLATE)
        self._copies.add(url)
        return url

    def migrated(self, url: str) -> Database:
        """The database at `url` with the migrated schema: a new SQLite file is filled with a copy of
        the template (the backup API copies a consistent file whatever the journal mode); a
        PostgreSQL URL must come from `postgres_copy`."""
        if is_sqlite(url):
            target = make_url(url).database
            assert target and not Path(target).exists(), f"{url}: expected a new SQLite file"
            with closing(sqlite3.connect(self.sqlite())) as source, closing(sqlite3.connect(target)) as copy:
                source.backup(copy)
        else:
            assert url in self._copies, f"{url}: not a migrated copy (use postgres_copy)"
        return Database(url)


async def demo_database(templates: MigratedTemplates, url: str) -> None:
    """The demo workspace in a new migrated SQLite file, seeded in-process for tests that then run
    the CLI on it (`gofirst db upgrade` and `gofirst seed-demo` themselves are tested in test_cli.py)."""
    db = templates.migrated(url)
    try:
        await seed_demo(build_runtime(Settings(GOFIRST_DATABASE_URL=url), db=db).services)
    finally:
        await db.dispose()
