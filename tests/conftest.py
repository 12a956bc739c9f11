"""Shared fixtures: databases on SQLite and on a throwaway PostgreSQL, a migrated runtime with a
fixed clock, and a live server on loopback."""
from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from storage.db import Database
from tests.support.postgres import ThrowawayPostgres, find_bin_dir
from tests.support.templates import MigratedTemplates
from tests.support.recording import RecordingPlatform

# A Tuesday morning in late November 2026.
START = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)


def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    """A fresh server for as long as the fixture lives; skipped (or failed, in CI) without binaries."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        if os.environ.get("GOFIRST_REQUIRE_POSTGRES"):
            pytest.fail("GOFIRST_REQUIRE_POSTGRES is set but no PostgreSQL server binary was found")
        pytest.skip("no PostgreSQL server binary (initdb/pg_ctl) on this machine: apt-get install postgresql")
    server = ThrowawayPostgres(bin_dir).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[ThrowawayPostgres]:
    yield from throwaway_postgres()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """Each test that takes this runs twice: on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'gofirst.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    if "migrated_db" in request.fixturenames:  # made migrated at once: one CREATE, not two
        url = request.getfixturevalue("migrated_templates").postgres_copy(server)
    else:
        url = server.create_database()
    yield url
    server.drop_database(url)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'gofirst.db'}"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory: pytest.TempPathFactory) -> MigratedTemplates:
    return MigratedTemplates(tmp_path_factory.mktemp("migrated"))


@pytest.fixture
async def migrated_db(database_url: str, migrated_templates: MigratedTemplates) -> AsyncIterator[Database]:
    """The database `database_url` names, migrated (a copy of a migrated template: see templates.py)."""
    db = migrated_templates.migrated(database_url)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
async def runtime(migrated_db: Database, clock: FixedClock) -> Runtime:
    return build_runtime(Settings(GOFIRST_DATABASE_URL=migrated_db.url), clock=clock, db=migrated_db)


@pytest.fixture
def platform(runtime: Runtime) -> RecordingPlatform:
    """A recording platform registered as `local`, for engine-level tests without HTTP."""
    recorder = RecordingPlatform()
    runtime.services.platforms.register(recorder)
    return recorder
