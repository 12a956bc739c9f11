"""APScheduler 3 with exactly one active scheduler across replicas.

PostgreSQL: the leader holds a session-level advisory lock on a dedicated connection; standbys
retry every few seconds, so when the leader dies (its connection drops, the server releases the
lock) another takes over within one election interval. No sync PostgreSQL driver is installed
(only asyncpg), and APScheduler 3's SQLAlchemyJobStore is synchronous, so on PostgreSQL the jobs
live in a MemoryJobStore that the new leader rebuilds from the campaigns table. That loses nothing:
the campaigns table is the source of truth and ticks are idempotent.
SQLite: one process is assumed; jobs persist in an SQLAlchemyJobStore in the same database file."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from datetime import timedelta, timezone

from apscheduler.jobstores.base import BaseJobStore
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.engine.services import Services
from bot.scheduling import jobs
from bot.scheduling.cap import Cap
from bot.scheduling.ticks import active_campaign_ids, plan_campaign
from storage.db import is_sqlite
from storage.tables.scheduling import SchedulerLeader

log = logging.getLogger(__name__)
LOCK_KEY = 0x60F1257  # "GoFirst scheduler": any constant shared by every replica
SYNC_JOB = "sync-campaigns"


def job_id(campaign_id: int) -> str:
    return f"campaign:{campaign_id}"


def sync_url(async_url: str) -> str | None:
    """The synchronous URL for the job store: sqlite+aiosqlite → sqlite (stdlib sqlite3). None for
    PostgreSQL, whose only installed driver (asyncpg) has no synchronous API."""
    url = make_url(async_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return url.set(drivername="sqlite").render_as_string(hide_password=False)
    return None


class CampaignScheduler:
    def __init__(self, services: Services, *, cap: Cap = Cap(), grace_hours: float = 6.0,
                 horizon: timedelta = timedelta(hours=48), election_interval: float = 3.0,
                 sync_seconds: float = 60.0) -> None:
        self.services = services
        self.bound = jobs.Bound(services, cap, grace_hours, horizon, self)
        self.election_interval, self.sync_seconds = election_interval, sync_seconds
        self.scheduler: AsyncIOScheduler | None = None
        self.holder = f"{socket.gethostname()}:{os.getpid()}"
        self._lock_conn: AsyncConnection | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def leading(self) -> bool:
        return self.scheduler is not None

    async def start(self) -> None:
        self._stop.clear()
        if is_sqlite(self.services.db.url):
            await self._lead()
        else:
            self._task = asyncio.create_task(self._elect_forever(), name="gofirst-scheduler-election")

    async def _elect_forever(self) -> None:
        while not self._stop.is_set():
            await self.elect_once()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=self.election_interval)

    async def elect_once(self) -> bool:
        """One round: a standby tries the lock; the leader checks its lock connection is alive."""
        try:
            if self._lock_conn is not None:
                await self._lock_conn.execute(text("SELECT 1"))
                return True
            conn = await self.services.db.engine.connect()
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            got = (await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY})).scalar()
            if not got:
                await conn.close()
                return False
            self._lock_conn = conn
            await self._lead()
            return True
        except Exception as exc:  # lost the database or the lock connection: step down, retry later
            log.warning("scheduler election: %s; standing by", str(exc).splitlines()[0] if str(exc) else exc)
            await self._step_down()
            return False

    def _job_store(self) -> BaseJobStore:
        url = sync_url(self.services.db.url)
        return SQLAlchemyJobStore(url=url) if url else MemoryJobStore()

    async def _lead(self) -> None:
        scheduler = AsyncIOScheduler(jobstores={"default": self._job_store()}, timezone=timezone.utc,
                                     job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})
        scheduler.start(paused=True)  # started before any add_job, or jobs are never persisted
        self.scheduler = scheduler
        jobs.bind(self.bound)
        if scheduler.get_job(SYNC_JOB) is None:
            scheduler.add_job(jobs.SYNC, IntervalTrigger(seconds=self.sync_seconds), id=SYNC_JOB, replace_existing=True)
        await self.sync(catch_up=True)
        scheduler.resume()
        await self._announce()
        log.info("scheduler active in %s", self.holder)

    async def _announce(self) -> None:
        with contextlib.suppress(Exception):
            async with self.services.db.session() as session:
                row = await session.get(SchedulerLeader, "campaigns")
                row = row or SchedulerLeader(name="campaigns", holder=self.holder)
                row.holder, row.since = self.holder, self.services.clock.now()
                session.add(row)

    async def sync(self, catch_up: bool = False) -> None:
        """One job per active campaign (its hourly tick); none for paused, ended or drafts. A new
        campaign, and every campaign when leadership starts, gets a tick at once: catch-up."""
        scheduler = self.scheduler
        if scheduler is None:
            return
        active = await active_campaign_ids(self.services)
        wanted = {job_id(c): c for c in active}
        for job in scheduler.get_jobs():
            if job.id.startswith("campaign:") and job.id not in wanted:
                job.remove()
        for jid, campaign_id in wanted.items():
            fresh = scheduler.get_job(jid) is None
            if fresh:
                scheduler.add_job(jobs.TICK, CronTrigger(minute=campaign_id % 60, timezone=timezone.utc),
                                  args=[campaign_id], id=jid, replace_existing=True)
            if fresh or catch_up:
                await plan_campaign(self.services, campaign_id, cap=self.bound.cap,
                                    grace_hours=self.bound.grace_hours, horizon=self.bound.horizon)

    async def _step_down(self) -> None:
        if self.scheduler is not None:
            with contextlib.suppress(Exception):
                self.scheduler.shutdown(wait=False)
            self.scheduler = None
            jobs.bind(None)
        if self._lock_conn is not None:
            with contextlib.suppress(Exception):
                await self._lock_conn.close()
            self._lock_conn = None

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError):
                await asyncio.wait_for(self._task, timeout=10)
            self._task = None
        if self._lock_conn is not None:
            with contextlib.suppress(Exception):
                await self._lock_conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
        await self._step_down()
