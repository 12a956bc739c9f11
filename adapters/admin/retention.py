"""Runs bot.privacy's retention on a schedule while the server is up (GOFIRST_RETENTION_DAYS):
once at start-up, then every few hours. Idempotent, so replicas may each run it."""
from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web

from bot.privacy import apply_retention
from bot.runtime import Runtime

log = logging.getLogger(__name__)
EVERY_SECONDS = 6 * 3600.0
TASK = web.AppKey("retention_task", asyncio.Task[None])


async def run_once(runtime: Runtime) -> dict[str, dict[str, int]]:
    days = runtime.settings.retention_days
    if days is None:
        return {}
    async with runtime.db.session() as session:
        done = await apply_retention(session, runtime.services.clock.now(), days)
    if done:
        log.info("retention: free text older than %d days blanked in %s", days, ", ".join(sorted(done)))
    return done


def start_retention(app: web.Application, runtime: Runtime) -> None:
    if runtime.settings.retention_days is None:
        return

    async def loop() -> None:
        while True:
            try:
                await run_once(runtime)
            except Exception:
                log.exception("retention pass failed; trying again at the next one")
            await asyncio.sleep(EVERY_SECONDS)

    async def start(_app: web.Application) -> None:
        app[TASK] = asyncio.ensure_future(loop())

    async def stop(_app: web.Application) -> None:
        app[TASK].cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await app[TASK]

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
