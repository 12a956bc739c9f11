"""APScheduler wiring: jobs persisted per campaign on SQLite, one leader on PostgreSQL with
takeover when the leader's connection dies. Election rounds are driven by hand: no sleeps."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.clock import FixedClock
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from bot.scheduling.scheduler import CampaignScheduler, sync_url
from storage.db import Database
from storage.migrate import upgrade
from storage.tables import Campaign, Nudge
from tests.scheduling.conftest import make_world, utc
from tests.support.postgres import ThrowawayPostgres
from tests.support.recording import RecordingPlatform


async def fresh_runtime(url: str, clock: FixedClock) -> Runtime:
    db = Database(url)
    await upgrade(db)
    runtime = build_runtime(Settings(GOFIRST_DATABASE_URL=url), clock=clock, db=db)
    runtime.services.platforms.register(RecordingPlatform())
    return runtime


@pytest.fixture
async def sqlite_runtime(sqlite_url: str, clock: FixedClock) -> AsyncIterator[Runtime]:
    runtime = await fresh_runtime(sqlite_url, clock)
    yield runtime
    await runtime.db.dispose()


def test_job_store_url_is_the_app_database_with_a_sync_driver() -> None:
    assert sync_url("sqlite+aiosqlite:////data/gofirst.db") == "sqlite:////data/gofirst.db"
    assert sync_url("postgresql+asyncpg://u:p@db/gofirst") is None  # no sync driver installed: memory store


async def job_rows(runtime: Runtime) -> list[str]:
    async with runtime.db.engine.connect() as conn:
        return sorted(r[0] for r in (await conn.execute(text("SELECT id FROM apscheduler_jobs"))).all())


async def test_one_persisted_job_per_active_campaign_survives_a_restart(sqlite_runtime: Runtime, clock: FixedClock) -> None:
    runtime = sqlite_runtime
    clock.set(utc(2026, 11, 29, 12))
    world = await make_world(runtime)
    active = await world.campaign("Weekly", weekday=0)
    await world.campaign("Draft", state="draft")
    first = CampaignScheduler(runtime.services)
    await first.start()
    try:
        assert await job_rows(runtime) == [f"campaign:{active}", "sync-campaigns"]
        before = first.scheduler.get_job(f"campaign:{active}").next_run_time  # type: ignore[union-attr]
    finally:
        await first.stop()
    async with runtime.db.session() as session:  # the catch-up tick at start planned this week's nudges
        assert len((await session.exec(select(Nudge))).all()) == 4

    second = CampaignScheduler(runtime.services)  # a restart: the job comes back from the store
    await second.start()
    try:
        assert second.scheduler.get_job(f"campaign:{active}").next_run_time == before  # type: ignore[union-attr]
        async with runtime.db.session() as session:
            campaign = await session.get(Campaign, active)
            assert campaign is not None
            campaign.state = "paused"
            session.add(campaign)
        await second.sync()
        assert await job_rows(runtime) == ["sync-campaigns"]
        async with runtime.db.session() as session:
            assert len((await session.exec(select(Nudge))).all()) == 4  # planning twice planned nothing new
    finally:
        await second.stop()


@pytest.mark.postgres
async def test_exactly_one_leader_and_takeover_when_it_dies(postgres_server: ThrowawayPostgres, clock: FixedClock) -> None:
    url = postgres_server.create_database()
    a_rt, b_rt = await fresh_runtime(url, clock), await fresh_runtime(url, clock)
    a, b = CampaignScheduler(a_rt.services), CampaignScheduler(b_rt.services)
    try:
        assert await a.elect_once() and a.leading
        assert not await b.elect_once() and not b.leading
        assert not await b.elect_once()
        # the leader's process dies: its connection goes, and PostgreSQL releases the lock
        pid = (await a._lock_conn.execute(text("SELECT pg_backend_pid()"))).scalar()  # type: ignore[union-attr]
        async with b_rt.db.engine.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        # pg_terminate_backend only signals the backend: give it a moment to exit (bounded)
        took_over = False
        for _ in range(100):
            if took_over := await b.elect_once():
                break
            await asyncio.sleep(0.05)
        assert took_over and b.leading  # a following round of the standby takes over
        assert not await a.elect_once() and not a.leading  # the old leader notices and stands down
        assert not await a.elect_once()
    finally:
        await a.stop()
        await b.stop()
        await a_rt.db.dispose()
        await b_rt.db.dispose()
