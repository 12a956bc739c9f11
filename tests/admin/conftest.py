"""A live server with the Slack edge (against the Web API double) and the HR console, two tenants,
and browser-like clients: each has its own cookies and sends forms with the page's CSRF token."""
from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from adapters.admin import console_mount
from adapters.admin.accounts import create_account
from adapters.slack import mount as mount_slack
from bot.app.mounts import privacy_hooks
from bot.app.server import build_app
from bot.clock import FixedClock
from bot.runtime import Runtime, build_runtime
from storage.db import Database
from storage.repositories.people import ensure_person, ensure_workspace
from storage.tables import Campaign, Team
from tests.slack.conftest import double, settings_for  # noqa: F401  (the Web API double fixture)
from tests.slack.double import BOT_TOKEN, SlackDouble

WS_A, WS_B = "slack:T0GOFIRST", "local:rival"
ADMIN, VIEWER, RIVAL = "dana@acme.example", "vic@acme.example", "eve@rival.example"
PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Client:
    """One browser: its own cookie jar; `post` sends the CSRF token of the page it last read."""

    base: str
    http: aiohttp.ClientSession
    csrf: str = ""

    async def get(self, path: str, **kwargs: Any) -> tuple[int, str]:
        async with self.http.get(self.base + path, allow_redirects=kwargs.pop("follow", True), **kwargs) as response:
            text = await response.text()
            found = CSRF.search(text)
            self.csrf = found.group(1) if found else self.csrf
            self.last = response
            return response.status, text

    async def post(self, path: str, data: Any = None, *, origin: str | None = None, token: bool = True,
                   follow: bool = True) -> tuple[int, str]:
        form = aiohttp.FormData(data or {})
        if token:
            form.add_field("csrf", self.csrf)
        headers = {"Origin": origin if origin is not None else self.base}
        async with self.http.post(self.base + path, data=form, headers=headers, allow_redirects=follow) as response:
            text = await response.text()
            found = CSRF.search(text)
            self.csrf = found.group(1) if found else self.csrf
            self.last = response
            return response.status, text

    async def sign_in(self, email: str, password: str = PASSWORD) -> tuple[int, str]:
        await self.get("/admin/login")
        return await self.post("/admin/login", {"email": email, "password": password})


@dataclass
class Console:
    url: str
    runtime: Runtime
    double: SlackDouble
    ids: dict[str, int]
    _sessions: list[aiohttp.ClientSession]

    def client(self) -> Client:
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                     timeout=aiohttp.ClientTimeout(total=20))
        self._sessions.append(http)
        return Client(self.url, http)

    async def signed_in(self, email: str) -> Client:
        client = self.client()
        status, text = await client.sign_in(email)
        assert status == 200 and "Sign out" in text, text
        return client


async def seed(runtime: Runtime) -> dict[str, int]:
    """Tenant A (Slack): leader Alex with #product-team and a campaign. Tenant B: its own leader and campaign."""
    db = runtime.db
    ids: dict[str, int] = {}
    async with db.session() as session:
        for ws, name in ((WS_A, "Acme"), (WS_B, "Rival")):
            await ensure_workspace(session, ws, name)
        alex = await ensure_person(session, WS_A, "U0LEAD", "Alex Rivera", "Europe/London")
        bo = await ensure_person(session, WS_B, "bo", "Bo Rival", "Europe/Paris")
        for ws, person, channel in ((WS_A, alex, "C0TEAM"), (WS_B, bo, "rival-team")):
            session.add(Team(workspace_id=ws, name=channel, leader_id=person.id, channel_id=channel, channel_name=channel))
        for key, ws, who in (("campaign_a", WS_A, "U0LEAD"), ("campaign_b", WS_B, "bo")):
            campaign = Campaign(workspace_id=ws, name=f"Weekly {ws}", pack="going-first", audience_kind="leaders",
                                audience_ids=[who])
            session.add(campaign)
            await session.flush()
            assert campaign.id is not None
            ids[key] = campaign.id
        assert alex.id and bo.id
        ids["alex"], ids["bo"] = alex.id, bo.id
    for ws, email, role in ((WS_A, ADMIN, "admin"), (WS_A, VIEWER, "viewer"), (WS_B, RIVAL, "admin")):
        await create_account(db, ws, email, role, PASSWORD)
    return ids


async def start(runtime: Runtime, double: SlackDouble) -> tuple[web.AppRunner, str]:
    app = build_app(runtime, [mount_slack, console_mount(privacy_hooks())])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


@asynccontextmanager
async def running(db: Database, clock: FixedClock, double: SlackDouble, **extra: Any) -> AsyncIterator[Console]:
    settings = settings_for(db.url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=double.url,
                            GOFIRST_SECRET_KEY="a console test key, long enough to sign cookies with", **extra)
    runtime = build_runtime(settings, clock=clock, db=db)
    ids = await seed(runtime)
    runner, url = await start(runtime, double)
    server = Console(url, runtime, double, ids, [])
    try:
        yield server
    finally:
        for http in server._sessions:
            await http.close()
        await runner.cleanup()


@pytest.fixture
async def console(migrated_db: Database, clock: FixedClock, double: SlackDouble) -> AsyncIterator[Console]:
    async with running(migrated_db, clock, double) as server:
        yield server
