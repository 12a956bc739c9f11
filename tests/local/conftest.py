"""A real playground server on loopback, on a migrated database, with a fixed clock."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from adapters.local import mount
from adapters.local.routes import PLAYGROUND, Playground
from adapters.local.security import CSRF_HEADER, CSRF_TOKEN
from bot.runtime import Runtime
from bot.app.mounts import privacy_hooks
from bot.app.server import build_app

API = "/playground/api"


@dataclass
class Server:
    url: str
    runtime: Runtime
    playground: Playground
    http: aiohttp.ClientSession

    async def get(self, path: str) -> Any:
        async with self.http.get(f"{self.url}{API}{path}") as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def post(self, path: str, body: Any = None, *, status: int | None = 200, raw: str | None = None
                   ) -> tuple[int, dict[str, Any]]:
        """POSTs JSON (or a raw body) and checks the status unless `status` is None."""
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        async with self.http.post(f"{self.url}{API}{path}", data=data,
                                  headers={"Content-Type": "application/json"}) as response:
            payload = await response.json()
            if status is not None:
                assert response.status == status, payload
            return response.status, payload

    async def messages(self) -> list[dict[str, Any]]:
        return list((await self.get("/state"))["messages"])

    async def dm(self, user: str = "alex") -> list[dict[str, Any]]:
        return [m for m in await self.messages() if m["conversation"] == f"dm:{user}"]

    async def channel(self) -> list[dict[str, Any]]:
        return [m for m in await self.messages() if m["conversation"] == "channel:product-team"]


@pytest.fixture
async def server(runtime: Runtime) -> AsyncIterator[Server]:
    """`build_app` with the playground mounted, served by aiohttp on 127.0.0.1 and a free port."""
    runtime.services.privacy_hooks = list(privacy_hooks())  # as the wiring does: erase reaches the page's rows
    app = build_app(runtime, [mount])
    runner = web.AppRunner(app, shutdown_timeout=5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20),
                                     headers={CSRF_HEADER: app[CSRF_TOKEN]}) as http:  # as the page's script
        yield Server(f"http://{host}:{port}", runtime, app[PLAYGROUND], http)
    await runner.cleanup()
