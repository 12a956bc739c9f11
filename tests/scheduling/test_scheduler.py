"""APScheduler wiring: jobs in memory, rebuilt from the campaigns table and bound to their own
scheduler's services; one leader on PostgreSQL with takeover when the leader's connection dies.
Jobs and election rounds are driven by hand: no sleeps."""
from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlmodel import func, select

from bot.clock import FixedClock
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from bot.scheduling.scheduler import SYNC_JOB, CampaignScheduler
from storage.db import Database
from storage.migrate import upgrade
from storage.tables import Campaign, Nudge
from tests.scheduling.conftest import World, make_world, restarted, utc
from tests.support.postgres import ThrowawayPostgres
from tests.support.recording import RecordingPlatform

SUNDAY_NOON = utc(2026, 11, 29, 12)  # a weekly Monday campaign plans its four leaders' nudges now
WEEK = utc(2026, 12, 6, 12) - SUNDAY_NOON


async def fresh_runtime(url: str, clock: FixedClock) -> Runtime:
    db = Database(url)
    await upgrade(db)
    runtime = build_runtime(Settings(GOFIRST_DATABASE_URL=url), clock=clock, db=db)
    runtime.services.platforms.register(RecordingPlatform())
    return runtime


@pytest.fixture
async def sqlite_runtime(sqlite_url: str, clock: FixedClock) -> AsyncIterator[Runtime]:
    clock.set(SUNDAY_NOON)
    runtime = await fresh_runtime(sqlite_url, clock)
    yield runtime
    await runtime.db.dispose()


def job_ids(scheduler: CampaignScheduler) -> list[str]:
    assert scheduler.scheduler is not None, "not leading"
    return sorted(job.id for job in scheduler.scheduler.get_jobs())


async def run_job(scheduler: CampaignScheduler, job_id: str) -> Any:
    """What APScheduler does when the job is due: call the job's own callable with its args."""
    assert scheduler.scheduler is not None, "not leading"
    job = scheduler.scheduler.get_job(job_id)
    assert job is not None, f"no job {job_id}"
    return await job.func(*job.args, **job.kwargs)


async def nudge_count(runtime: Runtime) -> int:
    async with runtime.db.session() as session:
        return (await session.exec(select(func.count()).select_from(Nudge))).one()


async def set_state(runtime: Runtime, campaign_id: int, state: str) -> None:
    async with runtime.db.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        campaign.state = state
        session.add(campaign)


