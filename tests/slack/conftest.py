"""A live GoFirst server on 127.0.0.1 (port 0) with the Slack edge mounted, a Slack Web API double,
and helpers that send requests signed as Slack signs them."""
from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from adapters.slack import SLACK_EDGE, mount
from adapters.slack.edge import SlackEdge
from bot.clock import FixedClock
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from bot.app.server import build_app
from storage.db import Database
from storage.repositories.people import add_member, ensure_person, ensure_workspace
from storage.tables import Campaign, Person, Team
from tests.slack.double import BOT_ID, BOT_TOKEN, BOT_USER, TEAM_ID, SlackDouble

SECRET = "test-signing-secret"
OAUTH_SECRET_KEY = "a test key that is long enough to be a real one, 48+ chars"
WORKSPACE = f"slack:{TEAM_ID}"
LEADER, SAM, PRIYA, JORDAN, ADMIN = "U0LEAD", "U0SAM", "U0PRIYA", "U0JORDAN", "U0ADMIN"
CHANNEL = "C0TEAM"
PEOPLE = {LEADER: ("Alex Rivera", "Europe/London"), SAM: ("Sam Okafor", "Europe/London"),
          PRIYA: ("Priya Nair", "Asia/Kolkata"), JORDAN: ("Jordan Lee", "America/New_York"),
          ADMIN: ("Dana Brooks", "Europe/London")}


@dataclass
class Seeded:
    leader_id: int
    team_id: int
    campaign_id: int


