"""APScheduler 3 with exactly one active scheduler across replicas.

PostgreSQL: the leader holds a session-level advisory lock on a dedicated connection; standbys
retry every few seconds, so when the leader dies (its connection drops, the server releases the
lock) another takes over within one election interval. SQLite: one process is assumed; it leads.

Jobs live in a MemoryJobStore, rebuilt from the campaigns table when leadership starts and kept in
step by a sync job. The campaigns table is the source of truth and ticks are idempotent, so a
persistent job store would add nothing but cost: APScheduler 3's SQLAlchemyJobStore is synchronous
(its sqlite3 calls would block the event loop, and PostgreSQL has no sync driver installed), and it
forces jobs to be `module:function` strings that reach their services through a module global.
In memory, jobs are bound methods (of CampaignTicks and of this scheduler), as in
python-telegram-bot's JobQueue, so each scheduler carries its own services."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from datetime import timedelta, timezone

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.services import Services
from bot.scheduling.cap import Cap
from bot.scheduling.jobs import CampaignTicks
from bot.scheduling.ticks import active_campaign_ids
from storage.db import is_sqlite
from storage.tables.scheduling import SchedulerLeader

log = logging.getLogger(__name__)
LOCK_KEY = 0x60F1257  # "GoFirst scheduler": any constant shared by every replica
SYNC_JOB = "sync-campaigns"


def job_id(campaign_id: int) -> str:
    return f"campaign:{campaign_id}"


class CampaignScheduler:
    def __init__(self, services: Services, *, cap: Cap = Cap(), grace_hours: float = 6.0,
                 horizon: timedelta = timedelta(hours=48), election_interval: float = 3.0,
                 sync_seconds: float = 60.0) -> None:
        self.services = services
        self.ticks = CampaignTicks(services, cap, grace_hours, horizon)
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

    async def _lead(self) -> None:
        scheduler = AsyncIOScheduler(jobstores={"default": MemoryJobStore()}, timezone=timezone.utc,
                                     job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})
        scheduler.start(paused=True)  # nothing runs until the jobs match the campaigns table
        self.scheduler = scheduler
        scheduler.add_job(self.sync, IntervalTrigger(seconds=self.sync_seconds), id=SYNC_JOB)
        await self.sync()  # the store starts empty, so every active campaign ticks now: catch-up
        scheduler.resume()
        await self._announce()
        log.info("scheduler active in %s", self.holder)
        self.services.metrics.set("gofirst_scheduler_leader", 1)

    async def _announce(self) -> None:
        with contextlib.suppress(Exception):
            async with self.services.db.session() as session:
                row = await session.get(SchedulerLeader, "campaigns")
                row = row or SchedulerLeader(name="campaigns", holder=self.holder)
                row.holder, row.since = self.holder, self.services.clock.now()
                session.add(row)

    async def sync(self) -> None:
        """One job per active campaign (its hourly tick); none for paused, ended or drafts. A
        campaign new to this scheduler gets a tick at once."""
        scheduler = self.scheduler
        if scheduler is None:
            return
        active = await active_campaign_ids(self.services)
        wanted = {job_id(c): c for c in active}
        for job in scheduler.get_jobs():
            if job.id.startswith("campaign:") and job.id not in wanted:
                job.remove()
        for jid, campaign_id in wanted.items():
            if scheduler.get_job(jid) is None:
                scheduler.add_job(self.ticks.tick, CronTrigger(minute=campaign_id % 60, timezone=timezone.utc),
                                  args=[campaign_id], id=jid)
                await self.ticks.tick(campaign_id)

    async def _step_down(self) -> None:
        self.services.metrics.set("gofirst_scheduler_leader", 0)
        if self.scheduler is not None:
            with contextlib.suppress(Exception):
                self.scheduler.shutdown(wait=False)
            self.scheduler = None
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