async def test_the_scheduler_opens_no_sqlite3_connection_on_the_event_loop(
        sqlite_runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """aiosqlite connects in its own thread; a synchronous job store would connect on the loop's."""
    loop_thread, on_loop = threading.current_thread(), []
    real_connect = sqlite3.connect

    def watched(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        if threading.current_thread() is loop_thread:
            on_loop.append(args)
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", watched)
    monkeypatch.setattr(sqlite3.dbapi2, "connect", watched)
    world = await make_world(sqlite_runtime)
    active = await world.campaign("Weekly", weekday=0)
    scheduler = CampaignScheduler(sqlite_runtime.services)
    await scheduler.start()
    try:
        assert job_ids(scheduler) == [f"campaign:{active}", SYNC_JOB]
        await run_job(scheduler, SYNC_JOB)
        await run_job(scheduler, f"campaign:{active}")
    finally:
        await scheduler.stop()
    assert on_loop == []
    async with sqlite_runtime.db.engine.connect() as conn:  # and nothing of APScheduler's in the database
        tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
    assert not [t for t in tables if t.startswith("apscheduler")]


async def test_a_restart_rebuilds_the_jobs_from_the_campaigns_table(sqlite_runtime: Runtime) -> None:
    runtime = sqlite_runtime
    world = await make_world(runtime)
    weekly = await world.campaign("Weekly", weekday=0)
    later = await world.campaign("Later", state="draft", weekday=0)
    first = CampaignScheduler(runtime.services)
    await first.start()
    try:
        assert job_ids(first) == [f"campaign:{weekly}", SYNC_JOB]  # drafts get no job
    finally:
        await first.stop()
    assert await nudge_count(runtime) == 4  # the catch-up tick at start planned this week's nudges

    await set_state(runtime, weekly, "paused")  # while no scheduler runs, an admin changes both
    await set_state(runtime, later, "active")
    second = CampaignScheduler(runtime.services)
    await second.start()
    try:
        assert job_ids(second) == [f"campaign:{later}", SYNC_JOB]
        assert await nudge_count(runtime) == 8  # the newly active campaign ticked at start
        await run_job(second, f"campaign:{later}")
        assert await nudge_count(runtime) == 8  # planning twice plans nothing new
    finally:
        await second.stop()


async def test_sync_picks_up_what_an_admin_changed_in_another_process(sqlite_runtime: Runtime,
                                                                      clock: FixedClock) -> None:
    runtime = sqlite_runtime
    await make_world(runtime)
    scheduler = CampaignScheduler(runtime.services)
    await scheduler.start()
    admin = restarted(runtime, clock)  # e.g. `gofirst campaign activate` on the same database
    try:
        assert job_ids(scheduler) == [SYNC_JOB] and await nudge_count(runtime) == 0
        campaign = await World(admin).campaign("Weekly", weekday=0)
        await run_job(scheduler, SYNC_JOB)
        assert job_ids(scheduler) == [f"campaign:{campaign}", SYNC_JOB]
        assert await nudge_count(runtime) == 4  # activated campaigns tick at once, not an hour later
        await set_state(admin, campaign, "ended")
        await run_job(scheduler, SYNC_JOB)
        assert job_ids(scheduler) == [SYNC_JOB]
    finally:
        await scheduler.stop()
        await admin.db.dispose()


async def test_two_schedulers_in_one_process_each_tick_their_own_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    clocks = FixedClock(SUNDAY_NOON), FixedClock(SUNDAY_NOON)
    runtimes = [await fresh_runtime(f"sqlite+aiosqlite:///{tmp_path / name}.db", c) for name, c in zip("ab", clocks)]
    schedulers = [CampaignScheduler(r.services) for r in runtimes]
    ids = []
    for runtime, scheduler in zip(runtimes, schedulers):
        ids.append(await (await make_world(runtime)).campaign("Weekly", weekday=0))
        await scheduler.start()
    try:
        assert [await nudge_count(r) for r in runtimes] == [4, 4]  # each caught up on its own data
        clocks[0].advance(WEEK)  # only a's clock reaches next week
        await run_job(schedulers[0], f"campaign:{ids[0]}")
        assert [await nudge_count(r) for r in runtimes] == [8, 4]
        await schedulers[0].stop()  # stopping one leaves the other's jobs working
        clocks[1].advance(WEEK)
        await run_job(schedulers[1], f"campaign:{ids[1]}")
        assert [await nudge_count(r) for r in runtimes] == [8, 8]
    finally:
        for scheduler in schedulers:
            await scheduler.stop()
        for runtime in runtimes:
            await runtime.db.dispose()


@pytest.mark.postgres
async def test_exactly_one_leader_and_takeover_when_it_dies(postgres_server: ThrowawayPostgres, clock: FixedClock) -> None:
    url = postgres_server.create_database()
    a_rt, b_rt = await fresh_runtime(url, clock), await fresh_runtime(url, clock)
    a, b = CampaignScheduler(a_rt.services), CampaignScheduler(b_rt.services)
    campaign = await (await make_world(a_rt)).campaign("Weekly", weekday=0)
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
        assert job_ids(b) == [f"campaign:{campaign}", SYNC_JOB]  # rebuilt from the campaigns table
        assert not await a.elect_once() and not a.leading  # the old leader notices and stands down
        assert not await a.elect_once()
    finally:
        await a.stop()
        await b.stop()
        await a_rt.db.dispose()
        await b_rt.db.dispose()