@dataclass
class Live:
    """The running server and ways to talk to it as Slack would."""

    url: str
    http: aiohttp.ClientSession
    edge: SlackEdge
    runtime: Runtime
    double: SlackDouble
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def headers(self, body: str, content_type: str, timestamp: int | None = None,
                signature: str | None = None) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": signature or SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)}

    async def send(self, body: str, content_type: str, *, extra: dict[str, str] | None = None,
                   **signing: Any) -> tuple[int, str]:
        headers = {**self.headers(body, content_type, **signing), **(extra or {})}
        async with self.http.post(f"{self.url}/slack/events", data=body.encode(), headers=headers) as response:
            return response.status, await response.text()

    async def event(self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None,
                    **signing: Any) -> tuple[int, str]:
        body = json.dumps({"token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0GOFIRST", "type": "event_callback",
                           "event": event, "event_id": event_id or f"Ev{next(self._ids):08d}",
                           "event_time": int(time.time()),
                           "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER, "is_bot": True}]})
        extra = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return await self.send(body, "application/json", extra=extra, **signing)

    async def command(self, user: str, text: str, channel: str = CHANNEL) -> tuple[int, str]:
        body = urlencode({"token": "legacy", "team_id": TEAM_ID, "team_domain": "gofirst-test",
                          "channel_id": channel, "channel_name": "product-team", "user_id": user, "user_name": user,
                          "command": "/gofirst", "text": text, "api_app_id": "A0GOFIRST",
                          "response_url": "https://hooks.slack.invalid/commands/1", "trigger_id": self.trigger()})
        return await self.send(body, "application/x-www-form-urlencoded")

    def trigger(self) -> str:
        return f"{next(self._ids)}.trigger"

    async def interact(self, payload: dict[str, Any]) -> tuple[int, str]:
        return await self.send(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    async def click(self, user: str, action_id: str, value: str = "", channel: str | None = None,
                    ts: str | None = None) -> tuple[int, str]:
        payload: dict[str, Any] = {
            "type": "block_actions", "user": {"id": user, "team_id": TEAM_ID}, "team": {"id": TEAM_ID},
            "api_app_id": "A0GOFIRST", "trigger_id": self.trigger(),
            "container": {"type": "message", "channel_id": channel, "message_ts": ts},
            "actions": [{"type": "button", "action_id": action_id, "block_id": "actions-0", "value": value,
                         "action_ts": str(time.time())}]}
        if channel:
            payload["channel"] = {"id": channel}
            payload["message"] = {"ts": ts, "type": "message"}
        return await self.interact(payload)

    async def submit(self, user: str, view: dict[str, Any], values: dict[str, str]) -> tuple[int, str]:
        """Fills the modal Slack was asked to open, as a person would, and submits it."""
        state: dict[str, Any] = {}
        for block in view["blocks"]:
            if block["type"] != "input":
                continue
            element, value = block["element"], values.get(block["block_id"])
            if value is None:
                continue
            kind = element["type"]
            if kind == "static_select":
                entry: dict[str, Any] = {"type": kind, "selected_option": {"value": value}}
            elif kind == "conversations_select":
                entry = {"type": kind, "selected_conversation": value}
            else:
                entry = {"type": kind, "value": value}
            state[block["block_id"]] = {element["action_id"]: entry}
        payload = {"type": "view_submission", "team": {"id": TEAM_ID}, "user": {"id": user, "team_id": TEAM_ID},
                   "api_app_id": "A0GOFIRST", "trigger_id": self.trigger(),
                   "view": {"id": "V1", "type": "modal", "team_id": TEAM_ID, "callback_id": view["callback_id"],
                            "private_metadata": view.get("private_metadata", ""), "state": {"values": state}}}
        return await self.interact(payload)

    async def settle(self) -> None:
        """Waits (bounded) for the work Slack's requests started after their ack."""
        await self.edge.idle(timeout=15)

    def dms_to(self, user: str) -> list[dict[str, Any]]:
        return [c.args for c in self.double.posts_to(user)]


def settings_for(db_url: str, **extra: Any) -> Settings:
    return Settings(GOFIRST_DATABASE_URL=db_url, SLACK_SIGNING_SECRET=SECRET, **extra)


async def start_live(runtime: Runtime, double: SlackDouble) -> tuple[web.AppRunner, str]:
    app = build_app(runtime, [mount])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


@pytest.fixture
async def double() -> AsyncIterator[SlackDouble]:
    fake = SlackDouble(users={uid: {"name": name, "tz": tz} for uid, (name, tz) in PEOPLE.items()})
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
def slack_settings(migrated_db: Database, double: SlackDouble) -> Settings:
    return settings_for(migrated_db.url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=double.url)


@asynccontextmanager
async def running(settings: Settings, db: Database, clock: FixedClock, double: SlackDouble) -> AsyncIterator[Live]:
    runtime = build_runtime(settings, clock=clock, db=db)
    runner, url = await start_live(runtime, double)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as http:
        live = Live(url, http, runner.app[SLACK_EDGE], runtime, double)
        try:
            yield live
        finally:
            await live.edge.idle(timeout=15)
            await runner.cleanup()


@pytest.fixture
async def live(migrated_db: Database, clock: FixedClock, double: SlackDouble,
               slack_settings: Settings) -> AsyncIterator[Live]:
    async with running(slack_settings, migrated_db, clock, double) as server:
        yield server


@pytest.fixture
async def oauth_live(migrated_db: Database, clock: FixedClock, double: SlackDouble) -> AsyncIterator[Live]:
    """Multi-workspace mode: no bot token, installs through /slack/install."""
    settings = settings_for(migrated_db.url, SLACK_CLIENT_ID="1234.5678", SLACK_CLIENT_SECRET="client-secret",
                            GOFIRST_SECRET_KEY=OAUTH_SECRET_KEY, SLACK_API_URL=double.url)
    async with running(settings, migrated_db, clock, double) as server:
        yield server


@pytest.fixture
async def seeded(live: Live) -> Seeded:
    return await seed_workspace(live)


async def seed_workspace(live: Live) -> Seeded:
    """A Slack workspace: Alex leads #product-team (Sam, Priya, Jordan); Dana is an admin; one campaign."""
    async with live.runtime.db.session() as session:
        await ensure_workspace(session, WORKSPACE, "GoFirst test")
        people: dict[str, Person] = {}
        for uid, (name, tz) in PEOPLE.items():
            people[uid] = await ensure_person(session, WORKSPACE, uid, name, tz)
        people[ADMIN].is_admin = True
        session.add(people[ADMIN])
        team = Team(workspace_id=WORKSPACE, name="Product team", leader_id=people[LEADER].id, channel_id=CHANNEL,
                    channel_name="product-team")
        session.add(team)
        await session.flush()
        for uid in (SAM, PRIYA, JORDAN):
            await add_member(session, team, people[uid])
        campaign = Campaign(workspace_id=WORKSPACE, name="Going first", pack="going-first", state="active",
                            audience_kind="leaders", audience_ids=[LEADER])
        session.add(campaign)
        await session.flush()
        assert people[LEADER].id and team.id and campaign.id
        return Seeded(people[LEADER].id, team.id, campaign.id)


__all__ = ["BOT_ID", "BOT_USER", "CHANNEL", "LEADER", "Live", "Seeded", "WORKSPACE"]
