"""Health, readiness and metrics over real HTTP."""
from __future__ import annotations

import aiohttp

from bot.clock import FixedClock
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from bot.app.server import build_app
from tests.support.live import serve
from tests.support.postgres import free_port


async def test_healthz_readyz_and_metrics_with_a_live_database(runtime: Runtime) -> None:
    async with serve(build_app(runtime, [])) as base, aiohttp.ClientSession() as http:
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 200 and (await response.json())["database"] == "reachable"
        async with http.get(f"{base}/readyz") as response:
            assert response.status == 200
        async with http.get(f"{base}/metrics") as response:
            assert response.status == 200 and response.content_type == "text/plain"


async def test_healthz_is_503_when_the_database_is_down(clock: FixedClock) -> None:
    url = f"postgresql+asyncpg://gofirst:pw@127.0.0.1:{free_port()}/none"
    runtime = build_runtime(Settings(GOFIRST_DATABASE_URL=url), clock=clock)
    async with serve(build_app(runtime, [])) as base, aiohttp.ClientSession() as http:
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 503 and (await response.json())["database"] == "unreachable"
        async with http.get(f"{base}/readyz") as response:
            assert response.status == 503


async def test_readyz_is_503_on_an_unmigrated_database(sqlite_url: str, clock: FixedClock) -> None:
    runtime = build_runtime(Settings(GOFIRST_DATABASE_URL=sqlite_url), clock=clock)
    async with serve(build_app(runtime, [])) as base, aiohttp.ClientSession() as http:
        async with http.get(f"{base}/readyz") as response:
            body = await response.json()
            assert response.status == 503 and "gofirst db upgrade" in body["reason"]
