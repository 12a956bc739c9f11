"""Live servers for the fuzz and hardening tests, on a SQLite file (input handling is the same on
PostgreSQL, and the suite stays quick): Slack with its Web API double, Teams in dev mode, the
playground."""
from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from adapters.teams.app import TEAMS
from adapters.teams.auth import Authentication, BotConfig
from botbuilder.integration.aiohttp import CloudAdapter
from bot.app.mounts import privacy_hooks
from bot.app.server import build_app
from bot.clock import FixedClock
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from storage.db import Database
from tests.conftest import START
from tests.reliability.watch import Tally
from tests.support.templates import MigratedTemplates
from tests.slack.conftest import OAUTH_SECRET_KEY, PEOPLE, Live as SlackLive, running, seed_workspace, settings_for
from tests.slack.double import BOT_TOKEN, SlackDouble
from tests.teams.conftest import APP_ID, Live as TeamsLive, serve, start_connector
from tests.teams.keys import ISSUER, KeyServer, StandInMsal

OAUTH_CLIENT_SECRET = "oauth-client-secret-4f9c1e"
TEAMS_PASSWORD = "teams-app-password-9d2b71"


@pytest.fixture
async def sqlite_db(sqlite_url: str, migrated_templates: MigratedTemplates) -> AsyncIterator[Database]:
    db = migrated_templates.migrated(sqlite_url)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
async def slack(sqlite_db: Database) -> AsyncIterator[SlackLive]:
    """A seeded Slack workspace behind a live server (one-workspace mode, bot token)."""
    double = SlackDouble(users={uid: {"name": name, "tz": tz} for uid, (name, tz) in PEOPLE.items()})
    await double.start()
    settings = settings_for(sqlite_db.url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=double.url)
    try:
        async with running(settings, sqlite_db, FixedClock(START), double) as live:
            await seed_workspace(live)
            yield live
    finally:
        await double.stop()


@pytest.fixture
async def sqlite_runtime(sqlite_db: Database) -> Runtime:
    return build_runtime(Settings(GOFIRST_DATABASE_URL=sqlite_db.url), clock=FixedClock(START), db=sqlite_db)


@pytest.fixture
def tally(request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]) -> Any:
    """Counts the cases a fuzz test sent and prints the figure (docs/reliability.md quotes it)."""
    counted = Tally()
    yield counted
    with capsys.disabled():
        print(f"\n[fuzz] {request.node.name}: {counted}")


@pytest.fixture
async def teams(sqlite_runtime: Runtime) -> AsyncIterator[TeamsLive]:
    """Teams in dev mode (no token checks) with the Bot Connector double; retries never sleep."""
    connector, connector_runner = await start_connector()
    runner, url = await serve(sqlite_runtime, Settings(GOFIRST_DATABASE_URL=sqlite_runtime.db.url,
                                                       GOFIRST_TEAMS_DEV_MODE=True))
    edge = runner.app[TEAMS]

    async def no_sleep(_seconds: float) -> None:
        return None

    edge.platform.sleep = no_sleep
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as http:
        try:
            yield TeamsLive(url, connector, sqlite_runtime, edge, http, [])
        finally:
            await runner.cleanup()
            await connector_runner.cleanup()


@dataclass
class Playground:
    """The playground behind a live server, and the CSRF token its page hands the script."""

    url: str
    http: aiohttp.ClientSession
    app: web.Application
    token: str

    def posts(self) -> list[str]:
        """Every state-changing route the playground serves, found in the router (new ones included)."""
        return sorted({r.resource.canonical for r in self.app.router.routes()
                       if r.method == "POST" and r.resource is not None
                       and r.resource.canonical.startswith("/playground/")})


def page_config(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="config">(.*?)</script>', html, re.DOTALL)
    assert found, "the page embeds its config"
    return dict(json.loads(found.group(1)))


@pytest.fixture
async def playground(sqlite_runtime: Runtime) -> AsyncIterator[Playground]:
    from adapters.local import mount

    sqlite_runtime.services.privacy_hooks = list(privacy_hooks())
    app = build_app(sqlite_runtime, [mount])
    runner = web.AppRunner(app, shutdown_timeout=5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as http:
        async with http.get(f"{url}/") as response:
            token = str(page_config(await response.text()).get("csrf", ""))
        for step in ("start", "nudge"):  # a nudge with buttons to press, as after the page's first clicks
            async with http.post(f"{url}/playground/api/admin/{step}", headers={"X-GoFirst-CSRF": token}):
                pass
        yield Playground(url, http, app, token)
    await runner.cleanup()


@dataclass
class Edges:
    """One server with every edge mounted, as `gofirst serve --playground` runs it."""

    url: str
    http: aiohttp.ClientSession
    app: web.Application
    token: str  # the playground page's CSRF token


@pytest.fixture
async def edges(sqlite_db: Database) -> AsyncIterator[Edges]:
    from adapters.local import mount as mount_playground
    from adapters.slack import mount as mount_slack
    from adapters.teams import mount as mount_teams

    double = SlackDouble()
    await double.start()
    settings = settings_for(sqlite_db.url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=double.url,
                            GOFIRST_TEAMS_DEV_MODE=True)
    runtime = build_runtime(settings, clock=FixedClock(START), db=sqlite_db)
    app = build_app(runtime, [mount_playground, mount_slack, mount_teams])
    runner = web.AppRunner(app, shutdown_timeout=5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as http:
            async with http.get(f"{url}/") as response:
                token = str(page_config(await response.text()).get("csrf", ""))
            yield Edges(url, http, app, token)
    finally:
        await runner.cleanup()
        await double.stop()


@pytest.fixture
async def teams_secured(sqlite_runtime: Runtime) -> AsyncIterator[tuple[TeamsLive, KeyServer]]:
    """Teams with an app id: every request's token is checked against a local signing-key server."""
    connector, connector_runner = await start_connector()
    settings = Settings(GOFIRST_DATABASE_URL=sqlite_runtime.db.url, MicrosoftAppId=APP_ID,
                        MicrosoftAppPassword=TEAMS_PASSWORD)
    runner, url = await serve(sqlite_runtime, settings)
    edge = runner.app[TEAMS]
    with KeyServer() as keys:
        config = BotConfig(settings, TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=f"{keys.url}/openid",
                           TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=ISSUER)
        edge.adapter = edge.platform.adapter = CloudAdapter(Authentication(config, StandInMsal(APP_ID)))
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as http:
            try:
                yield TeamsLive(url, connector, sqlite_runtime, edge, http, []), keys
            finally:
                await runner.cleanup()
                await connector_runner.cleanup()


@pytest.fixture
async def slack_oauth(sqlite_db: Database) -> AsyncIterator[SlackLive]:
    """Multi-workspace Slack: installs through /slack/install, with a client secret."""
    double = SlackDouble()
    await double.start()
    settings = settings_for(sqlite_db.url, SLACK_CLIENT_ID="1234.5678", SLACK_CLIENT_SECRET=OAUTH_CLIENT_SECRET,
                            GOFIRST_SECRET_KEY=OAUTH_SECRET_KEY, SLACK_API_URL=double.url)
    try:
        async with running(settings, sqlite_db, FixedClock(START), double) as live:
            yield live
    finally:
        await double.stop()
