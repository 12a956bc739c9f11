"""Starts the campaign scheduler and the delivery worker with the server and stops them with it
(aiohttp startup and cleanup hooks), so `gofirst serve` and `gofirst demo` deliver on their own."""
from __future__ import annotations

import logging
from datetime import timedelta

from aiohttp import web

from bot.config import Settings
from bot.runtime import Runtime
from bot.scheduling.cap import Cap
from bot.delivery.policy import Policy
from bot.scheduling.scheduler import CampaignScheduler
from bot.delivery.worker import DeliveryWorker

log = logging.getLogger(__name__)
SCHEDULER = web.AppKey("scheduler", CampaignScheduler)
WORKER = web.AppKey("delivery_worker", DeliveryWorker)


def build_scheduler(runtime: Runtime) -> CampaignScheduler:
    settings: Settings = runtime.settings
    return CampaignScheduler(runtime.services, cap=Cap(settings.cap_per_day, settings.cap_per_week),
                             grace_hours=settings.grace_hours, horizon=timedelta(hours=settings.plan_horizon_hours),
                             election_interval=settings.election_interval)


def mount(app: web.Application, runtime: Runtime) -> None:
    """Every replica runs a delivery worker; the scheduler runs only in the elected one."""
    scheduler = build_scheduler(runtime)
    worker = DeliveryWorker(runtime.services, Policy.from_settings(runtime.settings),
                            interval=runtime.settings.worker_interval)
    app[SCHEDULER], app[WORKER] = scheduler, worker

    async def start(_app: web.Application) -> None:
        await scheduler.start()
        worker.start()
        log.info("delivery worker started (every %.1fs)", worker.interval)

    async def stop(_app: web.Application) -> None:
        await worker.stop()
        await scheduler.stop()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
